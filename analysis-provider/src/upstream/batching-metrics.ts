import { metricQueryKey } from '@draingate/core';
import type { MetricQuery, MetricSeries, MetricsSource, MetricWindow } from '@draingate/core';
import type { CacheEvent } from './cache.js';
import { CoalescingCache } from './cache.js';
import { WaiterGroup, raceSignal } from './signals.js';

/** Options of `createBatchingMetricsSource`. */
export interface BatchingOptions {
  /** How long a metric's datapoints are served from memory (ms): CloudWatch's 60 s period by default. */
  readonly ttlMs?: number;
  /** How long queries are collected before one upstream read (ms). Default 5. */
  readonly batchWindowMs?: number;
  /** Queries per upstream read at most (GetMetricData takes 500). */
  readonly maxQueriesPerRead?: number;
  readonly now?: () => number;
  readonly onCacheEvent?: (cache: string, event: CacheEvent) => void;
  /** Called once per upstream read with the number of distinct queries it carried. */
  readonly onBatch?: (queries: number) => void;
}

interface Pending {
  readonly query: MetricQuery;
  readonly window: MetricWindow;
  readonly waiters: WaiterGroup;
  resolve(series: MetricSeries['points']): void;
  reject(error: unknown): void;
}

function windowKey(window: MetricWindow): string {
  return `${window.start.toISOString()}/${window.end.toISOString()}/${window.periodSeconds}`;
}

/**
 * A MetricsSource in front of another that (1) caches each metric's datapoints per window for a CloudWatch
 * period, (2) runs one upstream read per metric and window at a time however many requests ask, and (3) gathers
 * the metrics that concurrent requests need for a few milliseconds into shared upstream reads — one
 * GetMetricData call for all of them. Windows are aligned to whole minutes by the checks, so requests in the same
 * minute share their key.
 */
export function createBatchingMetricsSource(
  source: MetricsSource,
  options: BatchingOptions = {},
): MetricsSource {
  const batchWindowMs = options.batchWindowMs ?? 5;
  const maxQueries = options.maxQueriesPerRead ?? 500;
  const cache = new CoalescingCache<MetricSeries['points']>({
    name: 'metrics',
    ttlMs: options.ttlMs ?? 60_000,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onCacheEvent ? { onEvent: options.onCacheEvent } : {}),
  });
  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    timer = undefined;
    const batch = queue;
    queue = [];
    const byWindow = new Map<string, Pending[]>();
    for (const item of batch) {
      const key = windowKey(item.window);
      const group = byWindow.get(key);
      if (group) group.push(item);
      else byWindow.set(key, [item]);
    }
    for (const group of byWindow.values()) {
      for (let index = 0; index < group.length; index += maxQueries) {
        void read(group.slice(index, index + maxQueries));
      }
    }
  };

  const read = async (items: Pending[]): Promise<void> => {
    const first = items[0];
    if (!first) return;
    // Every item is a distinct metric (the cache coalesced duplicates); ids are ours, not the callers'.
    const queries = items.map((item, index) => ({ ...item.query, id: `q${index}` }));
    const shared = new WaiterGroup();
    for (const item of items) shared.join(item.waiters.signal);
    options.onBatch?.(queries.length);
    try {
      const series = await source.readMetrics(queries, first.window, shared.signal);
      const byId = new Map(series.map((entry) => [entry.id, entry.points]));
      items.forEach((item, index) => item.resolve(byId.get(`q${index}`) ?? []));
    } catch (error) {
      for (const item of items) item.reject(error);
    }
  };

  const enqueue = (
    query: MetricQuery,
    window: MetricWindow,
    signal: AbortSignal,
  ): Promise<MetricSeries['points']> =>
    new Promise((resolve, reject) => {
      const waiters = new WaiterGroup();
      waiters.join(signal);
      queue.push({ query, window, waiters, resolve, reject });
      if (queue.length >= maxQueries) {
        if (timer) clearTimeout(timer);
        flush();
      } else timer ??= setTimeout(flush, batchWindowMs);
    });

  return {
    async readMetrics(queries, window, signal) {
      const wkey = windowKey(window);
      const points = await raceSignal(
        Promise.all(
          queries.map((query) =>
            cache.get(
              `${metricQueryKey(query)}|${wkey}`,
              (loadSignal) => enqueue(query, window, loadSignal),
              signal,
            ),
          ),
        ),
        signal,
      );
      return queries.map((query, index) => ({ id: query.id, points: points[index] ?? [] }));
    },
  };
}
