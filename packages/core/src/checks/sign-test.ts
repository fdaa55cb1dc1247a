/**
 * An anytime-valid sequential sign test: is the canary slower than the tolerated bound in more than half of the
 * minutes?
 *
 * Each judged minute gives one sign, x_m = 1 when the canary's percentile exceeds (1 + minRelativeEffect) × the
 * stable one's and 0 otherwise. H0: in every minute, given the minutes before, P(x_m = 1) ≤ 1/2 (the canary is no
 * slower than the bound in the median minute). For a fixed alternative θ_j > 1/2 the likelihood ratio of one
 * minute is (2 θ_j)^x_m (2 (1 − θ_j))^(1 − x_m), whose expectation under any P(x_m = 1) = p ≤ 1/2 is
 * 2 (1 − θ_j) + 2 p (2 θ_j − 1) ≤ 1. The e-value is a fixed mixture of the products over minutes,
 *
 *     E_t = Σ_j w_j Π_{m ≤ t} (2 θ_j)^x_m (2 (1 − θ_j))^(1 − x_m),   θ_j = 0.55, 0.60, …, 0.95, 0.99, w_j = 1/10,
 *
 * a test supermartingale, so P(sup_t E_t ≥ 1/α) ≤ α under H0 however often it is looked at (Ville's inequality).
 * It depends on the count of slower minutes and the count of minutes only. With every minute slower it reaches
 * 20 (α 0.05) after 6 minutes; a fixed-sample sign test would need 5 of 5 (p = 1/32), so looking at every minute
 * costs one. Pure.
 */
import { InputError } from '../ports/errors.js';

/** The alternatives mixed, with equal weights: how often the canary is slower than the bound. */
export const SIGN_TEST_ALTERNATIVES: readonly number[] = [
  0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99,
];

/** The outcome of the sequential sign test over a sequence of minutes. */
export interface SignTestResult {
  readonly minutes: number;
  /** Minutes in which the canary was slower than the bound. */
  readonly slower: number;
  /** E_t after the last minute. */
  readonly eValue: number;
  /** The largest e-value after any minute. */
  readonly maxEValue: number;
  /** 1/α. */
  readonly eValueThreshold: number;
  /** min(1, 1 / maxEValue): the always-valid p-value. */
  readonly pValue: number;
  readonly rejected: boolean;
}

/** The sequential sign test over `signs` (oldest first; true = slower than the bound), judged against `alpha`. */
export function evaluateSignTest(signs: readonly boolean[], alpha: number): SignTestResult {
  if (!(alpha > 0 && alpha < 1)) throw new InputError('alpha', `must be between 0 and 1, got ${alpha}`);
  const logWeight = -Math.log(SIGN_TEST_ALTERNATIVES.length);
  const logUp = SIGN_TEST_ALTERNATIVES.map((theta) => Math.log(2 * theta));
  const logDown = SIGN_TEST_ALTERNATIVES.map((theta) => Math.log(2 * (1 - theta)));
  let slower = 0;
  let logE = 0;
  let maxLogE = 0;
  signs.forEach((sign, index) => {
    if (sign) slower += 1;
    const faster = index + 1 - slower;
    logE = logSumExp(
      SIGN_TEST_ALTERNATIVES.map((_, j) => logWeight + slower * (logUp[j] ?? 0) + faster * (logDown[j] ?? 0)),
    );
    maxLogE = Math.max(maxLogE, logE);
  });
  return {
    minutes: signs.length,
    slower,
    eValue: Math.min(Number.MAX_VALUE, Math.exp(logE)),
    maxEValue: Math.min(Number.MAX_VALUE, Math.exp(maxLogE)),
    eValueThreshold: 1 / alpha,
    pValue: Math.min(1, Math.exp(-maxLogE)),
    rejected: maxLogE >= -Math.log(alpha),
  };
}

function logSumExp(values: readonly number[]): number {
  const max = Math.max(...values);
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const value of values) sum += Math.exp(value - max);
  return max + Math.log(sum);
}
