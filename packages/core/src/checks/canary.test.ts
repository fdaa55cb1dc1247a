import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../ports/errors.js';
import { ARNS, CANARY_DIMENSION, putMinutes } from '../testing/checks.js';
import type { Minute } from '../testing/checks.js';
import { InMemoryMetrics, ManualClock } from '../testing/memory-ports.js';
import { compareErrorRates, runCanary } from './canary.js';
import type { CanaryThresholds } from './canary.js';
import { fisherExactGreater, hypergeometricUpperTail, logGamma, normalQuantile } from './stats.js';

const NOW = '2026-01-01T12:10:00Z';
const WINDOW_START = new Date('2026-01-01T12:00:00Z');

/** Spreads counts over the 8 complete minutes of the window, the remainder in the first. */
function spread(errors: number, requests: number, connectionErrors = 0): Minute[] {
  return Array.from({ length: 8 }, (_, index) => {
    const share = (total: number): number => Math.floor(total / 8) + (index === 0 ? total % 8 : 0);
    return { target5xx: share(errors), requests: share(requests), connectionErrors: share(connectionErrors) };
  });
}

async function canaryVerdict(
  canary: { errors: number; requests: number; connectionErrors?: number },
  stable: { errors: number; requests: number },
  thresholds: CanaryThresholds = {},
) {
  const metrics = new InMemoryMetrics();
  putMinutes(metrics, WINDOW_START, spread(stable.errors, stable.requests));
  putMinutes(
    metrics,
    WINDOW_START,
    spread(canary.errors, canary.requests, canary.connectionErrors),
    CANARY_DIMENSION,
  );
  const verdict = await runCanary(
    { metrics, clock: new ManualClock(NOW) },
    {
      loadBalancerArn: ARNS.loadBalancer,
      canaryTargetGroupArn: ARNS.canary,
      stableTargetGroupArn: ARNS.stable,
      ...thresholds,
    },
  );
  return { verdict, metrics };
}

/** The exact one-sided Fisher p-value with BigInt arithmetic, for small tables. */
function fisherReference(a: number, n1: number, b: number, n2: number): number {
  const choose = (n: number, k: number): bigint => {
    if (k < 0 || k > n) return 0n;
    let result = 1n;
    for (let i = 1; i <= k; i += 1) result = (result * BigInt(n - k + i)) / BigInt(i);
    return result;
  };
  const total = a + b;
  let numerator = 0n;
  for (let x = a; x <= Math.min(n1, total); x += 1)
    numerator += choose(total, x) * choose(n1 + n2 - total, n1 - x);
  const denominator = choose(n1 + n2, n1);
  // Scale to keep 15 digits through the BigInt division.
  return Number((numerator * 10n ** 18n) / denominator) / 1e18;
}

describe('canary', () => {
  it.each([
    {
      name: 'canary 3/100 vs stable 0/10,000 → Failed',
      canary: { errors: 3, requests: 100 },
      stable: { errors: 0, requests: 10_000 },
      phase: 'Failed',
    },
    {
      name: 'canary 1/100 vs stable 50/5,000 → not Failed',
      canary: { errors: 1, requests: 100 },
      stable: { errors: 50, requests: 5_000 },
      phase: 'Successful',
    },
    {
      name: 'canary 0/500 vs stable 0/10,000 → Successful',
      canary: { errors: 0, requests: 500 },
      stable: { errors: 0, requests: 10_000 },
      phase: 'Successful',
    },
    {
      name: 'canary 2/10 vs stable 0/10,000 (tiny canary sample) → Inconclusive',
      canary: { errors: 2, requests: 10 },
      stable: { errors: 0, requests: 10_000 },
      phase: 'Inconclusive',
    },
    {
      name: 'canary 5/100 vs stable 0/20 (tiny stable sample) → Inconclusive',
      canary: { errors: 5, requests: 100 },
      stable: { errors: 0, requests: 20 },
      phase: 'Inconclusive',
    },
    {
      name: 'canary 30/1,000 vs stable 100/10,000 (3% vs 1%) → Failed',
      canary: { errors: 30, requests: 1_000 },
      stable: { errors: 100, requests: 10_000 },
      phase: 'Failed',
    },
    {
      name: 'canary 12/1,000 vs stable 100/10,000 (1.2% vs 1%, noise) → Successful',
      canary: { errors: 12, requests: 1_000 },
      stable: { errors: 100, requests: 10_000 },
      phase: 'Successful',
    },
    {
      name: 'millions of requests: canary 1,300/1,000,000 vs stable 10,000/9,000,000 → Failed',
      canary: { errors: 1_300, requests: 1_000_000 },
      stable: { errors: 10_000, requests: 9_000_000 },
      phase: 'Failed',
    },
    {
      name: 'millions of requests at the same rate → Successful',
      canary: { errors: 1_100, requests: 1_000_000 },
      stable: { errors: 10_000, requests: 9_000_000 },
      phase: 'Successful',
    },
  ])('$name', async ({ canary, stable, phase }) => {
    const { verdict, metrics } = await canaryVerdict(canary, stable);
    expect(verdict.phase).toBe(phase);
    expect(verdict.threshold).toBe(0.05);
    expect(verdict.reason).toContain(
      `canary ${canary.errors.toLocaleString('en-US')}/${canary.requests.toLocaleString('en-US')} errors`,
    );
    expect(metrics.calls.count('readMetrics')).toBe(1);
    if (phase === 'Failed') expect(verdict.value).toBeLessThan(0.05);
    if (phase === 'Successful') expect(verdict.value).toBeGreaterThanOrEqual(0.05);
  });

  it('reports the test, the p-value and the effect size with intervals', async () => {
    const { verdict } = await canaryVerdict({ errors: 3, requests: 100 }, { errors: 0, requests: 10_000 });
    expect(verdict.value).toBeCloseTo(fisherReference(3, 100, 0, 10_000), 12);
    expect(verdict.details).toMatchObject({
      test: 'one-sided Fisher exact test',
      canary: { errors: 3, requests: 100 },
      stable: { errors: 0, requests: 10_000 },
      canaryRate: 0.03,
      stableRate: 0,
      rateDifference: 0.03,
      rateRatioCorrected: true,
      confidence: 0.95,
    });
    const details = verdict.details as {
      rateDifferenceInterval: { lower: number; upper: number };
      rateRatioInterval: { lower: number };
    };
    expect(details.rateDifferenceInterval.lower).toBeGreaterThan(0);
    expect(details.rateDifferenceInterval.upper).toBeGreaterThan(0.03);
    expect(details.rateRatioInterval.lower).toBeGreaterThan(1);
    expect(verdict.reason).toMatch(
      /the canary's error rate is higher \(p = .* < 0\.05; difference \+3\.00% \(95% CI/,
    );
  });

  it('counts refused connections as canary errors unless told not to', async () => {
    const withConnections = await canaryVerdict(
      { errors: 0, requests: 200, connectionErrors: 6 },
      { errors: 0, requests: 10_000 },
    );
    expect(withConnections.verdict.phase).toBe('Failed');
    const without = await canaryVerdict(
      { errors: 0, requests: 200, connectionErrors: 6 },
      { errors: 0, requests: 10_000 },
      { countConnectionErrors: false },
    );
    expect(without.verdict.phase).toBe('Successful');
  });

  it('a significant but tolerated difference → Successful', async () => {
    const { verdict } = await canaryVerdict(
      { errors: 30, requests: 1_000 },
      { errors: 100, requests: 10_000 },
      { minRateDifference: 0.05 },
    );
    expect(verdict.phase).toBe('Successful');
    expect(verdict.reason).toMatch(/higher but by no more than the tolerated 5\.00%/);
  });
});

describe('canary statistics', () => {
  it.each([
    { name: "Fisher's tea-tasting table, 3/4 vs 1/4 → 17/70", table: [3, 4, 1, 4], p: 17 / 70 },
    { name: 'no errors anywhere → p = 1', table: [0, 100, 0, 1000], p: 1 },
    { name: 'every error in the canary, one request each → p = 1/2', table: [1, 1, 0, 1], p: 0.5 },
  ])('$name', ({ table, p }) => {
    const [a = 0, n1 = 0, b = 0, n2 = 0] = table;
    expect(fisherExactGreater(a, n1, b, n2)).toBeCloseTo(p, 12);
  });

  it('matches exact BigInt arithmetic on small tables', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 150 }),
        fc.integer({ min: 1, max: 400 }),
        fc.nat(),
        fc.nat(),
        (n1, n2, rawA, rawB) => {
          const a = rawA % (n1 + 1);
          const b = rawB % (n2 + 1);
          const reference = fisherReference(a, n1, b, n2);
          const p = fisherExactGreater(a, n1, b, n2);
          expect(Math.abs(p - reference)).toBeLessThanOrEqual(1e-9 + reference * 1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('more canary errors never raise the p-value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.nat(),
        fc.nat(),
        (n1, n2, rawA, rawB) => {
          const a = rawA % n1;
          const b = rawB % (n2 + 1);
          expect(fisherExactGreater(a + 1, n1, b, n2)).toBeLessThanOrEqual(
            fisherExactGreater(a, n1, b, n2) + 1e-12,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('more stable errors never lower the p-value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.nat(),
        fc.nat(),
        (n1, n2, rawA, rawB) => {
          const a = rawA % (n1 + 1);
          const b = rawB % n2;
          expect(fisherExactGreater(a, n1, b + 1, n2) + 1e-12).toBeGreaterThanOrEqual(
            fisherExactGreater(a, n1, b, n2),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the p-value is a probability and the rate difference interval contains the estimate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.nat(),
        fc.nat(),
        (n1, n2, rawA, rawB) => {
          const comparison = compareErrorRates(
            { errors: rawA % (n1 + 1), requests: n1 },
            { errors: rawB % (n2 + 1), requests: n2 },
          );
          expect(comparison.pValue).toBeGreaterThanOrEqual(0);
          expect(comparison.pValue).toBeLessThanOrEqual(1);
          expect(comparison.rateDifferenceInterval.lower).toBeLessThanOrEqual(
            comparison.rateDifference + 1e-12,
          );
          expect(comparison.rateDifferenceInterval.upper).toBeGreaterThanOrEqual(
            comparison.rateDifference - 1e-12,
          );
          expect(Number.isFinite(comparison.rateRatio)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('handles hundreds of millions of requests quickly and without overflow', () => {
    const started = performance.now();
    const p = fisherExactGreater(2_600_000, 200_000_000, 23_000_000, 1_800_000_000);
    const q = fisherExactGreater(130_500, 10_000_000, 1_170_000, 90_000_000);
    expect(performance.now() - started).toBeLessThan(500);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(1e-10);
    expect(q).toBeGreaterThan(0.05);
    expect(q).toBeLessThanOrEqual(1);
  });

  it('log-gamma and the normal quantile agree with known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 8);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 7);
    expect(hypergeometricUpperTail(0, 10, 3, 4)).toBe(1);
    expect(hypergeometricUpperTail(4, 10, 3, 4)).toBe(0);
  });

  it('counts that are not whole, or errors above requests → InputError', () => {
    expect(() => compareErrorRates({ errors: 5, requests: 3 }, { errors: 0, requests: 10 })).toThrow(
      expect.objectContaining({ path: 'canary.errors' }),
    );
    expect(() => compareErrorRates({ errors: 0.5, requests: 3 }, { errors: 0, requests: 10 })).toThrow(
      InputError,
    );
  });
});
