import { servingContainers } from '../model/facts.js';
import { createFinding, podTemplateFix } from './support.js';
import type { Rule } from './types.js';
import { podTemplateOwner } from '../model/objects.js';

export const missingReadinessProbe: Rule = {
  id: 'DG010',
  slug: 'missing-readiness-probe',
  title: 'Serving container has no readiness probe',
  severity: 'warning',
  scope: 'static',
  rationale:
    'Without a readiness probe a container is Ready the moment it starts, before it listens. Its endpoint is published, the target is registered, and the rollout moves on while the application is still booting.',
  remediation:
    'Add a readinessProbe (an httpGet on the path the ALB health check uses is best) to every container that serves traffic.',
  evaluate(context) {
    return servingContainers(context.facts)
      .filter((container) => container.readinessProbe === undefined)
      .map((container) => {
        const port = container.ports[0]?.containerPort ?? 8080;
        return createFinding(this, context, {
          container: container.name,
          path: container.path,
          message: `container ${container.name} serves traffic but has no readinessProbe.`,
          values: [{ name: 'readinessProbe', value: false }],
          fix: {
            summary: `add a readinessProbe to container ${container.name}`,
            object: podTemplateOwner(context.facts.workload).ref,
            yaml: podTemplateFix(context.facts, {
              container: {
                name: container.name,
                fields: { readinessProbe: { httpGet: { path: '/healthz', port }, periodSeconds: 5 } },
              },
            }),
          },
        });
      });
  },
};
