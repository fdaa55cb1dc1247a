import type { FieldPath, SourceRef } from '../manifest/source.js';
import type { FieldReader } from './field-reader.js';
import { parsePreStop } from './prestop.js';
import type { PreStop } from './prestop.js';
import type { ObjectRef, Provenance, Resolved } from './provenance.js';
import { ParameterValueError, parseDuration } from '../params/grammar.js';

/** A label selector (matchLabels and matchExpressions). */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly { key: string; operator: string; values: readonly string[] }[];
}

export interface ContainerFacts {
  readonly name: string;
  readonly index: number;
  readonly ports: readonly { name?: string; containerPort: number }[];
  readonly preStop: PreStop;
  readonly readinessProbe?: { readonly httpPath?: string; readonly path: FieldPath };
  /** The HTTP paths the container's liveness and startup probes request: what it says it serves. */
  readonly httpProbes?: readonly {
    readonly probe: 'livenessProbe' | 'startupProbe';
    readonly path: string;
    readonly port?: number | string;
  }[];
  /** Where the container is written, for pointing findings at it. */
  readonly path: FieldPath;
}

export type RolloutStrategy =
  | {
      readonly type: 'RollingUpdate';
      readonly maxSurge: Resolved<number | string>;
      readonly maxUnavailable: Resolved<number | string>;
    }
  | { readonly type: 'Recreate' }
  | { readonly type: 'OnDelete' }
  | {
      readonly type: 'Canary';
      readonly maxSurge: Resolved<number | string>;
      readonly maxUnavailable: Resolved<number | string>;
      readonly stableService?: string;
      readonly canaryService?: string;
      readonly albIngress?: string;
      readonly albIngresses: readonly string[];
      readonly albRootService?: string;
      readonly albServicePort?: number;
      readonly scaleDownDelaySeconds: Resolved<number>;
      readonly steps: readonly CanaryStep[];
    }
  | {
      readonly type: 'BlueGreen';
      readonly activeService?: string;
      readonly previewService?: string;
      readonly scaleDownDelaySeconds: Resolved<number>;
    };

export type CanaryStep =
  { readonly setWeight: number } | { readonly pause: { readonly durationSeconds?: number } };

export interface WorkloadObject {
  readonly ref: ObjectRef;
  readonly reader: FieldReader;
  readonly kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Rollout';
  readonly annotations: Readonly<Record<string, string>>;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly podAnnotations: Readonly<Record<string, string>>;
  readonly replicas: Resolved<number>;
  readonly minReadySeconds: Resolved<number>;
  readonly terminationGracePeriodSeconds: Resolved<number>;
  readonly readinessGates: readonly string[];
  readonly containers: readonly ContainerFacts[];
  readonly strategy: RolloutStrategy;
  /** Path of the pod spec, for fix snippets and positions. */
  readonly podSpecPath: FieldPath;
  /** An Argo Rollout's `spec.workloadRef`: the object whose pod template it runs instead of its own. */
  readonly workloadRef?: { readonly kind: string; readonly name: string };
  /**
   * Where the pod template is written when it is not in the workload itself: set by linking for a Rollout
   * whose workloadRef names a Deployment of the input (or of the cluster). Positions of template fields
   * and fixes to them go there.
   */
  readonly template?: PodTemplateOwner;
}

/** The object that holds a workload's pod template, with the reader that finds its fields' positions. */
export interface PodTemplateOwner {
  readonly ref: ObjectRef;
  readonly reader: FieldReader;
  /** Its own `metadata.annotations` (where users put `draingate.io/ignore` for what its template causes). */
  readonly annotations: Readonly<Record<string, string>>;
}

/** Where the workload's pod template is written: the workload itself, or the Deployment its workloadRef names. */
export function podTemplateOwner(workload: WorkloadObject): PodTemplateOwner {
  return workload.template ?? workload;
}

export interface ServiceObject {
  readonly ref: ObjectRef;
  readonly reader: FieldReader;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly { name?: string; port: number; targetPort: number | string; index: number }[];
  readonly annotations: Readonly<Record<string, string>>;
  readonly type: string;
  readonly loadBalancerClass?: string;
  /** `spec.externalTrafficPolicy` when it is `Local`; `Cluster` (the Kubernetes default) otherwise. */
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
}

export interface IngressBackendRef {
  readonly service: string;
  readonly port: number | string | undefined;
  readonly path: FieldPath;
}

export interface IngressObject {
  readonly ref: ObjectRef;
  readonly reader: FieldReader;
  /** The class as the controller reads it; `annotation` when it came from `kubernetes.io/ingress.class`. */
  readonly className?: { readonly name: string; readonly from: Provenance; readonly annotation: boolean };
  readonly annotations: Readonly<Record<string, string>>;
  readonly backends: readonly IngressBackendRef[];
}

export interface IngressClassObject {
  readonly name: string;
  readonly ref: ObjectRef;
  readonly controller: string;
  readonly paramsName?: string;
  /** `spec.parameters.apiGroup`: `elbv2.k8s.aws` for the controller's, `eks.amazonaws.com` for Auto Mode's. */
  readonly paramsGroup?: string;
  /** Annotated `ingressclass.kubernetes.io/is-default-class: "true"`: Ingresses without a class use it. */
  readonly isDefault: boolean;
}

export interface IngressClassParamsObject {
  readonly ref: ObjectRef;
  readonly reader: FieldReader;
  /** `elbv2.k8s.aws` (the controller's) or `eks.amazonaws.com` (EKS Auto Mode's). */
  readonly apiGroup: string;
  readonly targetType?: string;
  readonly group?: string;
  readonly loadBalancerAttributes: Readonly<Record<string, string>>;
}

export interface TargetGroupBindingObject {
  readonly ref: ObjectRef;
  readonly reader: FieldReader;
  readonly serviceName: string;
  readonly servicePort: number | string | undefined;
  readonly targetType?: string;
  readonly targetGroupARN?: string;
  readonly targetGroupName?: string;
  /** `metadata.labels`: the controller's stack labels tell whose load balancer the binding serves (stack.ts). */
  readonly labels: Readonly<Record<string, string>>;
}

export interface NamespaceObject {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ref: ObjectRef;
}

/** A HorizontalPodAutoscaler: it owns the replica count of the workload it scales. */
export interface HorizontalPodAutoscalerObject {
  readonly ref: ObjectRef;
  readonly targetKind: string;
  readonly targetName: string;
  readonly minReplicas: Resolved<number>;
  /** The field that sets the floor (`minReplicas`, KEDA's `minReplicaCount`), and where it is (or would be). */
  readonly minField: 'minReplicas' | 'minReplicaCount';
  readonly minAt?: SourceRef;
}

export function normalizeHorizontalPodAutoscaler(r: FieldReader): HorizontalPodAutoscalerObject | undefined {
  const targetKind = r.string(['spec', 'scaleTargetRef', 'kind']);
  const targetName = r.string(['spec', 'scaleTargetRef', 'name']);
  const minReplicas = r.integer(['spec', 'minReplicas'], { min: 0 });
  if (!r.ok || targetKind === undefined || targetName === undefined) return undefined;
  const minAt = r.at(['spec', 'minReplicas']);
  return {
    ref: r.ref,
    targetKind,
    targetName,
    minField: 'minReplicas',
    ...(minAt ? { minAt } : {}),
    minReplicas:
      minReplicas === undefined
        ? { value: 1, from: kubernetesDefault('the HorizontalPodAutoscaler sets no minReplicas (1)') }
        : { value: minReplicas, from: r.field(['spec', 'minReplicas']) },
  };
}

/**
 * A KEDA ScaledObject (`keda.sh/v1alpha1`) owns the replica count of its target the way an HPA does: KEDA
 * creates an HPA whose minReplicas is `minReplicaCount` when that is above 0, else 1, and scales between 0
 * and 1 itself (`ScaledObject.GetHPAMinReplicas`, apis/keda/v1alpha1/scaledobject_types.go). A workload
 * scaled to zero serves nothing and has nothing to drain; one that serves traffic runs at least one pod.
 * So the fewest pods a rollout under traffic starts from is `max(minReplicaCount, 1)`; `minReplicaCount`
 * defaults to 0 and `scaleTargetRef.kind` to Deployment.
 */
export function normalizeScaledObject(r: FieldReader): HorizontalPodAutoscalerObject | undefined {
  const targetKind = r.string(['spec', 'scaleTargetRef', 'kind']) ?? 'Deployment';
  const targetName = r.string(['spec', 'scaleTargetRef', 'name']);
  if (r.raw(['spec', 'scaleTargetRef', 'name']) === undefined)
    r.report(['spec', 'scaleTargetRef', 'name'], 'is required (the workload KEDA scales)');
  const path: FieldPath = ['spec', 'minReplicaCount'];
  const minReplicaCount = r.integer(path, { min: 0 });
  if (!r.ok || targetName === undefined) return undefined;
  const minAt = r.at(path);
  const from: Provenance =
    minReplicaCount === undefined
      ? {
          kind: 'default',
          authority: 'keda',
          note: `ScaledObject ${r.ref.name} sets no minReplicaCount (0: KEDA scales from 0 to 1 itself, so a rollout under traffic starts from 1)`,
        }
      : minReplicaCount === 0
        ? {
            kind: 'default',
            authority: 'keda',
            note: `ScaledObject ${r.ref.name} sets minReplicaCount 0 (KEDA scales from 0 to 1 itself, so a rollout under traffic starts from 1)`,
          }
        : r.field(path);
  return {
    ref: r.ref,
    targetKind,
    targetName,
    minReplicas: { value: Math.max(minReplicaCount ?? 0, 1), from },
    minField: 'minReplicaCount',
    ...(minAt ? { minAt } : {}),
  };
}

export interface PodDisruptionBudgetObject {
  readonly ref: ObjectRef;
  readonly selector: LabelSelector;
}

/**
 * A copy of a list built by `push` without its spare capacity (a one-item list grows room for 17): the
 * model keeps tens of thousands of them, which the garbage collector copies.
 */
function sized<T>(list: T[]): T[] {
  return list.slice();
}

const DEPLOYMENT_DEFAULTS = { replicas: 1, grace: 30, minReady: 0 } as const;

function kubernetesDefault(note: string): Provenance {
  return { kind: 'default', authority: 'kubernetes', note };
}

// Built once rather than per workload: every workload reads these, and provenances keep their paths.
const POD_SPEC: FieldPath = ['spec', 'template', 'spec'];
const REPLICAS: FieldPath = ['spec', 'replicas'];
const MIN_READY_SECONDS: FieldPath = ['spec', 'minReadySeconds'];
const GRACE_PERIOD: FieldPath = [...POD_SPEC, 'terminationGracePeriodSeconds'];
const READINESS_GATES: FieldPath = [...POD_SPEC, 'readinessGates'];
const CONTAINERS: FieldPath = [...POD_SPEC, 'containers'];
const METADATA_ANNOTATIONS: FieldPath = ['metadata', 'annotations'];
const POD_LABELS: FieldPath = ['spec', 'template', 'metadata', 'labels'];
const POD_ANNOTATIONS: FieldPath = ['spec', 'template', 'metadata', 'annotations'];
const DEPLOYMENT_MAX_SURGE: FieldPath = ['spec', 'strategy', 'rollingUpdate', 'maxSurge'];
const DEPLOYMENT_MAX_UNAVAILABLE: FieldPath = ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'];

// Defaults are the same for every workload that leaves a field out, so they are shared.
const DEFAULT_REPLICAS: Resolved<number> = {
  value: DEPLOYMENT_DEFAULTS.replicas,
  from: kubernetesDefault('spec.replicas is not set (1)'),
};
const DEFAULT_MIN_READY_SECONDS: Resolved<number> = {
  value: DEPLOYMENT_DEFAULTS.minReady,
  from: kubernetesDefault('spec.minReadySeconds is not set (0)'),
};
/**
 * A DaemonSet runs one pod per eligible node, a number no manifest holds. Rules that count replicas judge
 * a DaemonSet by its budget alone; the simulator needs a number and takes three nodes (one per zone of a
 * typical three-zone cluster), saying so.
 */
const DAEMONSET_PODS: Resolved<number> = {
  value: 3,
  from: kubernetesDefault(
    'a DaemonSet runs one pod per eligible node; the node count is not in the input (3 assumed)',
  ),
};
const DEFAULT_GRACE_PERIOD: Resolved<number> = {
  value: DEPLOYMENT_DEFAULTS.grace,
  from: kubernetesDefault('terminationGracePeriodSeconds is not set (30)'),
};

/** Reads a Deployment, StatefulSet, DaemonSet or Argo Rollout. */
export function normalizeWorkload(r: FieldReader): WorkloadObject | undefined {
  const kind = r.kind as WorkloadObject['kind'];
  // `workloadRef:` with nothing (null) is no reference, as Argo Rollouts reads it.
  const workloadRefValue = kind === 'Rollout' ? r.raw(['spec', 'workloadRef']) : undefined;
  const usesWorkloadRef = workloadRefValue !== undefined && workloadRefValue !== null;
  const workloadRef = usesWorkloadRef ? readWorkloadRef(r) : undefined;
  const replicasValue = kind === 'DaemonSet' ? undefined : r.integer(REPLICAS, { min: 0 });
  const replicas: Resolved<number> =
    kind === 'DaemonSet'
      ? DAEMONSET_PODS
      : replicasValue === undefined
        ? DEFAULT_REPLICAS
        : { value: replicasValue, from: r.field(REPLICAS) };
  const minReady = r.integer(MIN_READY_SECONDS, { min: 0 });
  const grace = r.integer(GRACE_PERIOD, { min: 0 });
  const readinessGates: string[] = [];
  const gates = r.within(READINESS_GATES);
  r.list(READINESS_GATES).forEach((_, index) => {
    const gate = gates.string([index, 'conditionType']);
    if (gate !== undefined) readinessGates.push(gate);
  });
  const containers: ContainerFacts[] = [];
  r.list(CONTAINERS).forEach((_, index) => {
    const container = readContainer(r.within([...CONTAINERS, index]), index);
    if (container) containers.push(container);
  });
  if (!usesWorkloadRef && r.raw(['spec', 'template']) === undefined) {
    r.report(['spec', 'template'], 'is required (a pod template)');
  }
  if (usesWorkloadRef) refuseTemplateBesideWorkloadRef(r);
  const podLabels = r.stringMap(POD_LABELS);
  if (!usesWorkloadRef) refuseSelectorBesideTemplate(r, kind, podLabels);
  const strategy = readStrategy(r, kind);
  const workload: WorkloadObject = {
    ref: r.ref,
    reader: r,
    kind,
    annotations: r.stringMap(METADATA_ANNOTATIONS),
    podLabels,
    podAnnotations: r.stringMap(POD_ANNOTATIONS),
    replicas,
    minReadySeconds:
      minReady === undefined
        ? DEFAULT_MIN_READY_SECONDS
        : { value: minReady, from: r.field(MIN_READY_SECONDS) },
    terminationGracePeriodSeconds:
      grace === undefined ? DEFAULT_GRACE_PERIOD : { value: grace, from: r.field(GRACE_PERIOD) },
    readinessGates: sized(readinessGates),
    containers: sized(containers),
    strategy,
    podSpecPath: POD_SPEC,
    ...(workloadRef ? { workloadRef } : {}),
  };
  return r.ok ? workload : undefined;
}

/**
 * Argo Rollouts refuses a Rollout with both a workloadRef and a template of its own ("template must be
 * empty for workload reference rollout", the Rollout then Degraded). It counts a template as set when it
 * has labels or annotations; the controller itself never writes the resolved template back.
 */
function refuseTemplateBesideWorkloadRef(r: FieldReader): void {
  for (const path of [POD_LABELS, POD_ANNOTATIONS]) {
    const written = r.raw(path);
    // A list or a scalar there is reported as not a mapping, once.
    const mapping = typeof written === 'object' && written !== null && !Array.isArray(written);
    if (mapping && Object.keys(written).length > 0) {
      r.report(
        path,
        'must be empty when spec.workloadRef is set: Argo Rollouts refuses such a Rollout ("template must be empty for workload reference rollout") and marks it Degraded',
      );
      return;
    }
  }
}

/** `spec.workloadRef` of an Argo Rollout: a kind and a name (its apiVersion is not needed to find it). */
function readWorkloadRef(r: FieldReader): WorkloadObject['workloadRef'] {
  if (!r.mapping(['spec', 'workloadRef'])) return undefined;
  const required = (field: 'kind' | 'name'): string | undefined => {
    const path = ['spec', 'workloadRef', field];
    if (r.raw(path) === undefined || r.raw(path) === null) r.report(path, 'is required');
    return r.string(path);
  };
  const kind = required('kind');
  const name = required('name');
  return kind !== undefined && name !== undefined ? { kind, name } : undefined;
}

/** Reads one container; `c` reads from the container, so paths here are relative to it. */
function readContainer(c: FieldReader, index: number): ContainerFacts | undefined {
  const name = c.string(['name']);
  if (name === undefined) {
    c.report(['name'], 'is required');
    return undefined;
  }
  const ports: { name?: string; containerPort: number }[] = [];
  c.list(['ports']).forEach((_, i) => {
    const port = c.within(['ports', i]);
    const containerPort = port.integer(['containerPort'], { min: 1, max: 65535 });
    const portName = port.string(['name']);
    if (containerPort !== undefined) ports.push({ containerPort, ...(portName ? { name: portName } : {}) });
  });
  const preStopMap = c.mapping(['lifecycle', 'preStop']);
  if (preStopMap) {
    const preStop = c.within(['lifecycle', 'preStop']);
    preStop.integer(['sleep', 'seconds'], { min: 0 });
    preStop.list(['exec', 'command']).forEach((_, i) => preStop.string(['exec', 'command', i]));
  }
  const probe = c.mapping(['readinessProbe']);
  const httpPath = probe ? c.string(['readinessProbe', 'httpGet', 'path']) : undefined;
  const httpProbes: NonNullable<ContainerFacts['httpProbes']>[number][] = [];
  for (const kind of ['livenessProbe', 'startupProbe'] as const) {
    if (!c.mapping([kind, 'httpGet'])) continue;
    const path = c.string([kind, 'httpGet', 'path']);
    const port = c.intOrString([kind, 'httpGet', 'port']);
    if (path !== undefined) httpProbes.push({ probe: kind, path, ...(port !== undefined ? { port } : {}) });
  }
  return {
    name,
    index,
    ports: sized(ports),
    preStop: parsePreStop(preStopMap),
    ...(probe
      ? { readinessProbe: { path: c.path.concat('readinessProbe'), ...(httpPath ? { httpPath } : {}) } }
      : {}),
    ...(httpProbes.length > 0 ? { httpProbes } : {}),
    path: c.path,
  };
}

function readStrategy(r: FieldReader, kind: WorkloadObject['kind']): RolloutStrategy {
  const surgeDefault = (field: string): Provenance => kubernetesDefault(`${field} is not set (25%)`);
  const intOrPercent = (path: FieldPath, name: string): Resolved<number | string> => {
    const value = r.intOrString(path);
    if (typeof value === 'string' && !/^\d+%$/.test(value)) {
      r.report(path, `must be an integer or a percentage such as "25%", got ${JSON.stringify(value)}`);
    }
    return value === undefined ? { value: '25%', from: surgeDefault(name) } : { value, from: r.field(path) };
  };
  if (kind === 'Deployment') {
    const type = r.string(['spec', 'strategy', 'type']) ?? 'RollingUpdate';
    if (type === 'Recreate') return { type: 'Recreate' };
    return {
      type: 'RollingUpdate',
      maxSurge: intOrPercent(DEPLOYMENT_MAX_SURGE, 'maxSurge'),
      maxUnavailable: intOrPercent(DEPLOYMENT_MAX_UNAVAILABLE, 'maxUnavailable'),
    };
  }
  if (kind === 'DaemonSet') return readDaemonSetStrategy(r);
  if (kind === 'StatefulSet') {
    const type = r.string(['spec', 'updateStrategy', 'type']) ?? 'RollingUpdate';
    if (type === 'OnDelete') return { type: 'OnDelete' };
    const path: FieldPath = ['spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable'];
    const value = r.intOrString(path);
    return {
      type: 'RollingUpdate',
      maxSurge: { value: 0, from: kubernetesDefault('StatefulSets never surge') },
      maxUnavailable:
        value === undefined
          ? { value: 1, from: kubernetesDefault('a StatefulSet replaces one pod at a time') }
          : { value, from: r.field(path) },
    };
  }
  const scaleDown = (path: FieldPath): Resolved<number> => {
    const value = r.integer(path, { min: 0 });
    return value === undefined
      ? {
          value: 30,
          from: {
            kind: 'default',
            authority: 'argo-rollouts',
            note: 'scaleDownDelaySeconds is not set (30)',
          },
        }
      : { value, from: r.field(path) };
  };
  if (r.raw(['spec', 'strategy', 'blueGreen']) !== undefined) {
    const base: FieldPath = ['spec', 'strategy', 'blueGreen'];
    const active = r.string([...base, 'activeService']);
    const preview = r.string([...base, 'previewService']);
    return {
      type: 'BlueGreen',
      ...(active ? { activeService: active } : {}),
      ...(preview ? { previewService: preview } : {}),
      scaleDownDelaySeconds: scaleDown([...base, 'scaleDownDelaySeconds']),
    };
  }
  const base: FieldPath = ['spec', 'strategy', 'canary'];
  const alb: FieldPath = [...base, 'trafficRouting', 'alb'];
  // Ping-pong canaries swap two Services between the stable and canary roles at each rollout; for drain
  // timing the two are the same, so ping stands for stable and pong for canary.
  const stable = r.string([...base, 'stableService']) ?? r.string([...base, 'pingPong', 'pingService']);
  const canary = r.string([...base, 'canaryService']) ?? r.string([...base, 'pingPong', 'pongService']);
  const albIngress = r.string([...alb, 'ingress']);
  const albIngresses = r
    .list([...alb, 'ingresses'])
    .map((_, i) => r.string([...alb, 'ingresses', i]))
    .filter((value): value is string => value !== undefined);
  const rootService = r.string([...alb, 'rootService']);
  const servicePort = r.integer([...alb, 'servicePort'], { min: 1, max: 65535 });
  const steps = r
    .list([...base, 'steps'])
    .map((_, i): CanaryStep | undefined => {
      const weight = r.integer([...base, 'steps', i, 'setWeight'], { min: 0, max: 100 });
      if (weight !== undefined) return { setWeight: weight };
      if (r.raw([...base, 'steps', i, 'pause']) !== undefined) {
        const duration = r.raw([...base, 'steps', i, 'pause', 'duration']);
        const seconds = parseArgoDuration(duration);
        return { pause: seconds === undefined ? {} : { durationSeconds: seconds } };
      }
      return undefined;
    })
    .filter((step): step is CanaryStep => step !== undefined);
  return {
    type: 'Canary',
    maxSurge: intOrPercent([...base, 'maxSurge'], 'maxSurge'),
    maxUnavailable: intOrPercent([...base, 'maxUnavailable'], 'maxUnavailable'),
    ...(stable ? { stableService: stable } : {}),
    ...(canary ? { canaryService: canary } : {}),
    ...(albIngress ? { albIngress } : {}),
    albIngresses: albIngress ? [albIngress, ...albIngresses] : albIngresses,
    ...(rootService ? { albRootService: rootService } : {}),
    ...(servicePort ? { albServicePort: servicePort } : {}),
    scaleDownDelaySeconds: scaleDown([...base, 'scaleDownDelaySeconds']),
    steps,
  };
}

/**
 * A DaemonSet's `spec.updateStrategy`: RollingUpdate by default, with maxUnavailable 1 and maxSurge 0 (the
 * old pod on a node is stopped before its replacement starts); OnDelete replaces nothing by itself.
 * Kubernetes API reference, DaemonSetSpec / RollingUpdateDaemonSet (maxSurge GA since 1.25).
 */
function readDaemonSetStrategy(r: FieldReader): RolloutStrategy {
  const type = r.string(['spec', 'updateStrategy', 'type']) ?? 'RollingUpdate';
  if (type === 'OnDelete') return { type: 'OnDelete' };
  if (type !== 'RollingUpdate')
    r.report(
      ['spec', 'updateStrategy', 'type'],
      `must be RollingUpdate or OnDelete, got ${JSON.stringify(type)}`,
    );
  const budget = (field: 'maxSurge' | 'maxUnavailable', fallback: number): Resolved<number | string> => {
    const path: FieldPath = ['spec', 'updateStrategy', 'rollingUpdate', field];
    const value = r.intOrString(path);
    if (typeof value === 'string' && !/^\d+%$/.test(value))
      r.report(path, `must be an integer or a percentage such as "25%", got ${JSON.stringify(value)}`);
    return value === undefined
      ? { value: fallback, from: kubernetesDefault(`a DaemonSet's ${field} is not set (${fallback})`) }
      : { value, from: r.field(path) };
  };
  return {
    type: 'RollingUpdate',
    maxSurge: budget('maxSurge', 0),
    maxUnavailable: budget('maxUnavailable', 1),
  };
}

/**
 * Argo durations: an integer of seconds, or a string such as `30s`, `5m`, `1h` — the grammar every front end
 * reads durations with. Anything else is left unread (the pause then has no known length).
 */
function parseArgoDuration(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') return undefined;
  try {
    return parseDuration(value);
  } catch (error) {
    if (error instanceof ParameterValueError) return undefined;
    throw error;
  }
}

export function normalizeService(r: FieldReader): ServiceObject | undefined {
  const ports = r
    .list(['spec', 'ports'])
    .map((_, index) => {
      const port = r.integer(['spec', 'ports', index, 'port'], { min: 1, max: 65535 });
      const name = r.string(['spec', 'ports', index, 'name']);
      const targetPort = r.intOrString(['spec', 'ports', index, 'targetPort']);
      // A quoted number is a port name to the API server, which refuses a name without a letter; taken as
      // a name here, it would select no container port and the workload would go unjudged.
      if (typeof targetPort === 'string' && /^[0-9]+$/.test(targetPort))
        r.report(
          ['spec', 'ports', index, 'targetPort'],
          `is the string ${JSON.stringify(targetPort)}, which the API server refuses (a port name needs a letter): write ${targetPort} without quotes`,
        );
      if (port === undefined) return undefined;
      return { port, targetPort: targetPort ?? port, index, ...(name ? { name } : {}) };
    })
    .filter((port) => port !== undefined);
  const loadBalancerClass = r.string(['spec', 'loadBalancerClass']);
  const trafficPolicy = r.string(['spec', 'externalTrafficPolicy']);
  const service: ServiceObject = {
    ref: r.ref,
    reader: r,
    selector: r.stringMap(['spec', 'selector']),
    ports: sized(ports),
    annotations: r.stringMap(METADATA_ANNOTATIONS),
    type: r.string(['spec', 'type']) ?? 'ClusterIP',
    ...(loadBalancerClass ? { loadBalancerClass } : {}),
    // The API server also accepts the pre-1.24 spelling in any case; only Local changes behaviour.
    externalTrafficPolicy: trafficPolicy?.toLowerCase() === 'local' ? 'Local' : 'Cluster',
  };
  return r.ok ? service : undefined;
}

export function normalizeIngress(r: FieldReader): IngressObject | undefined {
  const annotations = r.stringMap(METADATA_ANNOTATIONS);
  const classField = r.string(['spec', 'ingressClassName']);
  const classAnnotation = annotations['kubernetes.io/ingress.class'];
  // The controller reads the annotation first: "the kubernetes.io/ingress.class annotation takes higher
  // priority than ingressClassName field" (classifyIngress, pkg/ingress/group_loader.go, v3.5.0).
  const className =
    classAnnotation !== undefined
      ? { name: classAnnotation, from: r.annotation('kubernetes.io/ingress.class'), annotation: true }
      : classField
        ? { name: classField, from: r.field(['spec', 'ingressClassName']), annotation: false }
        : undefined;
  const backends: IngressBackendRef[] = [];
  const readBackend = (path: FieldPath): void => {
    const backend = r.within(path);
    const service = backend.string(['service', 'name']) ?? backend.string(['serviceName']);
    if (service === undefined) return;
    const port =
      backend.integer(['service', 'port', 'number'], { min: 1, max: 65535 }) ??
      backend.string(['service', 'port', 'name']) ??
      backend.intOrString(['servicePort']);
    backends.push({ service, port, path });
  };
  if (r.raw(['spec', 'defaultBackend']) !== undefined) readBackend(['spec', 'defaultBackend']);
  if (r.raw(['spec', 'backend']) !== undefined) readBackend(['spec', 'backend']);
  r.list(['spec', 'rules']).forEach((_, i) => {
    r.list(['spec', 'rules', i, 'http', 'paths']).forEach((__, j) =>
      readBackend(['spec', 'rules', i, 'http', 'paths', j, 'backend']),
    );
  });
  // Argo Rollouts' ALB routing and hand-written actions put the real backends in an annotation.
  for (const key in annotations) {
    if (!key.startsWith('alb.ingress.kubernetes.io/actions.')) continue;
    for (const service of servicesInActionAnnotation(annotations[key]!)) {
      backends.push({ service: service.name, port: service.port, path: ['metadata', 'annotations', key] });
    }
  }
  const ingress: IngressObject = {
    ref: r.ref,
    reader: r,
    ...(className ? { className } : {}),
    annotations,
    backends: sized(backends),
  };
  return r.ok ? ingress : undefined;
}

/** Services named in an `alb.ingress.kubernetes.io/actions.*` forward action (JSON). Unparseable: none. */
function servicesInActionAnnotation(value: string): { name: string; port: number | string | undefined }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [];
  }
  const out: { name: string; port: number | string | undefined }[] = [];
  const groups = (parsed as { forwardConfig?: { targetGroups?: unknown } } | null)?.forwardConfig
    ?.targetGroups;
  if (!Array.isArray(groups)) return out;
  for (const group of groups) {
    if (typeof group !== 'object' || group === null) continue;
    const name = (group as Record<string, unknown>)['serviceName'];
    const port = (group as Record<string, unknown>)['servicePort'];
    if (typeof name === 'string') {
      out.push({
        name,
        port:
          typeof port === 'number'
            ? port
            : typeof port === 'string'
              ? /^\d+$/.test(port)
                ? Number(port)
                : port
              : undefined,
      });
    }
  }
  return out;
}

export function normalizeIngressClass(r: FieldReader): IngressClassObject | undefined {
  const controller = r.string(['spec', 'controller']) ?? '';
  const paramsKind = r.string(['spec', 'parameters', 'kind']);
  const paramsName = r.string(['spec', 'parameters', 'name']);
  const paramsGroup = r.string(['spec', 'parameters', 'apiGroup']);
  const annotations = r.stringMap(METADATA_ANNOTATIONS);
  const value: IngressClassObject = {
    name: r.ref.name,
    ref: r.refInNamespace(''),
    controller,
    ...(paramsKind === 'IngressClassParams' && paramsName ? { paramsName } : {}),
    ...(paramsGroup ? { paramsGroup } : {}),
    isDefault: annotations['ingressclass.kubernetes.io/is-default-class'] === 'true',
  };
  return r.ok ? value : undefined;
}

export function normalizeIngressClassParams(
  r: FieldReader,
  apiGroup: string,
): IngressClassParamsObject | undefined {
  const attributes: Record<string, string> = {};
  r.list(['spec', 'loadBalancerAttributes']).forEach((_, i) => {
    const key = r.string(['spec', 'loadBalancerAttributes', i, 'key']);
    const value = r.string(['spec', 'loadBalancerAttributes', i, 'value']);
    if (key !== undefined && value !== undefined) attributes[key] = value;
  });
  const targetType = r.string(['spec', 'targetType']);
  const group = r.string(['spec', 'group', 'name']);
  const value: IngressClassParamsObject = {
    ref: r.refInNamespace(''),
    reader: r,
    apiGroup,
    loadBalancerAttributes: attributes,
    ...(targetType ? { targetType } : {}),
    ...(group ? { group } : {}),
  };
  return r.ok ? value : undefined;
}

export function normalizeTargetGroupBinding(r: FieldReader): TargetGroupBindingObject | undefined {
  const serviceName = r.string(['spec', 'serviceRef', 'name']);
  if (serviceName === undefined) r.report(['spec', 'serviceRef', 'name'], 'is required');
  const servicePort = r.intOrString(['spec', 'serviceRef', 'port']);
  const targetType = r.string(['spec', 'targetType']);
  const arn = r.string(['spec', 'targetGroupARN']);
  const tgName = r.string(['spec', 'targetGroupName']);
  const labels = r.stringMap(['metadata', 'labels']);
  if (!r.ok || serviceName === undefined) return undefined;
  return {
    ref: r.ref,
    reader: r,
    serviceName,
    servicePort,
    labels,
    ...(targetType ? { targetType } : {}),
    ...(arn ? { targetGroupARN: arn } : {}),
    ...(tgName ? { targetGroupName: tgName } : {}),
  };
}

/**
 * A workload whose selector does not select its own pod template is refused by the API server ("selector
 * does not match template labels"): judged anyway, it would be linked as if it ran.
 */
function refuseSelectorBesideTemplate(
  r: FieldReader,
  kind: string,
  labels: Readonly<Record<string, string>>,
): void {
  if (r.raw(WORKLOAD_SELECTOR) == null) return;
  const selector = readSelector(r, WORKLOAD_SELECTOR);
  if (!selectorMatches(selector, labels))
    r.report(
      WORKLOAD_SELECTOR,
      `does not select the pod template's labels (${describeLabels(labels)}): the API server refuses such a ${kind}`,
    );
}

const WORKLOAD_SELECTOR: FieldPath = ['spec', 'selector'];

function describeLabels(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? 'none' : entries.map(([key, value]) => `${key}=${value}`).join(', ');
}

export function normalizeNamespace(r: FieldReader): NamespaceObject | undefined {
  const labels = r.stringMap(['metadata', 'labels']);
  return r.ok ? { name: r.ref.name, labels, ref: r.refInNamespace(r.ref.name) } : undefined;
}

export function normalizePodDisruptionBudget(r: FieldReader): PodDisruptionBudgetObject | undefined {
  const selector = readSelector(r, ['spec', 'selector']);
  if (r.raw(['spec', 'minAvailable']) != null && r.raw(['spec', 'maxUnavailable']) != null)
    r.report(
      ['spec', 'maxUnavailable'],
      'may not be set together with minAvailable: the API server refuses such a PodDisruptionBudget, so it covers nothing',
    );
  return r.ok ? { ref: r.ref, selector } : undefined;
}

const NO_EXPRESSIONS: LabelSelector['matchExpressions'] = [];

/** A label selector at `path` (`matchLabels`, `matchExpressions`), as workloads, PDBs and Gateways write it. */
export function readSelector(r: FieldReader, path: FieldPath): LabelSelector {
  const matchLabels = r.stringMap([...path, 'matchLabels']);
  const expressions = r.list([...path, 'matchExpressions']);
  if (expressions.length === 0) return { matchLabels, matchExpressions: NO_EXPRESSIONS };
  const matchExpressions = expressions.flatMap((_, i) => {
    const key = r.string([...path, 'matchExpressions', i, 'key']);
    const operator = r.string([...path, 'matchExpressions', i, 'operator']);
    const values = r
      .list([...path, 'matchExpressions', i, 'values'])
      .map((__, j) => r.string([...path, 'matchExpressions', i, 'values', j]))
      .filter((value): value is string => value !== undefined);
    return key !== undefined && operator !== undefined ? [{ key, operator, values }] : [];
  });
  return { matchLabels, matchExpressions };
}

/** Whether a label selector selects a set of labels. An empty selector selects everything, as in Kubernetes. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const key in selector.matchLabels) {
    if (labels[key] !== selector.matchLabels[key]) return false;
  }
  for (const expression of selector.matchExpressions) {
    const value = labels[expression.key];
    switch (expression.operator) {
      case 'In':
        if (value === undefined || !expression.values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && expression.values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A Service's equality selector: an empty one selects nothing (headless Services with manual endpoints). */
export function serviceSelects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  let empty = true;
  for (const key in selector) {
    if (labels[key] !== selector[key]) return false;
    empty = false;
  }
  return !empty;
}
