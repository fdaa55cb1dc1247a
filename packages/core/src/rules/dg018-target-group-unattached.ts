import { backendLabel, createFinding, settingsObject } from './support.js';
import type { Rule } from './types.js';

export const targetGroupUnattached: Rule = {
  id: 'DG018',
  slug: 'target-group-unattached',
  title: 'Target group attached to no load balancer',
  severity: 'error',
  scope: 'live',
  rationale:
    'A target group that no listener rule of any load balancer forwards to receives no traffic: the pods register, pass health checks and look healthy while every request for the host goes elsewhere or fails. It usually means a TargetGroupBinding points at a stale or wrong target group, or the Ingress that owned the listener rule was deleted.',
  remediation:
    "Point the TargetGroupBinding's targetGroupARN at a target group a listener forwards to, or add the listener rule (fix the Ingress or the load balancer's listener), then check again with draingate validate --live.",
  evaluate(context) {
    // Statically the attachment is unknown (undefined); only the live adapter fills loadBalancerArns in.
    return context.facts.backends
      .filter(
        (backend) =>
          backend.settings.loadBalancerArns !== undefined && backend.settings.loadBalancerArns.length === 0,
      )
      .map((backend) => {
        const arn = backend.settings.targetGroupArn ?? 'its target group';
        const object = settingsObject(backend);
        return createFinding(this, context, {
          object,
          message: `${arn} of ${backendLabel(backend)} is attached to no load balancer, so it receives no traffic.`,
          values: [
            {
              name: 'load balancers attached',
              value: 0,
              unit: 'count',
              from: { kind: 'aws', resource: arn, attribute: 'LoadBalancerArns' },
            },
          ],
          fix: {
            summary: `attach ${arn} to a listener rule, or point ${object.kind} ${object.name} at a target group that has one`,
            object,
          },
        });
      });
  },
};
