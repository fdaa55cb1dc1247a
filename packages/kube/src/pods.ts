import type { PodInfo } from '@draingate/core';
import type { V1Pod } from '@kubernetes/client-node';

/** Condition types the AWS Load Balancer Controller (v2, and v1 by hand) sets for readiness gates. */
const TARGET_HEALTH_PREFIXES = ['target-health.elbv2.k8s.aws/', 'target-health.alb.ingress.k8s.aws/'];

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'string') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

/**
 * The slim projection of a Pod the checks read. `conditions` holds the readiness-gate conditions: every
 * condition type the pod declares in `spec.readinessGates` (`Unknown` until something sets it) and any
 * target-health condition present.
 */
export function projectPod(pod: V1Pod): PodInfo {
  const metadata = pod.metadata ?? {};
  const podConditions = pod.status?.conditions ?? [];
  const ready = podConditions.find((c) => c.type === 'Ready');
  const conditions: Record<string, string> = {};
  for (const gate of pod.spec?.readinessGates ?? []) conditions[gate.conditionType] = 'Unknown';
  for (const c of podConditions) {
    if (Object.hasOwn(conditions, c.type) || TARGET_HEALTH_PREFIXES.some((p) => c.type.startsWith(p))) {
      conditions[c.type] = c.status;
    }
  }
  const owner =
    metadata.ownerReferences?.find((ref) => ref.controller === true) ?? metadata.ownerReferences?.[0];
  const isReady = ready?.status === 'True';
  const readySince = isReady ? toDate(ready?.lastTransitionTime) : undefined;
  const createdAt = toDate(metadata.creationTimestamp);
  const ip = pod.status?.podIP;
  return {
    name: metadata.name ?? '',
    namespace: metadata.namespace ?? '',
    uid: metadata.uid ?? '',
    ...(ip ? { ip } : {}),
    phase: pod.status?.phase ?? 'Unknown',
    ready: isReady,
    terminating: metadata.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null,
    labels: { ...(metadata.labels ?? {}) },
    conditions,
    ...(owner ? { ownerName: owner.name } : {}),
    ...(readySince ? { readySince } : {}),
    ...(createdAt ? { createdAt } : {}),
  };
}

/** `k=v,k2=v2` for a matchLabels map; empty selects everything. */
export function formatLabelSelector(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}
