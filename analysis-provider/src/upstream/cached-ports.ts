import type {
  ClusterReader,
  LoadBalancerCatalog,
  LoadBalancerInfo,
  PodInfo,
  TargetGroupInfo,
  TargetHealth,
  TargetHealthSource,
  WorkloadRef,
} from '@draingate/core';
import type { LiveObjects, LiveObjectsReader } from '@draingate/core';
import type { CacheEvent } from './cache.js';
import { CoalescingCache } from './cache.js';

/** How long each kind of upstream answer is reused (ms); 0 only coalesces calls in flight. */
export interface PortCacheTtls {
  readonly targetHealthMs: number;
  readonly catalogMs: number;
  readonly clusterMs: number;
}

type OnEvent = (cache: string, event: CacheEvent) => void;

/** Target health, coalesced and briefly cached: it changes within seconds, so the default reuse is short. */
export function cacheTargetHealth(
  source: TargetHealthSource,
  ttlMs: number,
  onEvent?: OnEvent,
): TargetHealthSource {
  const cache = new CoalescingCache<TargetHealth[]>({
    name: 'target-health',
    ttlMs,
    ...(onEvent ? { onEvent } : {}),
  });
  return {
    describeTargetHealth: (arn, signal) =>
      cache.get(arn, (shared) => source.describeTargetHealth(arn, shared), signal),
  };
}

/** Target group and load balancer settings, coalesced and cached: they change rarely. */
export function cacheCatalog(
  source: LoadBalancerCatalog,
  ttlMs: number,
  onEvent?: OnEvent,
): LoadBalancerCatalog {
  const options = { ttlMs, ...(onEvent ? { onEvent } : {}) };
  const groups = new CoalescingCache<TargetGroupInfo[]>({ name: 'target-groups', ...options });
  // The metric checks describe their load balancer on every measurement (an unknown one is an Error).
  const loadBalancers = new CoalescingCache<LoadBalancerInfo[]>({ name: 'load-balancers', ...options });
  const attributes = new CoalescingCache<Readonly<Record<string, string>>>({
    name: 'attributes',
    ...options,
  });
  return {
    describeTargetGroups: (arns, signal) =>
      groups.get([...arns].sort().join(','), (shared) => source.describeTargetGroups(arns, shared), signal),
    describeTargetGroupAttributes: (arn, signal) =>
      attributes.get(`tg|${arn}`, (shared) => source.describeTargetGroupAttributes(arn, shared), signal),
    describeLoadBalancerAttributes: (arn, signal) =>
      attributes.get(`lb|${arn}`, (shared) => source.describeLoadBalancerAttributes(arn, shared), signal),
    describeLoadBalancers: (arns, signal) =>
      loadBalancers.get(
        [...arns].sort().join(','),
        (shared) => source.describeLoadBalancers(arns, shared),
        signal,
      ),
    describeTags: (arns, signal) => source.describeTags(arns, signal),
    findTargetGroupsByTags: (tags, signal) => source.findTargetGroupsByTags(tags, signal),
  };
}

/** Pods and a workload's live objects, coalesced (and reused for `ttlMs`). */
export function cacheCluster(
  source: ClusterReader & LiveObjectsReader,
  ttlMs: number,
  onEvent?: OnEvent,
): ClusterReader & LiveObjectsReader {
  const options = { ttlMs, ...(onEvent ? { onEvent } : {}) };
  const pods = new CoalescingCache<PodInfo[]>({ name: 'pods', ...options });
  const objects = new CoalescingCache<LiveObjects>({ name: 'workloads', ...options });
  const refKey = (ref: WorkloadRef): string => `${ref.kind}/${ref.namespace}/${ref.name}`;
  return {
    listPods: (namespace, selector, signal) => {
      const key = `${namespace}|${Object.entries(selector)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`;
      return pods.get(key, (shared) => source.listPods(namespace, selector, shared), signal);
    },
    readRolloutStatus: (workload, signal) => source.readRolloutStatus(workload, signal),
    readLiveObjects: (workload, signal) =>
      objects.get(refKey(workload), (shared) => source.readLiveObjects(workload, shared), signal),
  };
}
