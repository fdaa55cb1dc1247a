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

export const preStopTooShort: Rule = {
  id: 'DG002',
  slug: 'prestop-too-short',
  title: 'preStop delay shorter than deregistration propagation',
  severity: 'error',
  scope: 'static',
  rationale:
    'The preStop sleep is the only thing that keeps a container serving after its pod is deleted. If it ends before the ALB data plane has stopped sending new requests to the target (observed 10–15 s and more after DeregisterTargets), the container exits while still receiving traffic: 502s and 504s.',
  remediation:
    'Sleep in preStop for at least the propagation allowance (15 s by default, configurable with --propagation-seconds), and keep terminationGracePeriodSeconds above the sleep plus the shutdown time.',
  evaluate(context) {
    return servingContainerTimings(context)
      .filter(
        ({ container, timing }) =>
          container.preStop.kind === 'sleep' &&
          (timing.preStopSeconds ?? 0) < timing.propagationSeconds.value,
      )
      .map(({ container, timing, recommended }) =>
        createFinding(this, context, {
          container: container.name,
          path: [...container.path, 'lifecycle', 'preStop'],
          message: `container ${container.name} sleeps ${timing.preStopSeconds} s in preStop, less than the ${quote(timing.propagationSeconds)} it takes the load balancer to stop routing to a deregistered target.`,
          values: [
            { name: 'preStop', symbol: 'P', value: timing.preStopSeconds ?? 0, unit: 's' },
            value('propagation', 'L', timing.propagationSeconds),
          ],
          fix: {
            summary: `sleep ${recommended.preStopSeconds} s in preStop`,
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
