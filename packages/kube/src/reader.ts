import {
  UpstreamError,
  type ClusterReader,
  type LiveObjects as CoreLiveObjects,
  type LiveObjectsReader as CoreLiveObjectsReader,
  type PodInfo,
  type RolloutStatus,
  type WorkloadKind,
  type WorkloadRef,
} from '@draingate/core';
import type { V1Pod } from '@kubernetes/client-node';
import { GATEWAY_RESOURCES, RESOURCES, type KubeClients, type ResourceType } from './client.js';
import { KUBERNETES } from './errors.js';
import { arrayAt, asObject, at, stringAt, stringMapAt } from './json.js';
import { formatLabelSelector, projectPod } from './pods.js';
import { isControlledBy } from './revisions.js';
import {
  countOldReplicas,
  deriveArgoRolloutStatus,
  deriveDaemonSetStatus,
  deriveDeploymentStatus,
  deriveStatefulSetStatus,
  newReplicaSetMatcher,
} from './status.js';

/** A Kubernetes object as plain JSON, exactly as a manifest would hold it, with apiVersion and kind set. */
export interface LiveObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly [field: string]: unknown;
  };
  readonly [field: string]: unknown;
}

/**
 * The live objects that decide a workload's drain timing: the core's `LiveObjects` (what `validate --live`
 * normalizes), typed as the API server returns them, with what could not be read.
 */
export interface LiveObjects extends CoreLiveObjects {
  readonly workload: LiveObject;
  /** Absent when the Namespace cannot be read (not allowed, or gone); see `warnings`. */
  readonly namespace?: LiveObject;
  /** Every Service in the workload's namespace (the core links them by selector). */
  readonly services: readonly LiveObject[];
  readonly ingresses: readonly LiveObject[];
  /** Cluster-scoped. */
  readonly ingressClasses: readonly LiveObject[];
  /**
   * Cluster-scoped: the AWS Load Balancer Controller's (`elbv2.k8s.aws`) and EKS Auto Mode's
   * (`eks.amazonaws.com`); empty where neither CRD is installed.
   */
  readonly ingressClassParams: readonly LiveObject[];
  /** Empty when the AWS Load Balancer Controller's CRD is not installed. */
  readonly targetGroupBindings: readonly LiveObject[];
  readonly pdbs: readonly LiveObject[];
  /**
   * HorizontalPodAutoscalers and KEDA ScaledObjects of the namespace (they own the replica count); empty
   * where KEDA is not installed or the reads are not allowed (see `warnings`).
   */
  readonly autoscalers: readonly LiveObject[];
  /**
   * Gateway API objects (GatewayClasses, Gateways, routes, ReferenceGrants) and the controller's
   * TargetGroupConfigurations and LoadBalancerConfigurations; empty where the CRDs are not installed.
   */
  readonly gatewayApi: readonly LiveObject[];
  /** What could not be read and was left out, e.g. "IngressClasses: access denied (403)". */
  readonly warnings: readonly string[];
}

/** Reads the objects a workload's drain timing depends on (the core's port, with the richer result). */
export interface LiveObjectsReader extends CoreLiveObjectsReader {
  readLiveObjects(workload: WorkloadRef, signal?: AbortSignal): Promise<LiveObjects>;
}

/** The core's cluster port, whose live objects carry the adapter's richer result. */
export interface KubeClusterPort extends ClusterReader, LiveObjectsReader {
  readLiveObjects(workload: WorkloadRef, signal?: AbortSignal): Promise<LiveObjects>;
}

const WORKLOAD_TYPES: Readonly<Record<WorkloadKind, ResourceType>> = {
  Deployment: RESOURCES.deployments,
  StatefulSet: RESOURCES.statefulSets,
  DaemonSet: RESOURCES.daemonSets,
  Rollout: RESOURCES.rollouts,
};

/** `Deployment shop/web`. */
export function describeRef(ref: WorkloadRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/**
 * A label selector (`matchLabels` and `matchExpressions`) in the API's string form; undefined when the
 * selector is missing or has an operator this function does not know (callers then filter themselves).
 */
export function formatSelector(selector: unknown): string | undefined {
  if (asObject(selector) === undefined) return undefined;
  const parts = [formatLabelSelector(stringMapAt(selector, 'matchLabels'))].filter((p) => p !== '');
  for (const expression of arrayAt(selector, 'matchExpressions')) {
    const key = stringAt(expression, 'key');
    const values = arrayAt(expression, 'values').filter((v): v is string => typeof v === 'string');
    const operator = stringAt(expression, 'operator');
    if (key === undefined) return undefined;
    if (operator === 'In') parts.push(`${key} in (${values.join(',')})`);
    else if (operator === 'NotIn') parts.push(`${key} notin (${values.join(',')})`);
    else if (operator === 'Exists') parts.push(key);
    else if (operator === 'DoesNotExist') parts.push(`!${key}`);
    else return undefined;
  }
  return parts.join(',');
}

function withoutManagedFields(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = asObject(object['metadata']);
  if (metadata === undefined || !('managedFields' in metadata)) return object;
  const { managedFields: _dropped, ...rest } = metadata;
  return { ...object, metadata: rest };
}

/**
 * A plain JSON object with apiVersion and kind, as a manifest would hold it: managedFields (server
 * bookkeeping) dropped, Dates of typed clients turned back into RFC 3339 strings.
 */
export function toLiveObject(json: unknown, apiVersion: string, kind: string): LiveObject | undefined {
  const plain: unknown = JSON.parse(JSON.stringify(json ?? null));
  const object = asObject(plain);
  if (object === undefined || typeof at(object, 'metadata', 'name') !== 'string') return undefined;
  return withoutManagedFields({ ...object, apiVersion, kind }) as unknown as LiveObject;
}

function isStatus(err: unknown, ...failures: string[]): boolean {
  return err instanceof UpstreamError && failures.includes(err.failure);
}

/** Reads workloads, their pods and progress, and the objects that route to them. */
export class KubeClusterReader implements KubeClusterPort {
  constructor(private readonly clients: KubeClients) {}

  /** The workload's JSON; a missing workload is an UpstreamError `not-found` naming it. */
  async readWorkload(
    ref: WorkloadRef,
    operation: string,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const type = WORKLOAD_TYPES[ref.kind];
    const json = await this.clients.getObject(
      type,
      ref.namespace,
      ref.name,
      { operation, object: describeRef(ref) },
      signal,
    );
    const object = asObject(json);
    if (object === undefined) {
      throw new UpstreamError(
        KUBERNETES,
        operation,
        'unknown',
        `${describeRef(ref)}: the API server returned no object`,
      );
    }
    return object;
  }

  /**
   * Every object of `type` in `namespace` (cluster-wide when undefined); a type that is not installed is
   * none. A read that is not allowed is left out with a warning when it is cluster-wide or `optional`.
   */
  private async listOrNone(
    type: ResourceType,
    namespace: string | undefined,
    warnings: string[],
    signal: AbortSignal | undefined,
    optional = false,
  ): Promise<LiveObject[]> {
    const what = `${type.label ?? type.kind} objects${namespace ? ` in ${namespace}` : ''}`;
    try {
      const items = await this.clients.listObjects(
        type,
        namespace,
        { operation: 'readLiveObjects', object: what },
        signal,
      );
      return items.flatMap((item) => toLiveObject(item, apiVersionOf(type), type.kind) ?? []);
    } catch (err) {
      // A 404 on a list is the resource type itself: the CRD is not installed.
      if (isStatus(err, 'not-found')) return [];
      // Cluster-scoped reads are often not granted to a namespaced deployer: leave them out, say so.
      if ((namespace === undefined || optional) && isStatus(err, 'access-denied')) {
        warnings.push(`${what}: access denied, left out`);
        return [];
      }
      throw err;
    }
  }

  /** The workload and every object its drain timing depends on, as plain JSON. */
  async readLiveObjects(ref: WorkloadRef, signal?: AbortSignal): Promise<LiveObjects> {
    const warnings: string[] = [];
    const type = WORKLOAD_TYPES[ref.kind];
    const workloadJson = await this.readWorkload(ref, 'readLiveObjects', signal);
    const workload = toLiveObject(workloadJson, apiVersionOf(type), type.kind);
    if (workload === undefined) {
      throw new UpstreamError(
        KUBERNETES,
        'readLiveObjects',
        'unknown',
        `${describeRef(ref)}: the object has no metadata.name`,
      );
    }
    const ns = ref.namespace;
    const [
      namespace,
      services,
      ingresses,
      ingressClasses,
      ingressClassParams,
      eksIngressClassParams,
      targetGroupBindings,
      pdbs,
      horizontalPodAutoscalers,
      scaledObjects,
      referencedWorkload,
      gatewayApi,
    ] = await Promise.all([
      this.readNamespace(ns, warnings, signal),
      this.listServices(ns, signal),
      this.listOrNone(RESOURCES.ingresses, ns, warnings, signal),
      this.listOrNone(RESOURCES.ingressClasses, undefined, warnings, signal),
      this.listOrNone(RESOURCES.ingressClassParams, undefined, warnings, signal),
      this.listOrNone(RESOURCES.eksIngressClassParams, undefined, warnings, signal),
      this.listOrNone(RESOURCES.targetGroupBindings, ns, warnings, signal),
      this.listOrNone(RESOURCES.pdbs, ns, warnings, signal),
      // Autoscalers only lower the replica count a rule assumes (DG008): a denied read leaves them out.
      this.listOrNone(RESOURCES.horizontalPodAutoscalers, ns, warnings, signal, true),
      this.listOrNone(RESOURCES.scaledObjects, ns, warnings, signal, true),
      this.readReferencedWorkload(ref, workloadJson, warnings, signal),
      this.readGatewayApi(ns, warnings, signal),
    ]);
    return {
      workload,
      ...(referencedWorkload ? { referencedWorkload } : {}),
      ...(namespace ? { namespace } : {}),
      services,
      ingresses,
      ingressClasses,
      ingressClassParams: [...ingressClassParams, ...eksIngressClassParams],
      targetGroupBindings,
      pdbs,
      autoscalers: [...horizontalPodAutoscalers, ...scaledObjects],
      gatewayApi,
      // The reads run in parallel: sort so the same cluster always gives the same report.
      warnings: warnings.sort(),
    };
  }

  /**
   * The Gateway API objects that may route to the workload's Services. Routes, Gateways and the
   * controller's configurations can live in other namespaces (a shared Gateway, a route granted by a
   * ReferenceGrant, a GatewayClass's defaults in the platform's namespace), so they are listed cluster-wide;
   * where that is not allowed, in the workload's namespace only, with a warning. ReferenceGrants that matter
   * are in the workload's namespace (that of its Services).
   */
  private async readGatewayApi(
    ns: string,
    warnings: string[],
    signal: AbortSignal | undefined,
  ): Promise<LiveObject[]> {
    const g = GATEWAY_RESOURCES;
    const wide = [
      g.gateways,
      g.httpRoutes,
      g.grpcRoutes,
      g.tcpRoutes,
      g.udpRoutes,
      g.tlsRoutes,
      g.listenerSets,
      g.targetGroupConfigurations,
      g.loadBalancerConfigurations,
    ];
    const denied: string[] = [];
    const lists = await Promise.all([
      this.listServed(g.gatewayClasses, undefined, warnings, signal),
      ...wide.map(async (versions) => {
        const refused: string[] = [];
        const all = await this.listServed(versions, undefined, refused, signal);
        if (refused.length === 0) return all;
        denied.push(versions[0]!.kind);
        return this.listServed(versions, ns, warnings, signal, true);
      }),
      this.listServed(g.referenceGrants, ns, warnings, signal, true),
    ]);
    // One warning for them all: a namespaced grant is common, and the kinds share one consequence.
    if (denied.length > 0)
      warnings.push(
        `${denied.sort().join(', ')} objects cluster-wide: access denied, read in ${ns} only (a shared Gateway, a route or a TargetGroupConfiguration in another namespace is not seen)`,
      );
    return lists.flat();
  }

  /**
   * The objects of the first served version of a kind (a version the cluster does not serve reads as a 404,
   * like a CRD that is not installed); none when no version is served.
   */
  private async listServed(
    versions: readonly ResourceType[],
    namespace: string | undefined,
    warnings: string[],
    signal: AbortSignal | undefined,
    optional = false,
  ): Promise<LiveObject[]> {
    for (const type of versions) {
      const found = await this.listOrUnserved(type, namespace, warnings, signal, optional);
      if (found !== undefined) return found;
    }
    return [];
  }

  /** `listOrNone`, but undefined (not []) when the version is not served, so the next one is tried. */
  private async listOrUnserved(
    type: ResourceType,
    namespace: string | undefined,
    warnings: string[],
    signal: AbortSignal | undefined,
    optional: boolean,
  ): Promise<LiveObject[] | undefined> {
    const what = `${type.label ?? type.kind} objects${namespace ? ` in ${namespace}` : ''}`;
    try {
      const items = await this.clients.listObjects(
        type,
        namespace,
        { operation: 'readLiveObjects', object: what },
        signal,
      );
      return items.flatMap((item) => toLiveObject(item, apiVersionOf(type), type.kind) ?? []);
    } catch (err) {
      if (isStatus(err, 'not-found')) return undefined;
      if ((namespace === undefined || optional) && isStatus(err, 'access-denied')) {
        warnings.push(`${what}: access denied, left out`);
        return [];
      }
      throw err;
    }
  }

  /**
   * The Deployment an Argo Rollout's `spec.workloadRef` names (its pod template is the one that runs), or
   * undefined for other workloads and other kinds of reference. One that cannot be read (denied, or gone)
   * is left out with a warning, as the Namespace is: the gate and the checks that need only the workload
   * and its routes still run, and the drain-timing rules then have no template to judge.
   */
  private async readReferencedWorkload(
    ref: WorkloadRef,
    workloadJson: Record<string, unknown>,
    warnings: string[],
    signal: AbortSignal | undefined,
  ): Promise<LiveObject | undefined> {
    if (ref.kind !== 'Rollout' || stringAt(workloadJson, 'spec', 'workloadRef', 'kind') !== 'Deployment')
      return undefined;
    const name = stringAt(workloadJson, 'spec', 'workloadRef', 'name');
    if (name === undefined) return undefined;
    const deployment = { kind: 'Deployment', namespace: ref.namespace, name } as const;
    try {
      const json = await this.readWorkload(deployment, 'readLiveObjects', signal);
      return toLiveObject(json, apiVersionOf(RESOURCES.deployments), 'Deployment');
    } catch (err) {
      if (isStatus(err, 'access-denied', 'not-found')) {
        warnings.push(
          `${describeRef(deployment)} (the workloadRef of ${describeRef(ref)}): ${(err as UpstreamError).failure === 'not-found' ? 'not found' : 'access denied'}, its pod template left out`,
        );
        return undefined;
      }
      throw err;
    }
  }

  private async readNamespace(
    name: string,
    warnings: string[],
    signal?: AbortSignal,
  ): Promise<LiveObject | undefined> {
    try {
      const namespace = await this.clients.call(
        { operation: 'readLiveObjects', object: `Namespace ${name}` },
        signal,
        (options) => this.clients.core.readNamespace({ name }, options),
      );
      return toLiveObject(namespace, 'v1', 'Namespace');
    } catch (err) {
      if (isStatus(err, 'access-denied', 'not-found')) {
        warnings.push(
          `Namespace ${name}: ${(err as UpstreamError).failure === 'not-found' ? 'not found' : 'access denied'}, left out`,
        );
        return undefined;
      }
      throw err;
    }
  }

  private async listServices(namespace: string, signal?: AbortSignal): Promise<LiveObject[]> {
    const out: LiveObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.clients.call(
        { operation: 'readLiveObjects', object: `Services in ${namespace}` },
        signal,
        (options) =>
          this.clients.core.listNamespacedService(
            { namespace, limit: this.clients.pageSize, _continue: token },
            options,
          ),
      );
      for (const item of page.items) {
        const object = toLiveObject(item, 'v1', 'Service');
        if (object) out.push(object);
      }
      token = page.metadata?._continue || undefined;
    } while (token !== undefined);
    return out;
  }

  /** The pods in `namespace` whose labels match `selector`, as slim projections. */
  async listPods(
    namespace: string,
    selector: Readonly<Record<string, string>>,
    signal?: AbortSignal,
  ): Promise<PodInfo[]> {
    return (await this.listRawPods(namespace, formatLabelSelector(selector), 'listPods', signal)).map(
      projectPod,
    );
  }

  private async listRawPods(
    namespace: string,
    labelSelector: string,
    operation: string,
    signal?: AbortSignal,
  ): Promise<V1Pod[]> {
    const out: V1Pod[] = [];
    let token: string | undefined;
    do {
      const page = await this.clients.call(
        { operation, object: `Pods in ${namespace}${labelSelector ? ` matching ${labelSelector}` : ''}` },
        signal,
        (options) =>
          this.clients.core.listNamespacedPod(
            {
              namespace,
              labelSelector: labelSelector || undefined,
              limit: this.clients.pageSize,
              _continue: token,
            },
            options,
          ),
      );
      out.push(...page.items);
      token = page.metadata?._continue || undefined;
    } while (token !== undefined);
    return out;
  }

  /** The ReplicaSets `owner` controls (by owner uid), found through its selector. */
  async listOwnedReplicaSets(
    owner: unknown,
    ref: WorkloadRef,
    operation: string,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>[]> {
    const uid = stringAt(owner, 'metadata', 'uid') ?? '';
    const selector = formatSelector(at(owner, 'spec', 'selector'));
    const all = await this.clients.listObjects(
      RESOURCES.replicaSets,
      ref.namespace,
      { operation, object: `ReplicaSets of ${describeRef(ref)}` },
      signal,
      selector || undefined,
    );
    return all.filter((rs) => isControlledBy(rs, uid));
  }

  /**
   * Rollout progress with `kubectl rollout status` semantics (Deployment, StatefulSet, DaemonSet) or Argo's
   * (Rollout).
   */
  async readRolloutStatus(ref: WorkloadRef, signal?: AbortSignal): Promise<RolloutStatus> {
    const operation = 'readRolloutStatus';
    const workload = await this.readWorkload(ref, operation, signal);
    if (ref.kind === 'StatefulSet') return deriveStatefulSetStatus(ref, workload);
    if (ref.kind === 'DaemonSet') return deriveDaemonSetStatus(ref, workload);
    if (ref.kind === 'Rollout') return deriveArgoRolloutStatus(ref, workload);
    const replicaSets = await this.listOwnedReplicaSets(workload, ref, operation, signal);
    const isNew = newReplicaSetMatcher(workload, replicaSets);
    const hasOld = replicaSets.some((rs) => !isNew(rs));
    // Only the pods can show old ones that are already terminating; skip the call when no old ReplicaSet exists.
    const pods = hasOld
      ? await this.listRawPods(
          ref.namespace,
          formatSelector(at(workload, 'spec', 'selector')) ?? '',
          operation,
          signal,
        )
      : [];
    return deriveDeploymentStatus(ref, workload, countOldReplicas(workload, replicaSets, pods));
  }
}

function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}
