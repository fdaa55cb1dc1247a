import { albCountQuery } from '@draingate/core';
import type { MetricQuery, MetricSeries, MetricsSource, MetricWindow } from '@draingate/core';
import { describe, expect, it } from 'vitest';
import { createBatchingMetricsSource } from './batching-metrics.js';

const LB = 'app/web/0123456789abcdef';
const window: MetricWindow = {
  start: new Date('2026-01-01T11:50:00Z'),
  end: new Date('2026-01-01T12:00:00Z'),
  periodSeconds: 60,
};

/** A metrics source that records each read and answers after `delayMs` with one point per query. */
function aRecordingSource(delayMs = 20): MetricsSource & { reads: MetricQuery[][]; fail?: Error } {
  const source: MetricsSource & { reads: MetricQuery[][]; fail?: Error } = {
    reads: [],
    async readMetrics(queries, _window, signal): Promise<MetricSeries[]> {
      source.reads.push([...queries]);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (signal?.aborted) throw signal.reason as Error;
      if (source.fail) throw source.fail;
      return queries.map((query) => ({
        id: query.id,
        points: [{ timestamp: window.start, value: query.metricName.length }],
      }));
    },
  };
  return source;
}

const elb5xx = albCountQuery('HTTPCode_ELB_5XX_Count', { LoadBalancer: LB });
const requests = albCountQuery('RequestCount', { LoadBalancer: LB });

describe('createBatchingMetricsSource', () => {
  it('200 concurrent identical reads on a cold cache → one upstream read', async () => {
    const source = aRecordingSource();
    const metrics = createBatchingMetricsSource(source);
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => metrics.readMetrics([elb5xx, requests], window)),
    );
    expect(source.reads).toHaveLength(1);
    expect(source.reads[0]).toHaveLength(2);
    for (const answer of answers) expect(answer.map((series) => series.points[0]?.value)).toEqual([22, 12]);
  });

  it('concurrent reads of different metrics share one upstream read, each answered with its own ids', async () => {
    const source = aRecordingSource();
    const metrics = createBatchingMetricsSource(source);
    const [a, b] = await Promise.all([
      metrics.readMetrics([{ ...elb5xx, id: 'mine' }], window),
      metrics.readMetrics([requests, elb5xx], window),
    ]);
    expect(source.reads).toHaveLength(1);
    expect(source.reads[0]).toHaveLength(2);
    expect(a.map((series) => series.id)).toEqual(['mine']);
    expect(b.map((series) => series.id)).toEqual([requests.id, elb5xx.id]);
  });

  it('a read within the period is served from memory; another window reads again', async () => {
    const source = aRecordingSource(1);
    let now = 0;
    const metrics = createBatchingMetricsSource(source, { ttlMs: 60_000, now: () => now });
    await metrics.readMetrics([elb5xx], window);
    now = 59_000;
    await metrics.readMetrics([elb5xx], window);
    expect(source.reads).toHaveLength(1);
    await metrics.readMetrics([elb5xx], { ...window, end: new Date('2026-01-01T12:01:00Z') });
    expect(source.reads).toHaveLength(2);
    now = 61_000 + 1;
    await metrics.readMetrics([elb5xx], window);
    expect(source.reads).toHaveLength(3);
  });

  it('a failure reaches every waiter and is not cached', async () => {
    const source = aRecordingSource(1);
    source.fail = new Error('throttled');
    const metrics = createBatchingMetricsSource(source);
    const results = await Promise.allSettled([
      metrics.readMetrics([elb5xx], window),
      metrics.readMetrics([elb5xx], window),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    delete source.fail;
    await expect(metrics.readMetrics([elb5xx], window)).resolves.toHaveLength(1);
    expect(source.reads).toHaveLength(2);
  });

  it('a caller that gives up is answered at once; the shared read goes on for the others', async () => {
    const source = aRecordingSource(50);
    const metrics = createBatchingMetricsSource(source);
    const impatient = new AbortController();
    const first = metrics.readMetrics([elb5xx], window, impatient.signal);
    const second = metrics.readMetrics([elb5xx], window, new AbortController().signal);
    setTimeout(() => impatient.abort(new Error('deadline')), 10);
    await expect(first).rejects.toThrow('deadline');
    await expect(second).resolves.toHaveLength(1);
    expect(source.reads).toHaveLength(1);
  });

  it('the upstream read is aborted once every waiter has given up', async () => {
    const source = aRecordingSource(50);
    const metrics = createBatchingMetricsSource(source);
    const controller = new AbortController();
    const read = metrics.readMetrics([elb5xx], window, controller.signal);
    setTimeout(() => controller.abort(new Error('gone')), 10);
    await expect(read).rejects.toThrow('gone');
    // The next caller does not join an abandoned read: it starts a fresh one once that one has failed.
    await new Promise((resolve) => setTimeout(resolve, 60));
    await expect(metrics.readMetrics([elb5xx], window)).resolves.toHaveLength(1);
    expect(source.reads).toHaveLength(2);
  });

  it('more queries than one read takes are split across reads', async () => {
    const source = aRecordingSource(1);
    const metrics = createBatchingMetricsSource(source, { maxQueriesPerRead: 3 });
    const queries = Array.from({ length: 7 }, (_, index) =>
      albCountQuery('RequestCount', { LoadBalancer: `app/web${index}/0123456789abcdef` }),
    );
    const series = await metrics.readMetrics(queries, window);
    expect(series).toHaveLength(7);
    expect(source.reads.map((read) => read.length)).toEqual([3, 3, 1]);
  });
});
