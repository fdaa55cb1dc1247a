import type { ManifestObject } from '../manifest/parse.js';
import { NO_POSITIONS } from '../manifest/source.js';
import type { InputProblem, Notice } from '../manifest/source.js';
import type { LoadBalancerCatalog, TargetGroupInfo } from '../ports/elb.js';
import { UpstreamError } from '../ports/errors.js';
import type { LiveObjects, LiveObjectsReader, WorkloadRef } from '../ports/cluster.js';
import type { Allowances } from '../timing/model.js';
import type { BackendFacts, TargetGroupSettings, WorkloadFacts } from './facts.js';
import { liveSource } from './field-reader.js';
import { createInventory, linkInventory, normalizeObjects } from './link.js';
import { formatObjectRef } from './provenance.js';
import type { Provenance, Resolved } from './provenance.js';
import { belongsToStack, carriesStackLabels, stackOf } from './stack.js';
import type { ClusterFacts } from './cluster.js';

/** What AWS says about one target group and the load balancer in front of it. */
export interface LiveTargetGroup {
  readonly info: TargetGroupInfo;
  /** DescribeTargetGroupAttributes, by key. */
  readonly attributes: Readonly<Record<string, string>>;
  /** DescribeLoadBalancerAttributes of the first load balancer, by key, when there is one. */
  readonly loadBalancerAttributes?: Readonly<Record<string, string>>;
}

/** A cluster object as a ManifestObject: the same normalizers read it; it has a name but no lines. */
export function liveManifestObject(json: unknown): ManifestObject | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const body = json as Record<string, unknown>;
  const metadata = body['metadata'] as Record<string, unknown> | undefined;
  const name = metadata?.['name'];
  const namespace = metadata?.['namespace'];
  if (typeof body['kind'] !== 'string' || typeof body['apiVersion'] !== 'string' || typeof name !== 'string')
    return undefined;
  return {
    apiVersion: body['apiVersion'],
    kind: body['kind'],
    name,
    namespace: typeof namespace === 'string' ? namespace : undefined,
    body,
    source: undefined,
    positionOf: () => undefined,
    positions: NO_POSITIONS,
  };
}

/** Normalizes and links the live objects of one workload into the facts the static rules read. */
export function buildLiveFacts(
  objects: LiveObjects,
  ref: WorkloadRef,
  allowances: Allowances,
  cluster?: ClusterFacts,
): { facts: WorkloadFacts | undefined; problems: InputProblem[]; bindings: readonly BindingRef[] } {
  const problems: InputProblem[] = [];
  const all = [
    objects.workload,
    ...(objects.referencedWorkload ? [objects.referencedWorkload] : []),
    ...(objects.namespace ? [objects.namespace] : []),
    ...objects.services,
    ...objects.ingresses,
    ...objects.ingressClasses,
    ...objects.ingressClassParams,
    ...objects.targetGroupBindings,
    ...objects.pdbs,
    ...(objects.autoscalers ?? []),
    ...(objects.gatewayApi ?? []),
  ];
  const manifestObjects: ManifestObject[] = [];
  for (const json of all) {
    const object = liveManifestObject(json);
    if (object) manifestObjects.push(object);
    else
      problems.push({
        at: liveSource({ kind: ref.kind, namespace: ref.namespace, name: ref.name }),
        message: 'the cluster returned an object without apiVersion, kind or metadata.name',
      });
  }
  const inventory = normalizeObjects(manifestObjects, ref.namespace, problems, createInventory());
  const notices: Notice[] = [];
  const linked = linkInventory(
    inventory,
    {
      defaultNamespace: ref.namespace,
      shutdownSeconds: allowances.shutdownSeconds,
      ...(cluster ? { cluster } : {}),
    },
    problems,
    notices,
  ).find(
    (candidate) =>
      candidate.workload.ref.kind === ref.kind &&
      candidate.workload.ref.name === ref.name &&
      candidate.workload.ref.namespace === ref.namespace,
  );
  // What linking could not decide or refused (a Gateway that does not accept a ListenerSet, a route to
  // another namespace without a ReferenceGrant) is why a workload reaches no load balancer: said when it
  // reaches none. The objects read for one workload include other teams' routes, whose notices would be
  // noise beside a workload that is judged.
  const facts =
    linked && linked.backends.length === 0 && notices.length > 0
      ? { ...linked, notices: [...(linked.notices ?? []), ...notices] }
      : linked;
  const bindings = inventory.bindings.map((binding) => ({
    namespace: binding.ref.namespace,
    name: binding.ref.name,
    serviceName: binding.serviceName,
    servicePort: binding.servicePort,
    labels: binding.labels,
    ...(binding.targetGroupARN ? { targetGroupArn: binding.targetGroupARN } : {}),
  }));
  return { facts, problems, bindings };
}

/** A TargetGroupBinding's link from a Service port to a target group. */
export interface BindingRef {
  readonly namespace: string;
  readonly name: string;
  readonly serviceName: string;
  readonly servicePort: number | string | undefined;
  /** The binding's labels: the controller's stack labels say whose load balancer it serves (stack.ts). */
  readonly labels: Readonly<Record<string, string>>;
  readonly targetGroupArn?: string;
}

/** Which TargetGroupBinding — so which target group — serves a backend, or why none can be named. */
export type BindingMatch =
  | { readonly kind: 'matched'; readonly targetGroupArn: string | undefined; readonly binding?: BindingRef }
  | { readonly kind: 'none' }
  | {
      /** Several bindings serve the backend's Service port and nothing tells which one is its own. */
      readonly kind: 'ambiguous';
      readonly candidates: readonly BindingRef[];
      readonly why: string;
    }
  | {
      /** The controller labels its bindings, and none of the backend's stack serves the Service port. */
      readonly kind: 'missing';
      readonly others: readonly BindingRef[];
    };

/**
 * The TargetGroupBinding behind a backend, chosen the way the controller tells its own apart: it makes one
 * binding per target group, and one target group per load balancer stack, route (Gateway API) or Ingress,
 * Service and port — all of them naming the same Service port. The backend's binding is the one that carries
 * its stack's labels (stack.ts), and for a Gateway with several routes to the port, the one named after the
 * route. Bindings without stack labels (written by hand, or by a controller older than the labels) are matched
 * by Service and port alone, as long as only one does. Pure.
 */
export function matchBinding(backend: BackendFacts, bindings: readonly BindingRef[]): BindingMatch {
  if (backend.route.kind === 'TargetGroupBinding')
    return { kind: 'matched', targetGroupArn: backend.route.binding.targetGroupARN };
  const port = backend.servicePort;
  const candidates = bindings.filter(
    (binding) =>
      binding.namespace === backend.service.ref.namespace &&
      binding.serviceName === backend.service.ref.name &&
      (binding.servicePort === undefined ||
        binding.servicePort === port.port ||
        binding.servicePort === port.name),
  );
  if (candidates.length === 0) return { kind: 'none' };
  const labelled = candidates.filter((binding) => carriesStackLabels(binding.labels));
  const stack = stackOf(backend);
  if (labelled.length === 0 || !stack) {
    if (candidates.length === 1) return matched(candidates[0]!);
    return {
      kind: 'ambiguous',
      candidates,
      why:
        labelled.length === 0
          ? "none carries the AWS Load Balancer Controller's stack labels"
          : 'the route names no load balancer stack to match their labels against',
    };
  }
  const ofStack = labelled.filter((binding) => belongsToStack(binding.labels, stack));
  const prefix = stack.bindingNamePrefix;
  const named =
    prefix && ofStack.length > 1 ? ofStack.filter((binding) => binding.name.startsWith(prefix)) : [];
  const chosen = named.length > 0 ? named : ofStack;
  if (chosen.length === 1) return matched(chosen[0]!);
  if (chosen.length === 0) return { kind: 'missing', others: labelled };
  return {
    kind: 'ambiguous',
    candidates: chosen,
    why: `all carry the stack labels of ${stack.description}${prefix ? ` and none is named after the route alone (${prefix}…)` : ''}`,
  };
}

function matched(binding: BindingRef): BindingMatch {
  return { kind: 'matched', targetGroupArn: binding.targetGroupArn, binding };
}

/** The target group ARN behind a backend, when one binding is known to be its own (see `matchBinding`). */
export function targetGroupArnOf(backend: BackendFacts, bindings: readonly BindingRef[]): string | undefined {
  const match = matchBinding(backend, bindings);
  return match.kind === 'matched' ? match.targetGroupArn : undefined;
}

/** What a backend whose binding cannot be named is judged on, said as a notice instead of a guess. */
function bindingNotice(backend: BackendFacts, match: BindingMatch): Notice | undefined {
  if (match.kind !== 'ambiguous' && match.kind !== 'missing') return undefined;
  const port = `Service ${backend.service.ref.namespace}/${backend.service.ref.name} port ${backend.servicePort.port}`;
  const names = (list: readonly BindingRef[]) => list.map((binding) => binding.name).join(', ');
  const judged =
    "its target group settings are the declared ones, not AWS's; each binding's own target group is judged as a backend of its own";
  return match.kind === 'ambiguous'
    ? {
        code: 'ambiguous-target-group-binding',
        object: formatObjectRef(backend.routeRef),
        message: `${match.candidates.length} TargetGroupBindings serve ${port} (${names(match.candidates)}) and ${match.why}: draingate cannot tell which target group is this route's, so ${judged}.`,
      }
    : {
        code: 'missing-target-group-binding',
        object: formatObjectRef(backend.routeRef),
        message: `no TargetGroupBinding with the stack labels of ${stackOf(backend)?.description ?? 'its load balancer'} serves ${port} (${names(match.others)} ${match.others.length === 1 ? 'belongs' : 'belong'} to other load balancers): the controller has not made this route's target group yet, or failed to; ${judged}.`,
      };
}

/**
 * Replaces annotation-derived settings with what AWS reports for each backend's target group (live values
 * win), and folds the controller's own TargetGroupBinding into the Ingress or Gateway backend it serves, so
 * one target group is judged once. Backends of two load balancers stay two, each with its own target group's
 * settings. A backend whose binding cannot be named keeps its declared settings and gets a notice.
 */
export function applyLiveTargetGroups(
  facts: WorkloadFacts,
  bindings: readonly BindingRef[],
  live: ReadonlyMap<string, LiveTargetGroup>,
): WorkloadFacts {
  const withArn = facts.backends.map((backend) => {
    const match = matchBinding(backend, bindings);
    return { backend, match, arn: match.kind === 'matched' ? match.targetGroupArn : undefined };
  });
  const seen = new Set<string>();
  const preferred = [...withArn].sort((a, b) => rank(a.backend) - rank(b.backend));
  const kept = new Set<BackendFacts>();
  for (const { backend, arn } of preferred) {
    const key = arn ? `${arn}|${backend.service.ref.name}|${backend.servicePort.port}` : undefined;
    if (key && seen.has(key)) continue;
    if (key) seen.add(key);
    kept.add(backend);
  }
  const backends = withArn
    .filter(({ backend }) => kept.has(backend))
    .map(({ backend, arn }) => {
      const group = arn ? live.get(arn) : undefined;
      return group ? { ...backend, settings: liveSettings(backend.settings, group) } : backend;
    });
  const notices = [
    ...(facts.notices ?? []),
    ...withArn
      .filter(({ backend }) => kept.has(backend))
      .map(({ backend, match }) => bindingNotice(backend, match))
      .filter((notice): notice is Notice => notice !== undefined),
  ];
  return { ...facts, backends, ...(notices.length > 0 ? { notices } : {}) };
}

function rank(backend: BackendFacts): number {
  return backend.route.kind === 'TargetGroupBinding' ? 1 : 0;
}

function liveSettings(settings: TargetGroupSettings, group: LiveTargetGroup): TargetGroupSettings {
  const arn = group.info.arn;
  const aws = (attribute: string): Provenance => ({ kind: 'aws', resource: arn, attribute });
  const numberAttribute = (key: string, fallback: Resolved<number>): Resolved<number> => {
    const value = group.attributes[key];
    return value !== undefined && /^\d+$/.test(value) ? { value: Number(value), from: aws(key) } : fallback;
  };
  const booleanAttribute = <K extends 'connectionTermination' | 'preserveClientIp'>(
    field: K,
    key: string,
  ): Partial<Record<K, Resolved<boolean>>> => {
    const value = group.attributes[key];
    if (value === 'true' || value === 'false')
      return { [field]: { value: value === 'true', from: aws(key) } } as Partial<
        Record<K, Resolved<boolean>>
      >;
    const fallback = settings[field];
    return (fallback ? { [field]: fallback } : {}) as Partial<Record<K, Resolved<boolean>>>;
  };
  const hc = group.info.healthCheck;
  const targetType =
    group.info.targetType === 'ip' || group.info.targetType === 'instance'
      ? group.info.targetType
      : settings.targetType.value;
  const idle = group.loadBalancerAttributes?.['idle_timeout.timeout_seconds'];
  const lbArn = group.info.loadBalancerArns[0];
  return {
    targetType: { value: targetType, from: aws('TargetType') },
    healthCheckProtocol:
      hc.protocol !== undefined
        ? { value: hc.protocol.toUpperCase(), from: aws('HealthCheckProtocol') }
        : settings.healthCheckProtocol,
    healthCheckPort:
      hc.port !== undefined ? { value: hc.port, from: aws('HealthCheckPort') } : settings.healthCheckPort,
    healthCheckPath:
      hc.path !== undefined ? { value: hc.path, from: aws('HealthCheckPath') } : settings.healthCheckPath,
    healthCheckIntervalSeconds: { value: hc.intervalSeconds, from: aws('HealthCheckIntervalSeconds') },
    healthCheckTimeoutSeconds: { value: hc.timeoutSeconds, from: aws('HealthCheckTimeoutSeconds') },
    healthyThresholdCount: { value: hc.healthyThresholdCount, from: aws('HealthyThresholdCount') },
    unhealthyThresholdCount: { value: hc.unhealthyThresholdCount, from: aws('UnhealthyThresholdCount') },
    deregistrationDelaySeconds: numberAttribute(
      'deregistration_delay.timeout_seconds',
      settings.deregistrationDelaySeconds,
    ),
    ...booleanAttribute('connectionTermination', 'deregistration_delay.connection_termination.enabled'),
    ...booleanAttribute('preserveClientIp', 'preserve_client_ip.enabled'),
    ...(idle !== undefined && /^\d+$/.test(idle) && lbArn
      ? {
          idleTimeoutSeconds: {
            value: Number(idle),
            from: { kind: 'aws', resource: lbArn, attribute: 'idle_timeout.timeout_seconds' } as const,
          },
        }
      : settings.idleTimeoutSeconds
        ? { idleTimeoutSeconds: settings.idleTimeoutSeconds }
        : {}),
    targetGroupArn: arn,
    loadBalancerArns: group.info.loadBalancerArns,
  };
}

/**
 * Live facts of a workload: its objects from the cluster, normalized like manifests, with the settings AWS
 * reports for each of its target groups in place of the annotations'. The `drain-timing` check and
 * `validate --live` read through this.
 */
export function createLiveFactsReader(ports: {
  readonly objects: LiveObjectsReader;
  readonly catalog: LoadBalancerCatalog;
  readonly allowances: Allowances;
  /**
   * Cluster facts declared for this cluster. The IngressClasses (and which one is the default) and the
   * IngressClassParams are read from the cluster itself; declared facts fill in what it cannot say (the
   * controller's flags).
   */
  readonly cluster?: ClusterFacts;
}): { readWorkloadFacts(workload: WorkloadRef, signal?: AbortSignal): Promise<WorkloadFacts> } {
  return {
    async readWorkloadFacts(workload, signal) {
      const objects = await ports.objects.readLiveObjects(workload, signal);
      const { facts, bindings } = buildLiveFacts(objects, workload, ports.allowances, ports.cluster);
      if (!facts) {
        throw new UpstreamError(
          'kubernetes',
          'read',
          'not-found',
          `${workload.kind} ${workload.namespace}/${workload.name} could not be read as a workload`,
        );
      }
      const arns = [
        ...new Set(
          facts.backends
            .map((backend) => targetGroupArnOf(backend, bindings))
            .filter((arn): arn is string => arn !== undefined),
        ),
      ];
      if (arns.length === 0) return facts;
      const groups = await ports.catalog.describeTargetGroups(arns, signal);
      const live = new Map<string, LiveTargetGroup>();
      await Promise.all(
        groups.map(async (info) => {
          const lbArn = info.loadBalancerArns[0];
          const [attributes, loadBalancerAttributes] = await Promise.all([
            ports.catalog.describeTargetGroupAttributes(info.arn, signal),
            lbArn ? ports.catalog.describeLoadBalancerAttributes(lbArn, signal) : Promise.resolve(undefined),
          ]);
          live.set(info.arn, {
            info,
            attributes,
            ...(loadBalancerAttributes ? { loadBalancerAttributes } : {}),
          });
        }),
      );
      return applyLiveTargetGroups(facts, bindings, live);
    },
  };
}
