import { ALB_DEFAULTS } from '../timing/defaults.js';
import {
  backendLabel,
  createFinding,
  onePerSetting,
  quote,
  settingsAt,
  settingsObject,
  targetGroupAttributeFix,
  value,
} from './support.js';
import type { Rule } from './types.js';

export const defaultDeregistrationDelay: Rule = {
  id: 'DG005',
  slug: 'default-deregistration-delay',
  title: 'Deregistration delay left at the 300 s default',
  severity: 'warning',
  scope: 'static',
  rationale:
    'With the 300 s default, a draining target keeps receiving in-flight (and, in practice, some new) requests for up to five minutes. With ip targets the target is the pod, far shorter-lived than that: the pod exits while its target still drains, and every rollout takes minutes longer. With instance targets the target is the node: the delay applies when a node leaves the target group (scale-in, node upgrades, consolidation), and a node shut down before it ends cuts the requests still draining through it.',
  remediation:
    'Set deregistration_delay.timeout_seconds in the target group attributes annotation to a value the pod can outlive (30 s suits most HTTP services), and sleep at least that long in preStop.',
  evaluate(context) {
    return onePerSetting(context.facts.backends, (backend) => [backend.settings.deregistrationDelaySeconds])
      .filter(
        (backend) =>
          backend.settings.deregistrationDelaySeconds.value === ALB_DEFAULTS.deregistrationDelaySeconds &&
          // Live, AWS reports 300 whether or not anyone chose it; statically, a TargetGroupBinding's target
          // group settings are unknown, not defaulted.
          (backend.settings.deregistrationDelaySeconds.from.kind === 'aws' ||
            (backend.settings.deregistrationDelaySeconds.from.kind === 'default' &&
              backend.route.kind !== 'TargetGroupBinding')),
      )
      .map((backend) => {
        const object = settingsObject(backend);
        return createFinding(this, context, {
          object,
          ...settingsAt(backend, backend.settings.deregistrationDelaySeconds.from),
          message:
            backend.settings.targetType.value === 'ip'
              ? `the deregistration delay of ${backendLabel(backend)} is ${quote(backend.settings.deregistrationDelaySeconds)}: its pods exit long before their targets finish draining.`
              : `the deregistration delay of ${backendLabel(backend)} is ${quote(backend.settings.deregistrationDelaySeconds)}: its targets are nodes, which drain this long whenever one leaves the target group (scale-in, node upgrades, consolidation); a node shut down sooner cuts the requests still draining through it.`,
          values: [value('deregistration delay', 'D', backend.settings.deregistrationDelaySeconds)],
          fix: {
            summary: `set deregistration_delay.timeout_seconds=30 on ${object.kind} ${object.name}`,
            object,
            yaml: targetGroupAttributeFix(backend, 'deregistration_delay.timeout_seconds', 30),
          },
        });
      });
  },
};
