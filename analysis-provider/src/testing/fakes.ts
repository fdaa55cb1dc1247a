// Small in-memory ports for the provider's tests. They import the core through its package name, as the
// provider does, so that `instanceof UpstreamError` holds on both sides.
import { UpstreamError } from '@draingate/core';
import type {
  Clock,
  ClusterReader,
  LoadBalancerCatalog,
  MetricQuery,
  MetricSeries,
  MetricsSource,
  MetricWindow,
  PodInfo,
  RolloutStatus,
  TargetHealth,
  TargetHealthSource,
} from '@draingate/core';

/** A clock stopped at `at`. */
export function aFixedClock(at: string): Clock & { set(at: string): void } {
  let now = new Date(at);
  return {
    now: () => new Date(now),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    set(next) {
      now = new Date(next);
    },
  };
}

function keyOf(metricName: string, dimensions: Readonly<Record<string, string>>): string {
  return `${metricName}|${Object.keys(dimensions)
    .sort()
    .map((name) => `${name}=${dimensions[name] ?? ''}`)
    .join(',')}`;
}

/** CloudWatch in memory: Sum datapoints per metric, only the periods that have one, like CloudWatch. */
export class FakeMetrics implements MetricsSource {
  reads = 0;
  readonly #points = new Map<string, Map<number, number>>();
  readonly #failures: Error[] = [];

  put(metricName: string, dimensions: Readonly<Record<string, string>>, at: Date, value: number): this {
    const series = this.#points.get(keyOf(metricName, dimensions)) ?? new Map<number, number>();
    series.set(at.getTime(), (series.get(at.getTime()) ?? 0) + value);
    this.#points.set(keyOf(metricName, dimensions), series);
    return this;
  }

  failNext(error: Error): void {
    this.#failures.push(error);
  }

  /** Forgets every datapoint and scripted failure (the read count stays). */
  clear(): void {
    this.#points.clear();
    this.#failures.length = 0;
  }

  async readMetrics(queries: readonly MetricQuery[], window: MetricWindow): Promise<MetricSeries[]> {
    this.reads += 1;
    const failure = this.#failures.shift();
    if (failure) throw failure;
    return queries.map((query) => ({
      id: query.id,
      points: [...(this.#points.get(keyOf(query.metricName, query.dimensions)) ?? [])]
        .filter(([time]) => time >= window.start.getTime() && time < window.end.getTime())
        .sort(([a], [b]) => a - b)
        .map(([time, value]) => ({ timestamp: new Date(time), value })),
    }));
  }
}

/** DescribeTargetHealth in memory; an unknown target group is `not-found`, as ELBv2 says. */
export class FakeTargetHealth implements TargetHealthSource {
  readonly #groups = new Map<string, TargetHealth[]>();

  set(arn: string, targets: readonly TargetHealth[]): this {
    this.#groups.set(arn, [...targets]);
    return this;
  }

  async describeTargetHealth(arn: string): Promise<TargetHealth[]> {
    const targets = this.#groups.get(arn);
    if (!targets)
      throw new UpstreamError('elbv2', 'DescribeTargetHealth', 'not-found', `target group ${arn} not found`);
    return targets;
  }
}

/** Pods in memory. */
export class FakeCluster implements ClusterReader {
  pods: PodInfo[] = [];

  async listPods(namespace: string, selector: Readonly<Record<string, string>>): Promise<PodInfo[]> {
    return this.pods.filter(
      (pod) =>
        pod.namespace === namespace &&
        Object.entries(selector).every(([key, value]) => pod.labels[key] === value),
    );
  }

  readRolloutStatus(): Promise<RolloutStatus> {
    return Promise.reject(new UpstreamError('kubernetes', 'get', 'not-found', 'no rollouts here'));
  }
}

/**
 * A catalog that knows no settings (the checks then use the controller's defaults) but has every load balancer
 * it is asked about, so that the metric checks find theirs.
 */
export const emptyCatalog: LoadBalancerCatalog = {
  describeTargetGroups: async () => [],
  describeTargetGroupAttributes: async () => ({}),
  describeLoadBalancers: async (arns) =>
    arns.map((arn) => ({ arn, name: arn.split('/')[2] ?? 'lb', type: 'application' as const })),
  describeLoadBalancerAttributes: async () => ({}),
  describeTags: async () => new Map(),
  findTargetGroupsByTags: async () => [],
};

/** A running, ready pod. */
export function aPod(name: string, ip: string): PodInfo {
  return {
    name,
    namespace: 'shop',
    uid: `uid-${name}`,
    ip,
    phase: 'Running',
    ready: true,
    terminating: false,
    labels: { app: 'web' },
    conditions: {},
  };
}

/** A target as DescribeTargetHealth reports it. */
export function aTarget(id: string, state: TargetHealth['state'], reason?: string): TargetHealth {
  return { id, port: 8080, state, ...(reason ? { reason } : {}) };
}

/** The UpstreamError an adapter maps a failure to. */
export function anUpstreamError(
  failure: UpstreamError['failure'],
  service = 'cloudwatch',
  operation = 'GetMetricData',
): UpstreamError {
  return new UpstreamError(service, operation, failure, `simulated ${failure}`);
}

/**
 * A clock that moves only when told: `sleep` resolves once `advance` has moved the time past its end, so tests
 * of leases, observation and deadlines run in no time and in a known order.
 */
export function aManualClock(at: string): Clock & { advance(ms: number): Promise<void>; sleepers(): number } {
  let now = Date.parse(at);
  const waiting = new Set<{ until: number; resolve: () => void }>();
  return {
    now: () => new Date(now),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason as Error);
          return;
        }
        if (ms <= 0) {
          resolve();
          return;
        }
        const entry = {
          until: now + ms,
          resolve: () => {
            waiting.delete(entry);
            resolve();
          },
        };
        waiting.add(entry);
        signal?.addEventListener(
          'abort',
          () => {
            waiting.delete(entry);
            reject(signal.reason as Error);
          },
          { once: true },
        );
      }),
    async advance(ms) {
      now += ms;
      for (const entry of [...waiting]) if (entry.until <= now) entry.resolve();
      // Let what woke up run until it sleeps or waits again.
      for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
    },
    sleepers: () => waiting.size,
  };
}
