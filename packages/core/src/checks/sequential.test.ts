import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../ports/errors.js';
import {
  SEQUENTIAL_MIXTURE,
  evaluateSequentialTest,
  startSequentialTest,
  stepSequentialTest,
} from './sequential.js';
import type { MinuteCounts } from './sequential.js';
import { logChoose } from './stats.js';

/** One minute's counts, canary first: `minute(2, 500, 10, 9_500)`. */
function minute(
  canaryErrors: number,
  canaryRequests: number,
  stableErrors: number,
  stableRequests: number,
): MinuteCounts {
  return { canaryErrors, canaryRequests, stableErrors, stableRequests };
}

/**
 * The e-value written the long way, from the binomial probabilities of the canary's share of errors, without the
 * simplification the implementation uses.
 */
function eValueReference(minutes: readonly MinuteCounts[], nullRatio = 1): number {
  return SEQUENTIAL_MIXTURE.reduce((sum, { logRatio, weight }) => {
    const ratio = nullRatio * Math.exp(logRatio);
    let product = 1;
    for (const m of minutes) {
      const share = m.canaryRequests / (m.canaryRequests + m.stableRequests);
      const theta = (r: number) => (share * r) / (share * r + 1 - share);
      const errors = m.canaryErrors + m.stableErrors;
      product *=
        (theta(ratio) / theta(nullRatio)) ** m.canaryErrors *
        ((1 - theta(ratio)) / (1 - theta(nullRatio))) ** (errors - m.canaryErrors);
    }
    return sum + weight * product;
  }, 0);
}

describe('sequential test of the canary error rate', () => {
  it('mixes 40 alternatives whose weights add up to 1', () => {
    expect(SEQUENTIAL_MIXTURE).toHaveLength(40);
    expect(SEQUENTIAL_MIXTURE.reduce((sum, { weight }) => sum + weight, 0)).toBeCloseTo(1, 12);
    expect(SEQUENTIAL_MIXTURE[0]).toMatchObject({ logRatio: 0.1 });
    expect(SEQUENTIAL_MIXTURE.at(-1)).toMatchObject({ logRatio: 4 });
  });

  it.each([
    {
      name: 'no minute yet → e-value 1, p = 1',
      minutes: [],
      eValue: 1,
      rejected: false,
    },
    {
      name: 'no errors anywhere → e-value 1, not rejected',
      minutes: [minute(0, 500, 0, 9_500), minute(0, 500, 0, 9_500)],
      eValue: 1,
      rejected: false,
    },
    {
      name: 'every request in the canary → says nothing about the ratio, e-value 1',
      minutes: [minute(7, 1_000, 0, 0)],
      eValue: 1,
      rejected: false,
    },
    {
      name: 'canary 10/500 vs stable 0/9,500 in one minute → e-value ≈ 2.3e8, rejected',
      minutes: [minute(10, 500, 0, 9_500)],
      eValue: 2.2534e8,
      rejected: true,
    },
    {
      name: 'canary 2/500 vs stable 0/9,500 → e-value ≈ 8.2, below 20, not rejected',
      minutes: [minute(2, 500, 0, 9_500)],
      eValue: 8.2133,
      rejected: false,
    },
    {
      name: 'the same 1 % rate in both groups for 30 minutes → e-value ≈ 0.044, not rejected',
      minutes: Array.from({ length: 30 }, () => minute(5, 500, 95, 9_500)),
      eValue: 0.04369,
      rejected: false,
    },
    {
      name: 'the canary at 2× the stable 1 % rate for 10 minutes at a 20 % split → e-value ≈ 109, rejected',
      minutes: Array.from({ length: 10 }, () => minute(4, 200, 8, 800)),
      eValue: 109.4,
      rejected: true,
    },
  ])('$name', ({ minutes, eValue, rejected }) => {
    const result = evaluateSequentialTest(minutes, { alpha: 0.05 });
    expect(result.eValue / eValue).toBeCloseTo(1, 3);
    expect(result.eValue).toBeCloseTo(minutes.length === 0 ? 1 : eValueReference(minutes), 6);
    expect(result.rejected).toBe(rejected);
    expect(result.eValueThreshold).toBe(20);
    expect(result.pValue).toBeCloseTo(Math.min(1, 1 / result.maxEValue), 12);
    expect(result.minutes).toBe(minutes.length);
  });

  it('reports the counts and the canary share over the minutes', () => {
    const result = evaluateSequentialTest([minute(1, 100, 2, 900), minute(3, 300, 4, 700)]);
    expect(result).toMatchObject({
      canary: { errors: 4, requests: 400 },
      stable: { errors: 6, requests: 1_600 },
      canaryShare: 0.2,
      nullRatio: 1,
      alpha: 0.05,
    });
  });

  it('an error burst on both groups while the canary weight moves from 5 % to 50 % → no evidence, though the cumulative split would reject', () => {
    const minutes = [minute(0, 50, 0, 950), minute(100, 500, 100, 500)];
    const perMinute = evaluateSequentialTest(minutes);
    expect(perMinute.eValue).toBeLessThan(1);
    expect(perMinute.rejected).toBe(false);
    // The same counts as one minute at the cumulative 27.5 % share: half the errors look like the canary's fault.
    const cumulative = evaluateSequentialTest([minute(100, 550, 100, 1_450)]);
    expect(cumulative.canaryShare).toBeCloseTo(0.275, 12);
    expect(cumulative.rejected).toBe(true);
  });

  it('a 1.5× regression tolerated by minRelativeEffect 0.5 → not rejected; without it → rejected', () => {
    const minutes = Array.from({ length: 30 }, () => minute(15, 1_000, 100, 10_000));
    const strict = evaluateSequentialTest(minutes);
    const tolerant = evaluateSequentialTest(minutes, { minRelativeEffect: 0.5 });
    expect(strict.rejected).toBe(true);
    expect(tolerant.nullRatio).toBe(1.5);
    expect(tolerant.rejected).toBe(false);
    expect(tolerant.eValue).toBeCloseTo(eValueReference(minutes, 1.5), 6);
  });

  it('the e-value that fell back keeps the rejection: the p-value uses the largest e-value so far', () => {
    const burst = minute(10, 500, 0, 9_500);
    const quiet = Array.from({ length: 40 }, () => minute(5, 500, 95, 9_500));
    const result = evaluateSequentialTest([burst, ...quiet]);
    expect(result.eValue).toBeLessThan(20);
    expect(result.maxEValue / 2.2534e8).toBeCloseTo(1, 3);
    expect(result.rejected).toBe(true);
    expect(result.pValue * 2.2534e8).toBeCloseTo(1, 3);
  });

  it('millions of errors → an e-value too large for a double still rejects, with p = 0', () => {
    const result = evaluateSequentialTest([minute(2_000_000, 10_000_000, 1_000_000, 90_000_000)]);
    expect(result.rejected).toBe(true);
    expect(Number.isFinite(result.eValue)).toBe(true);
    expect(result.pValue).toBe(0);
  });

  it.each([
    { name: 'more canary errors than requests → InputError', counts: minute(6, 5, 0, 100), path: 'canary' },
    { name: 'a fractional stable count → InputError', counts: minute(0, 5, 0.5, 100), path: 'stable' },
  ])('$name', ({ counts, path }) => {
    expect(() => stepSequentialTest(startSequentialTest(), counts)).toThrow(InputError);
    expect(() => stepSequentialTest(startSequentialTest(), counts)).toThrow(`${path}:`);
  });

  it('a negative minRelativeEffect or an alpha outside (0, 1) → InputError', () => {
    expect(() => startSequentialTest(-0.1)).toThrow(InputError);
    expect(() => evaluateSequentialTest([], { alpha: 1 })).toThrow(InputError);
  });

  it("one minute's expected e-value is 1 at the tolerated ratio and at most 1 below it", () => {
    // The exact expectation over the binomial law of the canary's share of errors, for a random minute: the
    // property that makes the e-value a supermartingale, and so the test valid under optional stopping.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (errors, share, minRelativeEffect, fraction) => {
          const nullRatio = 1 + minRelativeEffect;
          const expected = (ratio: number): number => {
            const theta = (share * ratio) / (share * ratio + 1 - share);
            let sum = 0;
            for (let x = 0; x <= errors; x += 1) {
              const probability = Math.exp(
                logChoose(errors, x) + x * Math.log(theta) + (errors - x) * Math.log1p(-theta),
              );
              // Requests large enough that any split of the errors fits, in the proportion `share`.
              const canaryRequests = Math.round(share * 1e6);
              const result = evaluateSequentialTest(
                [minute(x, canaryRequests, errors - x, 1e6 - canaryRequests)],
                { minRelativeEffect },
              );
              sum += probability * result.eValue;
            }
            return sum;
          };
          expect(expected(nullRatio)).toBeCloseTo(1, 3);
          expect(expected(nullRatio * fraction)).toBeLessThanOrEqual(1 + 1e-3);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('more canary errors in a minute never lower the e-value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.nat(),
        fc.nat(),
        (canaryRequests, stableRequests, rawA, rawB) => {
          const a = rawA % canaryRequests;
          const b = rawB % (stableRequests + 1);
          const logE = (canaryErrors: number) =>
            stepSequentialTest(startSequentialTest(), minute(canaryErrors, canaryRequests, b, stableRequests))
              .logEValue;
          expect(logE(a + 1)).toBeGreaterThan(logE(a));
        },
      ),
      { numRuns: 200 },
    );
  });
});
