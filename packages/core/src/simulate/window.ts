import { simulateRollout, SimulationBudgetError } from './engine.js';
import type { SimulateOptions } from './engine.js';
import type { SimulationResult } from './result.js';
import type { SimulationScenario } from './scenario.js';

/**
 * The traffic window simulations that are compared share, so that their figures count the very same requests
 * (arrivals are drawn from the seed, so the same window means the same requests): long enough for the slowest
 * configuration's rollout to stop hurting requests, or the duration asked for when that is longer.
 */
export interface TrafficWindow {
  /** Seconds of traffic from the start of the simulation (warm-up included). */
  readonly seconds: number;
  /** `slowest-rollout`: until the slowest configuration settled, plus its settle time; `duration`: as asked. */
  readonly basis: 'slowest-rollout' | 'duration';
  /** The duration asked for, when it was shorter than a rollout and had to be extended. */
  readonly extendedFrom?: number;
}

/** How long traffic must run for `scenario`'s rollout to be over: its own run without a fixed duration. */
function settleSeconds(scenario: SimulationScenario, options: SimulateOptions): number {
  return simulateRollout({ ...scenario, durationSeconds: null }, options).trafficSeconds;
}

/**
 * The window that covers every scenario's whole rollout. The duration asked for (the scenarios' own
 * `durationSeconds`, which callers set alike) is kept when it is long enough and extended, with a note,
 * when it is not. A rollout that never settles leaves the duration asked for, or throws without one.
 */
export function commonTrafficWindow(
  scenarios: readonly SimulationScenario[],
  options: SimulateOptions = {},
): TrafficWindow {
  const requested = scenarios.reduce<number | null>(
    (longest, s) => (s.durationSeconds === null ? longest : Math.max(longest ?? 0, s.durationSeconds)),
    null,
  );
  let settle = 0;
  for (const scenario of scenarios) {
    try {
      settle = Math.max(settle, settleSeconds(scenario, options));
    } catch (error) {
      if (requested !== null && error instanceof SimulationBudgetError) continue;
      throw error;
    }
  }
  if (requested === null) return { seconds: settle, basis: 'slowest-rollout' };
  if (requested >= settle) return { seconds: requested, basis: 'duration' };
  return { seconds: settle, basis: 'slowest-rollout', extendedFrom: requested };
}

/** Simulates every scenario over their common traffic window (see `commonTrafficWindow`). */
export function simulateOverOneWindow(
  scenarios: readonly SimulationScenario[],
  options: SimulateOptions = {},
): { readonly results: SimulationResult[]; readonly window: TrafficWindow } {
  const window = commonTrafficWindow(scenarios, options);
  return {
    results: scenarios.map((s) => simulateRollout({ ...s, durationSeconds: window.seconds }, options)),
    window,
  };
}

/** One sentence on the window, for reports: which requests the figures count. */
export function describeTrafficWindow(window: TrafficWindow): string {
  const seconds = `${Number(window.seconds.toFixed(1))} s`;
  if (window.extendedFrom !== undefined)
    return `traffic window ${seconds}: the ${window.extendedFrom} s asked for was extended, as a rollout was still able to hurt requests then`;
  return window.basis === 'duration'
    ? `traffic window ${seconds}, as asked`
    : `traffic window ${seconds}: until the slowest configuration's rollout could no longer hurt a request`;
}
