/**
 * Exact small-count statistics for the canary check, in log space so that counts in the millions neither
 * overflow nor lose the tail.
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7: about 15 significant digits). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] ?? 0;
  for (let i = 1; i < LANCZOS_G + 2; i += 1) sum += (LANCZOS[i] ?? 0) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln n! */
export function logFactorial(n: number): number {
  return n < 2 ? 0 : logGamma(n + 1);
}

/** ln C(n, k) */
export function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** ln P(X = x) for X ~ Hypergeometric(population, successes, draws). */
export function logHypergeometric(x: number, population: number, successes: number, draws: number): number {
  return (
    logChoose(successes, x) + logChoose(population - successes, draws - x) - logChoose(population, draws)
  );
}

/**
 * P(X ≥ x) for X ~ Hypergeometric(population, successes, draws). Sums away from the mode, where terms only
 * shrink, from one log-space term and the ratio of neighbours, and stops once the rest provably cannot matter:
 * linear in the width of the distribution (a few standard deviations), not in the counts.
 */
export function hypergeometricUpperTail(
  x: number,
  population: number,
  successes: number,
  draws: number,
): number {
  for (const [name, value] of [
    ['x', x],
    ['population', population],
    ['successes', successes],
    ['draws', draws],
  ] as const) {
    if (!Number.isInteger(value) || value < 0)
      throw new RangeError(`${name} must be a whole number ≥ 0, got ${value}`);
  }
  if (successes > population || draws > population) {
    throw new RangeError(
      `successes (${successes}) and draws (${draws}) cannot exceed the population (${population})`,
    );
  }
  const failures = population - successes;
  const lo = Math.max(0, draws - failures);
  const hi = Math.min(draws, successes);
  if (x <= lo) return 1;
  if (x > hi) return 0;
  const mode = Math.min(hi, Math.max(lo, Math.floor(((draws + 1) * (successes + 1)) / (population + 2))));
  // pmf(k + 1) / pmf(k) and pmf(k - 1) / pmf(k)
  const up = (k: number): number => ((successes - k) * (draws - k)) / ((k + 1) * (failures - draws + k + 1));
  const down = (k: number): number => (k * (failures - draws + k)) / ((successes - k + 1) * (draws - k + 1));
  if (x > mode) {
    let term = Math.exp(logHypergeometric(x, population, successes, draws));
    let sum = term;
    for (let k = x; k < hi; k += 1) {
      const ratio = up(k);
      if (ratio < 1 && (term * ratio) / (1 - ratio) <= sum * 1e-17) break;
      term *= ratio;
      sum += term;
    }
    return Math.min(1, sum);
  }
  // Upper tail = 1 − lower tail, summing the lower tail down from x − 1 (≥ lo), away from the mode.
  let term = Math.exp(logHypergeometric(x - 1, population, successes, draws));
  let sum = term;
  for (let k = x - 1; k > lo; k -= 1) {
    const ratio = down(k);
    if (ratio < 1 && (term * ratio) / (1 - ratio) <= sum * 1e-17) break;
    term *= ratio;
    sum += term;
  }
  return Math.min(1, Math.max(0, 1 - sum));
}

/**
 * One-sided Fisher's exact test on a 2×2 table: the probability, given the total number of errors, that the
 * first group would get at least `errorsA` of them by chance if both groups had the same error rate.
 */
export function fisherExactGreater(errorsA: number, totalA: number, errorsB: number, totalB: number): number {
  if (errorsA > totalA || errorsB > totalB) {
    throw new RangeError(`errors cannot exceed totals: ${errorsA}/${totalA}, ${errorsB}/${totalB}`);
  }
  return hypergeometricUpperTail(errorsA, totalA + totalB, errorsA + errorsB, totalA);
}

/** The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const at = (xs: readonly number[], i: number): number => xs[i] ?? 0;
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((at(c, 0) * q + at(c, 1)) * q + at(c, 2)) * q + at(c, 3)) * q + at(c, 4)) * q + at(c, 5)) /
      ((((at(d, 0) * q + at(d, 1)) * q + at(d, 2)) * q + at(d, 3)) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((at(a, 0) * r + at(a, 1)) * r + at(a, 2)) * r + at(a, 3)) * r + at(a, 4)) * r + at(a, 5)) * q) /
    (((((at(b, 0) * r + at(b, 1)) * r + at(b, 2)) * r + at(b, 3)) * r + at(b, 4)) * r + 1)
  );
}

/** An interval estimate. */
export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/** Wilson's score interval for a proportion: well-behaved at 0 errors and small samples, unlike the Wald interval. */
export function wilsonInterval(errors: number, total: number, z: number): Interval {
  if (total <= 0) return { lower: 0, upper: 1 };
  const p = errors / total;
  const z2 = z * z;
  const denominator = 1 + z2 / total;
  const centre = (p + z2 / (2 * total)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total))) / denominator;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Newcombe's hybrid score interval for the difference of two proportions (his method 10). */
export function rateDifferenceInterval(
  errorsA: number,
  totalA: number,
  errorsB: number,
  totalB: number,
  z: number,
): Interval {
  const pA = totalA > 0 ? errorsA / totalA : 0;
  const pB = totalB > 0 ? errorsB / totalB : 0;
  const a = wilsonInterval(errorsA, totalA, z);
  const b = wilsonInterval(errorsB, totalB, z);
  const difference = pA - pB;
  return {
    lower: Math.max(-1, difference - Math.sqrt((pA - a.lower) ** 2 + (b.upper - pB) ** 2)),
    upper: Math.min(1, difference + Math.sqrt((a.upper - pA) ** 2 + (pB - b.lower) ** 2)),
  };
}

/**
 * The ratio of two proportions with Katz's log interval. A zero count makes the plain ratio infinite or zero,
 * so then half an observation is added to every cell (Haldane's correction) and the result says so.
 */
export function rateRatio(
  errorsA: number,
  totalA: number,
  errorsB: number,
  totalB: number,
  z: number,
): { readonly ratio: number; readonly interval: Interval; readonly corrected: boolean } {
  const corrected = errorsA === 0 || errorsB === 0 || errorsA === totalA || errorsB === totalB;
  const add = corrected ? 0.5 : 0;
  const a = errorsA + add;
  const b = errorsB + add;
  const nA = totalA + 2 * add;
  const nB = totalB + 2 * add;
  const logRatio = Math.log(a / nA) - Math.log(b / nB);
  const se = Math.sqrt(1 / a - 1 / nA + 1 / b - 1 / nB);
  return {
    ratio: Math.exp(logRatio),
    interval: { lower: Math.exp(logRatio - z * se), upper: Math.exp(logRatio + z * se) },
    corrected,
  };
}
