import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../ports/errors.js';
import { ARNS, CANARY_DIMENSION, putMinutes } from '../testing/checks.js';
import type { Minute } from '../testing/checks.js';
import { InMemoryMetrics, ManualClock } from '../testing/memory-ports.js';
import { compareErrorRates, runCanary } from './canary.js';
import { evaluateSequentialTest } from './sequential.js';
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

describe('canary, sequential method', () => {
  /** Minutes of traffic from WINDOW_START, judged with `method: sequential` since WINDOW_START at `now`. */
  async function sequentialVerdict(
    canaryMinutes: readonly Minute[],
    stableMinutes: readonly Minute[],
    options: CanaryThresholds & { since?: Date; now?: string } = {},
  ) {
    const metrics = new InMemoryMetrics();
    putMinutes(metrics, WINDOW_START, stableMinutes);
    putMinutes(metrics, WINDOW_START, canaryMinutes, CANARY_DIMENSION);
    const { now = NOW, ...request } = options;
    const verdict = await runCanary(
      { metrics, clock: new ManualClock(now) },
      {
        loadBalancerArn: ARNS.loadBalancer,
        canaryTargetGroupArn: ARNS.canary,
        stableTargetGroupArn: ARNS.stable,
        method: 'sequential',
        since: WINDOW_START,
        ...request,
      },
    );
    return { verdict, metrics };
  }
  const repeat = <T>(n: number, item: T): T[] => Array.from({ length: n }, () => item);

  it.each([
    {
      name: 'canary 3/100 vs stable 0/10,000 over 8 minutes → Failed, e-value ≥ 20',
      canary: spread(3, 100),
      stable: spread(0, 10_000),
      phase: 'Failed',
    },
    {
      name: 'the same 1 % rate for 8 minutes → Successful, e-value below 1',
      canary: repeat(8, { target5xx: 5, requests: 500 }),
      stable: repeat(8, { target5xx: 50, requests: 5_000 }),
      phase: 'Successful',
    },
    {
      name: 'canary 4/20 vs stable 0/10,000, below the 50 canary requests → still Failed: the evidence holds at any count',
      canary: spread(4, 20),
      stable: spread(0, 10_000),
      phase: 'Failed',
    },
    {
      name: 'canary 0/20 vs stable 0/10,000 → Inconclusive, too few canary requests',
      canary: spread(0, 20),
      stable: spread(0, 10_000),
      phase: 'Inconclusive',
    },
  ])('$name', async ({ canary, stable, phase }) => {
    const { verdict } = await sequentialVerdict(canary, stable);
    expect(verdict.phase).toBe(phase);
    expect(verdict.threshold).toBe(0.05);
    const details = verdict.details as { maxEValue: number; eValueThreshold: number; pValue: number };
    expect(details.eValueThreshold).toBe(20);
    expect(verdict.value).toBeCloseTo(Math.min(1, 1 / details.maxEValue), 12);
    if (phase === 'Failed') expect(details.maxEValue).toBeGreaterThanOrEqual(20);
    else expect(details.maxEValue).toBeLessThan(20);
  });

  it('judges every complete minute since the canary started and reports the e-value, counts and split', async () => {
    const { verdict, metrics } = await sequentialVerdict(
      repeat(10, { target5xx: 4, requests: 200 }),
      repeat(10, { target5xx: 8, requests: 800 }),
    );
    // 12:00 to 12:10, the last two minutes still incomplete: 8 minutes of 4/200 vs 8/800.
    expect(metrics.calls.count('readMetrics')).toBe(1);
    expect(verdict.phase).toBe('Failed');
    expect(verdict.details).toMatchObject({
      test: 'sequential mixture likelihood ratio (anytime-valid)',
      canary: { errors: 32, requests: 1_600 },
      stable: { errors: 64, requests: 6_400 },
      canaryShare: 0.2,
      minutes: 8,
      nullRatio: 1,
      eValueThreshold: 20,
      window: { start: '2026-01-01T12:00:00.000Z', end: '2026-01-01T12:10:00.000Z', periodSeconds: 60 },
      excludedIncompleteMinutes: ['2026-01-01T12:08:00.000Z', '2026-01-01T12:09:00.000Z'],
    });
    const details = verdict.details as { eValue: number };
    expect(details.eValue).toBeCloseTo(
      evaluateSequentialTest(
        repeat(8, { canaryErrors: 4, canaryRequests: 200, stableErrors: 8, stableRequests: 800 }),
      ).eValue,
      6,
    );
    expect(verdict.reason).toMatch(
      /^canary 32\/1,600 errors \(2\.00%\) vs stable 64\/6,400 \(1\.00%\): the canary's error rate is higher than the stable one's \(e-value 37\.9 ≥ 20 \(1\/α\) over 8 minutes at a canary share of 20\.00%\)\.$/,
    );
  });

  it('a regression within minRelativeEffect → Successful, and the reason names the tolerated ratio', async () => {
    const { verdict } = await sequentialVerdict(
      repeat(10, { target5xx: 4, requests: 200 }),
      repeat(10, { target5xx: 8, requests: 800 }),
      { minRelativeEffect: 1.5 },
    );
    expect(verdict.phase).toBe('Successful');
    expect(verdict.details).toMatchObject({ nullRatio: 2.5 });
    expect(verdict.reason).toContain(
      "no evidence yet that the canary's error rate is higher than 2.50× the stable one's",
    );
  });

  it('reads from the minute the canary started in, not from a sliding window', async () => {
    const { verdict, metrics } = await sequentialVerdict(
      repeat(40, { target5xx: 1, requests: 100 }),
      repeat(40, { target5xx: 10, requests: 1_000 }),
      { since: new Date('2026-01-01T12:00:30Z'), now: '2026-01-01T12:40:10Z' },
    );
    const window = metrics.calls.log.find((call) => call.operation === 'readMetrics')?.args[1];
    expect(window).toMatchObject({
      start: new Date('2026-01-01T12:00:00Z'),
      end: new Date('2026-01-01T12:41:00Z'),
    });
    expect(verdict.details).toMatchObject({ minutes: 38, canary: { requests: 3_800 } });
  });

  it.each([
    {
      name: 'sequential without since → InputError at request.since',
      request: { since: undefined },
      path: 'request.since',
    },
    {
      name: 'since after now → InputError at request.since',
      request: { since: new Date('2026-01-01T13:00:00Z') },
      path: 'request.since',
    },
    {
      name: 'an unknown method → InputError at request.method',
      request: { method: 'bayes' as unknown as 'fisher' },
      path: 'request.method',
    },
    {
      name: 'a negative minRelativeEffect → InputError at request.minRelativeEffect',
      request: { minRelativeEffect: -0.5 },
      path: 'request.minRelativeEffect',
    },
  ])('$name', async ({ request, path }) => {
    await expect(sequentialVerdict(spread(0, 100), spread(0, 1_000), request)).rejects.toThrow(
      expect.objectContaining({ path }),
    );
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

  // Speed is bench/'s business; here only that huge counts neither overflow nor lose the answer.
  it('handles hundreds of millions of requests without overflow', () => {
    const p = fisherExactGreater(2_600_000, 200_000_000, 23_000_000, 1_800_000_000);
    const q = fisherExactGreater(130_500, 10_000_000, 1_170_000, 90_000_000);
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
