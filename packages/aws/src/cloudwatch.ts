import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  InputError,
  UpstreamError,
  type MetricQuery,
  type MetricSeries,
  type MetricWindow,
  type MetricsSource,
} from '@draingate/core';
import { chunk } from './arn.js';
import { callAws, type CallSettings } from './call.js';
import type { RegionalClients } from './clients.js';

/** GetMetricData's limit on queries per call. */
export const MAX_QUERIES_PER_CALL = 500;
/** A guard against a service that keeps answering with a NextToken. */
const MAX_PAGES = 1000;
const MINUTE_MS = 60_000;
const STATS = new Set<MetricQuery['stat']>([
  'Sum',
  'Average',
  'Maximum',
  'Minimum',
  'SampleCount',
  // Extended statistics: GetMetricData takes a percentile as the Stat itself.
  'p50',
  'p90',
  'p95',
  'p99',
]);

type Point = { readonly timestamp: Date; readonly value: number };

/**
 * The CloudWatch id of the `index`-th query. CloudWatch ids must match `^[a-z][a-zA-Z0-9_]*$` and be unique
 * within a call; the core's ids are meant to, but the position makes the mapping safe for any id, and the
 * sanitized id keeps the request readable in CloudTrail and debug logs.
 */
export function cloudWatchQueryId(index: number, id: string): string {
  const readable = id.replace(/[^A-Za-z0-9_]/g, '_');
  return (readable === '' ? `q${index}` : `q${index}_${readable}`).slice(0, 255);
}

/** The request window: StartTime down and EndTime up to whole minutes, so CloudWatch's periods are clock minutes. */
export function alignWindow(window: MetricWindow): { start: Date; end: Date; periodSeconds: number } {
  const startMs = window.start.getTime();
  const endMs = window.end.getTime();
  if (!Number.isFinite(startMs)) throw new InputError('window.start', 'is not a valid time');
  if (!Number.isFinite(endMs)) throw new InputError('window.end', 'is not a valid time');
  if (
    !Number.isInteger(window.periodSeconds) ||
    window.periodSeconds < 60 ||
    window.periodSeconds % 60 !== 0
  ) {
    throw new InputError(
      'window.periodSeconds',
      `must be a positive multiple of 60, got ${window.periodSeconds}`,
    );
  }
  const start = Math.floor(startMs / MINUTE_MS) * MINUTE_MS;
  const end = Math.ceil(endMs / MINUTE_MS) * MINUTE_MS;
  if (end <= start) {
    throw new InputError(
      'window',
      `end (${window.end.toISOString()}) must be after start (${window.start.toISOString()})`,
    );
  }
  return { start: new Date(start), end: new Date(end), periodSeconds: window.periodSeconds };
}

/** Checks the queries of one read; duplicate ids would make the answer ambiguous. */
export function validateQueries(queries: readonly MetricQuery[]): void {
  const seen = new Set<string>();
  queries.forEach((q, i) => {
    if (seen.has(q.id))
      throw new InputError(`queries[${i}].id`, `duplicate query id ${JSON.stringify(q.id)}`);
    seen.add(q.id);
    if (!STATS.has(q.stat))
      throw new InputError(`queries[${i}].stat`, `unknown statistic ${JSON.stringify(q.stat)}`);
    if (q.metricName === '') throw new InputError(`queries[${i}].metricName`, 'is empty');
    for (const [name, value] of Object.entries(q.dimensions)) {
      if (value === '') throw new InputError(`queries[${i}].dimensions.${name}`, 'is empty');
    }
  });
}

/** One core query as a CloudWatch MetricStat query. */
export function toMetricDataQuery(
  query: MetricQuery,
  cloudWatchId: string,
  periodSeconds: number,
): MetricDataQuery {
  return {
    Id: cloudWatchId,
    MetricStat: {
      Metric: {
        Namespace: query.namespace,
        MetricName: query.metricName,
        Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: periodSeconds,
      Stat: query.stat,
    },
    ReturnData: true,
  };
}

/** Adds one page's datapoints to `into` (by CloudWatch id); a query can span pages. */
export function collectResults(results: readonly MetricDataResult[], into: Map<string, Point[]>): void {
  for (const result of results) {
    const points = result.Id === undefined ? undefined : into.get(result.Id);
    if (!points) continue;
    const timestamps = result.Timestamps ?? [];
    const values = result.Values ?? [];
    const n = Math.min(timestamps.length, values.length);
    for (let i = 0; i < n; i++) {
      const timestamp = timestamps[i];
      const value = values[i];
      // A value that is not a finite number is no datapoint: the core would otherwise judge NaN as a number.
      if (timestamp !== undefined && value !== undefined && Number.isFinite(value))
        points.push({ timestamp: new Date(timestamp), value });
    }
  }
}

/** A result-level failure of GetMetricData (the call itself succeeded), as an UpstreamError. */
function resultFailure(
  results: readonly MetricDataResult[],
  region: string | undefined,
): UpstreamError | undefined {
  const bad = results.find((r) => r.StatusCode === 'Forbidden' || r.StatusCode === 'InternalError');
  if (!bad) return undefined;
  const detail = (bad.Messages ?? []).map((m) => `${m.Code ?? ''} ${m.Value ?? ''}`.trim()).join('; ');
  const where = region ? ` in ${region}` : '';
  return new UpstreamError(
    'cloudwatch',
    'GetMetricData',
    bad.StatusCode === 'Forbidden' ? 'access-denied' : 'unavailable',
    `query ${bad.Id ?? '?'} answered ${bad.StatusCode}${where}${detail ? `: ${detail}` : ''}`,
  );
}

/**
 * `MetricsSource` over CloudWatch GetMetricData. One read is one call when it has at most 500 queries (split
 * into concurrent calls beyond), NextToken pages are followed, and the raw datapoints come back oldest first.
 * Minutes without a datapoint are simply absent: the core decides that they mean zero, and computes rates itself
 * rather than with metric math.
 */
export class CloudWatchMetricsSource implements MetricsSource {
  constructor(
    private readonly clients: RegionalClients<CloudWatchClient>,
    private readonly settings: CallSettings & { readonly region?: string },
  ) {}

  async readMetrics(
    queries: readonly MetricQuery[],
    window: MetricWindow,
    signal?: AbortSignal,
  ): Promise<MetricSeries[]> {
    if (queries.length === 0) return [];
    const aligned = alignWindow(window);
    validateQueries(queries);
    const ids = queries.map((q, i) => cloudWatchQueryId(i, q.id));
    const points = new Map<string, Point[]>(ids.map((id) => [id, []]));
    const requests = queries.map((q, i) => toMetricDataQuery(q, ids[i] ?? '', aligned.periodSeconds));
    await Promise.all(
      chunk(requests, MAX_QUERIES_PER_CALL).map((batch) => this.readBatch(batch, aligned, points, signal)),
    );
    return queries.map((q, i) => ({
      id: q.id,
      points: (points.get(ids[i] ?? '') ?? []).sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime()),
    }));
  }

  private async readBatch(
    batch: MetricDataQuery[],
    window: { start: Date; end: Date },
    into: Map<string, Point[]>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const region = this.settings.region;
    const client = this.clients.get(region);
    const tokens = new Set<string>();
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await callAws(this.settings, 'cloudwatch', 'GetMetricData', region, signal, (abortSignal) =>
        client.send(
          new GetMetricDataCommand({
            MetricDataQueries: batch,
            StartTime: window.start,
            EndTime: window.end,
            ScanBy: 'TimestampAscending',
            ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
          }),
          { abortSignal },
        ),
      );
      const results = out.MetricDataResults ?? [];
      const failure = resultFailure(results, region);
      if (failure) throw failure;
      collectResults(results, into);
      nextToken = out.NextToken || undefined;
      if (nextToken === undefined) return;
      if (tokens.has(nextToken)) {
        throw new UpstreamError(
          'cloudwatch',
          'GetMetricData',
          'unknown',
          `NextToken ${nextToken} repeated: paging would never end`,
        );
      }
      tokens.add(nextToken);
    }
    throw new UpstreamError(
      'cloudwatch',
      'GetMetricData',
      'unknown',
      `more than ${MAX_PAGES} pages of datapoints`,
    );
  }
}
