import {
  createFinding,
  describeExposure,
  exposureValues,
  podTemplateFix,
  preStopSleep,
  servingContainerTimings,
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
    'When a pod is deleted, the kubelet sends SIGTERM at once, while new requests keep reaching the pod for a while: with ip targets until the controller has deregistered it and the load balancer has stopped routing to it (about 20 s behind an ALB, minutes behind an NLB); with instance targets until kube-proxy on every node has dropped its endpoint (a second or two), or, with externalTrafficPolicy Local, until the node fails its health checks. A container that exits on SIGTERM in that window turns those requests into 502s and 504s (connection resets with an NLB).',
  remediation:
    'Add a preStop hook that sleeps at least that long (the finding gives the number for the target type), preferably the native `lifecycle.preStop.sleep.seconds` action, and raise terminationGracePeriodSeconds above the sleep plus the shutdown time.',
  evaluate(context) {
    return servingContainerTimings(context)
      .filter(({ container }) => container.preStop.kind === 'none')
      .map(({ container, backend, timing, recommended }) =>
        createFinding(this, context, {
          container: container.name,
          path: container.path,
          message: `container ${container.name} has no preStop hook: it gets SIGTERM as soon as the pod is deleted, while ${describeExposure(timing, backend)}.`,
          values: [{ name: 'preStop', symbol: 'P', value: 0, unit: 's' }, ...exposureValues(timing, backend)],
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
