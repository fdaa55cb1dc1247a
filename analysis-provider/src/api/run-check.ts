import {
  CANARY_DEFAULTS,
  evaluateCanaryStart,
  LATENCY_DEFAULTS,
  upstreamErrorVerdict,
  UpstreamError,
  runCanary,
  runDrainTiming,
  runElb5xx,
  runLatency,
  runTargetHealth,
} from '@draingate/core';
import type {
  Clock,
  ClusterReader,
  LoadBalancerCatalog,
  MetricsSource,
  PodInfo,
  TargetHealthSource,
  Verdict,
  WorkloadFactsReader,
} from '@draingate/core';
import type { RequestedResources } from '../security/access.js';
import { ApiError } from './errors.js';
import { MAX_LOOKBACK_DAYS } from './schemas.js';
import type { CanaryBody, CheckInput, LatencyBody } from './schemas.js';

/** The ports the checks read through, already wrapped in the provider's caches. */
export interface CheckPorts {
  readonly clock: Clock;
  readonly metrics: MetricsSource;
  readonly targetHealth: TargetHealthSource;
  readonly catalog: LoadBalancerCatalog;
  /** Absent when the provider runs without a cluster: pod cross-references and drain-timing are refused. */
  readonly cluster?: ClusterReader;
  readonly facts?: WorkloadFactsReader;
}

/** What a request asks to read, for the allow-lists. */
export function requestedResources(input: CheckInput): RequestedResources {
  switch (input.check) {
    case 'elb-5xx':
      return {
        loadBalancers: [input.body.loadBalancerArn],
        targetGroups: input.body.targetGroupArns ?? [],
        namespaces: [],
      };
    case 'target-health':
      return {
        loadBalancers: [],
        targetGroups: [input.body.targetGroupArn],
        namespaces: input.body.namespace === undefined ? [] : [input.body.namespace],
      };
    case 'drain-timing':
      return { loadBalancers: [], targetGroups: [], namespaces: [input.body.namespace] };
    case 'canary':
    case 'latency':
      return {
        loadBalancers: [input.body.loadBalancerArn],
        targetGroups: [input.body.canaryTargetGroupArn, input.body.stableTargetGroupArn],
        namespaces: input.body.namespace === undefined ? [] : [input.body.namespace],
      };
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/** Runs one check through the core. Upstream failures come back as Error verdicts; bad input throws InputError. */
export function runCheck(ports: CheckPorts, input: CheckInput, signal: AbortSignal): Promise<Verdict> {
  switch (input.check) {
    case 'elb-5xx': {
      const { deployedAt, ...rest } = input.body;
      return runElb5xx(
        ports,
        withoutUndefined({
          ...rest,
          ...(deployedAt === undefined ? {} : { deployedAt: new Date(deployedAt) }),
        }),
        signal,
      );
    }
    case 'target-health': {
      const { namespace, selector, ...rest } = input.body;
      if (namespace !== undefined && !ports.cluster) {
        throw new ApiError(
          503,
          'upstream-unavailable',
          'this provider runs without a Kubernetes API: pods cannot be cross-referenced',
        );
      }
      return runTargetHealth(
        { ...ports, ...(ports.cluster ? { cluster: ports.cluster } : {}) },
        withoutUndefined({
          ...rest,
          ...(namespace !== undefined && selector !== undefined ? { pods: { namespace, selector } } : {}),
        }),
        signal,
      );
    }
    case 'drain-timing': {
      if (!ports.facts) {
        throw new ApiError(
          503,
          'upstream-unavailable',
          'this provider runs without a Kubernetes API: drain-timing is not available',
        );
      }
      const { namespace, name, kind } = input.body;
      return runDrainTiming(
        { facts: ports.facts, clock: ports.clock },
        { workload: { kind: kind ?? 'Deployment', namespace, name } },
        signal,
      );
    }
    case 'canary':
      return runCanaryCheck(ports, input.body, signal);
    case 'latency':
      return runLatencyCheck(ports, input.body, signal);
  }
}

/**
 * The canary check; for the sequential method without `since`, the start is read from the canary's pods first
 * (see readCanaryStart) and reported in the verdict's details.
 */
async function runCanaryCheck(ports: CheckPorts, body: CanaryBody, signal: AbortSignal): Promise<Verdict> {
  const { since, namespace, selector, ...rest } = body;
  if (body.method === 'sequential' && since === undefined && namespace === undefined) {
    throw new ApiError(
      400,
      'invalid-input',
      "is required by method sequential: the canary's start (or namespace and selector of its pods)",
      { field: 'since' },
    );
  }
  // The pods are read for the sequential method only: the Fisher test judges a window before now.
  if (body.method !== 'sequential' || namespace === undefined || selector === undefined) {
    return runCanary(
      ports,
      withoutUndefined({ ...rest, ...(since === undefined ? {} : { since: new Date(since) }) }),
      signal,
    );
  }
  const start = await readCanaryStart(
    ports,
    'canary',
    body.alpha ?? CANARY_DEFAULTS.alpha,
    namespace,
    selector,
    signal,
  );
  if ('phase' in start) return start;
  return withCanaryStart(
    await runCanary(ports, withoutUndefined({ ...rest, since: start.since }), signal),
    start,
  );
}

/** The latency check, its start given as `since`, read from the canary's pods, or none (the last minutes). */
async function runLatencyCheck(ports: CheckPorts, body: LatencyBody, signal: AbortSignal): Promise<Verdict> {
  const { since, namespace, selector, ...rest } = body;
  if (namespace === undefined || selector === undefined) {
    return runLatency(
      ports,
      withoutUndefined({ ...rest, ...(since === undefined ? {} : { since: new Date(since) }) }),
      signal,
    );
  }
  const start = await readCanaryStart(
    ports,
    'latency',
    body.alpha ?? LATENCY_DEFAULTS.alpha,
    namespace,
    selector,
    signal,
  );
  if ('phase' in start) return start;
  return withCanaryStart(
    await runLatency(ports, withoutUndefined({ ...rest, since: start.since }), signal),
    start,
  );
}

interface CanaryStartRead {
  readonly since: Date;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * The canary's start from its pods (evaluateCanaryStart): an Error verdict when the Kubernetes API fails, a 404
 * when no pod matches (the canary has not started), a 503 without a Kubernetes API.
 */
async function readCanaryStart(
  ports: CheckPorts,
  check: 'canary' | 'latency',
  threshold: number,
  namespace: string,
  selector: Readonly<Record<string, string>>,
  signal: AbortSignal,
): Promise<CanaryStartRead | Verdict> {
  if (!ports.cluster) {
    throw new ApiError(
      503,
      'upstream-unavailable',
      "this provider runs without a Kubernetes API: give the canary's start as since",
    );
  }
  let pods: PodInfo[];
  try {
    pods = await ports.cluster.listPods(namespace, selector, signal);
  } catch (error) {
    // The Kubernetes API failing is "could not measure", like AWS failing: an Error verdict, a non-2xx answer.
    if (error instanceof UpstreamError)
      return upstreamErrorVerdict(check, error, threshold, ports.clock.now());
    throw error;
  }
  const start = evaluateCanaryStart(pods);
  const labels = Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  if (!start) {
    throw new ApiError(
      404,
      'not-found',
      `no pod in namespace ${namespace} matches ${labels}: the canary has not started, so it has no start to judge from`,
      { details: { namespace, selector, pods: pods.length } },
    );
  }
  const now = ports.clock.now();
  if (start.since.getTime() < now.getTime() - MAX_LOOKBACK_DAYS * 86_400_000) {
    throw new ApiError(
      400,
      'invalid-input',
      `the canary's oldest pod ${namespace}/${start.pod} started at ${start.since.toISOString()}, more than ${MAX_LOOKBACK_DAYS} days ago: CloudWatch no longer has those minutes; give since instead`,
      { field: 'selector' },
    );
  }
  // A pod that became ready a moment "after" now (the API server's clock ahead of ours) started just now.
  const since = start.since.getTime() < now.getTime() ? start.since : new Date(now.getTime() - 1);
  return {
    since,
    details: {
      since: start.since.toISOString(),
      from: `pod ${namespace}/${start.pod} (${start.from})`,
      selector: labels,
      pods: start.pods,
    },
  };
}

function withCanaryStart(verdict: Verdict, start: CanaryStartRead): Verdict {
  return { ...verdict, details: { ...verdict.details, canaryStart: start.details } };
}

const FAILURE_STATUS: Readonly<Record<string, { status: number; code: ApiError['code'] }>> = {
  throttled: { status: 503, code: 'upstream-throttled' },
  unavailable: { status: 503, code: 'upstream-unavailable' },
  timeout: { status: 504, code: 'upstream-timeout' },
  'not-found': { status: 404, code: 'not-found' },
};

/**
 * An Error verdict as the non-2xx answer Argo counts as an Error measurement: 503 for throttling or an
 * unreachable service (retry later), 504 for a timeout, 404 when the object does not exist, 502 otherwise.
 */
export function errorVerdictToApiError(verdict: Verdict): ApiError {
  const failure = typeof verdict.details['failure'] === 'string' ? verdict.details['failure'] : 'unknown';
  const mapped = FAILURE_STATUS[failure] ?? { status: 502, code: 'upstream-error' as const };
  const retryable = verdict.details['retryable'] === true;
  return new ApiError(mapped.status, mapped.code, verdict.reason, {
    details: {
      check: verdict.check,
      service: verdict.details['service'],
      operation: verdict.details['operation'],
      failure,
      retryable,
    },
    ...(mapped.status === 503 ? { retryAfterSeconds: 10 } : {}),
  });
}
