// The canary check's sequential method over HTTP: its start given as `since` or read from the canary's pods, and
// a start that is missing, doubled or out of range refused with a 400 naming the field.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PodInfo } from '@draingate/core';
import {
  InMemoryCluster,
  InMemoryMetrics,
  InMemoryTargetHealth,
  aFixedClock,
  anUpstreamError,
  emptyCatalog,
} from '@draingate/core/testing';

import { LB_ARN, TG2_ARN, TG_ARN, startTestApp } from '../testing/harness.js';
import type { TestApp } from '../testing/harness.js';
import type { CheckPorts } from './run-check.js';

const LB_DIM = 'app/web/0123456789abcdef';
const STABLE_DIM = 'targetgroup/web/fedcba9876543210';
const CANARY_DIM = 'targetgroup/web-canary/0011223344556677';
const NOW = '2026-01-01T12:00:30Z';
const HASH = '7d9f8c6b5';

function aCanaryPod(name: string, readySince: string): PodInfo {
  return {
    name,
    namespace: 'shop',
    uid: `uid-${name}`,
    ip: '10.0.0.9',
    phase: 'Running',
    ready: true,
    terminating: false,
    labels: { app: 'web', 'rollouts-pod-template-hash': HASH },
    conditions: {},
    createdAt: new Date(Date.parse(readySince) - 30_000),
    readySince: new Date(readySince),
  };
}

describe('the sequential canary method over HTTP', () => {
  let metrics: InMemoryMetrics;
  let cluster: InMemoryCluster;
  let app: TestApp;

  /** Requests and target 5xx per minute on each group, in the 20 minutes before 12:00. */
  function traffic(
    canary: { requests: number; errors: number },
    stable: { requests: number; errors: number },
  ) {
    for (let minute = 1; minute <= 20; minute += 1) {
      const at = new Date(Date.parse('2026-01-01T12:00:00Z') - minute * 60_000);
      for (const [dim, group] of [
        [CANARY_DIM, canary],
        [STABLE_DIM, stable],
      ] as const) {
        const dimensions = { LoadBalancer: LB_DIM, TargetGroup: dim };
        metrics.put({ metricName: 'RequestCount', dimensions }, at, group.requests);
        if (group.errors > 0)
          metrics.put({ metricName: 'HTTPCode_Target_5XX_Count', dimensions }, at, group.errors);
      }
    }
  }

  async function start(withCluster = true): Promise<void> {
    const ports: CheckPorts = {
      clock: aFixedClock(NOW),
      metrics,
      targetHealth: new InMemoryTargetHealth(),
      catalog: emptyCatalog,
      ...(withCluster ? { cluster } : {}),
    };
    app = await startTestApp(ports);
  }

  beforeEach(async () => {
    metrics = new InMemoryMetrics();
    cluster = new InMemoryCluster();
    await start();
  });
  afterEach(async () => app.close());

  const base = {
    loadBalancerArn: LB_ARN,
    canaryTargetGroupArn: TG2_ARN,
    stableTargetGroupArn: TG_ARN,
    method: 'sequential',
  };
  const fromPods = { ...base, namespace: 'shop', selector: { 'rollouts-pod-template-hash': HASH } };

  it("pods of the canary's revision give the start: 5 % errors against 0.1 % → Failed, the start in details", async () => {
    traffic({ requests: 1000, errors: 50 }, { requests: 1000, errors: 1 });
    cluster.setPods([
      aCanaryPod('web-7d9f8c6b5-b', '2026-01-01T11:50:20Z'),
      aCanaryPod('web-7d9f8c6b5-a', '2026-01-01T11:45:10Z'),
    ]);
    const res = await app.post('/v1/checks/canary', fromPods);
    expect(res.status).toBe(200);
    const body = res.body as {
      phase: string;
      value: number;
      threshold: number;
      details: Record<string, unknown>;
    };
    expect(body.phase).toBe('Failed');
    expect(body.threshold).toBe(0.05);
    expect(body.value).toBeLessThan(1e-6);
    expect(body.details['canaryStart']).toEqual({
      since: '2026-01-01T11:45:10.000Z',
      from: 'pod shop/web-7d9f8c6b5-a (ready)',
      selector: `rollouts-pod-template-hash=${HASH}`,
      pods: 2,
    });
    // Minutes 11:45 to 11:57 judged: 11:58 and 11:59 are the incomplete newest ones.
    expect(body.details['window']).toMatchObject({ start: '2026-01-01T11:45:00.000Z' });
    expect(body.details['canary']).toMatchObject({ requests: 13_000, errors: 650 });
  });

  it('the same rates in both groups → Successful; GET takes the same parameters', async () => {
    traffic({ requests: 1000, errors: 1 }, { requests: 1000, errors: 1 });
    cluster.setPods([aCanaryPod('web-7d9f8c6b5-a', '2026-01-01T11:45:10Z')]);
    const query = `loadBalancerArn=${LB_ARN}&canaryTargetGroupArn=${TG2_ARN}&stableTargetGroupArn=${TG_ARN}&method=sequential`;
    const get = await app.get(
      `/v1/checks/canary?${query}&namespace=shop&selector=rollouts-pod-template-hash=${HASH}`,
    );
    expect(get.status).toBe(200);
    expect((get.body as { phase: string }).phase).toBe('Successful');
    const since = await app.get(
      `/v1/checks/canary?${query}&since=2026-01-01T11:45:10Z&minRelativeEffect=0.2`,
    );
    expect(since.status).toBe(200);
    expect(since.body).toMatchObject({ phase: 'Successful', details: { canary: { requests: 13_000 } } });
  });

  it('no pod matches the selector → 404: the canary has not started (an Error measurement for Argo)', async () => {
    const res = await app.post('/v1/checks/canary', fromPods);
    expect(res.status).toBe(404);
    expect((res.body as { error: { message: string } }).error.message).toBe(
      `no pod in namespace shop matches rollouts-pod-template-hash=${HASH}: the canary has not started, so it has no start to judge from`,
    );
  });

  it("a canary pod older than CloudWatch's 15 days → 400 on selector, asking for since", async () => {
    cluster.setPods([aCanaryPod('web-7d9f8c6b5-old', '2025-12-01T00:00:00Z')]);
    const res = await app.post('/v1/checks/canary', fromPods);
    expect(res.status).toBe(400);
    expect((res.body as { error: { field: string; message: string } }).error).toEqual(
      expect.objectContaining({
        field: 'selector',
        message:
          "the canary's oldest pod shop/web-7d9f8c6b5-old started at 2025-12-01T00:00:00.000Z, more than 15 days ago: CloudWatch no longer has those minutes; give since instead",
      }),
    );
  });

  it("a pod ready a moment after the provider's now (clock skew) → judged as just started: Inconclusive", async () => {
    traffic({ requests: 1000, errors: 1 }, { requests: 1000, errors: 1 });
    cluster.setPods([aCanaryPod('web-7d9f8c6b5-a', '2026-01-01T12:00:35Z')]);
    const res = await app.post('/v1/checks/canary', fromPods);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ phase: 'Inconclusive', details: { canary: { requests: 0 } } });
  });

  it("the Fisher method ignores the sequential method's parameters, as the CLI does: no pod is read", async () => {
    traffic({ requests: 1000, errors: 1 }, { requests: 1000, errors: 1 });
    const res = await app.post('/v1/checks/canary', {
      ...fromPods,
      method: 'fisher',
      minRelativeEffect: 0.2,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ phase: 'Successful', details: { test: 'one-sided Fisher exact test' } });
    expect(cluster.calls.count('listPods')).toBe(0);
  });

  it('the Kubernetes API failing → 503 with Retry-After, nothing judged', async () => {
    cluster.calls.failNext('listPods', anUpstreamError('unavailable'));
    const res = await app.post('/v1/checks/canary', fromPods);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('10');
  });

  it('a provider without a Kubernetes API → 503 asking for since', async () => {
    await app.close();
    await start(false);
    const res = await app.post('/v1/checks/canary', fromPods);
    expect(res.status).toBe(503);
    expect((res.body as { error: { message: string } }).error.message).toMatch(
      /give the canary's start as since/,
    );
  });

  it.each([
    {
      name: 'sequential without a start',
      body: base,
      field: 'since',
      message: /is required by method sequential/,
    },
    {
      name: 'since and pods together',
      body: { ...fromPods, since: '2026-01-01T11:00:00Z' },
      field: 'namespace',
      message: /cannot be combined with since/,
    },
    {
      name: 'a namespace without a selector',
      body: { ...base, namespace: 'shop' },
      field: 'selector',
      message: /required with namespace/,
    },
    {
      name: 'an empty selector',
      body: { ...base, namespace: 'shop', selector: {} },
      field: 'selector',
      message: /at least one label/,
    },
    {
      name: 'since in the future',
      body: { ...base, since: '2026-01-01T12:05:00Z' },
      field: 'since',
      message: /must be before now \(2026-01-01T12:00:30.000Z\), got 2026-01-01T12:05:00Z/,
    },
    {
      name: 'since older than CloudWatch keeps minutes',
      body: { ...base, since: '2025-12-01T00:00:00Z' },
      field: 'since',
      message: /more than 15 days ago/,
    },
    {
      name: 'since not a time',
      body: { ...base, since: 'yesterday' },
      field: 'since',
      message: /^must be a time with its offset such as 2026-11-23T17:00:00Z, got "yesterday"$/,
    },
    {
      name: 'a negative minRelativeEffect',
      body: { ...base, since: '2026-01-01T11:00:00Z', minRelativeEffect: '-0.5' },
      field: 'minRelativeEffect',
      message: /^must be a number from 0 to 100, got "-0.5"$/,
    },
    {
      name: 'an unknown method',
      body: { ...base, method: 'bayesian' },
      field: 'method',
      message: /^must be one of fisher, sequential, got "bayesian"$/,
    },
    {
      name: 'a confidence of 1',
      body: { ...base, since: '2026-01-01T11:00:00Z', confidence: 1 },
      field: 'confidence',
      message: /^must be a number from 0.5 to 0.999, got 1$/,
    },
  ])('bad input → 400 naming the field: $name', async ({ body, field, message }) => {
    const res = await app.post('/v1/checks/canary', body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    const error = (res.body as { error: { field: string; message: string } }).error;
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});
