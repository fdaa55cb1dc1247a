import { simulateRollout } from './engine.js';
import type { SimulateOptions } from './engine.js';
import type { SimulationResult } from './result.js';
import type { NumericScenarioField, SimulationScenario } from './scenario.js';
import { InvalidScenarioError } from './validate.js';

/** Minimum, median, mean and maximum of one figure over several runs. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly mean: number;
  readonly max: number;
}

/** The same scenario run with consecutive seeds, and how much the figures varied. */
export interface RunManyResult {
  readonly results: readonly SimulationResult[];
  readonly failures: Spread;
  readonly successRatio: Spread;
  readonly status502: Spread;
  readonly status503: Spread;
  readonly status504: Spread;
}

/** How failures vary with one parameter. */
export interface SweepPoint {
  readonly value: number;
  readonly result: SimulationResult;
}

/** The most runs one call will make. */
export const MAX_RUNS = 1000;
/** The most points one sweep will make. */
export const MAX_SWEEP_STEPS = 200;

const INTEGER_FIELDS: ReadonlySet<NumericScenarioField> = new Set([
  'replicas',
  'terminationGracePeriodSeconds',
  'healthyThresholdCount',
  'unhealthyThresholdCount',
  'seed',
]);

/** Fields a sweep may vary: every number of the scenario but the seed. */
export const SWEEPABLE_FIELDS: readonly NumericScenarioField[] = [
  'replicas',
  'minReadySeconds',
  'startupSeconds',
  'readinessInitialDelaySeconds',
  'readinessPeriodSeconds',
  'preStopSeconds',
  'terminationGracePeriodSeconds',
  'shutdownSeconds',
  'controllerLatencySeconds',
  'propagationSeconds',
  'healthCheckIntervalSeconds',
  'healthCheckTimeoutSeconds',
  'healthyThresholdCount',
  'unhealthyThresholdCount',
  'deregistrationDelaySeconds',
  'idleTimeoutSeconds',
  'rps',
  'requestMedianMs',
  'requestP99Ms',
  'requestMaxSeconds',
  'warmupSeconds',
];

/** Figures of a list of numbers. */
export function summarizeSpread(values: readonly number[]): Spread {
  if (values.length === 0) return { min: 0, median: 0, mean: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return {
    min: sorted[0] ?? 0,
    median,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    max: sorted[sorted.length - 1] ?? 0,
  };
}

/** Runs the scenario `runs` times with seeds seed, seed + 1, … and reports the spread. */
export function runMany(
  scenario: SimulationScenario,
  runs: number,
  options: SimulateOptions = {},
): RunManyResult {
  if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS) {
    throw new InvalidScenarioError([
      { path: 'runs', message: `must be a whole number within 1–${MAX_RUNS}, got ${runs}` },
    ]);
  }
  const seed = options.seed ?? scenario.seed;
  const results: SimulationResult[] = [];
  for (let run = 0; run < runs; run += 1)
    results.push(simulateRollout(scenario, { ...options, seed: seed + run }));
  const spreadOf = (pick: (result: SimulationResult) => number): Spread => summarizeSpread(results.map(pick));
  return {
    results,
    failures: spreadOf((result) => result.failures),
    successRatio: spreadOf((result) => result.successRatio),
    status502: spreadOf((result) => result.byStatus[502]),
    status503: spreadOf((result) => result.byStatus[503]),
    status504: spreadOf((result) => result.byStatus[504]),
  };
}

/** The values a sweep visits: `steps` evenly spaced from `from` to `to`, whole numbers for integer fields. */
export function sweepValues(field: NumericScenarioField, from: number, to: number, steps: number): number[] {
  const errors = [];
  if (!SWEEPABLE_FIELDS.includes(field)) {
    errors.push({ path: 'sweep', message: `cannot sweep ${field}; one of ${SWEEPABLE_FIELDS.join(', ')}` });
  }
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    errors.push({ path: 'sweep', message: `range must be finite numbers, got ${from}..${to}` });
  } else if (from > to) {
    errors.push({ path: 'sweep', message: `range is reversed: ${from}..${to}; write ${to}..${from}` });
  }
  if (!Number.isInteger(steps) || steps < 1 || steps > MAX_SWEEP_STEPS) {
    errors.push({
      path: 'sweep',
      message: `steps must be a whole number within 1–${MAX_SWEEP_STEPS}, got ${steps}`,
    });
  }
  if (errors.length > 0) throw new InvalidScenarioError(errors);
  const values: number[] = [];
  for (let i = 0; i < steps; i += 1) {
    const raw = steps === 1 ? from : from + ((to - from) * i) / (steps - 1);
    const value = INTEGER_FIELDS.has(field) ? Math.round(raw) : Number(raw.toFixed(6));
    if (values[values.length - 1] !== value) values.push(value);
  }
  return values;
}

/** Simulates the scenario once per value of `field` between `from` and `to`; same seed for every point. */
export function sweep(
  scenario: SimulationScenario,
  field: NumericScenarioField,
  from: number,
  to: number,
  steps: number,
  options: SimulateOptions = {},
): SweepPoint[] {
  return sweepValues(field, from, to, steps).map((value) => ({
    value,
    result: simulateRollout({ ...scenario, [field]: value }, options),
  }));
}
