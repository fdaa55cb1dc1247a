// Faults moto cannot produce, against a loopback AWS look-alike speaking the SDK's real wire protocols
// (ELBv2: Query/XML, CloudWatch: JSON 1.0): throttling, access denied, unavailability, an endpoint that never
// answers, the caller's own abort, paging that moto does not do (DescribeTargetGroups Marker,
// GetMetricData NextToken), and a percentile's answer, which moto cannot compute.

import { UpstreamError, type MetricQuery } from '@draingate/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsAdapters, type AwsAdapterOptions, type AwsAdapters } from '../../src/index.js';
import { recordCalls } from './calls.js';
import {
  cloudWatchError,
  elbError,
  elbOk,
  formList,
  startFakeAws,
  tagDescriptionXml,
  targetGroupXml,
  type FakeAws,
  type FakeHandler,
} from '../../../../test/peers/fake-aws.js';

const REGION = 'eu-west-1';
const TG =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-shop-web-1a2b3c4d5e/0123456789abcdef';
const LB = 'app/k8s-shop-web/fedcba9876543210';
const QUERY: MetricQuery = {
  id: 'elb5xx',
  namespace: 'AWS/ApplicationELB',
  metricName: 'HTTPCode_ELB_5XX_Count',
  dimensions: { LoadBalancer: LB },
  stat: 'Sum',
};
const WINDOW = {
  start: new Date('2026-11-23T10:00:00Z'),
  end: new Date('2026-11-23T10:10:00Z'),
  periodSeconds: 60,
};
/** Scheduling noise on a busy 2-core machine, on top of a deadline. */
const SLACK_MS = 1500;

describe('AWS faults, against a loopback fake', () => {
  const rec = recordCalls();
  const open: { fake?: FakeAws; aws?: AwsAdapters }[] = [];

  async function setUp(
    handler: FakeHandler,
    options: Partial<AwsAdapterOptions> = {},
  ): Promise<{ fake: FakeAws; aws: AwsAdapters }> {
    rec.reset();
    const fake = await startFakeAws(handler);
    const aws = createAwsAdapters({
      region: REGION,
      endpoint: fake.endpoint,
      credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
      maxAttempts: 2,
      timeoutMs: 5000,
      onCall: rec.onCall,
      ...options,
    });
    open.push({ fake, aws });
    return { fake, aws };
  }

  afterEach(async () => {
    for (const { fake, aws } of open.splice(0)) {
      aws?.destroy();
      await fake?.close();
    }
  });

  describe('errors are typed, with service, operation and whether to retry', () => {
    it.each([
      {
        name: 'ELBv2 throttling → throttled, retried by the SDK (2 attempts), retryable',
        answer: elbError(400, 'Throttling', 'Rate exceeded'),
        failure: 'throttled',
        retryable: true,
        attempts: 2,
      },
      {
        name: 'ELBv2 AccessDenied → access-denied, not retried',
        answer: elbError(
          403,
          'AccessDenied',
          'User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: elasticloadbalancing:DescribeTargetHealth',
        ),
        failure: 'access-denied',
        retryable: false,
        attempts: 1,
      },
      {
        name: 'ELBv2 503 ServiceUnavailable → unavailable, retried, retryable',
        answer: elbError(503, 'ServiceUnavailable', 'try later'),
        failure: 'unavailable',
        retryable: true,
        attempts: 2,
      },
      {
        name: 'ELBv2 ValidationError → invalid-request, not retried',
        answer: elbError(400, 'ValidationError', 'bad input'),
        failure: 'invalid-request',
        retryable: false,
        attempts: 1,
      },
    ])('$name', async ({ answer, failure, retryable, attempts }) => {
      const { fake, aws } = await setUp(() => answer);
      const err = await aws.targetHealth.describeTargetHealth(TG).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect(err).toMatchObject({ service: 'elbv2', operation: 'DescribeTargetHealth', failure, retryable });
      expect((err as Error).message).toContain(`in ${REGION}`);
      expect(fake.requests.filter((r) => r.operation === 'DescribeTargetHealth')).toHaveLength(attempts);
      expect(rec.calls.map((c) => [c.service, c.operation, c.outcome])).toEqual([
        ['elbv2', 'DescribeTargetHealth', failure],
      ]);
    });

    it.each([
      {
        name: 'CloudWatch throttling (JSON 1.0) → throttled, retried, retryable',
        answer: cloudWatchError(400, 'Throttling', 'Rate exceeded'),
        failure: 'throttled',
        retryable: true,
        attempts: 2,
      },
      {
        name: 'CloudWatch AccessDenied → access-denied, not retried',
        answer: cloudWatchError(403, 'AccessDenied', 'not authorized to perform: cloudwatch:GetMetricData'),
        failure: 'access-denied',
        retryable: false,
        attempts: 1,
      },
      {
        name: 'CloudWatch InternalServiceError → unavailable, retried',
        answer: cloudWatchError(500, 'InternalServiceError', 'oops'),
        failure: 'unavailable',
        retryable: true,
        attempts: 2,
      },
      {
        name: 'CloudWatch InvalidParameterValue → invalid-request',
        answer: cloudWatchError(
          400,
          'InvalidParameterValue',
          'The parameter Period must be a multiple of 60.',
        ),
        failure: 'invalid-request',
        retryable: false,
        attempts: 1,
      },
    ])('$name', async ({ answer, failure, retryable, attempts }) => {
      const { fake, aws } = await setUp(() => answer);
      const err = await aws.metrics.readMetrics([QUERY], WINDOW).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect(err).toMatchObject({ service: 'cloudwatch', operation: 'GetMetricData', failure, retryable });
      expect(fake.requests).toHaveLength(attempts);
      expect(rec.calls.map((c) => c.outcome)).toEqual([failure]);
    });

    it('a query answered Forbidden inside a successful GetMetricData → access-denied', async () => {
      const { aws } = await setUp(() => ({
        status: 200,
        body: JSON.stringify({
          MetricDataResults: [
            {
              Id: 'q0_elb5xx',
              StatusCode: 'Forbidden',
              Timestamps: [],
              Values: [],
              Messages: [{ Code: 'Forbidden', Value: 'no access' }],
            },
          ],
        }),
      }));
      await expect(aws.metrics.readMetrics([QUERY], WINDOW)).rejects.toMatchObject({
        failure: 'access-denied',
      });
    });

    it('nothing listening → unavailable', async () => {
      const closed = await startFakeAws(() => 'hang');
      await closed.close();
      const aws = createAwsAdapters({
        region: REGION,
        endpoint: closed.endpoint,
        credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
        maxAttempts: 2,
        onCall: rec.onCall,
      });
      open.push({ aws });
      rec.reset();
      await expect(aws.catalog.describeTargetGroupAttributes(TG)).rejects.toMatchObject({
        failure: 'unavailable',
        retryable: true,
      });
      expect(rec.calls.map((c) => c.outcome)).toEqual(['unavailable']);
    });
  });

  describe('deadlines: a hung endpoint cannot eat the caller’s budget', () => {
    it.each([
      { name: 'ELBv2 DescribeTargetHealth', service: 'elbv2' },
      { name: 'CloudWatch GetMetricData', service: 'cloudwatch' },
    ])(
      '$name against an endpoint that never answers → timeout at the 400 ms deadline',
      async ({ service }) => {
        const { fake, aws } = await setUp(() => 'hang', { timeoutMs: 400, maxAttempts: 3 });
        const started = performance.now();
        const call =
          service === 'elbv2'
            ? aws.targetHealth.describeTargetHealth(TG)
            : aws.metrics.readMetrics([QUERY], WINDOW);
        const err = await call.catch((e: unknown) => e);
        const elapsed = performance.now() - started;
        expect(err).toBeInstanceOf(UpstreamError);
        expect(err).toMatchObject({ service, failure: 'timeout', retryable: true });
        expect((err as Error).message).toContain('400 ms deadline');
        expect(elapsed).toBeGreaterThanOrEqual(350);
        expect(elapsed).toBeLessThan(400 + SLACK_MS);
        // The deadline covers the whole call: no second attempt starts after it.
        expect(fake.requests).toHaveLength(1);
        expect(rec.calls.map((c) => c.outcome)).toEqual(['timeout']);
      },
    );

    it('the caller’s signal ends a hung call before the adapter’s deadline, as a non-retryable timeout', async () => {
      const { aws } = await setUp(() => 'hang', { timeoutMs: 30_000 });
      const started = performance.now();
      const err = await aws.catalog.describeTags([TG], AbortSignal.timeout(300)).catch((e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(300 + SLACK_MS);
      expect(err).toMatchObject({
        service: 'elbv2',
        operation: 'DescribeTags',
        failure: 'timeout',
        retryable: false,
      });
      expect((err as Error).message).toContain('aborted by the caller');
    });

    it('each page of a paged read gets its own deadline; a page that hangs fails the read in time', async () => {
      const { fake, aws } = await setUp(
        (req) =>
          req.params.Marker === undefined
            ? elbOk(
                'DescribeTargetGroups',
                `<TargetGroups>${targetGroupXml(TG, 'web')}</TargetGroups><NextMarker>p2</NextMarker>`,
              )
            : 'hang',
        { timeoutMs: 500 },
      );
      const started = performance.now();
      await expect(
        aws.catalog.findTargetGroupsByTags({ 'elbv2.k8s.aws/cluster': 'c' }),
      ).rejects.toMatchObject({
        operation: 'DescribeTargetGroups',
        failure: 'timeout',
      });
      expect(performance.now() - started).toBeLessThan(500 + SLACK_MS);
      expect(fake.requests).toHaveLength(2);
      expect(rec.calls.map((c) => c.outcome)).toEqual(['ok', 'timeout']);
    });
  });

  describe('paging where moto answers in one page', () => {
    it('findTargetGroupsByTags follows DescribeTargetGroups NextMarker over 5 pages, then tags in slices of 20', async () => {
      const arns = Array.from({ length: 45 }, (_, i) =>
        TG.replace('k8s-shop-web-1a2b3c4d5e', `tg-${i}`).replace(
          '0123456789abcdef',
          i.toString(16).padStart(16, '0'),
        ),
      );
      const tagsOf = (arn: string): Record<string, string> => {
        const i = arns.indexOf(arn);
        return {
          'elbv2.k8s.aws/cluster': 'prod',
          'ingress.k8s.aws/stack': i % 10 === 0 ? 'shop/web' : `shop/other-${i}`,
        };
      };
      const { fake, aws } = await setUp(
        (req) => {
          if (req.operation === 'DescribeTargetGroups') {
            const pageSize = Number(req.params.PageSize);
            const from = req.params.Marker === undefined ? 0 : Number(req.params.Marker);
            const page = arns.slice(from, from + pageSize);
            const next = from + pageSize < arns.length ? `<NextMarker>${from + pageSize}</NextMarker>` : '';
            return elbOk(
              'DescribeTargetGroups',
              `<TargetGroups>${page.map((a, i) => targetGroupXml(a, `tg-${from + i}`)).join('')}</TargetGroups>${next}`,
            );
          }
          if (req.operation === 'DescribeTags') {
            const asked = formList(req.params, 'ResourceArns');
            if (asked.length > 20) return elbError(400, 'ValidationError', 'at most 20 resource ARNs');
            return elbOk(
              'DescribeTags',
              `<TagDescriptions>${asked.map((a) => tagDescriptionXml(a, tagsOf(a))).join('')}</TagDescriptions>`,
            );
          }
          return elbError(400, 'InvalidAction', req.operation);
        },
        { pageSize: 10 },
      );
      const found = await aws.catalog.findTargetGroupsByTags({
        'elbv2.k8s.aws/cluster': 'prod',
        'ingress.k8s.aws/stack': 'shop/web',
      });
      expect(found.map((g) => g.name)).toEqual(['tg-0', 'tg-10', 'tg-20', 'tg-30', 'tg-40']);
      expect(found[0]).toMatchObject({
        arn: arns[0],
        targetType: 'ip',
        healthCheck: { path: '/healthz', intervalSeconds: 15 },
      });
      const listed = fake.requests.filter((r) => r.operation === 'DescribeTargetGroups');
      expect(listed.map((r) => [r.params.PageSize, r.params.Marker])).toEqual([
        ['10', undefined],
        ['10', '10'],
        ['10', '20'],
        ['10', '30'],
        ['10', '40'],
      ]);
      expect(
        fake.requests
          .filter((r) => r.operation === 'DescribeTags')
          .map((r) => formList(r.params, 'ResourceArns').length),
      ).toEqual([20, 20, 5]);
      expect(rec.tally()).toEqual({ DescribeTargetGroups: 5, DescribeTags: 3 });
    });

    it('a percentile (what moto cannot compute): Stat p99 on the wire, the values back as seconds per minute', async () => {
      const t = (minute: number): number => WINDOW.start.getTime() / 1000 + minute * 60;
      const { fake, aws } = await setUp(() => ({
        status: 200,
        body: JSON.stringify({
          MetricDataResults: [
            { Id: 'q0_rt_p99', Timestamps: [t(0), t(2)], Values: [0.412, 1.87], StatusCode: 'Complete' },
          ],
        }),
      }));
      const [series] = await aws.metrics.readMetrics(
        [{ ...QUERY, id: 'rt_p99', metricName: 'TargetResponseTime', stat: 'p99' }],
        WINDOW,
      );
      expect(series?.points.map((p) => [p.timestamp.toISOString().slice(11, 16), p.value])).toEqual([
        ['10:00', 0.412],
        ['10:02', 1.87],
      ]);
      expect((fake.requests[0]?.params.MetricDataQueries as unknown[])[0]).toEqual({
        Id: 'q0_rt_p99',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/ApplicationELB',
            MetricName: 'TargetResponseTime',
            Dimensions: [{ Name: 'LoadBalancer', Value: LB }],
          },
          Period: 60,
          Stat: 'p99',
        },
        ReturnData: true,
      });
    });

    it('GetMetricData follows NextToken; a series spread over pages comes back whole and in time order', async () => {
      const t = (minute: number): number => WINDOW.start.getTime() / 1000 + minute * 60;
      const pages: Record<string, unknown>[] = [
        {
          MetricDataResults: [
            { Id: 'q0_elb5xx', Timestamps: [t(0), t(1)], Values: [1, 2], StatusCode: 'PartialData' },
          ],
          NextToken: 'page2',
        },
        {
          MetricDataResults: [
            { Id: 'q0_elb5xx', Timestamps: [t(2)], Values: [3], StatusCode: 'PartialData' },
            { Id: 'q1_tg_5xx', Timestamps: [t(4)], Values: [9], StatusCode: 'PartialData' },
          ],
          NextToken: 'page3',
        },
        {
          MetricDataResults: [
            { Id: 'q0_elb5xx', Timestamps: [t(7)], Values: [4], StatusCode: 'Complete' },
            { Id: 'q1_tg_5xx', Timestamps: [], Values: [], StatusCode: 'Complete' },
          ],
        },
      ];
      const { fake, aws } = await setUp((req) => {
        const page = req.params.NextToken === undefined ? 0 : req.params.NextToken === 'page2' ? 1 : 2;
        return { status: 200, body: JSON.stringify(pages[page]) };
      });
      const series = await aws.metrics.readMetrics(
        [QUERY, { ...QUERY, id: 'tg-5xx', metricName: 'HTTPCode_Target_5XX_Count' }],
        { ...WINDOW, start: new Date('2026-11-23T10:00:30Z'), end: new Date('2026-11-23T10:09:10Z') },
      );
      expect(
        series.map((s) => [s.id, s.points.map((p) => [p.timestamp.toISOString().slice(11, 16), p.value])]),
      ).toEqual([
        [
          'elb5xx',
          [
            ['10:00', 1],
            ['10:01', 2],
            ['10:02', 3],
            ['10:07', 4],
          ],
        ],
        ['tg-5xx', [['10:04', 9]]],
      ]);
      expect(rec.tally()).toEqual({ GetMetricData: 3 });
      // What went over the wire: one request shape, ascending scan, aligned window, safe ids, Sum over 60 s.
      expect(fake.requests.map((r) => r.params.NextToken)).toEqual([undefined, 'page2', 'page3']);
      const first = fake.requests[0]?.params ?? {};
      expect(first).toMatchObject({ ScanBy: 'TimestampAscending', StartTime: t(0), EndTime: t(10) });
      expect(first.MetricDataQueries).toEqual([
        {
          Id: 'q0_elb5xx',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApplicationELB',
              MetricName: 'HTTPCode_ELB_5XX_Count',
              Dimensions: [{ Name: 'LoadBalancer', Value: LB }],
            },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: true,
        },
        {
          Id: 'q1_tg_5xx',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApplicationELB',
              MetricName: 'HTTPCode_Target_5XX_Count',
              Dimensions: [{ Name: 'LoadBalancer', Value: LB }],
            },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: true,
        },
      ]);
    });

    it('a NextToken that repeats is an error, not an endless loop', async () => {
      const { aws } = await setUp(() => ({
        status: 200,
        body: JSON.stringify({ MetricDataResults: [], NextToken: 'again' }),
      }));
      await expect(aws.metrics.readMetrics([QUERY], WINDOW)).rejects.toMatchObject({
        failure: 'unknown',
        operation: 'GetMetricData',
      });
      expect(rec.count('GetMetricData')).toBe(2);
    });
  });
});
