import { ALB, NLB } from '../model/annotations.js';
import {
  backendLabel,
  backendSettingFix,
  createFinding,
  onePerSetting,
  settingsAt,
  settingsObject,
} from './support.js';
import { describeProvenance } from '../model/provenance.js';
import type { Rule } from './types.js';

export const instanceTargetType: Rule = {
  id: 'DG007',
  slug: 'instance-target-type',
  title: 'Target type is instance',
  severity: 'warning',
  scope: 'static',
  rationale:
    'With instance targets the load balancer sends traffic to a NodePort on every node and kube-proxy forwards it, possibly to another node: an extra hop whose endpoints change out of the load balancer’s sight. The load balancer cannot drain a pod (only a node), pod readiness gates do not apply, and kube-proxy’s connection tracking keeps kept-alive connections pinned to a terminating pod. Rollouts and node replacements then lose requests the controller cannot drain.',
  remediation:
    'Use ip targets (alb.ingress.kubernetes.io/target-type: ip on an Ingress, service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip on an NLB Service, targetType: ip in the TargetGroupConfiguration of a Gateway route’s Service) so the load balancer routes to pods directly, drains them, and readiness gates work.',
  evaluate(context) {
    return onePerSetting(context.facts.backends, (backend) => [backend.settings.targetType])
      .filter(
        (backend) =>
          backend.settings.targetType.value === 'instance' &&
          !(
            backend.route.kind === 'TargetGroupBinding' && backend.settings.targetType.from.kind === 'default'
          ),
      )
      .map((backend) => {
        const object = settingsObject(backend);
        const annotation = backend.loadBalancer === 'alb' ? ALB.targetType : NLB.targetType;
        const fix = backendSettingFix(backend, annotation, { targetType: 'ip' });
        return createFinding(this, context, {
          object,
          ...settingsAt(backend, backend.settings.targetType.from),
          message: `${backendLabel(backend)} registers instance targets (${describeProvenance(backend.settings.targetType.from)}).`,
          values: [{ name: 'target type', value: 'instance', from: backend.settings.targetType.from }],
          fix: { summary: `set ${fix.setting}: ip`, object, yaml: fix.yaml },
        });
      });
  },
};
