import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARNS, CANARY_DIMENSION, minutes, putMinutes } from '../testing/checks.js';
import type { Minute } from '../testing/checks.js';
import { InMemoryCatalog, InMemoryMetrics, ManualClock } from '../testing/memory-ports.js';
import { errorRate, runElb5xx } from './elb-5xx.js';
import type { Elb5xxRequest } from './elb-5xx.js';

const NOW = '2026-01-01T12:10:00Z';
const WINDOW_START = new Date('2026-01-01T12:00:00Z');
const DEPLOYED_AT = new Date('2026-01-01T11:59:30Z');
const BASELINE_START = new Date('2026-01-01T11:49:00Z');

const steady: Minute = { requests: 1000 };

interface Case {
  name: string;
  traffic: readonly Minute[];
  baseline?: readonly Minute[];
  request?: Partial<Elb5xxRequest>;
  phase: string;
  value?: number;
  reason?: RegExp;
}

async function run(testCase: Pick<Case, 'traffic' | 'baseline' | 'request'>) {
  const metrics = putMinutes(new InMemoryMetrics(), WINDOW_START, testCase.traffic);
  if (testCase.baseline) putMinutes(metrics, BASELINE_START, testCase.baseline);
  const clock = new ManualClock(NOW);
  const verdict = await runElb5xx(
    { metrics, clock },
    {
      loadBalancerArn: ARNS.loadBalancer,
      targetGroupArns: [ARNS.stable],
      ...(testCase.baseline ? { deployedAt: DEPLOYED_AT, baselineMinutes: 10 } : {}),
      ...testCase.request,
    },
  );
  return { verdict, metrics };
}

describe('elb-5xx', () => {
  it.each<Case>([
    {
      name: 'no datapoints at all → zero 5xx; with no minimum traffic, Successful',
      traffic: [],
      request: { minRequests: 0 },
      phase: 'Successful',
      value: 0,
      reason: /0 ELB 5xx and 0 target 5xx over 0 requests in 10 complete minutes \(2 incomplete left out\)/,
    },
    {
      name: 'requests but no 5xx datapoints → zero 5xx, Successful',
      traffic: minutes(10, steady),
      phase: 'Successful',
      value: 0,
      reason: /0 ELB 5xx and 0 target 5xx over 8,000 requests/,
    },
    {
      name: 'no datapoints and the default minimum → Inconclusive, not Failed',
      traffic: [],
      phase: 'Inconclusive',
      reason: /below the minimum of 100 requests/,
    },
    {
      name: 'traffic below the minimum → Inconclusive',
      traffic: minutes(10, { requests: 5, elb5xx: 1 }),
      phase: 'Inconclusive',
      reason: /8 ELB 5xx and 0 target 5xx over 48 requests .*below the minimum of 100 requests/,
    },
    {
      name: 'traffic below the minimum with belowMinimum Successful → Successful',
      traffic: minutes(10, { requests: 5 }),
      request: { belowMinimum: 'Successful' },
      phase: 'Successful',
    },
    {
      name: 'a 5xx spike → Failed with the numbers',
      traffic: [...minutes(4, steady), { requests: 600, elb5xx: 40, target5xx: 5 }, ...minutes(5, steady)],
      phase: 'Failed',
      value: 45 / 7640,
      reason:
        /40 ELB 5xx and 5 target 5xx over 7,640 requests in 10 complete minutes .*a rate of 0\.59%, above the limit of 0\.50%/,
      request: { maxRate: 0.005 },
    },
    {
      name: 'a spike within the rate limit but over the count limit → Failed',
      traffic: [...minutes(4, steady), { requests: 1000, elb5xx: 12 }, ...minutes(5, steady)],
      request: { maxCount: 10 },
      phase: 'Failed',
      reason: /12 5xx exceed the limit of 10/,
    },
    {
      name: 'a count over the limit fails even below the minimum traffic',
      traffic: minutes(10, { requests: 2, elb5xx: 2 }),
      request: { maxCount: 5 },
      phase: 'Failed',
    },
    {
      name: 'a spike in the incomplete minutes only → left out, Successful',
      traffic: [...minutes(8, steady), { requests: 100, elb5xx: 90 }, { requests: 100, elb5xx: 90 }],
      phase: 'Successful',
      value: 0,
      reason: /\(2 incomplete left out\)/,
    },
    {
      name: 'a spike in the incomplete minutes with includeIncomplete → Failed',
      traffic: [...minutes(8, steady), { requests: 100, elb5xx: 90 }, { requests: 100, elb5xx: 90 }],
      request: { includeIncomplete: true },
      phase: 'Failed',
    },
    {
      name: 'the same rate as a noisy baseline → Successful under a loose maxRate',
      traffic: minutes(10, { requests: 1000, target5xx: 30 }),
      baseline: minutes(10, { requests: 1000, target5xx: 30 }),
      request: { maxRate: 0.5 },
      phase: 'Successful',
      reason: /a rate of 3\.00%, within 6\.10%/,
    },
    {
      name: 'a rate above baseline × factor + margin → Failed',
      traffic: minutes(10, { requests: 1000, target5xx: 70 }),
      baseline: minutes(10, { requests: 1000, target5xx: 30 }),
      // Eight complete minutes: the window starts after the deployment, so no baseline minute is judged twice.
      request: { maxRate: 0.5, windowMinutes: 8 },
      phase: 'Failed',
      reason: /a rate of 7\.00%, above the baseline limit of 6\.10% \(baseline 3\.00% × 2 \+ 0\.10%\)/,
    },
    {
      name: 'a baseline with too little traffic → ignored, maxRate applies',
      traffic: minutes(10, { requests: 1000, target5xx: 30 }),
      baseline: minutes(10, { requests: 5 }),
      request: { maxRate: 0.05 },
      phase: 'Successful',
      reason: /within 5\.00%/,
    },
    {
      name: 'a clean baseline does not raise the limit above maxRate',
      traffic: minutes(10, { requests: 1000, target5xx: 20 }),
      baseline: minutes(10, { requests: 1000, target5xx: 100 }),
      request: { maxRate: 0.01 },
      phase: 'Failed',
      reason: /above the limit of 1\.00%/,
    },
  ])('$name', async (testCase) => {
    const { verdict, metrics } = await run(testCase);
    expect(verdict.phase).toBe(testCase.phase);
    expect(verdict.pass).toBe(testCase.phase === 'Successful');
    if (testCase.value !== undefined) expect(verdict.value).toBeCloseTo(testCase.value, 10);
    if (testCase.reason) expect(verdict.reason).toMatch(testCase.reason);
    expect(verdict.measuredAt).toBe('2026-01-01T12:10:00.000Z');
    // One read per evaluation, baseline included.
    expect(metrics.calls.count('readMetrics')).toBe(1);
  });

  it('reports per-minute numbers, the excluded minutes and the target groups', async () => {
    const { verdict } = await run({
      traffic: [
        ...minutes(4, steady),
        { requests: 600, elb5xx: 40, target5xx: 5, connectionErrors: 7 },
        ...minutes(5, steady),
      ],
    });
    const details = verdict.details as {
      minutes: { start: string; elb5xx: number; requests: number; incomplete: boolean }[];
      excludedIncompleteMinutes: string[];
      targetGroups: { arn: string; target5xx: number; requests: number; connectionErrors: number }[];
      totals: { elb5xx: number; target5xx: number; requests: number; rate: number };
    };
    // Ten complete minutes (11:58 to 12:07, the first two without data) and the two incomplete ones.
    expect(details.minutes).toHaveLength(12);
    expect(details.minutes[6]).toMatchObject({
      start: '2026-01-01T12:04:00.000Z',
      elb5xx: 40,
      requests: 600,
      incomplete: false,
    });
    expect(details.excludedIncompleteMinutes).toEqual([
      '2026-01-01T12:08:00.000Z',
      '2026-01-01T12:09:00.000Z',
    ]);
    expect(details.targetGroups).toEqual([
      expect.objectContaining({ arn: ARNS.stable, target5xx: 5, requests: 7600, connectionErrors: 7 }),
    ]);
    expect(details.totals).toMatchObject({ elb5xx: 40, target5xx: 5, requests: 7600 });
  });

  it('adds up several target groups and splits ELB 5xx by code', async () => {
    const metrics = putMinutes(
      new InMemoryMetrics(),
      WINDOW_START,
      minutes(10, { requests: 1000, elb5xx: 3, elb502: 3 }),
    );
    putMinutes(metrics, WINDOW_START, minutes(10, { requests: 100, target5xx: 1 }), CANARY_DIMENSION);
    const verdict = await runElb5xx(
      { metrics, clock: new ManualClock(NOW) },
      {
        loadBalancerArn: ARNS.loadBalancer,
        targetGroupArns: [ARNS.stable, ARNS.canary],
        splitElbCodes: true,
      },
    );
    const details = verdict.details as {
      loadBalancer: { elb5xx: number; elbByCode: Record<string, number> };
      totals: { requests: number; target5xx: number };
      targetGroups: { target5xxRate: number }[];
    };
    expect(details.loadBalancer).toMatchObject({
      elb5xx: 24,
      elbByCode: { '500': 0, '502': 24, '503': 0, '504': 0 },
    });
    expect(details.totals).toMatchObject({ requests: 8800, target5xx: 8 });
    expect(details.targetGroups.map((group) => group.target5xxRate)).toEqual([0, 0.01]);
    expect(verdict.value).toBeCloseTo(32 / 8824, 12);
  });

  it.each([
    {
      name: 'windowMinutes 5 → five complete minutes judged, the two incomplete ones read and left out',
      request: {},
      judged: 5,
      read: 7,
    },
    {
      name: 'windowMinutes 5 with includeIncomplete → five minutes, the newest two among them',
      request: { includeIncomplete: true },
      judged: 5,
      read: 5,
    },
  ])('$name', async ({ request, judged, read }) => {
    const metrics = putMinutes(new InMemoryMetrics(), WINDOW_START, minutes(10, steady));
    const verdict = await runElb5xx(
      { metrics, clock: new ManualClock(NOW) },
      { loadBalancerArn: ARNS.loadBalancer, windowMinutes: 5, ...request },
    );
    const details = verdict.details as { judgedMinutes: number; minutes: unknown[] };
    expect(details.judgedMinutes).toBe(judged);
    expect(details.minutes).toHaveLength(read);
    expect(verdict.reason).toContain(`in ${judged} complete minutes`);
  });

  it('a load balancer that does not exist → Error (not found), not a quiet Inconclusive', async () => {
    const verdict = await runElb5xx(
      { metrics: new InMemoryMetrics(), clock: new ManualClock(NOW), catalog: new InMemoryCatalog() },
      { loadBalancerArn: ARNS.loadBalancer },
    );
    expect(verdict.phase).toBe('Error');
    expect(verdict.details).toMatchObject({ failure: 'not-found', operation: 'DescribeLoadBalancers' });
    expect(verdict.reason).toContain(ARNS.loadBalancer);
  });

  it('a load balancer with datapoints is not described: the catalog is asked only when nothing came back', async () => {
    const catalog = new InMemoryCatalog();
    const metrics = putMinutes(new InMemoryMetrics(), WINDOW_START, minutes(10, steady));
    const verdict = await runElb5xx(
      { metrics, clock: new ManualClock(NOW), catalog },
      { loadBalancerArn: ARNS.loadBalancer, targetGroupArns: [ARNS.stable] },
    );
    expect(verdict.phase).toBe('Successful');
    expect(catalog.calls.count('describeLoadBalancers')).toBe(0);
  });

  it('without target groups, judges the load balancer as a whole', async () => {
    const metrics = putMinutes(
      new InMemoryMetrics(),
      WINDOW_START,
      minutes(10, { requests: 1000, target5xx: 50 }),
    );
    const verdict = await runElb5xx(
      { metrics, clock: new ManualClock(NOW) },
      { loadBalancerArn: ARNS.loadBalancer },
    );
    expect(verdict.phase).toBe('Failed');
    expect(verdict.value).toBeCloseTo(0.05, 12);
  });

  it('the rate is always in [0, 1] and never below the target 5xx share', () => {
    const count = fc.integer({ min: 0, max: 10_000_000 });
    fc.assert(
      fc.property(count, count, count, (elb5xx, target5xx, extra) => {
        const requests = target5xx + extra;
        const rate = errorRate(elb5xx, target5xx, requests);
        expect(rate).toBeGreaterThanOrEqual(0);
        expect(rate).toBeLessThanOrEqual(1);
        if (requests > 0) expect(rate + 1e-12).toBeGreaterThanOrEqual(target5xx / (requests + elb5xx));
      }),
    );
  });

  it('more ELB 5xx never lower the rate', () => {
    const count = fc.integer({ min: 0, max: 1_000_000 });
    fc.assert(
      fc.property(
        count,
        count,
        count,
        fc.integer({ min: 1, max: 1000 }),
        (elb5xx, target5xx, extra, more) => {
          const requests = target5xx + extra;
          expect(errorRate(elb5xx + more, target5xx, requests)).toBeGreaterThanOrEqual(
            errorRate(elb5xx, target5xx, requests),
          );
        },
      ),
    );
  });
});
