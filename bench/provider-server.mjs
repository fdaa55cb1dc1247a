// The analysis provider for the benchmarks, in its own process: the real app (express, validation, auth,
// rate limiting, the metric cache and batching, the core's evaluation) over an in-memory CloudWatch that answers
// after UPSTREAM_MS like a real call would. Nothing but loopback is touched. Prints `listening <url>`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createBatchingMetricsSource,
  createLogger,
  createTelemetry,
  loadProviderConfig,
  startProvider,
} from '../analysis-provider/dist/index.js';

export const BENCH_TOKEN = 'bench-token-0123456789abcdef0123';
export const LB_DIM = 'app/bench/0123456789abcdef';
export const TG_DIM = 'targetgroup/bench/fedcba9876543210';
const upstreamMs = Number(process.env.UPSTREAM_MS ?? 50);

/** An in-memory GetMetricData: 1,000 requests a minute on the target group, no 5xx. */
const upstream = {
  reads: 0,
  async readMetrics(queries, window) {
    upstream.reads += 1;
    await new Promise((resolve) => setTimeout(resolve, upstreamMs));
    const minutes = [];
    for (let t = window.start.getTime(); t < window.end.getTime(); t += 60_000) minutes.push(new Date(t));
    return queries.map((query) => ({
      id: query.id,
      points:
        query.metricName === 'RequestCount' ? minutes.map((timestamp) => ({ timestamp, value: 1000 })) : [],
    }));
  },
};

const dir = mkdtempSync(join(tmpdir(), 'draingate-bench-'));
writeFileSync(join(dir, 'tokens'), `bench ${BENCH_TOKEN}\n`);
const { config, errors } = loadProviderConfig([
  '--host',
  '127.0.0.1',
  '--port',
  process.env.PORT ?? '0',
  '--tokens',
  join(dir, 'tokens'),
  '--kube',
  'off',
  '--rate-limit-per-second',
  '1000000',
  '--rate-limit-burst',
  '1000000',
  '--log-level',
  process.env.LOG_LEVEL ?? 'warn',
  '--shutdown-delay-seconds',
  process.env.SHUTDOWN_DELAY ?? '2',
  '--shutdown-timeout-seconds',
  '10',
  // The verdict memo shares the metric cache's lifetime; VERDICT_MEMO=off measures evaluation on every request.
  ...(process.env.VERDICT_MEMO === 'off' ? ['--metrics-cache-seconds', '0'] : []),
]);
if (errors.length > 0) throw new Error(errors.join('\n'));
const clock = { now: () => new Date(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
const unused = () => Promise.reject(new Error('not used by the benchmark'));
const telemetry = createTelemetry();
const provider = await startProvider({
  config,
  telemetry,
  logger: createLogger(process.stderr, config.logLevel),
  ports: {
    clock,
    metrics: createBatchingMetricsSource(upstream, {
      ttlMs: 60_000,
      batchWindowMs: 5,
      onCacheEvent: (cache, event) => telemetry.observeCache(cache, event),
      onBatch: (queries) => telemetry.observeBatch(queries),
    }),
    targetHealth: { describeTargetHealth: unused },
    catalog: {
      describeTargetGroups: unused,
      describeTargetGroupAttributes: unused,
      // The elb-5xx check makes sure its load balancer exists.
      describeLoadBalancers: async (arns) => arns.map((arn) => ({ arn, name: 'bench', type: 'application' })),
      describeLoadBalancerAttributes: unused,
      describeTags: unused,
      findTargetGroupsByTags: unused,
    },
  },
});
// Upstream reads are `draingate_provider_metric_batch_queries_count` on /metrics.
process.stdout.write(`listening ${provider.url}\n`);
process.on('SIGTERM', () => void provider.shutdown('SIGTERM').then(() => process.exit(0)));
