/**
 * An anytime-valid sequential test of a canary's error rate against the stable one's, after Lindon et al.,
 * "Rapid Regression Detection in Software Deployments through Sequential Testing" (KDD 2022).
 *
 * Model: in minute m the canary gets c_m requests and the stable group s_m; errors arrive at rates p_c and p_s
 * per request (both may change from minute to minute), with a constant ratio R = p_c / p_s. Given the minute's
 * requests and its total errors n_m, the canary's errors are x_m ~ Binomial(n_m, θ_m(R)) with
 *
 *     θ_m(R) = q_m R / (q_m R + 1 − q_m),   q_m = c_m / (c_m + s_m)   (the minute's canary share of requests).
 *
 * The hypothesis "the canary is no worse than the tolerated ratio" is H0: R ≤ R0 = 1 + minRelativeEffect. For
 * a fixed alternative R_j > R0, the likelihood ratio of one minute against R0 is
 *
 *     (θ_m(R_j) / θ_m(R0))^x_m ((1 − θ_m(R_j)) / (1 − θ_m(R0)))^(n_m − x_m)
 *       = (R_j / R0)^x_m ((1 + q_m (R0 − 1)) / (1 + q_m (R_j − 1)))^n_m,
 *
 * whose expectation under any R ≤ R0 is at most 1, so the product over minutes is a test supermartingale. The
 * e-value is a fixed mixture of those products over a grid of alternatives,
 *
 *     E_t = Σ_j w_j Π_{m ≤ t} (R_j / R0)^x_m ((1 + q_m (R0 − 1)) / (1 + q_m (R_j − 1)))^n_m,
 *
 * again a test supermartingale, so by Ville's inequality P(sup_t E_t ≥ 1/α) ≤ α under H0, however often it is
 * looked at. A discrete mixture keeps that guarantee exact (no quadrature error can break it); the grid only
 * shapes the power. With a constant share q the e-value depends on the cumulative counts alone and is the
 * discrete form of Lindon et al.'s beta-binomial mixture; taking the share per minute keeps the test valid when
 * Argo changes the canary's weight while the error rates change too. The always-valid p-value is
 * min(1, 1 / max_{m ≤ t} E_m). Pure.
 */
import { InputError } from '../ports/errors.js';

/** Defaults of the sequential test. */
export const SEQUENTIAL_DEFAULTS = {
  alpha: 0.05,
  minRelativeEffect: 0,
} as const;

/**
 * The alternatives mixed: log(R_j / R0) = 0.1, 0.2, …, 4 (ratios from 1.1× to 55× the tolerated one), weighted
 * by a half-normal density of scale 1 on the log ratio, so most of the weight is on ratios between 1.1× and 5×,
 * where a regression is both likely and worth stopping for.
 */
export const SEQUENTIAL_MIXTURE: readonly { readonly logRatio: number; readonly weight: number }[] = (() => {
  const logRatios = Array.from({ length: 40 }, (_, index) => (index + 1) / 10);
  const densities = logRatios.map((u) => Math.exp(-(u * u) / 2));
  const total = densities.reduce((sum, density) => sum + density, 0);
  return logRatios.map((logRatio, index) => ({ logRatio, weight: (densities[index] ?? 0) / total }));
})();

const LOG_WEIGHTS = SEQUENTIAL_MIXTURE.map((component) => Math.log(component.weight));

/** One minute's counts of both target groups. */
export interface MinuteCounts {
  readonly canaryErrors: number;
  readonly canaryRequests: number;
  readonly stableErrors: number;
  readonly stableRequests: number;
}

/** The state of the test after some minutes; step it with `stepSequentialTest`. */
export interface SequentialTestState {
  /** R0: the ratio of the canary's error rate to the stable one's that is still tolerated. */
  readonly nullRatio: number;
  /** ln of each mixture component's likelihood ratio, in the order of `SEQUENTIAL_MIXTURE`. */
  readonly logLikelihoodRatios: readonly number[];
  readonly canary: { readonly errors: number; readonly requests: number };
  readonly stable: { readonly errors: number; readonly requests: number };
  readonly minutes: number;
  /** ln E_t, now. */
  readonly logEValue: number;
  /** ln of the largest e-value reached so far: the test rejects once it reaches ln(1/α). */
  readonly maxLogEValue: number;
}

/** The test before any minute: every likelihood ratio is 1, so the e-value is 1. */
export function startSequentialTest(
  minRelativeEffect: number = SEQUENTIAL_DEFAULTS.minRelativeEffect,
): SequentialTestState {
  if (!Number.isFinite(minRelativeEffect) || minRelativeEffect < 0) {
    throw new InputError('minRelativeEffect', `must be a finite number ≥ 0, got ${minRelativeEffect}`);
  }
  return {
    nullRatio: 1 + minRelativeEffect,
    logLikelihoodRatios: SEQUENTIAL_MIXTURE.map(() => 0),
    canary: { errors: 0, requests: 0 },
    stable: { errors: 0, requests: 0 },
    minutes: 0,
    logEValue: 0,
    maxLogEValue: 0,
  };
}

/** The test after one more minute. Counts must be whole, errors ≤ requests. */
export function stepSequentialTest(state: SequentialTestState, minute: MinuteCounts): SequentialTestState {
  for (const [group, errors, requests] of [
    ['canary', minute.canaryErrors, minute.canaryRequests],
    ['stable', minute.stableErrors, minute.stableRequests],
  ] as const) {
    if (!Number.isInteger(errors) || !Number.isInteger(requests) || errors < 0 || errors > requests) {
      throw new InputError(group, `needs whole counts with errors ≤ requests, got ${errors}/${requests}`);
    }
  }
  const requests = minute.canaryRequests + minute.stableRequests;
  const errors = minute.canaryErrors + minute.stableErrors;
  let logLikelihoodRatios = state.logLikelihoodRatios;
  // A minute without errors, or with all its requests in one group, says nothing about the ratio: its
  // likelihood ratio is 1 for every alternative.
  if (errors > 0 && minute.canaryRequests > 0 && minute.stableRequests > 0) {
    const share = minute.canaryRequests / requests;
    const r0 = state.nullRatio;
    const nullDenominator = 1 + share * (r0 - 1);
    logLikelihoodRatios = state.logLikelihoodRatios.map((logRatio, index) => {
      const u = SEQUENTIAL_MIXTURE[index]?.logRatio ?? 0;
      const rj = r0 * Math.exp(u);
      // ln((1 + q (R_j − 1)) / (1 + q (R0 − 1))) as log1p, exact for small shares.
      const logDenominatorRatio = Math.log1p((share * (rj - r0)) / nullDenominator);
      return logRatio + minute.canaryErrors * u - errors * logDenominatorRatio;
    });
  }
  const logEValue =
    logLikelihoodRatios === state.logLikelihoodRatios
      ? state.logEValue
      : logSumExp(logLikelihoodRatios.map((value, index) => value + (LOG_WEIGHTS[index] ?? 0)));
  return {
    nullRatio: state.nullRatio,
    logLikelihoodRatios,
    canary: {
      errors: state.canary.errors + minute.canaryErrors,
      requests: state.canary.requests + minute.canaryRequests,
    },
    stable: {
      errors: state.stable.errors + minute.stableErrors,
      requests: state.stable.requests + minute.stableRequests,
    },
    minutes: state.minutes + 1,
    logEValue,
    maxLogEValue: Math.max(state.maxLogEValue, logEValue),
  };
}

/** The outcome of the sequential test over the minutes since the canary started. */
export interface SequentialTestResult {
  /** E_t after the last minute. */
  readonly eValue: number;
  /** The largest e-value after any minute so far. */
  readonly maxEValue: number;
  /** 1/α: the test rejects once `maxEValue` reaches it. */
  readonly eValueThreshold: number;
  /** The always-valid p-value, min(1, 1 / maxEValue). */
  readonly pValue: number;
  readonly rejected: boolean;
  /** R0 = 1 + minRelativeEffect. */
  readonly nullRatio: number;
  readonly alpha: number;
  readonly minutes: number;
  readonly canary: { readonly errors: number; readonly requests: number };
  readonly stable: { readonly errors: number; readonly requests: number };
  /** The canary's share of all requests over the minutes. */
  readonly canaryShare: number;
}

/** Summarises a state against `alpha`. */
export function judgeSequentialTest(
  state: SequentialTestState,
  alpha: number = SEQUENTIAL_DEFAULTS.alpha,
): SequentialTestResult {
  if (!(alpha > 0 && alpha < 1)) throw new InputError('alpha', `must be between 0 and 1, got ${alpha}`);
  const requests = state.canary.requests + state.stable.requests;
  // Rejecting compares logarithms, so an e-value too large for a double still rejects.
  const rejected = state.maxLogEValue >= -Math.log(alpha);
  return {
    eValue: Math.min(Number.MAX_VALUE, Math.exp(state.logEValue)),
    maxEValue: Math.min(Number.MAX_VALUE, Math.exp(state.maxLogEValue)),
    eValueThreshold: 1 / alpha,
    pValue: Math.min(1, Math.exp(-state.maxLogEValue)),
    rejected,
    nullRatio: state.nullRatio,
    alpha,
    minutes: state.minutes,
    canary: state.canary,
    stable: state.stable,
    canaryShare: requests > 0 ? state.canary.requests / requests : 0,
  };
}

/** The sequential test over `minutes` (oldest first), judged against `alpha`. Pure. */
export function evaluateSequentialTest(
  minutes: readonly MinuteCounts[],
  options: { readonly alpha?: number; readonly minRelativeEffect?: number } = {},
): SequentialTestResult {
  const state = minutes.reduce(stepSequentialTest, startSequentialTest(options.minRelativeEffect));
  return judgeSequentialTest(state, options.alpha);
}

function logSumExp(values: readonly number[]): number {
  const max = Math.max(...values);
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const value of values) sum += Math.exp(value - max);
  return max + Math.log(sum);
}
