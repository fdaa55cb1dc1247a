import { ALB, NLB } from '../model/annotations.js';
import {
  backendSettingFix,
  backendLabel,
  createFinding,
  onePerSetting,
  settingsAt,
  settingsObject,
} from './support.js';
import { checksApplicationPath } from '../model/facts.js';
import { describeProvenance } from '../model/provenance.js';
import type { Rule } from './types.js';

export const healthCheckPathMismatch: Rule = {
  id: 'DG017',
  slug: 'health-check-path-mismatch',
  title: 'ALB health check path differs from the readiness probe',
  severity: 'info',
  scope: 'static',
  rationale:
    'When the load balancer checks a different path than Kubernetes does, a pod can be Ready while its target is unhealthy (or the reverse), and a readiness gate then waits on a check that tests something else. The default ALB path `/` is often slow, redirected or authenticated. Only HTTP and HTTPS checks on the traffic port have a path to compare: an NLB’s default TCP check has none, and a check on another port (kube-proxy’s healthCheckNodePort with externalTrafficPolicy Local) tests something else on purpose.',
  remediation:
    'Point alb.ingress.kubernetes.io/healthcheck-path (for a Gateway route, healthCheckConfig.healthCheckPath of the Service’s TargetGroupConfiguration) at the same endpoint as the serving container’s readinessProbe.',
  evaluate(context) {
    return onePerSetting(context.facts.backends, (backend) => [backend.settings.healthCheckPath]).flatMap(
      (backend) => {
        if (!checksApplicationPath(backend.settings)) return [];
        const path = backend.settings.healthCheckPath;
        const containers = context.facts.workload.containers.filter((c) =>
          backend.servingContainers.includes(c.name),
        );
        return containers.flatMap((container) => {
          const probePath = container.readinessProbe?.httpPath;
          if (!probePath || probePath === path.value) return [];
          const object = settingsObject(backend);
          const annotation = backend.loadBalancer === 'alb' ? ALB.healthCheckPath : NLB.healthCheckPath;
          const fix = backendSettingFix(backend, annotation, {
            healthCheck: 'healthCheckPath',
            value: probePath,
          });
          return [
            createFinding(this, context, {
              container: container.name,
              object,
              ...settingsAt(backend, path.from),
              message: `${backendLabel(backend)} health-checks ${path.value} (${describeProvenance(path.from)}) but container ${container.name}'s readiness probe checks ${probePath}.`,
              values: [
                { name: 'health check path', value: path.value, from: path.from },
                { name: 'readiness probe path', value: probePath },
              ],
              fix: { summary: `set ${fix.setting}: ${probePath}`, object, yaml: fix.yaml },
            }),
          ];
        });
      },
    );
  },
};
