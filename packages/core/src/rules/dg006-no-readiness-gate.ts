import { createFinding, hasMatchingReadinessGate, namespaceInjection } from './support.js';
import { snippet } from './support.js';
import type { Rule } from './types.js';
import { ANNOTATIONS } from '../model/annotations.js';

export const noReadinessGate: Rule = {
  id: 'DG006',
  slug: 'no-readiness-gate',
  title: 'No pod readiness gate for ip targets',
  severity: 'error',
  scope: 'static',
  rationale:
    'Without a readiness gate, Kubernetes counts a new pod as Ready as soon as its own probe passes, while its target is still `initial` in the ALB (15 s × 2 health checks by default). The rolling update then removes old pods before any new target is healthy: 503s, or the few healthy targets overload.',
  remediation:
    'Label the namespace with elbv2.k8s.aws/pod-readiness-gate-inject=enabled so the AWS Load Balancer Controller injects the target-health readiness gate into new pods (ip target type only).',
  evaluate(context) {
    const { facts } = context;
    const ipBackends = facts.backends.filter((backend) => backend.settings.targetType.value === 'ip');
    if (ipBackends.length === 0 || hasMatchingReadinessGate(facts)) return [];
    const injection = namespaceInjection(facts);
    if (injection === 'enabled') return [];
    const ns = facts.workload.ref.namespace;
    const nsRef = facts.namespace?.ref ?? { kind: 'Namespace', name: ns, namespace: ns };
    const unknown = injection === 'unknown';
    return [
      createFinding(this, context, {
        severity: unknown ? 'warning' : 'error',
        ...(facts.namespace ? { object: facts.namespace.ref, at: facts.namespace.ref.source } : {}),
        message: unknown
          ? `pods use ip targets but have no target-health readiness gate, and Namespace ${ns} is not in the input to show the ${ANNOTATIONS.readinessGateInjectLabel}=enabled label.`
          : `pods use ip targets but have no target-health readiness gate, and Namespace ${ns} lacks the ${ANNOTATIONS.readinessGateInjectLabel}=enabled label.`,
        values: [
          { name: 'ip-target backends', value: ipBackends.length, unit: 'count' },
          { name: 'readiness gate', value: false },
        ],
        fix: {
          summary: `label Namespace ${ns} with ${ANNOTATIONS.readinessGateInjectLabel}=enabled`,
          object: nsRef,
          yaml: snippet(nsRef, {
            metadata: { labels: { [ANNOTATIONS.readinessGateInjectLabel]: 'enabled' } },
          }),
        },
      }),
    ];
  },
};
