import { describe, expect, it } from 'vitest';
import { SIGN_TEST_ALTERNATIVES, evaluateSignTest } from './sign-test.js';

/** A seeded generator (mulberry32), so the false-alarm measurement below is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The e-value written the long way: the mixture of Bernoulli likelihood ratios against 1/2. */
function eValueReference(signs: readonly boolean[]): number {
  return (
    SIGN_TEST_ALTERNATIVES.reduce(
      (sum, theta) => sum + signs.reduce((product, sign) => product * (sign ? theta : 1 - theta) * 2, 1),
      0,
    ) / SIGN_TEST_ALTERNATIVES.length
  );
}

describe('the sequential sign test', () => {
  it.each([
    { name: 'no minute → e-value 1, p = 1', signs: [], eValue: 1, rejected: false },
    { name: '5 of 5 minutes slower → e-value 12.0, not yet 20', signs: Array(5).fill(true), rejected: false },
    {
      name: '6 of 6 minutes slower → e-value 21.1 ≥ 20: rejected',
      signs: Array(6).fill(true),
      rejected: true,
    },
    {
      name: '10 of 20 minutes slower → e-value below 1, not rejected',
      signs: Array.from({ length: 20 }, (_, i) => i % 2 === 0),
      rejected: false,
    },
    {
      name: '14 of 16 minutes slower → rejected',
      signs: [...Array(7).fill(true), false, ...Array(7).fill(true), false],
      rejected: true,
    },
  ])('$name', ({ signs, rejected }) => {
    const result = evaluateSignTest(signs, 0.05);
    expect(result.rejected).toBe(rejected);
    expect(result.eValue).toBeCloseTo(eValueReference(signs), 9);
    expect(result.pValue).toBeCloseTo(Math.min(1, 1 / result.maxEValue), 12);
    expect(result.slower).toBe(signs.filter(Boolean).length);
  });

  it('5 and 6 unanimous minutes give e-values 11.96 and 21.07: six minutes are the fewest that fail', () => {
    expect(evaluateSignTest(Array(5).fill(true), 0.05).eValue).toBeCloseTo(11.956, 3);
    expect(evaluateSignTest(Array(6).fill(true), 0.05).eValue).toBeCloseTo(21.073, 3);
  });

  it('keeps the largest e-value reached: slower minutes first, then faster ones, stay rejected', () => {
    const result = evaluateSignTest([...Array(6).fill(true), ...Array(20).fill(false)], 0.05);
    expect(result.eValue).toBeLessThan(1);
    expect(result.maxEValue).toBeCloseTo(21.073, 3);
    expect(result.rejected).toBe(true);
  });

  it('fails at most alpha of coin-flip sequences of 60 minutes looked at after every minute (10,000 seeded runs)', () => {
    const random = seeded(22);
    let failed = 0;
    const runs = 10_000;
    for (let run = 0; run < runs; run += 1) {
      const signs = Array.from({ length: 60 }, () => random() < 0.5);
      if (evaluateSignTest(signs, 0.05).rejected) failed += 1;
    }
    // Ville's bound is 5 %; this seed fails 310 runs (3.1 %).
    expect(failed / runs).toBeLessThanOrEqual(0.05);
    expect(failed).toBe(310);
  });

  it('an alpha outside (0, 1) is an input error', () => {
    expect(() => evaluateSignTest([], 0)).toThrow('alpha: must be between 0 and 1, got 0');
  });
});
