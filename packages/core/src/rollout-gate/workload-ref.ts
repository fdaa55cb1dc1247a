import type { WorkloadKind, WorkloadRef } from '../ports/cluster.js';
import { InputError } from '../ports/errors.js';

const KINDS: Readonly<Record<string, WorkloadKind>> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  'deployment.apps': 'Deployment',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  sts: 'StatefulSet',
  'statefulset.apps': 'StatefulSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  ds: 'DaemonSet',
  'daemonset.apps': 'DaemonSet',
  rollout: 'Rollout',
  rollouts: 'Rollout',
  ro: 'Rollout',
  'rollout.argoproj.io': 'Rollout',
};

/** A DNS-1123 subdomain: what Kubernetes accepts as an object or namespace name. */
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * `deployment/web` (kubectl's spelling: deployment, deploy, rollout, ro, statefulset, sts, daemonset, ds,
 * with or without the group) in `namespace` → a WorkloadRef; anything else is an InputError naming `path`.
 */
export function parseWorkloadRef(text: string, namespace: string, path = 'workload'): WorkloadRef {
  const match = /^([A-Za-z.]+)\/(.+)$/.exec(text.trim());
  const kind = match ? KINDS[(match[1] ?? '').toLowerCase()] : undefined;
  if (!match || !kind) {
    throw new InputError(
      path,
      `must be deployment/NAME, rollout/NAME, statefulset/NAME or daemonset/NAME, got ${JSON.stringify(text)}`,
    );
  }
  const name = match[2] ?? '';
  if (!NAME.test(name)) throw new InputError(path, `${JSON.stringify(name)} is not a valid Kubernetes name`);
  if (!NAME.test(namespace) || namespace.includes('.')) {
    throw new InputError('namespace', `${JSON.stringify(namespace)} is not a valid namespace`);
  }
  return { kind, namespace, name };
}

/**
 * The pod labels of a workload's `spec.selector.matchLabels`, from its JSON (a manifest or a live object);
 * undefined when it has none (a selector made only of expressions cannot be used to list pods by labels).
 */
export function podSelectorOf(workload: unknown): Record<string, string> | undefined {
  const spec = (workload as { spec?: { selector?: { matchLabels?: unknown } } } | undefined)?.spec;
  const labels = spec?.selector?.matchLabels;
  if (typeof labels !== 'object' || labels === null) return undefined;
  const entries = Object.entries(labels).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * The target groups that serve a workload, from live objects: the TargetGroupBindings whose `serviceRef` names
 * a Service that selects the workload's pod template labels. Pure; the ARNs in the order found, deduplicated.
 */
export function targetGroupArnsFor(
  workload: unknown,
  services: readonly unknown[],
  targetGroupBindings: readonly unknown[],
): string[] {
  const template = (workload as { spec?: { template?: { metadata?: { labels?: unknown } } } } | undefined)
    ?.spec?.template?.metadata?.labels;
  const labels =
    typeof template === 'object' && template !== null ? (template as Record<string, unknown>) : {};
  const selecting = new Set<string>();
  for (const service of services) {
    const s = service as { metadata?: { name?: unknown }; spec?: { selector?: unknown } };
    const selector = s.spec?.selector;
    if (typeof s.metadata?.name !== 'string' || typeof selector !== 'object' || selector === null) continue;
    const entries = Object.entries(selector);
    if (entries.length > 0 && entries.every(([key, value]) => labels[key] === value))
      selecting.add(s.metadata.name);
  }
  const arns: string[] = [];
  for (const binding of targetGroupBindings) {
    const spec = (binding as { spec?: { serviceRef?: { name?: unknown }; targetGroupARN?: unknown } }).spec;
    const arn = spec?.targetGroupARN;
    if (
      typeof arn === 'string' &&
      typeof spec?.serviceRef?.name === 'string' &&
      selecting.has(spec.serviceRef.name)
    ) {
      if (!arns.includes(arn)) arns.push(arn);
    }
  }
  return arns;
}
