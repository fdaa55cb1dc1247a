import type { ManifestObject } from '../manifest/parse.js';
import type { InputProblem } from '../manifest/source.js';
import { formatFieldPath } from '../manifest/source.js';
import { ALLOWANCE_DEFAULTS } from '../timing/defaults.js';
import { ALB_INGRESS_CONTROLLER, ANNOTATIONS, NLB, ALB } from './annotations.js';
import type { BackendFacts, Route, WorkloadFacts } from './facts.js';
import { FieldReader, liveSource } from './field-reader.js';
import {
  podTemplateOwner,
  normalizeIngress,
  normalizeIngressClass,
  normalizeIngressClassParams,
  normalizeNamespace,
  normalizeHorizontalPodAutoscaler,
  normalizePodDisruptionBudget,
  normalizeService,
  normalizeTargetGroupBinding,
  normalizeWorkload,
  selectorMatches,
  serviceSelects,
} from './objects.js';
import type {
  HorizontalPodAutoscalerObject,
  IngressClassObject,
  IngressClassParamsObject,
  IngressObject,
  NamespaceObject,
  PodDisruptionBudgetObject,
  ServiceObject,
  TargetGroupBindingObject,
  WorkloadObject,
} from './objects.js';
import type { Provenance, Resolved } from './provenance.js';
import { resolveAlbSettings, resolveBindingSettings, resolveNlbSettings } from './settings.js';

export interface BuildFactsOptions {
  /** Namespace of objects that name none (as `kubectl apply -n` would place them). */
  readonly defaultNamespace?: string;
  /** S when a workload does not declare `draingate.io/shutdown-seconds`. */
  readonly shutdownSeconds?: Resolved<number>;
}

/** The objects of an input, normalized and indexed. */
export interface Inventory {
  readonly workloads: WorkloadObject[];
  readonly services: ServiceObject[];
  readonly ingresses: IngressObject[];
  readonly ingressClasses: IngressClassObject[];
  readonly ingressClassParams: IngressClassParamsObject[];
  readonly bindings: TargetGroupBindingObject[];
  readonly namespaces: NamespaceObject[];
  readonly pdbs: PodDisruptionBudgetObject[];
  readonly autoscalers: HorizontalPodAutoscalerObject[];
  /** Objects of kinds draingate does not read. */
  skippedKinds: number;
}

export interface BuiltFacts {
  readonly facts: WorkloadFacts[];
  readonly inventory: Inventory;
  readonly problems: InputProblem[];
}

/** The rules a workload without `draingate.io/ignore` ignores: none (shared, never changed). */
const NOTHING_IGNORED: ReadonlySet<string> = new Set();

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Rollout']);

/** An empty inventory to normalize objects into. */
export function createInventory(): Inventory {
  return {
    workloads: [],
    services: [],
    ingresses: [],
    ingressClasses: [],
    ingressClassParams: [],
    bindings: [],
    namespaces: [],
    pdbs: [],
    autoscalers: [],
    skippedKinds: 0,
  };
}

/**
 * Normalizes objects by kind into `inventory`; objects with invalid fields become problems and are left
 * out. The parsed objects are not kept: call it file by file to keep memory flat.
 */
export function normalizeObjects(
  objects: readonly ManifestObject[],
  defaultNamespace: string,
  problems: InputProblem[],
  inventory: Inventory = createInventory(),
): Inventory {
  for (const object of objects) normalizeObject(object, defaultNamespace, problems, inventory);
  return inventory;
}

/** Normalizes one object into `inventory` (see `normalizeObjects`); the parsed body is not kept. */
export function normalizeObject(
  object: ManifestObject,
  defaultNamespace: string,
  problems: InputProblem[],
  inventory: Inventory,
): void {
  const reader = new FieldReader(object, problems, defaultNamespace);
  const slash = object.apiVersion.indexOf('/');
  const group = slash < 0 ? object.apiVersion : object.apiVersion.slice(0, slash);
  if (WORKLOAD_KINDS.has(object.kind) && (object.kind !== 'Rollout' || group === 'argoproj.io')) {
    push(inventory.workloads, normalizeWorkload(reader));
  } else if (object.kind === 'Service' && object.apiVersion === 'v1') {
    push(inventory.services, normalizeService(reader));
  } else if (object.kind === 'Ingress') {
    push(inventory.ingresses, normalizeIngress(reader));
  } else if (object.kind === 'IngressClass') {
    push(inventory.ingressClasses, normalizeIngressClass(reader));
  } else if (object.kind === 'IngressClassParams' && group === 'elbv2.k8s.aws') {
    push(inventory.ingressClassParams, normalizeIngressClassParams(reader));
  } else if (object.kind === 'TargetGroupBinding' && group === 'elbv2.k8s.aws') {
    push(inventory.bindings, normalizeTargetGroupBinding(reader));
  } else if (object.kind === 'Namespace' && object.apiVersion === 'v1') {
    push(inventory.namespaces, normalizeNamespace(reader));
  } else if (object.kind === 'HorizontalPodAutoscaler') {
    push(inventory.autoscalers, normalizeHorizontalPodAutoscaler(reader));
  } else if (object.kind === 'PodDisruptionBudget') {
    push(inventory.pdbs, normalizePodDisruptionBudget(reader));
  } else {
    inventory.skippedKinds += 1;
  }
  reader.release();
}

function push<T>(list: T[], value: T | undefined): void {
  if (value !== undefined) list.push(value);
}

/**
 * Links workloads to the Services that select them, and those to the Ingresses, TargetGroupBindings, Argo
 * ALB routing and NLB Services that reach them, resolving every load-balancer setting with its provenance.
 */
export function buildFacts(objects: readonly ManifestObject[], options: BuildFactsOptions = {}): BuiltFacts {
  const problems: InputProblem[] = [];
  const inventory = normalizeObjects(objects, options.defaultNamespace ?? 'default', problems);
  const facts = linkInventory(inventory, options, problems);
  return { facts, inventory, problems };
}

export function linkInventory(
  inventory: Inventory,
  options: BuildFactsOptions,
  problems: InputProblem[],
): WorkloadFacts[] {
  const facts: WorkloadFacts[] = [];
  linkEachWorkload(inventory, options, problems, (workload) => facts.push(workload));
  return facts;
}

/**
 * `linkInventory`, handing each workload's facts to `visit` as soon as they are linked, in the same order
 * and with the same problems. A caller that evaluates them at once lets them go young, which spares the
 * garbage collector from copying every workload's facts into the old generation.
 */
export function linkEachWorkload(
  inventory: Inventory,
  options: BuildFactsOptions,
  problems: InputProblem[],
  visit: (facts: WorkloadFacts) => void,
): void {
  const byNamespace = <T extends { ref: { namespace: string } }>(list: readonly T[]): Map<string, T[]> => {
    const map = new Map<string, T[]>();
    for (const item of list) {
      const bucket = map.get(item.ref.namespace) ?? [];
      bucket.push(item);
      map.set(item.ref.namespace, bucket);
    }
    return map;
  };
  const ingresses = byNamespace(inventory.ingresses);
  const bindings = byNamespace(inventory.bindings);
  const namespaces = new Map(inventory.namespaces.map((ns) => [ns.name, ns]));
  const classes = new Map(inventory.ingressClasses.map((c) => [c.name, c]));
  const params = new Map(inventory.ingressClassParams.map((p) => [p.ref.name, p]));
  const ingressesByService = new Map<string, IngressObject[]>();
  for (const ingress of inventory.ingresses) {
    if (!isAlbIngress(ingress, classes)) continue;
    for (const backend of ingress.backends) {
      const key = `${ingress.ref.namespace}/${backend.service}`;
      const list = ingressesByService.get(key) ?? [];
      if (!list.includes(ingress)) list.push(ingress);
      ingressesByService.set(key, list);
    }
  }
  // Only the members that set load-balancer attributes matter to the others of their IngressGroup.
  const groups = new Map<string, IngressObject[]>();
  for (const ingress of inventory.ingresses) {
    const group = ingress.annotations[ALB.groupName];
    if (!group || ingress.annotations[ALB.loadBalancerAttributes] === undefined) continue;
    const members = groups.get(group);
    if (members) members.push(ingress);
    else groups.set(group, [ingress]);
  }
  const serviceIndex = new LabelIndex<ServiceObject>();
  for (const service of inventory.services)
    serviceIndex.add(service.ref.namespace, service.selector, service);
  const pdbIndex = new LabelIndex<PodDisruptionBudgetObject>();
  for (const pdb of inventory.pdbs) pdbIndex.add(pdb.ref.namespace, pdb.selector.matchLabels, pdb);
  const defaultShutdown: Resolved<number> = options.shutdownSeconds ?? {
    value: ALLOWANCE_DEFAULTS.shutdownSeconds,
    from: {
      kind: 'default',
      authority: 'draingate',
      note: `shutdown allowance S (${ALLOWANCE_DEFAULTS.shutdownSeconds} s)`,
    },
  };

  const autoscalers = new Map(
    inventory.autoscalers.map((hpa) => [`${hpa.ref.namespace}/${hpa.targetKind}/${hpa.targetName}`, hpa]),
  );

  // Rollouts that run a Deployment's pod template (spec.workloadRef) are judged with that template.
  const deployments = inventory.workloads.some((workload) => workload.workloadRef)
    ? new Map(
        inventory.workloads
          .filter((workload) => workload.kind === 'Deployment')
          .map((deployment) => [`${deployment.ref.namespace}/${deployment.ref.name}`, deployment]),
      )
    : undefined;

  for (const declared of inventory.workloads) {
    const templated = deployments ? withReferencedTemplate(declared, deployments) : declared;
    // An autoscaler owns the replica count: the fewest pods a rollout can start from is its minReplicas.
    const hpa =
      autoscalers.size > 0
        ? autoscalers.get(`${declared.ref.namespace}/${declared.kind}/${declared.ref.name}`)
        : undefined;
    const workload = hpa ? { ...templated, replicas: hpa.minReplicas } : templated;
    const ns = workload.ref.namespace;
    const selecting = serviceIndex
      .candidates(ns, workload.podLabels)
      .filter((service) => serviceSelects(service.selector, workload.podLabels));
    const backends: BackendFacts[] = [];
    for (const service of selecting) {
      for (const route of routesTo(
        service,
        workload,
        ingressesByService,
        bindings.get(ns) ?? [],
        ingresses.get(ns) ?? [],
      )) {
        const ports = portsFor(service, route);
        for (const servicePort of ports) {
          const ingress =
            route.kind === 'Ingress'
              ? route.ingress
              : route.kind === 'RolloutAlb'
                ? route.ingress
                : undefined;
          const ingressParams = ingress ? paramsFor(ingress, classes, params) : undefined;
          const groupName = ingress?.annotations[ALB.groupName];
          const loadBalancer =
            route.kind === 'NlbService'
              ? 'nlb'
              : route.kind === 'TargetGroupBinding' && isNlbService(service)
                ? 'nlb'
                : 'alb';
          const settings =
            route.kind === 'NlbService'
              ? resolveNlbSettings(service, problems)
              : route.kind === 'TargetGroupBinding'
                ? resolveBindingSettings(route.binding, loadBalancer)
                : resolveAlbSettings(
                    service,
                    ingress,
                    ingressParams,
                    groupName ? (groups.get(groupName) ?? []) : [],
                    problems,
                  );
          backends.push({
            loadBalancer,
            service,
            servicePort,
            route,
            routeRef:
              route.kind === 'Ingress'
                ? route.ingress.ref
                : route.kind === 'TargetGroupBinding'
                  ? route.binding.ref
                  : route.kind === 'RolloutAlb' && route.ingress
                    ? route.ingress.ref
                    : service.ref,
            servingContainers: servingContainerNames(workload, servicePort.targetPort),
            settings,
          });
        }
      }
    }
    // The workload's own annotations override its pod template's.
    // The workload's own annotations override its pod template's. For a Rollout that runs a Deployment's
    // template, the Deployment's own annotations come between: findings on that template point there.
    const annotation = (key: string): string | undefined =>
      workload.annotations[key] ?? workload.template?.annotations[key] ?? workload.podAnnotations[key];
    const ignoreList = annotation(ANNOTATIONS.ignore);
    const shutdown = readSecondsAnnotation(workload, ANNOTATIONS.shutdownSeconds, problems);
    const keepAlive = readSecondsAnnotation(workload, ANNOTATIONS.keepAliveTimeoutSeconds, problems);
    const namespace = namespaces.get(ns);
    const reason = annotation(ANNOTATIONS.ignoreReason);
    visit({
      workload,
      ...(namespace ? { namespace } : {}),
      services: selecting,
      backends: dedupeBackends(backends),
      pdbs: pdbIndex
        .candidates(ns, workload.podLabels)
        .filter((pdb) => selectorMatches(pdb.selector, workload.podLabels)),
      shutdownSeconds: shutdown ?? defaultShutdown,
      ...(keepAlive ? { keepAliveTimeoutSeconds: keepAlive } : {}),
      ignored: {
        rules:
          ignoreList === undefined
            ? NOTHING_IGNORED
            : new Set(
                ignoreList
                  .split(/[\s,]+/)
                  .map((id) => id.trim().toUpperCase())
                  .filter((id) => id !== ''),
              ),
        ...(reason ? { reason } : {}),
      },
    } satisfies WorkloadFacts);
  }
}

/**
 * A Rollout with a `workloadRef` to a Deployment of the inventory, with that Deployment's pod template: its
 * labels, annotations, containers, grace period and readiness gates, as Argo Rollouts runs it. Everything
 * else (replicas, minReadySeconds, strategy, the Rollout's own annotations) stays the Rollout's. Other
 * workloads, and references to objects the inventory does not hold, are returned as they are.
 */
function withReferencedTemplate(
  workload: WorkloadObject,
  deployments: ReadonlyMap<string, WorkloadObject>,
): WorkloadObject {
  if (workload.workloadRef?.kind !== 'Deployment') return workload;
  const deployment = deployments.get(`${workload.ref.namespace}/${workload.workloadRef.name}`);
  if (!deployment) return workload;
  return {
    ...workload,
    podLabels: deployment.podLabels,
    podAnnotations: deployment.podAnnotations,
    terminationGracePeriodSeconds: deployment.terminationGracePeriodSeconds,
    readinessGates: deployment.readinessGates,
    containers: deployment.containers,
    podSpecPath: deployment.podSpecPath,
    template: { ref: deployment.ref, reader: deployment.reader, annotations: deployment.annotations },
  };
}

const NO_CANDIDATES: readonly never[] = [];

/**
 * Finds the objects whose label selector may select a set of labels without testing every object of the
 * namespace: each is filed under one `key=value` of its selector (those with none are always candidates).
 * Maps by namespace, key and value rather than by a joined string: a lookup then builds no string.
 */
class LabelIndex<T> {
  private readonly byPair = new Map<string, Map<string, Map<string, T[]>>>();
  private readonly unkeyed = new Map<string, T[]>();

  add(namespace: string, matchLabels: Readonly<Record<string, string>>, item: T): void {
    const first = Object.entries(matchLabels).sort(([a], [b]) => a.localeCompare(b))[0];
    let list: T[] | undefined;
    if (first) {
      const [key, value] = first;
      let byKey = this.byPair.get(namespace);
      if (!byKey) this.byPair.set(namespace, (byKey = new Map()));
      let byValue = byKey.get(key);
      if (!byValue) byKey.set(key, (byValue = new Map()));
      list = byValue.get(value);
      if (!list) byValue.set(value, (list = []));
    } else {
      list = this.unkeyed.get(namespace);
      if (!list) this.unkeyed.set(namespace, (list = []));
    }
    list.push(item);
  }

  /** The candidates, in a list the caller must not change (often one of the index's own). */
  candidates(namespace: string, labels: Readonly<Record<string, string>>): readonly T[] {
    let out: readonly T[] = this.unkeyed.get(namespace) ?? NO_CANDIDATES;
    const byKey = this.byPair.get(namespace);
    if (!byKey) return out;
    for (const key in labels) {
      const list = byKey.get(key)?.get(labels[key]!);
      if (list) out = out.length === 0 ? list : out.concat(list);
    }
    return out;
  }
}

function isAlbIngress(ingress: IngressObject, classes: ReadonlyMap<string, IngressClassObject>): boolean {
  const name = ingress.className?.name;
  if (name === undefined) return false;
  if (name === 'alb') return true;
  return classes.get(name)?.controller === ALB_INGRESS_CONTROLLER;
}

function isNlbService(service: ServiceObject): boolean {
  const type = service.annotations[NLB.type];
  return (
    service.loadBalancerClass === NLB.loadBalancerClass ||
    (service.type === 'LoadBalancer' && (type === 'external' || type === 'nlb' || type === 'nlb-ip'))
  );
}

function paramsFor(
  ingress: IngressObject,
  classes: ReadonlyMap<string, IngressClassObject>,
  params: ReadonlyMap<string, IngressClassParamsObject>,
): IngressClassParamsObject | undefined {
  const className = ingress.className?.name;
  const paramsName = className ? classes.get(className)?.paramsName : undefined;
  return paramsName ? params.get(paramsName) : undefined;
}

function routesTo(
  service: ServiceObject,
  workload: WorkloadObject,
  ingressesByService: ReadonlyMap<string, IngressObject[]>,
  bindings: readonly TargetGroupBindingObject[],
  namespaceIngresses: readonly IngressObject[],
): Route[] {
  const routes: Route[] = [];
  for (const ingress of ingressesByService.get(`${service.ref.namespace}/${service.ref.name}`) ?? []) {
    routes.push({ kind: 'Ingress', ingress });
  }
  for (const binding of bindings) {
    if (binding.serviceName === service.ref.name) routes.push({ kind: 'TargetGroupBinding', binding });
  }
  const strategy = workload.strategy;
  if (strategy.type === 'Canary' && strategy.albIngresses.length > 0) {
    const named = [strategy.stableService, strategy.canaryService, strategy.albRootService];
    if (named.includes(service.ref.name)) {
      for (const ingressName of strategy.albIngresses) {
        const ingress = namespaceIngresses.find((candidate) => candidate.ref.name === ingressName);
        const already = routes.some((route) => route.kind === 'Ingress' && route.ingress === ingress);
        if (!already) routes.push({ kind: 'RolloutAlb', ingressName, ...(ingress ? { ingress } : {}) });
      }
    }
  }
  if (isNlbService(service) && !routes.some((route) => route.kind === 'TargetGroupBinding')) {
    routes.push({ kind: 'NlbService' });
  }
  return routes;
}

function portsFor(service: ServiceObject, route: Route): BackendFacts['servicePort'][] {
  const all = service.ports.map(({ port, targetPort, name }) => ({
    port,
    targetPort,
    ...(name ? { name } : {}),
  }));
  let wanted: number | string | undefined;
  if (route.kind === 'Ingress') {
    const refs = route.ingress.backends.filter((backend) => backend.service === service.ref.name);
    const matched = all.filter((port) =>
      refs.some((ref) => ref.port === undefined || ref.port === port.port || ref.port === port.name),
    );
    return matched.length > 0 ? matched : all.slice(0, 1);
  }
  if (route.kind === 'TargetGroupBinding') wanted = route.binding.servicePort;
  if (wanted === undefined) return route.kind === 'RolloutAlb' ? all.slice(0, 1) : all;
  const matched = all.filter((port) => port.port === wanted || port.name === wanted);
  return matched.length > 0 ? matched : all.slice(0, 1);
}

/**
 * Containers that receive a Service port's traffic: the ones declaring the targetPort (by number or
 * name). A numeric targetPort that no container declares still reaches the pod; it is then taken to be
 * served by the first container, as in a single-container pod.
 */
export function servingContainerNames(workload: WorkloadObject, targetPort: number | string): string[] {
  const declaring = workload.containers.filter((container) =>
    container.ports.some((port) =>
      typeof targetPort === 'number' ? port.containerPort === targetPort : port.name === targetPort,
    ),
  );
  if (declaring.length > 0) return declaring.map((container) => container.name);
  const first = workload.containers[0];
  return typeof targetPort === 'number' && first ? [first.name] : [];
}

function dedupeBackends(backends: BackendFacts[]): BackendFacts[] {
  if (backends.length < 2) return backends;
  const seen = new Set<string>();
  return backends.filter((backend) => {
    const key = `${backend.service.ref.name}:${backend.servicePort.port}:${backend.routeRef.kind}/${backend.routeRef.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function readSecondsAnnotation(
  workload: WorkloadObject,
  key: string,
  problems: InputProblem[],
): Resolved<number> | undefined {
  const onWorkload = workload.annotations[key];
  const onPod = workload.podAnnotations[key];
  const value = onWorkload ?? onPod;
  if (value === undefined) return undefined;
  const path =
    onWorkload !== undefined
      ? ['metadata', 'annotations', key]
      : ['spec', 'template', 'metadata', 'annotations', key];
  // A pod-template annotation is written where the template is: in the Deployment a Rollout's workloadRef
  // names, which is linked (and reports a bad value) on its own as well.
  const owner = onWorkload !== undefined ? workload : podTemplateOwner(workload);
  // On the workload itself, the provenance finds the annotation without keeping a path of its own.
  const from: Provenance = owner.reader.annotation(key, onWorkload !== undefined ? undefined : path);
  if (!/^\d+$/.test(value.trim())) {
    if (owner === workload)
      problems.push({
        at: owner.reader.at(path) ?? liveSource(owner.ref),
        object: `${owner.ref.kind} ${owner.ref.namespace}/${owner.ref.name}`,
        field: formatFieldPath(path),
        message: `must be a whole number of seconds, got ${JSON.stringify(value)}`,
      });
    return undefined;
  }
  return { value: Number(value.trim()), from };
}
