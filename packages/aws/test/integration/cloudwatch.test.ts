// The CloudWatch adapter against moto_server: datapoints put with PutMetricData read back raw, one
// GetMetricData per read when it fits, and reads of more than 500 queries split across calls. Percentiles
// (extended statistics) only as far as moto goes: see the two tests that say so.

import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { MetricQuery } from '@draingate/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsClientConfig, hasPeer } from '../../../../test/peers/index.js';
import { createAwsAdapters, type AwsAdapters } from '../../src/index.js';
import { recordCalls } from './calls.js';

const LB = 'app/k8s-shop-cwit-1a2b3c4d5e/0123456789abcdef';
const TG = 'targetgroup/k8s-shop-cwit-9f8e7d6c5b/fedcba9876543210';
const NS = 'AWS/ApplicationELB';

function aQuery(
  id: string,
  metricName: string,
  dimensions: Record<string, string>,
  stat: MetricQuery['stat'] = 'Sum',
): MetricQuery {
  return { id, namespace: NS, metricName, dimensions, stat };
}

describe.skipIf(!hasPeer('aws'))('CloudWatch adapter against moto_server', () => {
  const rec = recordCalls();
  let aws: AwsAdapters;
  let cw: CloudWatchClient;
  // Whole minutes in the recent past, like the ALB's own datapoints.
  const start = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000);
  const minute = (n: number, seconds = 0): Date => new Date(start.getTime() + n * 60_000 + seconds * 1000);

  async function put(data: MetricDatum[]): Promise<void> {
    for (let i = 0; i < data.length; i += 500) {
      await cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: data.slice(i, i + 500) }));
    }
  }

  beforeAll(async () => {
    cw = new CloudWatchClient(awsClientConfig());
    aws = createAwsAdapters({ ...awsClientConfig(), onCall: rec.onCall, timeoutMs: 20_000 });
    const both = [
      { Name: 'LoadBalancer', Value: LB },
      { Name: 'TargetGroup', Value: TG },
    ];
    await put([
      // ELB 5xx per load balancer: minutes 2 and 5 only (a zero count is not published).
      {
        MetricName: 'HTTPCode_ELB_5XX_Count',
        Dimensions: [both[0]!],
        Timestamp: minute(2),
        Value: 3,
        Unit: 'Count',
      },
      {
        MetricName: 'HTTPCode_ELB_5XX_Count',
        Dimensions: [both[0]!],
        Timestamp: minute(5, 30),
        Value: 1,
        Unit: 'Count',
      },
      // Requests per target group, two datapoints a minute that the Sum adds.
      ...[100, 120, 90, 110, 130].flatMap((n, i): MetricDatum[] => [
        { MetricName: 'RequestCount', Dimensions: both, Timestamp: minute(i), Value: n / 2, Unit: 'Count' },
        {
          MetricName: 'RequestCount',
          Dimensions: both,
          Timestamp: minute(i, 45),
          Value: n / 2,
          Unit: 'Count',
        },
      ]),
      {
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: both,
        Timestamp: minute(3, 10),
        Value: 2,
        Unit: 'Count',
      },
      {
        MetricName: 'TargetResponseTime',
        Dimensions: both,
        Timestamp: minute(1),
        Value: 0.1,
        Unit: 'Seconds',
      },
      {
        MetricName: 'TargetResponseTime',
        Dimensions: both,
        Timestamp: minute(1, 20),
        Value: 0.3,
        Unit: 'Seconds',
      },
    ]);
  });

  afterAll(() => {
    aws.destroy();
    cw.destroy();
  });

  beforeEach(() => rec.reset());

  const both = { LoadBalancer: LB, TargetGroup: TG };
  const values = (points: readonly { timestamp: Date; value: number }[]): [number, number][] =>
    points.map((p) => [(p.timestamp.getTime() - start.getTime()) / 60_000, p.value]);

  it('reads an evaluation’s four series in one GetMetricData call, raw: minutes without data are absent', async () => {
    const series = await aws.metrics.readMetrics(
      [
        aQuery('elb5xx', 'HTTPCode_ELB_5XX_Count', { LoadBalancer: LB }),
        aQuery('requests', 'RequestCount', both),
        aQuery('tg-5xx', 'HTTPCode_Target_5XX_Count', both),
        aQuery('elb502', 'HTTPCode_ELB_502_Count', { LoadBalancer: LB }),
      ],
      { start: minute(0), end: minute(10), periodSeconds: 60 },
    );
    expect(series.map((s) => s.id)).toEqual(['elb5xx', 'requests', 'tg-5xx', 'elb502']);
    expect(values(series[0]!.points)).toEqual([
      [2, 3],
      [5, 1],
    ]);
    expect(values(series[1]!.points)).toEqual([
      [0, 100],
      [1, 120],
      [2, 90],
      [3, 110],
      [4, 130],
    ]);
    expect(values(series[2]!.points)).toEqual([[3, 2]]);
    expect(series[3]!.points).toEqual([]);
    expect(rec.calls.map((c) => [c.service, c.operation, c.outcome])).toEqual([
      ['cloudwatch', 'GetMetricData', 'ok'],
    ]);
  });

  it('aligns an unaligned window to whole minutes (start down, end up)', async () => {
    const [requests] = await aws.metrics.readMetrics([aQuery('requests', 'RequestCount', both)], {
      start: minute(1, 25),
      end: minute(3, 5),
      periodSeconds: 60,
    });
    expect(values(requests!.points)).toEqual([
      [1, 120],
      [2, 90],
      [3, 110],
    ]);
  });

  it('uses the query’s statistic: Average response time', async () => {
    const [rt] = await aws.metrics.readMetrics([aQuery('rt', 'TargetResponseTime', both, 'Average')], {
      start: minute(0),
      end: minute(5),
      periodSeconds: 60,
    });
    expect(rt!.points.map((p) => p.value)).toEqual([expect.closeTo(0.2, 9)]);
  });

  // moto 5.2.5 computes Sum, Average, Minimum, Maximum and SampleCount only (cloudwatch/models.py,
  // get_statistics_for_type): it takes a percentile Stat, answers minutes without datapoints, and fails on a
  // minute with datapoints. What a percentile's answer looks like is tested against fake-aws (faults.test.ts).
  it('asks for a percentile as the Stat (p99): over minutes without datapoints moto answers, empty', async () => {
    const [rt] = await aws.metrics.readMetrics([aQuery('rt', 'TargetResponseTime', both, 'p99')], {
      start: minute(6),
      end: minute(10),
      periodSeconds: 60,
    });
    expect(rt).toEqual({ id: 'rt', points: [] });
    expect(rec.calls.map((c) => [c.operation, c.outcome])).toEqual([['GetMetricData', 'ok']]);
  });

  it('moto cannot compute a percentile over a minute with datapoints: HTTP 500, an UpstreamError, no crash', async () => {
    await expect(
      aws.metrics.readMetrics([aQuery('rt', 'TargetResponseTime', both, 'p99')], {
        start: minute(0),
        end: minute(5),
        periodSeconds: 60,
      }),
    ).rejects.toMatchObject({ service: 'cloudwatch', operation: 'GetMetricData', failure: 'unavailable' });
  });

  it('sums over longer periods: 5 minutes', async () => {
    const [requests] = await aws.metrics.readMetrics([aQuery('requests', 'RequestCount', both)], {
      start: minute(0),
      end: minute(10),
      periodSeconds: 300,
    });
    expect(values(requests!.points)).toEqual([[0, 550]]);
  });

  it('no queries, no call', async () => {
    expect(
      await aws.metrics.readMetrics([], { start: minute(0), end: minute(1), periodSeconds: 60 }),
    ).toEqual([]);
    expect(rec.calls).toEqual([]);
  });

  it('splits 1,100 queries into calls of at most 500: 3 GetMetricData calls, every series back in order', async () => {
    const tgOf = (i: number): string =>
      `targetgroup/split-${String(i).padStart(4, '0')}/${i.toString(16).padStart(16, '0')}`;
    const withData = new Map([
      [0, 7],
      [499, 8],
      [500, 9],
      [1099, 11],
    ]);
    await put(
      [...withData].map(([i, v]) => ({
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: [
          { Name: 'LoadBalancer', Value: LB },
          { Name: 'TargetGroup', Value: tgOf(i) },
        ],
        Timestamp: minute(6),
        Value: v,
        Unit: 'Count',
      })),
    );
    const queries = Array.from({ length: 1100 }, (_, i) =>
      aQuery(`tg${i}`, 'HTTPCode_Target_5XX_Count', { LoadBalancer: LB, TargetGroup: tgOf(i) }),
    );
    const series = await aws.metrics.readMetrics(queries, {
      start: minute(0),
      end: minute(10),
      periodSeconds: 60,
    });
    expect(series.map((s) => s.id)).toEqual(queries.map((q) => q.id));
    const nonEmpty = series.flatMap((s, i) => (s.points.length > 0 ? [[i, values(s.points)]] : []));
    expect(nonEmpty).toEqual([...withData].map(([i, v]) => [i, [[6, v]]]));
    expect(rec.count('GetMetricData', 'ok')).toBe(3);
    expect(rec.calls).toHaveLength(3);
  });

  it('exactly 500 queries still fit one call', async () => {
    const queries = Array.from({ length: 500 }, (_, i) =>
      aQuery(`q${i}`, 'RequestCount', { LoadBalancer: `app/x/${i}` }),
    );
    await aws.metrics.readMetrics(queries, { start: minute(0), end: minute(2), periodSeconds: 60 });
    expect(rec.count('GetMetricData')).toBe(1);
  });

  it('a bad window is refused before any call', async () => {
    await expect(
      aws.metrics.readMetrics([aQuery('r', 'RequestCount', both)], {
        start: minute(5),
        end: minute(1),
        periodSeconds: 60,
      }),
    ).rejects.toMatchObject({ name: 'InputError', path: 'window' });
    await expect(
      aws.metrics.readMetrics([aQuery('r', 'RequestCount', both)], {
        start: minute(0),
        end: minute(1),
        periodSeconds: 45,
      }),
    ).rejects.toMatchObject({ name: 'InputError', path: 'window.periodSeconds' });
    expect(rec.calls).toEqual([]);
  });
});
