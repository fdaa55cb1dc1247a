import type { BackendFacts } from '../model/facts.js';
import type { Resolved } from '../model/provenance.js';
import { createFinding, quote, snippet, value } from './support.js';
import type { Rule } from './types.js';

export const rolloutScaleDownDelay: Rule = {
  id: 'DG016',
  slug: 'rollout-scale-down-delay',
  title: 'Rollout scales the old ReplicaSet down before its targets drain',
  severity: 'warning',
  scope: 'static',
  rationale:
    'Argo Rollouts moves traffic off the old pods and scales their ReplicaSet down after scaleDownDelaySeconds (default 30): with canary ALB traffic routing, after it shifts the listener rule to the new stable ReplicaSet; with blueGreen, after it switches the active Service’s selector, which makes the controller deregister every old pod at once. With ip targets they are still draining then; if the delay is shorter than the deregistration delay plus propagation, they are deleted while the load balancer still sends them requests. With instance targets the nodes stay registered and kube-proxy stops sending to the old pods within about a second, well inside the default delay.',
  remediation:
    'Set spec.strategy.canary.scaleDownDelaySeconds (or spec.strategy.blueGreen.scaleDownDelaySeconds) to at least the deregistration delay plus the propagation allowance.',
  evaluate(context) {
    const { workload } = context.facts;
    const strategy = workload.strategy;
    const canaryRouted = strategy.type === 'Canary' && strategy.albIngresses.length > 0;
    if (!canaryRouted && strategy.type !== 'BlueGreen') return [];
    const blueGreen = strategy.type === 'BlueGreen';
    // blueGreen moves traffic by Service selector, so any load balancer in front of the active Service counts.
    const backends = context.facts.backends.filter(
      (backend) =>
        backend.settings.targetType.value === 'ip' && (blueGreen || backend.loadBalancer === 'alb'),
    );
    const strictest = strictestDrain(backends, context.allowances);
    if (!strictest) return [];
    const { delay, propagation } = strictest;
    const needed = delay.value + propagation.value;
    const scaleDown = strategy.scaleDownDelaySeconds;
    if (scaleDown.value >= needed) return [];
    const key = blueGreen ? 'blueGreen' : 'canary';
    const switchedBy = blueGreen
      ? 'after the active Service switches, the old pods are deregistered all at once and scaled down'
      : 'after the ALB weights shift, the old ReplicaSet is scaled down';
    return [
      createFinding(this, context, {
        path: ['spec', 'strategy', key, 'scaleDownDelaySeconds'],
        message: `scaleDownDelaySeconds is ${quote(scaleDown)}, shorter than the deregistration delay of ${quote(delay)} plus propagation of ${quote(propagation)} (${needed} s): ${switchedBy} while their targets still receive requests.`,
        values: [
          value('scaleDownDelaySeconds', undefined, scaleDown),
          value('deregistration delay', 'D', delay),
          value('propagation', 'L', propagation),
        ],
        fix: {
          summary: `set scaleDownDelaySeconds to ${needed}`,
          object: workload.ref,
          yaml: snippet(workload.ref, { spec: { strategy: { [key]: { scaleDownDelaySeconds: needed } } } }),
        },
      }),
    ];
  },
};

/** The backend whose targets take longest to drain: the largest D + L (L of its load balancer type). */
function strictestDrain(
  backends: readonly BackendFacts[],
  allowances: { propagationSeconds: Resolved<number>; nlbPropagationSeconds: Resolved<number> },
): { delay: Resolved<number>; propagation: Resolved<number> } | undefined {
  let best: { delay: Resolved<number>; propagation: Resolved<number> } | undefined;
  for (const backend of backends) {
    const delay = backend.settings.deregistrationDelaySeconds;
    const propagation =
      backend.loadBalancer === 'nlb' ? allowances.nlbPropagationSeconds : allowances.propagationSeconds;
    if (!best || delay.value + propagation.value > best.delay.value + best.propagation.value)
      best = { delay, propagation };
  }
  return best;
}
