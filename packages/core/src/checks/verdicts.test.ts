import { describe, expect, it } from 'vitest';
import type { Verdict } from '../ports/verdict.js';
import { InputError } from '../ports/errors.js';
import { aManifest } from '../testing/builders.js';
import { ARNS, minutes, putMinutes } from '../testing/checks.js';
import {
  anUpstreamError,
  aPod,
  aTarget,
  InMemoryCluster,
  InMemoryMetrics,
  InMemoryTargetHealth,
  ManualClock,
} from '../testing/memory-ports.js';
import { createAllowances } from '../timing/model.js';
import { loadFacts } from '../validate.js';
import { runCanary } from './canary.js';
import { runDrainTiming } from './drain-timing.js';
import { runElb5xx } from './elb-5xx.js';
import { runTargetHealth } from './target-health.js';

const NOW = '2026-01-01T12:10:00Z';
const WINDOW_START = new Date('2026-01-01T12:00:00Z');

function world() {
  const metrics = putMinutes(new InMemoryMetrics(), WINDOW_START, minutes(10, { requests: 1000, elb5xx: 2 }));
  const targetHealth = new InMemoryTargetHealth().set(ARNS.stable, [
    aTarget('10.0.0.1', 'healthy'),
    aTarget('10.0.0.9', 'draining'),
  ]);
  const cluster = new InMemoryCluster().setPods([aPod('web-a', '10.0.0.1')]);
  const clock = new ManualClock(NOW);
  const {
    facts: [facts],
  } = loadFacts([{ file: 'shop.yaml', text: aManifest().build() }], { allowances: createAllowances() });
  if (!facts) throw new Error('no facts');
  return { metrics, targetHealth, cluster, clock, factsReader: { readWorkloadFacts: async () => facts } };
}

type World = ReturnType<typeof world>;

const CHECKS: {
  name: string;
  run: (w: World, params?: Record<string, unknown>) => Promise<Verdict>;
  fail: (w: World) => void;
  service: string;
  operation: string;
  badParams: { params: Record<string, unknown>; path: string }[];
}[] = [
  {
    name: 'elb-5xx',
    run: (w, params = {}) =>
      runElb5xx(
        { metrics: w.metrics, clock: w.clock },
        { loadBalancerArn: ARNS.loadBalancer, targetGroupArns: [ARNS.stable], ...params },
      ),
    fail: (w) =>
      w.metrics.calls.failNext('readMetrics', anUpstreamError('throttled', 'cloudwatch', 'GetMetricData')),
    service: 'cloudwatch',
    operation: 'GetMetricData',
    badParams: [
      { params: { maxRate: -0.1 }, path: 'request.maxRate' },
      { params: { maxCount: Number.NaN }, path: 'request.maxCount' },
      { params: { minRequests: -1 }, path: 'request.minRequests' },
      { params: { windowMinutes: 0 }, path: 'request.windowMinutes' },
      { params: { baselineMinutes: 10 }, path: 'request.deployedAt' },
      { params: { belowMinimum: 'Error' }, path: 'request.belowMinimum' },
      { params: { loadBalancerArn: 'shop' }, path: 'loadBalancerArn' },
    ],
  },
  {
    name: 'target-health',
    run: (w, params = {}) =>
      runTargetHealth(
        { targetHealth: w.targetHealth, cluster: w.cluster, clock: w.clock },
        { targetGroupArn: ARNS.stable, pods: { namespace: 'shop', selector: { app: 'web' } }, ...params },
      ),
    fail: (w) =>
      w.targetHealth.calls.failNext(
        'describeTargetHealth',
        anUpstreamError('access-denied', 'elbv2', 'DescribeTargetHealth'),
      ),
    service: 'elbv2',
    operation: 'DescribeTargetHealth',
    badParams: [
      { params: { minHealthy: -1 }, path: 'request.minHealthy' },
      { params: { minHealthy: 1.5 }, path: 'request.minHealthy' },
      { params: { registrationWindowSeconds: Number.NaN }, path: 'request.registrationWindowSeconds' },
      { params: { targetGroupArn: 'web' }, path: 'request.targetGroupArn' },
    ],
  },
  {
    name: 'drain-timing',
    run: (w) =>
      runDrainTiming(
        { facts: w.factsReader, clock: w.clock },
        { workload: { kind: 'Deployment', namespace: 'shop', name: 'web' } },
      ),
    fail: (w) => {
      w.factsReader.readWorkloadFacts = async () => {
        throw anUpstreamError('timeout', 'kubernetes', 'listNamespacedPod');
      };
    },
    service: 'kubernetes',
    operation: 'listNamespacedPod',
    badParams: [],
  },
  {
    name: 'canary',
    run: (w, params = {}) =>
      runCanary(
        { metrics: w.metrics, clock: w.clock },
        {
          loadBalancerArn: ARNS.loadBalancer,
          canaryTargetGroupArn: ARNS.canary,
          stableTargetGroupArn: ARNS.stable,
          ...params,
        },
      ),
    fail: (w) =>
      w.metrics.calls.failNext('readMetrics', anUpstreamError('unavailable', 'cloudwatch', 'GetMetricData')),
    service: 'cloudwatch',
    operation: 'GetMetricData',
    badParams: [
      { params: { alpha: 0 }, path: 'request.alpha' },
      { params: { alpha: Number.NaN }, path: 'request.alpha' },
      { params: { minCanaryRequests: -5 }, path: 'request.minCanaryRequests' },
      { params: { windowMinutes: 0 }, path: 'request.windowMinutes' },
      { params: { canaryTargetGroupArn: 'canary' }, path: 'canaryTargetGroupArn' },
    ],
  },
];

function expectVerdictShape(verdict: Verdict, check: string): void {
  for (const field of [
    'check',
    'phase',
    'pass',
    'value',
    'threshold',
    'reason',
    'details',
    'measuredAt',
  ] as const) {
    expect(verdict[field], field).not.toBeNull();
    expect(verdict[field], field).not.toBeUndefined();
  }
  expect(verdict.check).toBe(check);
  expect(['Successful', 'Failed', 'Inconclusive', 'Error']).toContain(verdict.phase);
  expect(verdict.pass).toBe(verdict.phase === 'Successful');
  expect(Number.isFinite(verdict.value)).toBe(true);
  expect(Number.isFinite(verdict.threshold)).toBe(true);
  expect(verdict.reason).toMatch(/\S.*\.$/s);
  expect(verdict.measuredAt).toBe('2026-01-01T12:10:00.000Z');
  // Argo reads the JSON: every top-level field must survive a round trip unchanged.
  const json = JSON.parse(JSON.stringify(verdict)) as Record<string, unknown>;
  for (const field of ['phase', 'pass', 'value', 'threshold', 'reason'] as const)
    expect(json[field]).toEqual(verdict[field]);
  expect(unserializable(verdict.details, 'details')).toEqual([]);
}

/** Paths of values JSON would silently drop or turn into null: undefined, NaN, infinities, functions. */
function unserializable(value: unknown, path: string): string[] {
  if (value === undefined || typeof value === 'function') return [path];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => unserializable(item, `${path}[${index}]`));
  if (value instanceof Date) return [];
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => unserializable(item, `${path}.${key}`));
  }
  return [];
}

describe('every check', () => {
  it.each(
    CHECKS.map((check) => ({
      ...check,
      name: `${check.name}: the verdict fields are never null or undefined`,
    })),
  )('$name', async ({ run }) => {
    const verdict = await run(world());
    expectVerdictShape(verdict, verdict.check);
  });

  it.each(
    CHECKS.map((check) => ({
      ...check,
      name: `${check.name}: an UpstreamError from a port → Error verdict naming the service and operation`,
    })),
  )('$name', async ({ run, fail, service, operation }) => {
    const w = world();
    fail(w);
    const verdict = await run(w);
    expect(verdict.phase).toBe('Error');
    expect(verdict.pass).toBe(false);
    expect(verdict.reason).toContain(`${service} ${operation} failed`);
    expect(verdict.details).toMatchObject({ service, operation });
    expectVerdictShape(verdict, verdict.check);
  });

  it.each(
    CHECKS.flatMap((check) =>
      check.badParams.map((bad) => ({
        name: `${check.name}: ${JSON.stringify(bad.params)} → InputError at ${bad.path}`,
        check,
        ...bad,
      })),
    ),
  )('$name', async ({ check, params, path }) => {
    const attempt = check.run(world(), params);
    await expect(attempt).rejects.toBeInstanceOf(InputError);
    await expect(check.run(world(), params)).rejects.toMatchObject({ path });
  });

  it('a programmer error in a port is not turned into a verdict', async () => {
    const w = world();
    w.metrics.calls.failNext('readMetrics', new TypeError('cannot read properties of undefined'));
    await expect(
      runElb5xx({ metrics: w.metrics, clock: w.clock }, { loadBalancerArn: ARNS.loadBalancer }),
    ).rejects.toBeInstanceOf(TypeError);
  });

  it('an Inconclusive and a Failed verdict keep the shape too', async () => {
    const w = world();
    const inconclusive = await runElb5xx(
      { metrics: new InMemoryMetrics(), clock: w.clock },
      { loadBalancerArn: ARNS.loadBalancer },
    );
    expect(inconclusive.phase).toBe('Inconclusive');
    expectVerdictShape(inconclusive, 'elb-5xx');
    const failed = await runTargetHealth(
      { targetHealth: w.targetHealth, cluster: w.cluster, clock: w.clock },
      {
        targetGroupArn: ARNS.stable,
        pods: { namespace: 'shop', selector: { app: 'web' } },
      },
    );
    expect(failed.phase).toBe('Failed');
    expectVerdictShape(failed, 'target-health');
  });
});
