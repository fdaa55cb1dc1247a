import type { BackendFacts } from '../model/facts.js';
import type { Resolved } from '../model/provenance.js';
import { createFinding, quote, servingContainerTimings, snippet, value } from './support.js';
import type { Rule } from './types.js';

export const rolloutScaleDownDelay: Rule = {
  id: 'DG016',
  slug: 'rollout-scale-down-delay',
  title: 'Rollout scales the old ReplicaSet down before its targets drain',
  severity: 'warning',
  scope: 'static',
  rationale:
    'Argo Rollouts moves traffic off the old pods and scales their ReplicaSet down after scaleDownDelaySeconds (default 30): with canary ALB traffic routing, after it shifts the listener rule to the new stable ReplicaSet; with blueGreen, after it switches the active Service’s selector, which makes the controller deregister every old pod at once. With ip targets their targets drain from the switch for the deregistration delay D, while the old pods serve for scaleDownDelaySeconds and then their preStop. If the two together are shorter than D, the pods exit while their targets still drain and the requests in flight on them are cut (the rule DG003 applies to a pod’s own deletion). New requests stop reaching them C + L after the switch, which the preStop covers when DG002 is satisfied. With instance targets the nodes stay registered and kube-proxy stops sending to the old pods within about a second.',
  remediation:
    'Set spec.strategy.canary.scaleDownDelaySeconds (or spec.strategy.blueGreen.scaleDownDelaySeconds) so that it plus the preStop sleep covers the deregistration delay, or lower the deregistration delay.',
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
    if (backends.length === 0) return [];
    const delay = longestDelay(backends);
    // The old pods serve scaleDownDelaySeconds after the switch, then their preStop (cut at the grace period).
    const timings = servingContainerTimings(context);
    const served = Math.min(
      ...timings.map(({ timing }) => Math.min(timing.preStopSeconds ?? 0, timing.graceSeconds.value)),
    );
    const preStop = Number.isFinite(served) ? served : 0;
    const scaleDown = strategy.scaleDownDelaySeconds;
    if (scaleDown.value + preStop >= delay.value) return [];
    const needed = Math.max(0, delay.value - preStop);
    const key = blueGreen ? 'blueGreen' : 'canary';
    const switchedBy = blueGreen
      ? 'after the active Service switches, the old pods are deregistered all at once, scaled down'
      : 'after the ALB weights shift, the old pods are deregistered, scaled down';
    return [
      createFinding(this, context, {
        path: ['spec', 'strategy', key, 'scaleDownDelaySeconds'],
        message: `scaleDownDelaySeconds is ${quote(scaleDown)} and the old pods sleep ${preStop} s in preStop, together shorter than the deregistration delay of ${quote(delay)}: ${switchedBy} and gone while their targets still drain, cutting the requests in flight on them.`,
        values: [
          value('scaleDownDelaySeconds', undefined, scaleDown),
          { name: 'preStop', symbol: 'P', value: preStop, unit: 's' },
          value('deregistration delay', 'D', delay),
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

/** The longest deregistration delay of the backends: how long their targets drain. */
function longestDelay(backends: readonly BackendFacts[]): Resolved<number> {
  return backends
    .map((backend) => backend.settings.deregistrationDelaySeconds)
    .reduce((longest, delay) => (delay.value > longest.value ? delay : longest));
}
