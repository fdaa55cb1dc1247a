import { simulateRollout } from './engine.js';
import type { SimulateOptions } from './engine.js';
import type { SimulationResult } from './result.js';
import type { NumericScenarioField, SimulationScenario } from './scenario.js';
import { InvalidScenarioError, validateScenario } from './validate.js';
import { commonTrafficWindow, simulateOverOneWindow } from './window.js';
import type { TrafficWindow } from './window.js';

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
  /** The longest traffic window of the runs (each run's covers its rollout, and its counterpart's when compared). */
  readonly window?: TrafficWindow;
  readonly failures: Spread;
  readonly successRatio: Spread;
  readonly status502: Spread;
  readonly status503: Spread;
  readonly status504: Spread;
}

/** How failures vary with one parameter: a result, or why the value cannot be simulated. */
export type SweepPoint =
  | { readonly value: number; readonly result: SimulationResult; readonly skipped?: undefined }
  | { readonly value: number; readonly result?: undefined; readonly skipped: string };

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
  return runManyCompared([scenario], runs, options)[0] as RunManyResult;
}

/**
 * `runMany` for configurations that are compared (as configured and fixed): run k of each uses seed + k and the
 * same traffic window, long enough for the slower of their rollouts, so run k counts the same requests in both.
 */
export function runManyCompared(
  scenarios: readonly SimulationScenario[],
  runs: number,
  options: SimulateOptions = {},
): RunManyResult[] {
  if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS) {
    throw new InvalidScenarioError([
      { path: 'runs', message: `must be a whole number within 1–${MAX_RUNS}, got ${runs}` },
    ]);
  }
  const first = scenarios[0];
  const seed = options.seed ?? first?.seed ?? 1;
  const perScenario: SimulationResult[][] = scenarios.map(() => []);
  let longest: TrafficWindow | undefined;
  for (let run = 0; run < runs; run += 1) {
    const { results, window } = simulateOverOneWindow(scenarios, { ...options, seed: seed + run });
    results.forEach((result, index) => perScenario[index]?.push(result));
    if (longest === undefined || window.seconds > longest.seconds) longest = window;
  }
  return perScenario.map((results) => {
    const spreadOf = (pick: (result: SimulationResult) => number): Spread =>
      summarizeSpread(results.map(pick));
    return {
      results,
      ...(longest ? { window: longest } : {}),
      failures: spreadOf((result) => result.failures),
      successRatio: spreadOf((result) => result.successRatio),
      status502: spreadOf((result) => result.byStatus[502]),
      status503: spreadOf((result) => result.byStatus[503]),
      status504: spreadOf((result) => result.byStatus[504]),
    };
  });
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
  return sweepCompared([scenario], field, from, to, steps, options).sweeps[0] ?? [];
}

/**
 * Sweeps several configurations (as configured and fixed) over the same values of `field`, every point over one
 * traffic window that covers the slowest rollout of them all, so that every row counts the same requests. A
 * value that makes a scenario invalid is skipped with the reason; the other points still run.
 */
export function sweepCompared(
  scenarios: readonly SimulationScenario[],
  field: NumericScenarioField,
  from: number,
  to: number,
  steps: number,
  options: SimulateOptions = {},
): { readonly sweeps: SweepPoint[][]; readonly window: TrafficWindow | null } {
  const values = sweepValues(field, from, to, steps);
  const planned = scenarios.map((scenario) =>
    values.map((value) => {
      const point = { ...scenario, [field]: value };
      const errors = validateScenario(point);
      return errors.length === 0
        ? { value, scenario: point }
        : { value, skipped: errors.map((error) => `${error.path}: ${error.message}`).join('; ') };
    }),
  );
  const valid = planned
    .flat()
    .flatMap((point) => ('scenario' in point && point.scenario ? [point.scenario] : []));
  if (valid.length === 0) {
    return {
      sweeps: planned.map((points) =>
        points.map((point) => ({ value: point.value, skipped: point.skipped ?? '' })),
      ),
      window: null,
    };
  }
  const window = commonTrafficWindow(valid, options);
  const sweeps = planned.map((points) =>
    points.map((point): SweepPoint =>
      'scenario' in point && point.scenario
        ? {
            value: point.value,
            result: simulateRollout({ ...point.scenario, durationSeconds: window.seconds }, options),
          }
        : { value: point.value, skipped: point.skipped ?? '' },
    ),
  );
  return { sweeps, window };
}
