// The latency check over HTTP: the minutes since the canary started (given, or read from its pods) or the last
// ones, and every parameter that does not fit refused with a 400 naming it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PodInfo } from '@draingate/core';
import {
  InMemoryCluster,
  InMemoryMetrics,
  InMemoryTargetHealth,
  aFixedClock,
  emptyCatalog,
} from '@draingate/core/testing';

import { LB_ARN, TG2_ARN, TG_ARN, startTestApp } from '../testing/harness.js';
import type { TestApp } from '../testing/harness.js';
import type { CheckPorts } from './run-check.js';

const LB_DIM = 'app/web/0123456789abcdef';
const STABLE_DIM = 'targetgroup/web/fedcba9876543210';
const CANARY_DIM = 'targetgroup/web-canary/0011223344556677';
const HASH = '7d9f8c6b5';

describe('the latency check over HTTP', () => {
  let metrics: InMemoryMetrics;
  let cluster: InMemoryCluster;
  let app: TestApp;

  /** p99 TargetResponseTime (s) and 1,000 requests per minute on each group, the 20 minutes before 12:00. */
  function responseTimes(canary: number, stable: number): void {
    for (let minute = 1; minute <= 20; minute += 1) {
      const at = new Date(Date.parse('2026-01-01T12:00:00Z') - minute * 60_000);
      for (const [dim, seconds] of [
        [CANARY_DIM, canary],
        [STABLE_DIM, stable],
      ] as const) {
        const dimensions = { LoadBalancer: LB_DIM, TargetGroup: dim };
        metrics.put({ metricName: 'TargetResponseTime', dimensions, stat: 'p99' }, at, seconds);
        metrics.put({ metricName: 'RequestCount', dimensions }, at, 1000);
      }
    }
  }

  beforeEach(async () => {
    metrics = new InMemoryMetrics();
    cluster = new InMemoryCluster();
    const ports: CheckPorts = {
      clock: aFixedClock('2026-01-01T12:00:30Z'),
      metrics,
      targetHealth: new InMemoryTargetHealth(),
      catalog: emptyCatalog,
      cluster,
    };
    app = await startTestApp(ports);
  });
  afterEach(async () => app.close());

  const base = { loadBalancerArn: LB_ARN, canaryTargetGroupArn: TG2_ARN, stableTargetGroupArn: TG_ARN };
  const query = `loadBalancerArn=${LB_ARN}&canaryTargetGroupArn=${TG2_ARN}&stableTargetGroupArn=${TG_ARN}`;

  it("2.5 × slower since the canary's pods became ready → Failed, the start and the minutes in details", async () => {
    responseTimes(0.5, 0.2);
    const pod: PodInfo = {
      name: 'web-7d9f8c6b5-a',
      namespace: 'shop',
      uid: 'uid-a',
      phase: 'Running',
      ready: true,
      terminating: false,
      labels: { 'rollouts-pod-template-hash': HASH },
      conditions: {},
      readySince: new Date('2026-01-01T11:50:05Z'),
    };
    cluster.setPods([pod]);
    const res = await app.post('/v1/checks/latency', {
      ...base,
      namespace: 'shop',
      selector: { 'rollouts-pod-template-hash': HASH },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      check: 'latency',
      phase: 'Failed',
      threshold: 0.05,
      details: {
        percentile: 'p99',
        judgedMinutes: 8,
        slowerMinutes: 8,
        canaryStart: { since: '2026-01-01T11:50:05.000Z', from: 'pod shop/web-7d9f8c6b5-a (ready)', pods: 1 },
      },
    });
  });

  it('GET over the last 10 minutes, the same p99 in both groups → Successful; strings as numbers', async () => {
    responseTimes(0.2, 0.2);
    const res = await app.get(`/v1/checks/latency?${query}&windowMinutes=10&percentile=p99&minMinutes=5`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ phase: 'Successful', details: { judgedMinutes: 10, slowerMinutes: 0 } });
    const post = await app.post('/v1/checks/latency', {
      ...base,
      since: '2026-01-01T11:50:00Z',
      alpha: '0.01',
    });
    expect(post.body).toMatchObject({ phase: 'Successful', threshold: 0.01, details: { judgedMinutes: 8 } });
  });

  it('no canary pod yet → 404 (an Error measurement for Argo)', async () => {
    const res = await app.post('/v1/checks/latency', {
      ...base,
      namespace: 'shop',
      selector: { app: 'web' },
    });
    expect(res.status).toBe(404);
    expect((res.body as { error: { message: string } }).error.message).toMatch(
      /^no pod in namespace shop matches app=web: the canary has not started/,
    );
  });

  it.each([
    {
      name: 'an unknown percentile',
      body: { ...base, percentile: 'p999' },
      field: 'percentile',
      message: 'must be one of p50, p90, p95, p99, got "p999"',
    },
    {
      name: 'windowMinutes with since',
      body: { ...base, since: '2026-01-01T11:00:00Z', windowMinutes: 10 },
      field: 'windowMinutes',
      message: /cannot be combined with the canary's start/,
    },
    {
      name: 'since and pods together',
      body: { ...base, since: '2026-01-01T11:00:00Z', namespace: 'shop', selector: { app: 'web' } },
      field: 'namespace',
      message: /cannot be combined with since/,
    },
    {
      name: 'a selector without a namespace',
      body: { ...base, selector: { app: 'web' } },
      field: 'namespace',
      message: /required with selector/,
    },
    {
      name: 'since in the future',
      body: { ...base, since: '2026-01-02T00:00:00Z' },
      field: 'since',
      message: /before now/,
    },
    {
      name: 'the same target group twice',
      body: { ...base, canaryTargetGroupArn: TG_ARN },
      field: 'stableTargetGroupArn',
      message: /must differ/,
    },
    {
      name: 'minRequestsPerMinute 0',
      body: { ...base, minRequestsPerMinute: 0 },
      field: 'minRequestsPerMinute',
      message: 'must be a whole number from 1 to 1000000000000, got 0',
    },
    {
      name: 'a fractional minMinutes',
      body: { ...base, minMinutes: '2.5' },
      field: 'minMinutes',
      message: 'must be a whole number from 1 to 1440, got "2.5"',
    },
    {
      name: 'a Fisher parameter',
      body: { ...base, minRateDifference: 0.01 },
      field: 'minRateDifference',
      message: /not a parameter of latency/,
    },
  ])('bad input → 400 naming the field: $name', async ({ body, field, message }) => {
    const res = await app.post('/v1/checks/latency', body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    const error = (res.body as { error: { field: string; message: string } }).error;
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});
