import {
  createFinding,
  podTemplateFix,
  preStopSleep,
  quote,
  servingContainerTimings,
  settingsObject,
  targetGroupAttributeFix,
  value,
} from './support.js';
import type { Rule } from './types.js';
import type { BackendFacts } from '../model/facts.js';
import { describeProvenance } from '../model/provenance.js';
import { podTemplateOwner } from '../model/objects.js';

/**
 * What an NLB does with the connections still open when the delay ends: with
 * `deregistration_delay.connection_termination.enabled` false (AWS's default) it leaves them open, so they stay
 * pinned to the pod after it exits; with true it resets them when the delay ends.
 */
function nlbConnections(backend: BackendFacts): string {
  const termination = backend.settings.connectionTermination;
  if (backend.loadBalancer !== 'nlb' || termination === undefined) return '';
  return termination.value
    ? `, and the NLB resets the connections still open when the delay ends (connection_termination enabled: ${describeProvenance(termination.from)})`
    : `, and the NLB leaves connections open after the delay (connection_termination disabled: ${describeProvenance(termination.from)}), so they outlive the pod`;
}

export const preStopShorterThanDeregistration: Rule = {
  id: 'DG003',
  slug: 'prestop-shorter-than-deregistration',
  title: 'Pod may exit while its target is still draining',
  severity: 'warning',
  scope: 'static',
  rationale:
    'While a target drains (the deregistration delay), the ALB lets in-flight requests finish and, as reference 002 observed, may still route some requests to it. A pod that exits before the delay ends cuts them: 504s. The conservative rule is terminationGracePeriodSeconds > preStop ≥ deregistration delay. It applies to ip targets, where the pod is the target; instance targets are nodes, which do not drain when a pod goes.',
  remediation:
    'Lower the target group deregistration delay (deregistration_delay.timeout_seconds in alb.ingress.kubernetes.io/target-group-attributes) to something the pod can outlive, and sleep in preStop at least that long.',
  evaluate(context) {
    return servingContainerTimings(context)
      .filter(({ container, timing }) => {
        const p = timing.preStopSeconds ?? 0;
        return (
          container.preStop.kind === 'sleep' &&
          timing.exposure === 'deregistration' &&
          p >= timing.exposureSeconds.value &&
          p < timing.deregistrationDelaySeconds.value
        );
      })
      .map(({ container, backend, timing, recommended }) => {
        const lowerDelay = recommended.deregistrationDelaySeconds < timing.deregistrationDelaySeconds.value;
        return createFinding(this, context, {
          container: container.name,
          path: [...container.path, 'lifecycle', 'preStop'],
          message: `container ${container.name} sleeps ${timing.preStopSeconds} s in preStop but the target group's deregistration delay is ${quote(timing.deregistrationDelaySeconds)}: the pod may exit while its target is still draining${nlbConnections(backend)}.`,
          values: [
            { name: 'preStop', symbol: 'P', value: timing.preStopSeconds ?? 0, unit: 's' },
            value('deregistration delay', 'D', timing.deregistrationDelaySeconds),
            value('exposure', 'W', timing.exposureSeconds),
          ],
          fix: lowerDelay
            ? {
                summary: `lower the deregistration delay to ${recommended.deregistrationDelaySeconds} s and sleep ${recommended.preStopSeconds} s in preStop`,
                object: settingsObject(backend),
                yaml: [
                  targetGroupAttributeFix(
                    backend,
                    'deregistration_delay.timeout_seconds',
                    recommended.deregistrationDelaySeconds,
                  ),
                  podTemplateFix(context.facts, {
                    grace: recommended.graceSeconds,
                    container: { name: container.name, fields: preStopSleep(recommended.preStopSeconds) },
                  }),
                ].join('---\n'),
              }
            : {
                summary: `sleep ${recommended.preStopSeconds} s in preStop`,
                object: podTemplateOwner(context.facts.workload).ref,
                yaml: podTemplateFix(context.facts, {
                  grace: recommended.graceSeconds,
                  container: { name: container.name, fields: preStopSleep(recommended.preStopSeconds) },
                }),
              },
        });
      });
  },
};
