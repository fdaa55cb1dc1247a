import { createFinding, quote, snippet, value } from './support.js';
import type { Rule } from './types.js';

export const rolloutScaleDownDelay: Rule = {
  id: 'DG016',
  slug: 'rollout-scale-down-delay',
  title: 'Rollout scales the old ReplicaSet down before its targets drain',
  severity: 'warning',
  scope: 'static',
  rationale:
    'With ALB traffic routing, Argo Rollouts shifts weights on the listener rule and scales the old ReplicaSet down after scaleDownDelaySeconds (default 30). If that is shorter than the deregistration delay plus propagation, old pods are deleted while the ALB still sends them requests.',
  remediation:
    'Set spec.strategy.canary.scaleDownDelaySeconds to at least the deregistration delay plus the propagation allowance.',
  evaluate(context) {
    const { workload } = context.facts;
    const strategy = workload.strategy;
    if (strategy.type !== 'Canary' || strategy.albIngresses.length === 0) return [];
    const albBackends = context.facts.backends.filter((backend) => backend.loadBalancer === 'alb');
    const delay = albBackends
      .map((backend) => backend.settings.deregistrationDelaySeconds)
      .sort((a, b) => b.value - a.value)[0];
    if (!delay) return [];
    const propagation = context.allowances.propagationSeconds;
    const needed = delay.value + propagation.value;
    if (strategy.scaleDownDelaySeconds.value >= needed) return [];
    return [
      createFinding(this, context, {
        path: ['spec', 'strategy', 'canary', 'scaleDownDelaySeconds'],
        message: `scaleDownDelaySeconds is ${quote(strategy.scaleDownDelaySeconds)}, shorter than the deregistration delay of ${quote(delay)} plus propagation of ${quote(propagation)} (${needed} s).`,
        values: [
          value('scaleDownDelaySeconds', undefined, strategy.scaleDownDelaySeconds),
          value('deregistration delay', 'D', delay),
          value('propagation', 'L', propagation),
        ],
        fix: {
          summary: `set scaleDownDelaySeconds to ${needed}`,
          object: workload.ref,
          yaml: snippet(workload.ref, { spec: { strategy: { canary: { scaleDownDelaySeconds: needed } } } }),
        },
      }),
    ];
  },
};
