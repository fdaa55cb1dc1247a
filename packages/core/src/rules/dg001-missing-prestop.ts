import {
  createFinding,
  podTemplateFix,
  preStopSleep,
  quote,
  servingContainerTimings,
  value,
} from './support.js';
import type { Rule } from './types.js';
import { podTemplateOwner } from '../model/objects.js';

export const missingPreStop: Rule = {
  id: 'DG001',
  slug: 'missing-prestop',
  title: 'Serving container has no preStop hook',
  severity: 'error',
  scope: 'static',
  rationale:
    'When a pod is deleted, the kubelet sends SIGTERM at once while the load balancer controller is only starting to deregister the target; the ALB keeps routing new requests to it for 10–15 s and more. A container that exits on SIGTERM in that window turns those requests into 502s and 504s.',
  remediation:
    'Add a preStop hook that sleeps at least as long as deregistration takes to propagate, preferably the native `lifecycle.preStop.sleep.seconds` action, and raise terminationGracePeriodSeconds above the sleep plus the shutdown time.',
  evaluate(context) {
    return servingContainerTimings(context)
      .filter(({ container }) => container.preStop.kind === 'none')
      .map(({ container, timing, recommended }) =>
        createFinding(this, context, {
          container: container.name,
          path: container.path,
          message: `container ${container.name} has no preStop hook: it gets SIGTERM as soon as the pod is deleted, while the load balancer still routes new requests to it for about ${quote(timing.propagationSeconds)}.`,
          values: [
            { name: 'preStop', symbol: 'P', value: 0, unit: 's' },
            value('propagation', 'L', timing.propagationSeconds),
          ],
          fix: {
            summary: `sleep ${recommended.preStopSeconds} s in preStop and allow ${recommended.graceSeconds} s of grace`,
            object: podTemplateOwner(context.facts.workload).ref,
            yaml: podTemplateFix(context.facts, {
              grace: recommended.graceSeconds,
              container: { name: container.name, fields: preStopSleep(recommended.preStopSeconds) },
            }),
          },
        }),
      );
  },
};
