import {
  createFinding,
  describeExposure,
  exposureValues,
  podTemplateFix,
  preStopSleep,
  quote,
  servingContainerTimings,
} from './support.js';
import type { Rule } from './types.js';
import type { DrainTiming } from '../timing/model.js';
import { podTemplateOwner } from '../model/objects.js';

/** How long the container keeps serving after deletion: the sleep, unless the grace period cuts the hook first. */
function servedSeconds(timing: DrainTiming): number {
  return Math.min(timing.preStopSeconds ?? 0, timing.graceSeconds.value);
}

export const preStopTooShort: Rule = {
  id: 'DG002',
  slug: 'prestop-too-short',
  title: 'preStop delay shorter than the time requests still reach the pod',
  severity: 'error',
  scope: 'static',
  rationale:
    'The preStop sleep is the only thing that keeps a container serving after its pod is deleted. It must last as long as new requests can still reach the pod (W): with ip targets, the controller latency C plus the load balancer’s propagation L (15 s observed for an ALB, about two minutes for an NLB); with instance targets, kube-proxy’s endpoint propagation E, plus the node’s health-check failure with externalTrafficPolicy Local. If it ends earlier, the container exits while still receiving traffic: 502s and 504s.',
  remediation:
    'Sleep in preStop for at least W (20 s behind an ALB with ip targets by default; the allowances are configurable with --propagation-seconds and --controller-latency-seconds), and keep terminationGracePeriodSeconds above the sleep plus the shutdown time.',
  evaluate(context) {
    return servingContainerTimings(context)
      .filter(
        ({ container, timing }) =>
          container.preStop.kind === 'sleep' && servedSeconds(timing) < timing.exposureSeconds.value,
      )
      .map(({ container, backend, timing, recommended }) =>
        createFinding(this, context, {
          container: container.name,
          path: [...container.path, 'lifecycle', 'preStop'],
          message:
            servedSeconds(timing) < (timing.preStopSeconds ?? 0)
              ? `container ${container.name} sleeps ${timing.preStopSeconds} s in preStop, but the grace period of ${quote(timing.graceSeconds)} cuts the hook at ${servedSeconds(timing)} s, while after the pod is deleted ${describeExposure(timing, backend)}.`
              : `container ${container.name} sleeps ${timing.preStopSeconds} s in preStop, but after the pod is deleted ${describeExposure(timing, backend)}.`,
          values: [
            { name: 'preStop', symbol: 'P', value: timing.preStopSeconds ?? 0, unit: 's' },
            ...exposureValues(timing, backend),
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
