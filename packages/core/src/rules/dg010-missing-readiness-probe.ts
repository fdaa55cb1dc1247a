import { checksApplicationPath, servingContainers } from '../model/facts.js';
import type { BackendFacts } from '../model/facts.js';
import type { ContainerFacts } from '../model/objects.js';
import { podTemplateOwner } from '../model/objects.js';
import { describeProvenance } from '../model/provenance.js';
import { createFinding, podTemplateFix } from './support.js';
import type { Rule } from './types.js';
import { exposureOf } from '../timing/model.js';

/**
 * The HTTP path the container is known to serve, and where that is written: the load balancer's health check
 * path when someone chose it (a default `/` says nothing about the app), else its liveness or startup probe.
 * Undefined when nothing says: the fix then probes the port rather than invent a path.
 */
function knownHttpPath(
  container: ContainerFacts,
  backends: readonly BackendFacts[],
): { path: string; port: number | string; source: string } | undefined {
  for (const backend of backends) {
    if (!backend.servingContainers.includes(container.name)) continue;
    const path = backend.settings.healthCheckPath;
    if (!checksApplicationPath(backend.settings) || path.from.kind === 'default') continue;
    return {
      path: path.value,
      port: backend.servicePort.targetPort,
      source: `the health check path (${describeProvenance(path.from)})`,
    };
  }
  const probe = container.httpProbes?.[0];
  if (!probe) return undefined;
  const port = probe.port ?? servingPort(container, backends);
  return port === undefined ? undefined : { path: probe.path, port, source: `its ${probe.probe}'s path` };
}

/** The port the load balancer's traffic reaches the container on: the Service's targetPort. */
function servingPort(
  container: ContainerFacts,
  backends: readonly BackendFacts[],
): number | string | undefined {
  return backends.find((backend) => backend.servingContainers.includes(container.name))?.servicePort
    .targetPort;
}

export const missingReadinessProbe: Rule = {
  id: 'DG010',
  slug: 'missing-readiness-probe',
  title: 'Serving container has no readiness probe',
  severity: 'warning',
  scope: 'static',
  rationale:
    'Without a readiness probe a container is Ready the moment it starts, before it listens. Its endpoint is published and the rollout moves on while the application is still booting. With instance targets (externalTrafficPolicy Cluster) kube-proxy sends it connections at once, which are refused: an error. With ip targets, or a node that must pass health checks first (Local), the load balancer waits for its own health checks before routing to the new pod, so no request is lost to this, but the rollout still removes old pods too early: a warning.',
  remediation:
    'Add a readinessProbe to every container that serves traffic: an httpGet on an endpoint that reports readiness (the path the load balancer health-checks is best); where the application has none, a tcpSocket probe on the serving port at least waits until it listens. draingate takes the path from the health check annotation or the container’s liveness or startup probe, and never guesses one.',
  evaluate(context) {
    const backends = context.facts.backends;
    return servingContainers(context.facts)
      .filter((container) => container.readinessProbe === undefined)
      .flatMap((container) => {
        const known = knownHttpPath(container, backends);
        const port = known?.port ?? servingPort(container, backends);
        if (port === undefined) return [];
        const probe = known
          ? { httpGet: { path: known.path, port }, periodSeconds: 5 }
          : { tcpSocket: { port }, periodSeconds: 5 };
        // With externalTrafficPolicy Local a new pod's node takes traffic only once the load balancer's health
        // checks pass, which holds connections back as an ip target's checks do.
        const instance = backends.some(
          (backend) =>
            backend.servingContainers.includes(container.name) && exposureOf(backend) === 'endpoints',
        );
        return [
          createFinding(this, context, {
            severity: instance ? 'error' : 'warning',
            container: container.name,
            path: container.path,
            message: instance
              ? `container ${container.name} serves traffic but has no readinessProbe: with instance targets kube-proxy sends it connections as soon as it starts, before it listens.`
              : `container ${container.name} serves traffic but has no readinessProbe.`,
            values: [
              { name: 'readinessProbe', value: false },
              { name: 'serving port', value: port },
              ...(known ? [{ name: 'known path', value: known.path }] : []),
            ],
            fix: {
              summary: known
                ? `add a readinessProbe to container ${container.name} on ${known.path}, ${known.source}`
                : `decide which endpoint of container ${container.name} reports that it can serve and probe it; until then, a tcpSocket probe on port ${port} waits until it listens (no health check path, liveness or startup probe names an HTTP path)`,
              object: podTemplateOwner(context.facts.workload).ref,
              yaml: podTemplateFix(context.facts, {
                container: { name: container.name, fields: { readinessProbe: probe } },
              }),
            },
          }),
        ];
      });
  },
};
