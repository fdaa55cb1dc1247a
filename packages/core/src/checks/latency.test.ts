import { describe, expect, it } from 'vitest';
import { ARNS, CANARY_DIMENSION, LB_DIMENSION, STABLE_DIMENSION } from '../testing/checks.js';
import { InMemoryMetrics, ManualClock, anUpstreamError } from '../testing/memory-ports.js';
import { runLatency } from './latency.js';
import type { LatencyRequest } from './latency.js';

const NOW = '2026-01-01T12:00:30Z';
const SINCE = new Date('2026-01-01T11:45:10Z');

/** One minute of one group: the p99 of TargetResponseTime (s) and its RequestCount; undefined: no datapoint. */
interface GroupMinute {
  readonly p99?: number;
  readonly requests?: number;
}

/** Puts the 20 minutes 11:40 to 11:59 of both groups; `at(i)` gives minute i (0 = 11:40). */
function aLoadBalancer(
  at: (minute: number) => { canary: GroupMinute; stable: GroupMinute },
): InMemoryMetrics {
  const metrics = new InMemoryMetrics();
  for (let minute = 0; minute < 20; minute += 1) {
    const time = new Date(Date.parse('2026-01-01T11:40:00Z') + minute * 60_000);
    const groups = at(minute);
    for (const [dimension, group] of [
      [CANARY_DIMENSION, groups.canary],
      [STABLE_DIMENSION, groups.stable],
    ] as const) {
      const dimensions = { LoadBalancer: LB_DIMENSION, TargetGroup: dimension };
      if (group.p99 !== undefined)
        metrics.put({ metricName: 'TargetResponseTime', dimensions, stat: 'p99' }, time, group.p99);
      if (group.requests) metrics.put({ metricName: 'RequestCount', dimensions }, time, group.requests);
    }
  }
  return metrics;
}

function judge(metrics: InMemoryMetrics, request: Partial<LatencyRequest> = {}) {
  return runLatency(
    { metrics, clock: new ManualClock(NOW) },
    {
      loadBalancerArn: ARNS.loadBalancer,
      canaryTargetGroupArn: ARNS.canary,
      stableTargetGroupArn: ARNS.stable,
      since: SINCE,
      ...request,
    },
  );
}

const steady = (canary: number, stable: number, canaryRequests = 1000, stableRequests = 1000) =>
  aLoadBalancer(() => ({
    canary: { p99: canary, requests: canaryRequests },
    stable: { p99: stable, requests: stableRequests },
  }));

describe('latency: the canary p99 against the stable one, minute by minute', () => {
  it('2.5 times slower in all 13 complete minutes since the start → Failed, with the numbers', async () => {
    const verdict = await judge(steady(0.5, 0.2));
    expect(verdict.phase).toBe('Failed');
    expect(verdict.threshold).toBe(0.05);
    expect(verdict.value).toBeLessThan(0.05);
    expect(verdict.reason).toMatch(
      /^canary p99 above 1\.1× the stable p99 in 13 of 13 judged minutes \(median ratio 2\.5×\): the canary is slower \(e-value \d+, ≥ 20 = 1\/α\)\.$/,
    );
    expect(verdict.details).toMatchObject({
      percentile: 'p99',
      judgedMinutes: 13,
      slowerMinutes: 13,
      medianRatio: 2.5,
      window: { start: '2026-01-01T11:45:00.000Z', end: '2026-01-01T12:01:00.000Z' },
    });
    const minutes = verdict.details['minutes'] as { start: string; skipped?: string; slower?: boolean }[];
    expect(minutes[0]).toEqual({
      start: '2026-01-01T11:45:00.000Z',
      canary: 0.5,
      stable: 0.2,
      canaryRequests: 1000,
      stableRequests: 1000,
      ratio: 2.5,
      slower: true,
    });
    // 11:58, 11:59 and the running minute are still filling in CloudWatch.
    expect(minutes.filter((m) => m.skipped === 'incomplete').map((m) => m.start)).toEqual([
      '2026-01-01T11:58:00.000Z',
      '2026-01-01T11:59:00.000Z',
      '2026-01-01T12:00:00.000Z',
    ]);
  });

  it.each([
    {
      name: '5 % slower, within the tolerated 10 % → Successful',
      canary: 0.21,
      request: {},
      phase: 'Successful',
    },
    { name: '30 % slower → Failed', canary: 0.26, request: {}, phase: 'Failed' },
    {
      name: '30 % slower with minRelativeEffect 0.5 → Successful',
      canary: 0.26,
      request: { minRelativeEffect: 0.5 },
      phase: 'Successful',
    },
    { name: 'faster → Successful', canary: 0.1, request: {}, phase: 'Successful' },
  ])('$name', async ({ canary, request, phase }) => {
    expect((await judge(steady(canary, 0.2), request)).phase).toBe(phase);
  });

  it('slower in every other minute only (a coin flip) → Successful: 6 of 13, no evidence', async () => {
    const metrics = aLoadBalancer((minute) => ({
      canary: { p99: minute % 2 === 0 ? 0.3 : 0.15, requests: 1000 },
      stable: { p99: 0.2, requests: 1000 },
    }));
    const verdict = await judge(metrics);
    expect(verdict.phase).toBe('Successful');
    expect(verdict.details).toMatchObject({ judgedMinutes: 13, slowerMinutes: 6 });
  });

  it('one terrible minute among fast ones counts once, as one sign → Successful', async () => {
    const metrics = aLoadBalancer((minute) => ({
      canary: { p99: minute === 10 ? 30 : 0.19, requests: 1000 },
      stable: { p99: 0.2, requests: 1000 },
    }));
    const verdict = await judge(metrics);
    expect(verdict.phase).toBe('Successful');
    expect(verdict.details).toMatchObject({ slowerMinutes: 1, medianRatio: 0.95 });
  });

  it('the canary below 100 requests a minute → its minutes are not judged: Inconclusive, saying why', async () => {
    const verdict = await judge(steady(0.5, 0.2, 60, 1000));
    expect(verdict.phase).toBe('Inconclusive');
    expect(verdict.value).toBe(1);
    expect(verdict.reason).toBe(
      'canary p99 above 1.1× the stable p99 in 0 of 0 judged minutes: fewer than the 5 minutes needed to judge; 13 had fewer than 100 requests in a group (e-value 1, < 20 = 1/α).',
    );
  });

  it('no canary datapoint at all (no traffic yet) → Inconclusive, every minute "no datapoint"', async () => {
    const metrics = aLoadBalancer(() => ({ canary: {}, stable: { p99: 0.2, requests: 1000 } }));
    const verdict = await judge(metrics);
    expect(verdict.phase).toBe('Inconclusive');
    const minutes = verdict.details['minutes'] as { skipped?: string }[];
    expect(minutes.filter((m) => m.skipped === 'no datapoint')).toHaveLength(13);
  });

  it('without since: the last 10 complete minutes, one look', async () => {
    const verdict = await judge(steady(0.5, 0.2), { since: undefined, windowMinutes: 10 });
    expect(verdict.phase).toBe('Failed');
    expect(verdict.details).toMatchObject({
      judgedMinutes: 10,
      window: { start: '2026-01-01T11:48:00.000Z' },
    });
  });

  it('p90 reads TargetResponseTime with Stat p90', async () => {
    const metrics = new InMemoryMetrics();
    await judge(metrics, { percentile: 'p90' });
    const [queries] = (metrics.calls.log.find((call) => call.operation === 'readMetrics')?.args ?? []) as [
      { metricName: string; stat: string }[],
    ];
    expect(queries.map((q) => `${q.metricName} ${q.stat}`).sort()).toEqual([
      'RequestCount Sum',
      'RequestCount Sum',
      'TargetResponseTime p90',
      'TargetResponseTime p90',
    ]);
  });

  it('CloudWatch failing → an Error verdict naming the call', async () => {
    const metrics = steady(0.5, 0.2);
    metrics.calls.failNext('readMetrics', anUpstreamError('throttled'));
    const verdict = await judge(metrics);
    expect(verdict.phase).toBe('Error');
    expect(verdict.details).toMatchObject({ failure: 'throttled' });
  });

  it.each([
    {
      name: 'an unknown percentile',
      request: { percentile: 'p999' },
      message: 'request.percentile: must be one of p50, p90, p95, p99, got "p999"',
    },
    {
      name: 'since with windowMinutes',
      request: { windowMinutes: 5 },
      message: 'request.windowMinutes: cannot be combined with since: every minute since is judged',
    },
    {
      name: 'the same target group twice',
      request: { canaryTargetGroupArn: ARNS.stable },
      message: 'stableTargetGroupArn: must differ from canaryTargetGroupArn',
    },
    {
      name: 'alpha above 0.5',
      request: { alpha: 0.6 },
      message: 'request.alpha: must be at most 0.5, got 0.6',
    },
    {
      name: 'a fractional minRequestsPerMinute',
      request: { minRequestsPerMinute: 2.5 },
      message: 'request.minRequestsPerMinute: must be a whole number, got 2.5',
    },
  ])('bad input → an input error naming it: $name', async ({ request, message }) => {
    await expect(judge(new InMemoryMetrics(), request as Partial<LatencyRequest>)).rejects.toThrow(message);
  });
});
