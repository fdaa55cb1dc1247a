import { ALB } from '../model/annotations.js';
import { ANNOTATIONS } from '../model/annotations.js';
import { backendLabel, createFinding, quote, snippet, value } from './support.js';
import type { Rule } from './types.js';

export const keepAliveBelowIdleTimeout: Rule = {
  id: 'DG012',
  slug: 'keepalive-below-idle-timeout',
  title: 'Backend keep-alive not longer than the ALB idle timeout',
  severity: 'warning',
  scope: 'static',
  rationale:
    'The ALB reuses connections to targets for up to its idle timeout (60 s by default). A backend that closes idle keep-alive connections sooner (Node.js: 5 s) races the ALB: a request sent on a connection the backend just closed fails with a 502, during rollouts and outside them.',
  remediation:
    'Make the application’s keep-alive timeout longer than the ALB idle timeout (or lower idle_timeout.timeout_seconds in alb.ingress.kubernetes.io/load-balancer-attributes), and declare it with the draingate.io/keepalive-timeout-seconds annotation.',
  evaluate(context) {
    const keepAlive = context.facts.keepAliveTimeoutSeconds;
    if (!keepAlive) return [];
    return context.facts.backends.flatMap((backend) => {
      const idle = backend.settings.idleTimeoutSeconds;
      if (backend.loadBalancer !== 'alb' || !idle || keepAlive.value > idle.value) return [];
      return [
        createFinding(this, context, {
          path: ['metadata', 'annotations', ANNOTATIONS.keepAliveTimeoutSeconds],
          message: `the application keeps idle connections for ${quote(keepAlive)}, not longer than the idle timeout of ${backendLabel(backend)}, ${quote(idle)}: requests on connections the backend just closed fail with 502.`,
          values: [
            value('keep-alive timeout', undefined, keepAlive),
            value('ALB idle timeout', undefined, idle),
          ],
          fix: {
            summary: `raise the application's keep-alive timeout above ${idle.value} s (e.g. ${idle.value + 5} s) and declare it`,
            object: context.facts.workload.ref,
            yaml:
              snippet(context.facts.workload.ref, {
                metadata: { annotations: { [ANNOTATIONS.keepAliveTimeoutSeconds]: String(idle.value + 5) } },
              }) +
              `# and in the application, e.g. Node.js: server.keepAliveTimeout = ${(idle.value + 5) * 1000}\n# or lower ${backend.route.kind === 'Gateway' ? 'spec.loadBalancerAttributes of the Gateway’s LoadBalancerConfiguration' : ALB.loadBalancerAttributes}: idle_timeout.timeout_seconds=${Math.max(1, keepAlive.value - 1)}\n`,
          },
        }),
      ];
    });
  },
};
