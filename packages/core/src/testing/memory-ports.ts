import type { Clock } from '../ports/clock.js';
import type { ClusterReader, LiveObjects, PodInfo, RolloutStatus, WorkloadRef } from '../ports/cluster.js';
import type {
  LoadBalancerCatalog,
  LoadBalancerInfo,
  TargetGroupInfo,
  TargetHealth,
  TargetHealthSource,
} from '../ports/elb.js';
import { UpstreamError } from '../ports/errors.js';
import type { MetricQuery, MetricSeries, MetricsSource, MetricWindow } from '../ports/metrics.js';

/**
 * In-memory implementations of the core's ports for logic tests: they hold what a test puts in, record every
 * call, and fail on demand with the UpstreamError a real adapter would map its SDK's error to.
 */

/** Records calls and hands out queued failures, per operation. */
class Calls {
  readonly log: { operation: string; args: unknown[] }[] = [];
  private readonly failures = new Map<string, Error[]>();

  /** The next call of `operation` (or of any, with `*`) throws `error`. */
  failNext(operation: string, error: Error): void {
    const queue = this.failures.get(operation) ?? [];
    queue.push(error);
    this.failures.set(operation, queue);
  }

  record(operation: string, ...args: unknown[]): void {
    this.log.push({ operation, args });
    const failure = this.failures.get(operation)?.shift() ?? this.failures.get('*')?.shift();
    if (failure) throw failure;
  }

  clearFailures(): void {
    this.failures.clear();
  }

  count(operation: string): number {
    return this.log.filter((call) => call.operation === operation).length;
  }
}

/** A failure as an adapter reports it, for `failNext`. */
export function anUpstreamError(
  failure: UpstreamError['failure'] = 'access-denied',
  service = 'cloudwatch',
  operation = 'GetMetricData',
): UpstreamError {
  return new UpstreamError(service, operation, failure, `simulated ${failure}`);
}

function metricKey(metricName: string, dimensions: Readonly<Record<string, string>>, stat: string): string {
  const dims = Object.keys(dimensions)
    .sort()
    .map((name) => `${name}=${dimensions[name] ?? ''}`)
    .join(',');
  return `${metricName}|${dims}|${stat}`;
}

/**
 * CloudWatch in memory: datapoints per (metric, dimensions, statistic). As CloudWatch does, it returns only
 * the periods that have a datapoint, within the window, aligned to the window's period.
 */
export class InMemoryMetrics implements MetricsSource {
  readonly calls = new Calls();
  private readonly points = new Map<string, Map<number, number>>();

  /** Adds `value` to the datapoint of the period that starts at `timestamp`. */
  put(
    metric: { metricName: string; dimensions: Readonly<Record<string, string>>; stat?: MetricQuery['stat'] },
    timestamp: Date,
    value: number,
  ): this {
    const key = metricKey(metric.metricName, metric.dimensions, metric.stat ?? 'Sum');
    const series = this.points.get(key) ?? new Map<number, number>();
    series.set(timestamp.getTime(), (series.get(timestamp.getTime()) ?? 0) + value);
    this.points.set(key, series);
    return this;
  }

  /** Calls of `readMetrics` so far (failed ones included). */
  get reads(): number {
    return this.calls.count('readMetrics');
  }

  /** The next `readMetrics` throws `error`. */
  failNext(error: Error): void {
    this.calls.failNext('readMetrics', error);
  }

  /** Forgets every datapoint and queued failure (the calls stay recorded). */
  clear(): void {
    this.points.clear();
    this.calls.clearFailures();
  }

  /** `put` for a query the core planned. */
  putFor(query: MetricQuery, timestamp: Date, value: number): this {
    return this.put(query, timestamp, value);
  }

  async readMetrics(
    queries: readonly MetricQuery[],
    window: MetricWindow,
    _signal?: AbortSignal,
  ): Promise<MetricSeries[]> {
    this.calls.record('readMetrics', queries, window);
    const periodMs = window.periodSeconds * 1000;
    return queries.map((query) => {
      const series = this.points.get(metricKey(query.metricName, query.dimensions, query.stat));
      const byPeriod = new Map<number, number>();
      for (const [time, value] of series ?? []) {
        if (time < window.start.getTime() || time >= window.end.getTime()) continue;
        const start =
          window.start.getTime() + Math.floor((time - window.start.getTime()) / periodMs) * periodMs;
        byPeriod.set(start, (byPeriod.get(start) ?? 0) + value);
      }
      return {
        id: query.id,
        points: [...byPeriod.entries()]
          .sort(([a], [b]) => a - b)
          .map(([time, value]) => ({ timestamp: new Date(time), value })),
      };
    });
  }
}

/** DescribeTargetHealth in memory. */
export class InMemoryTargetHealth implements TargetHealthSource {
  readonly calls = new Calls();
  private readonly groups = new Map<string, TargetHealth[]>();

  set(targetGroupArn: string, targets: readonly TargetHealth[]): this {
    this.groups.set(targetGroupArn, [...targets]);
    return this;
  }

  async describeTargetHealth(targetGroupArn: string, _signal?: AbortSignal): Promise<TargetHealth[]> {
    this.calls.record('describeTargetHealth', targetGroupArn);
    const targets = this.groups.get(targetGroupArn);
    if (!targets) {
      throw new UpstreamError(
        'elbv2',
        'DescribeTargetHealth',
        'not-found',
        `target group ${targetGroupArn} not found`,
      );
    }
    return [...targets];
  }
}

/** Target groups, load balancers, attributes and tags in memory. */
export class InMemoryCatalog implements LoadBalancerCatalog {
  readonly calls = new Calls();
  private readonly targetGroups = new Map<string, TargetGroupInfo>();
  private readonly loadBalancers = new Map<string, LoadBalancerInfo>();
  private readonly attributes = new Map<string, Record<string, string>>();
  private readonly tags = new Map<string, Record<string, string>>();

  addTargetGroup(
    group: TargetGroupInfo,
    attributes: Record<string, string> = {},
    tags: Record<string, string> = {},
  ): this {
    this.targetGroups.set(group.arn, group);
    this.attributes.set(group.arn, attributes);
    this.tags.set(group.arn, tags);
    return this;
  }

  addLoadBalancer(
    lb: LoadBalancerInfo,
    attributes: Record<string, string> = {},
    tags: Record<string, string> = {},
  ): this {
    this.loadBalancers.set(lb.arn, lb);
    this.attributes.set(lb.arn, attributes);
    this.tags.set(lb.arn, tags);
    return this;
  }

  async describeTargetGroups(arns: readonly string[], _signal?: AbortSignal): Promise<TargetGroupInfo[]> {
    this.calls.record('describeTargetGroups', arns);
    return arns.map((arn) => {
      const group = this.targetGroups.get(arn);
      if (!group)
        throw new UpstreamError(
          'elbv2',
          'DescribeTargetGroups',
          'not-found',
          `target group ${arn} not found`,
        );
      return group;
    });
  }

  async describeTargetGroupAttributes(
    arn: string,
    _signal?: AbortSignal,
  ): Promise<Readonly<Record<string, string>>> {
    this.calls.record('describeTargetGroupAttributes', arn);
    return this.attributesOf(arn, 'DescribeTargetGroupAttributes');
  }

  async describeLoadBalancers(arns: readonly string[], _signal?: AbortSignal): Promise<LoadBalancerInfo[]> {
    this.calls.record('describeLoadBalancers', arns);
    return arns.map((arn) => {
      const lb = this.loadBalancers.get(arn);
      if (!lb)
        throw new UpstreamError(
          'elbv2',
          'DescribeLoadBalancers',
          'not-found',
          `load balancer ${arn} not found`,
        );
      return lb;
    });
  }

  async describeLoadBalancerAttributes(
    arn: string,
    _signal?: AbortSignal,
  ): Promise<Readonly<Record<string, string>>> {
    this.calls.record('describeLoadBalancerAttributes', arn);
    return this.attributesOf(arn, 'DescribeLoadBalancerAttributes');
  }

  async describeTags(
    arns: readonly string[],
    _signal?: AbortSignal,
  ): Promise<ReadonlyMap<string, Readonly<Record<string, string>>>> {
    this.calls.record('describeTags', arns);
    return new Map(arns.map((arn) => [arn, this.tags.get(arn) ?? {}]));
  }

  async findTargetGroupsByTags(
    tags: Readonly<Record<string, string>>,
    _signal?: AbortSignal,
  ): Promise<TargetGroupInfo[]> {
    this.calls.record('findTargetGroupsByTags', tags);
    return [...this.targetGroups.values()].filter((group) => {
      const own = this.tags.get(group.arn) ?? {};
      return Object.entries(tags).every(([key, value]) => own[key] === value);
    });
  }

  private attributesOf(arn: string, operation: string): Record<string, string> {
    const attributes = this.attributes.get(arn);
    if (!attributes) throw new UpstreamError('elbv2', operation, 'not-found', `${arn} not found`);
    return { ...attributes };
  }
}

/** Pods, rollout statuses and the objects around workloads, in memory. */
export class InMemoryCluster implements ClusterReader {
  readonly calls = new Calls();
  private pods: PodInfo[] = [];
  private readonly statuses = new Map<string, RolloutStatus>();
  private readonly objects = new Map<string, LiveObjects>();

  /** The objects `readLiveObjects` returns for this workload; the rest default to none. */
  setLiveObjects(workload: WorkloadRef, objects: Partial<LiveObjects> & { workload: unknown }): this {
    this.objects.set(workloadKey(workload), {
      services: [],
      ingresses: [],
      ingressClasses: [],
      ingressClassParams: [],
      targetGroupBindings: [],
      pdbs: [],
      ...objects,
    });
    return this;
  }

  async readLiveObjects(workload: WorkloadRef, _signal?: AbortSignal): Promise<LiveObjects> {
    this.calls.record('readLiveObjects', workload);
    return this.objects.get(workloadKey(workload)) ?? workloadNotFound(workload);
  }

  setPods(pods: readonly PodInfo[]): this {
    this.pods = [...pods];
    return this;
  }

  setRolloutStatus(status: RolloutStatus): this {
    this.statuses.set(workloadKey(status.workload), status);
    return this;
  }

  async listPods(
    namespace: string,
    selector: Readonly<Record<string, string>>,
    _signal?: AbortSignal,
  ): Promise<PodInfo[]> {
    this.calls.record('listPods', namespace, selector);
    return this.pods.filter(
      (pod) =>
        pod.namespace === namespace &&
        Object.entries(selector).every(([key, value]) => pod.labels[key] === value),
    );
  }

  async readRolloutStatus(workload: WorkloadRef, _signal?: AbortSignal): Promise<RolloutStatus> {
    this.calls.record('readRolloutStatus', workload);
    return this.statuses.get(workloadKey(workload)) ?? workloadNotFound(workload);
  }
}

/** What the API server answers for a workload that is not there. */
function workloadNotFound(workload: WorkloadRef): never {
  throw new UpstreamError(
    'kubernetes',
    'get',
    'not-found',
    `${workload.kind} ${workload.namespace}/${workload.name} not found`,
  );
}

function workloadKey(ref: WorkloadRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** A clock that moves only when told; `sleep` resolves once the clock has been advanced past its deadline. */
export class ManualClock implements Clock {
  private time: number;
  private sleepers: { until: number; resolve: () => void; reject: (reason: unknown) => void }[] = [];

  constructor(start: Date | string = '2026-01-01T12:00:00Z') {
    this.time = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.time);
  }

  set(time: Date | string): void {
    this.time = new Date(time).getTime();
    this.wake();
  }

  advance(ms: number): void {
    this.time += ms;
    this.wake();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const sleeper = { until: this.time + ms, resolve, reject };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((other) => other !== sleeper);
          reject(signal.reason);
        },
        { once: true },
      );
      this.wake();
    });
  }

  /** Sleeps not yet resolved. */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  private wake(): void {
    const due = this.sleepers.filter((sleeper) => sleeper.until <= this.time);
    this.sleepers = this.sleepers.filter((sleeper) => sleeper.until > this.time);
    for (const sleeper of due) sleeper.resolve();
  }
}

/**
 * A clock stopped at `at` (moved with `set`) whose sleeps pass in real time: for code that only reads the
 * time, or that retries after short sleeps a test should not have to drive.
 */
export function aFixedClock(at: Date | string): Clock & { set(at: Date | string): void } {
  let now = new Date(at);
  return {
    now: () => new Date(now),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    set(next) {
      now = new Date(next);
    },
  };
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

/** A pod as the kube adapter projects it, for tests: running, ready, with an IP. */
export function aPod(name: string, ip: string, overrides: Partial<PodInfo> = {}): PodInfo {
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
    ...overrides,
  };
}

/** A target as DescribeTargetHealth reports it. */
export function aTarget(
  id: string,
  state: TargetHealth['state'],
  reason?: string,
  port = 8080,
): TargetHealth {
  return { id, port, state, ...(reason ? { reason } : {}) };
}
