import { registrationWindow } from '../timing/model.js';
import {
  createFinding,
  hasMatchingReadinessGate,
  namespaceInjection,
  quote,
  snippet,
  value,
} from './support.js';
import { ANNOTATIONS } from '../model/annotations.js';
import type { Rule } from './types.js';

export const minReadyBelowRegistration: Rule = {
  id: 'DG009',
  slug: 'min-ready-below-registration',
  title: 'minReadySeconds shorter than target registration',
  severity: 'warning',
  scope: 'static',
  rationale:
    'Without a readiness gate, the only thing that can hold a rolling update until the ALB has a healthy new target is minReadySeconds. If it is shorter than the registration window (controller latency + health check interval × healthy threshold), old pods go before new targets are healthy. Applies to ip targets, which register pods; instance targets register nodes.',
  remediation:
    'Prefer a readiness gate (label the namespace elbv2.k8s.aws/pod-readiness-gate-inject=enabled); otherwise set minReadySeconds to at least the registration window.',
  evaluate(context) {
    const { facts } = context;
    if (hasMatchingReadinessGate(facts) || namespaceInjection(facts) === 'enabled') return [];
    const window = facts.backends
      .filter((backend) => backend.settings.targetType.value === 'ip')
      .map((backend) => registrationWindow(backend.settings, context.allowances))
      .sort((a, b) => b.value - a.value)[0];
    const minReady = facts.workload.minReadySeconds;
    const ns = facts.workload.ref.namespace;
    const nsRef = facts.namespace?.ref ?? { kind: 'Namespace', name: ns, namespace: ns };
    if (!window || minReady.value >= window.value) return [];
    return [
      createFinding(this, context, {
        path: ['spec', 'minReadySeconds'],
        message: `minReadySeconds is ${quote(minReady)}, shorter than the registration window of ${quote(window)}, and no readiness gate holds the rollout.`,
        values: [value('minReadySeconds', undefined, minReady), value('registration window', 'R', window)],
        // The readiness gate makes minReadySeconds unnecessary, and it is always possible here (ip targets):
        // propose it, not both. minReadySeconds stays the fallback the summary names.
        fix: {
          summary: `enable the readiness gate: label Namespace ${ns} with ${ANNOTATIONS.readinessGateInjectLabel}=enabled (where that is not possible, set minReadySeconds to ${window.value})`,
          object: nsRef,
          yaml: snippet(nsRef, {
            metadata: { labels: { [ANNOTATIONS.readinessGateInjectLabel]: 'enabled' } },
          }),
        },
      }),
    ];
  },
};
