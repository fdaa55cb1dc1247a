/**
 * The rollout simulator: a deterministic discrete-event model of one rolling update (or Argo canary) behind an
 * ALB, predicting what a load tester would see. Pure: no clock, no I/O, randomness from a seed.
 */
export { simulateRollout, SimulationBudgetError } from './engine.js';
export type { SimulateOptions } from './engine.js';
export { createScenario, createRollingStrategy, createCanaryStrategy } from './scenario.js';
export type {
  SimulationScenario,
  ScenarioInput,
  SimulatedStrategy,
  SimulatedCanaryStep,
  ShutdownBehaviour,
  NumericScenarioField,
} from './scenario.js';
export { validateScenario, InvalidScenarioError } from './validate.js';
export type { ScenarioError } from './validate.js';
export { FAILURE_REASONS, STATUS_OF_REASON } from './result.js';
export type {
  SimulationResult,
  SimulatedStatus,
  FailureReason,
  TimelinePoint,
  TimelineMarker,
  DominantCause,
} from './result.js';
export type { LatencySummary } from './histogram.js';
export { describeDominantCause } from './cause.js';
export { createRandom, createLognormal } from './random.js';
export type { Random, RandomFactory } from './random.js';
export { proposeFix } from './fix.js';
export type { ProposedFix, ScenarioChange } from './fix.js';
export {
  runMany,
  runManyCompared,
  sweep,
  sweepCompared,
  sweepValues,
  summarizeSpread,
  SWEEPABLE_FIELDS,
  MAX_RUNS,
  MAX_SWEEP_STEPS,
} from './sweep.js';
export type { RunManyResult, Spread, SweepPoint } from './sweep.js';
export { commonTrafficWindow, simulateOverOneWindow, describeTrafficWindow } from './window.js';
export type { TrafficWindow } from './window.js';
export { planRollingStep } from './deployment.js';
export type { RollingState, RollingStep } from './deployment.js';
export {
  renderSimulationText,
  renderComparisonText,
  renderRunManyText,
  renderSweepText,
  describeScenario,
  formatLatency,
} from './render-text.js';
export type { SimulationTextOptions } from './render-text.js';
export { renderSimulationJson, SIMULATION_JSON_SCHEMA } from './render-json.js';
export type { SimulationDocument, SimulationJsonInput } from './render-json.js';
export { renderTimelineSvg } from './render-svg.js';
export type { TimelinePanel, TimelineSvgOptions } from './render-svg.js';
export { REFERENCE_CASES } from './reference.js';
export type { ReferenceCase } from './reference.js';
export { createScenarioFromFacts, createScenariosFromFacts } from './from-facts.js';
export type { FactsScenario, ScenarioFromFactsOptions } from './from-facts.js';
