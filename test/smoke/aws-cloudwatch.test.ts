// Proves moto_server serves what the CloudWatch adapter needs, through the real AWS SDK v3 client.

import {
  CloudWatchClient,
  GetMetricDataCommand,
  PutMetricDataCommand,
  type Dimension,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig, hasPeer } from '../peers/index.js';

const NAMESPACE = 'AWS/ApplicationELB';
const dimensions: Dimension[] = [
  { Name: 'TargetGroup', Value: 'targetgroup/k8s-shop-web-1234567890/0123456789abcdef' },
  { Name: 'LoadBalancer', Value: 'app/k8s-shop-web-0987654321/fedcba9876543210' },
];

function sumQuery(id: string, metricName: string): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: { Namespace: NAMESPACE, MetricName: metricName, Dimensions: dimensions },
      Period: 60,
      Stat: 'Sum',
    },
    ReturnData: true,
  };
}

describe.skipIf(!hasPeer('aws'))('CloudWatch against moto_server', () => {
  let cw: CloudWatchClient;
  // Whole minutes in the recent past, like the ALB's own datapoints; fixed per run so the buckets are exact.
  const start = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000);
  const minute = (n: number): Date => new Date(start.getTime() + n * 60_000);

  beforeAll(async () => {
    cw = new CloudWatchClient(awsClientConfig());
    const requests = [120, 100, 140];
    const fiveXx = [0, 7, 1];
    await cw.send(
      new PutMetricDataCommand({
        Namespace: NAMESPACE,
        MetricData: requests.flatMap((count, i) => [
          // Two datapoints in the same minute: the Sum must add them.
          {
            MetricName: 'RequestCount',
            Dimensions: dimensions,
            Timestamp: minute(i),
            Value: count / 2,
            Unit: 'Count',
          },
          {
            MetricName: 'RequestCount',
            Dimensions: dimensions,
            Timestamp: new Date(minute(i).getTime() + 30_000),
            Value: count / 2,
            Unit: 'Count',
          },
          {
            MetricName: 'HTTPCode_Target_5XX_Count',
            Dimensions: dimensions,
            Timestamp: minute(i),
            Value: fiveXx[i] ?? 0,
            Unit: 'Count',
          },
        ]),
      }),
    );
  });

  it('reads several Sum/60 s series back in one GetMetricData call', async () => {
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: minute(3),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          sumQuery('requests', 'RequestCount'),
          sumQuery('errors', 'HTTPCode_Target_5XX_Count'),
        ],
      }),
    );
    const byId = new Map(out.MetricDataResults?.map((r) => [r.Id, r]));
    expect(byId.get('requests')?.Values).toEqual([120, 100, 140]);
    expect(byId.get('requests')?.Timestamps).toEqual([minute(0), minute(1), minute(2)]);
    expect(byId.get('errors')?.Values).toEqual([0, 7, 1]);
    expect(byId.get('errors')?.StatusCode).toBe('Complete');
    // moto gap: no pagination, the whole answer comes back at once.
    expect(out.NextToken).toBeUndefined();
  });

  it('answers TimestampDescending, the API default, newest first', async () => {
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: minute(3),
        MetricDataQueries: [sumQuery('errors', 'HTTPCode_Target_5XX_Count')],
      }),
    );
    expect(out.MetricDataResults?.[0]?.Values).toEqual([1, 7, 0]);
  });

  it('leaves minutes without datapoints out, as CloudWatch does', async () => {
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: minute(-2),
        EndTime: minute(2),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [sumQuery('requests', 'RequestCount')],
      }),
    );
    expect(out.MetricDataResults?.[0]?.Timestamps).toEqual([minute(0), minute(1)]);
  });

  it('does not compute metric math (moto gap): an arithmetic expression comes back empty', async () => {
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: minute(3),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          { ...sumQuery('r', 'RequestCount'), ReturnData: false },
          { ...sumQuery('e', 'HTTPCode_Target_5XX_Count'), ReturnData: false },
          { Id: 'ratio', Expression: 'e / r', ReturnData: true },
        ],
      }),
    );
    // Real CloudWatch would answer [0, 0.07, 0.00714…]. Compute ratios in our code, not in a math expression.
    expect(out.MetricDataResults?.map((r) => [r.Id, r.Values])).toEqual([['ratio', []]]);
  });
});
