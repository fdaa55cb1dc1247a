import { createFinding, hasMatchingReadinessGate, namespaceInjection } from './support.js';
import { snippet } from './support.js';
import type { Finding, Rule, RuleContext } from './types.js';
import { ANNOTATIONS, LEGACY_READINESS_GATE_PREFIX } from '../model/annotations.js';
import { podTemplateOwner } from '../model/objects.js';

const INJECT = ANNOTATIONS.readinessGateInjectLabel;

export const noReadinessGate: Rule = {
  id: 'DG006',
  slug: 'no-readiness-gate',
  title: 'No pod readiness gate for ip targets',
  severity: 'error',
  scope: 'static',
  rationale:
    'Without a readiness gate, Kubernetes counts a new pod as Ready as soon as its own probe passes, while its target is still `initial` in the ALB (15 s × 2 health checks by default). The rolling update then removes old pods before any new target is healthy: 503s, or the few healthy targets overload. The AWS Load Balancer Controller injects the gate `target-health.elbv2.k8s.aws/<TargetGroupBinding>` when a pod is created in a namespace labelled `elbv2.k8s.aws/pod-readiness-gate-inject: enabled` and an ip-target TargetGroupBinding (one per Ingress or NLB Service backend) refers to a Service that selects it; instance targets get none (controller v3.5.0, docs/deploy/pod_readiness_gate.md). A webhook changed to an `objectSelector` on `elbv2.k8s.aws/pod-readiness-gate-inject` also needs that label on the pods. A gate of the v1 ALB Ingress Controller (`target-health.alb.ingress.k8s.aws/…`) is never set by the v2 controller: it does not count, and where nothing replaces it, pods never become Ready.',
  remediation:
    'Label the namespace with elbv2.k8s.aws/pod-readiness-gate-inject=enabled so the AWS Load Balancer Controller injects the target-health readiness gate into new pods (ip target type only), and drop target-health.alb.ingress.k8s.aws/ gates written by hand.',
  evaluate(context) {
    const { facts } = context;
    const ipBackends = facts.backends.filter((backend) => backend.settings.targetType.value === 'ip');
    const legacy = legacyGates(context);
    if (legacy.length > 0) return legacy;
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
          ? `pods use ip targets but have no target-health readiness gate, and Namespace ${ns} is not in the input to show the ${INJECT}=enabled label.`
          : `pods use ip targets but have no target-health readiness gate, and Namespace ${ns} lacks the ${INJECT}=enabled label.`,
        values: [
          { name: 'ip-target backends', value: ipBackends.length, unit: 'count' },
          { name: 'readiness gate', value: false },
        ],
        fix: namespaceLabelFix(nsRef),
      }),
    ];
  },
};

function namespaceLabelFix(nsRef: { kind: string; name: string; namespace: string }) {
  return {
    summary: `label Namespace ${nsRef.name} with ${INJECT}=enabled`,
    object: nsRef,
    yaml: snippet(nsRef, { metadata: { labels: { [INJECT]: 'enabled' } } }),
  };
}

/**
 * Gates of the v1 ALB Ingress Controller. The v2 controller sets only `target-health.elbv2.k8s.aws/…`
 * conditions; its pod webhook removes v1 gates when it injects its own (a labelled namespace, ip targets),
 * and otherwise leaves them, never set, so the pods never become Ready (pkg/inject/pod_readiness,
 * pkg/targetgroupbinding/utils.go, v3.5.0). With ip targets in a labelled namespace the webhook takes
 * care of it: nothing to say.
 */
function legacyGates(context: RuleContext): Finding[] {
  const { facts } = context;
  const gates = facts.workload.readinessGates;
  const index = gates.findIndex((gate) => gate.startsWith(LEGACY_READINESS_GATE_PREFIX));
  if (index < 0) return [];
  const gate = gates[index]!;
  const ipBackends = facts.backends.filter((backend) => backend.settings.targetType.value === 'ip');
  const injection = namespaceInjection(facts);
  if (ipBackends.length > 0 && injection === 'enabled') return [];
  const ns = facts.workload.ref.namespace;
  const nsRef = facts.namespace?.ref ?? { kind: 'Namespace', name: ns, namespace: ns };
  const path = [...facts.workload.podSpecPath, 'readinessGates', index];
  const obsolete = `readiness gate ${gate} is the v1 ALB Ingress Controller's (${LEGACY_READINESS_GATE_PREFIX}), which the v2 AWS Load Balancer Controller never sets`;
  const values = [
    { name: 'readiness gate', value: gate },
    { name: 'ip-target backends', value: ipBackends.length, unit: 'count' as const },
  ];
  if (ipBackends.length > 0) {
    const unknown = injection === 'unknown';
    return [
      createFinding(noReadinessGate, context, {
        severity: unknown ? 'warning' : 'error',
        path,
        message: unknown
          ? `${obsolete}: only its pod webhook replaces it, in a namespace labelled ${INJECT}=enabled, and Namespace ${ns} is not in the input to show that label; without it pods never become Ready.`
          : `${obsolete}, and Namespace ${ns} lacks the ${INJECT}=enabled label under which its pod webhook would replace it with its own gate: pods never become Ready.`,
        values,
        fix: namespaceLabelFix(nsRef),
      }),
    ];
  }
  const owner = podTemplateOwner(facts.workload);
  const remaining = gates
    .filter((other) => !other.startsWith(LEGACY_READINESS_GATE_PREFIX))
    .map((conditionType) => ({ conditionType }));
  return [
    createFinding(noReadinessGate, context, {
      path,
      message: `${obsolete}, and with instance targets nothing injects or replaces readiness gates: pods never become Ready.`,
      values,
      fix: {
        summary: 'remove the v1 readiness gate',
        object: owner.ref,
        yaml: snippet(owner.ref, { spec: { template: { spec: { readinessGates: remaining } } } }),
      },
    }),
  ];
}
