import { ByName } from './by-name.js';
import type { ManifestObject } from '../manifest/parse.js';
import type { InputProblem, Notice } from '../manifest/source.js';
import { formatFieldPath } from '../manifest/source.js';
import { ALLOWANCE_DEFAULTS } from '../timing/defaults.js';
import { ALB_INGRESS_CONTROLLER, ANNOTATIONS, EKS_AUTO_MODE, ELBV2_GROUP, NLB, ALB } from './annotations.js';
import type { ClusterFacts } from './cluster.js';
import { NO_CLUSTER_FACTS } from './cluster.js';
import type { BackendFacts, Route, TargetGroupSettings, WorkloadFacts } from './facts.js';
import { FieldReader, liveSource } from './field-reader.js';
import {
  podTemplateOwner,
  normalizeIngress,
  normalizeIngressClass,
  normalizeIngressClassParams,
  normalizeNamespace,
  normalizeHorizontalPodAutoscaler,
  normalizePodDisruptionBudget,
  normalizeScaledObject,
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
import {
  GATEWAY_API_GROUP,
  GATEWAY_AWS_GROUP,
  GATEWAY_ROUTE_KINDS,
  normalizeGateway,
  normalizeGatewayClass,
  normalizeGatewayRoute,
  normalizeListenerSet,
  normalizeLoadBalancerConfiguration,
  normalizeReferenceGrant,
  normalizeTargetGroupConfiguration,
} from './gateway.js';
import type { GatewayIndex, GatewayInventory } from './gateway-link.js';
import { createGatewayInventory, indexGatewayBackends } from './gateway-link.js';
import { resolveGatewaySettings } from './gateway-settings.js';

export interface BuildFactsOptions {
  /** Namespace of objects that name none (as `kubectl apply -n` would place them). */
  readonly defaultNamespace?: string;
  /** S when a workload does not declare `draingate.io/shutdown-seconds`. */
  readonly shutdownSeconds?: Resolved<number>;
  /** What the cluster is known to be, beyond the input: ALB classes, the default class, defaults. */
  readonly cluster?: ClusterFacts;
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
  /** Gateway API objects and the controller's configuration for them. */
  readonly gateway: GatewayInventory;
  /** Objects of kinds draingate does not read. */
  skippedKinds: number;
}

export interface BuiltFacts {
  readonly facts: WorkloadFacts[];
  readonly inventory: Inventory;
  readonly problems: InputProblem[];
  /** What linking left undecided on purpose (an Ingress of a class it cannot resolve), and why. */
  readonly notices: Notice[];
}

/** The rules a workload without `draingate.io/ignore` ignores: none (shared, never changed). */
const NOTHING_IGNORED: ReadonlySet<string> = new Set();

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout']);

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
    gateway: createGatewayInventory(),
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
  } else if (
    object.kind === 'IngressClassParams' &&
    (group === ELBV2_GROUP || group === EKS_AUTO_MODE.paramsGroup)
  ) {
    push(inventory.ingressClassParams, normalizeIngressClassParams(reader, group));
  } else if (object.kind === 'TargetGroupBinding' && group === 'elbv2.k8s.aws') {
    push(inventory.bindings, normalizeTargetGroupBinding(reader));
  } else if (object.kind === 'Namespace' && object.apiVersion === 'v1') {
    push(inventory.namespaces, normalizeNamespace(reader));
  } else if (object.kind === 'HorizontalPodAutoscaler') {
    push(inventory.autoscalers, normalizeHorizontalPodAutoscaler(reader));
  } else if (object.kind === 'ScaledObject' && group === 'keda.sh') {
    push(inventory.autoscalers, normalizeScaledObject(reader));
  } else if (object.kind === 'PodDisruptionBudget') {
    push(inventory.pdbs, normalizePodDisruptionBudget(reader));
  } else if (group === GATEWAY_API_GROUP && normalizeGatewayApiObject(reader, inventory.gateway)) {
    // Read into the Gateway inventory.
  } else if (group === GATEWAY_AWS_GROUP && object.kind === 'TargetGroupConfiguration') {
    push(inventory.gateway.targetGroupConfigurations, normalizeTargetGroupConfiguration(reader));
  } else if (group === GATEWAY_AWS_GROUP && object.kind === 'LoadBalancerConfiguration') {
    push(inventory.gateway.loadBalancerConfigurations, normalizeLoadBalancerConfiguration(reader));
  } else {
    inventory.skippedKinds += 1;
  }
  reader.release();
}

/** Reads a Gateway API object draingate links; false for kinds it does not read. */
function normalizeGatewayApiObject(reader: FieldReader, inventory: GatewayInventory): boolean {
  const kind = reader.kind;
  if (kind === 'GatewayClass') push(inventory.gatewayClasses, normalizeGatewayClass(reader));
  else if (kind === 'Gateway') push(inventory.gateways, normalizeGateway(reader));
  else if (GATEWAY_ROUTE_KINDS.has(kind)) push(inventory.routes, normalizeGatewayRoute(reader));
  else if (kind === 'ListenerSet') push(inventory.listenerSets, normalizeListenerSet(reader));
  else if (kind === 'ReferenceGrant') push(inventory.referenceGrants, normalizeReferenceGrant(reader));
  else return false;
  return true;
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
  const notices: Notice[] = [];
  const facts = linkInventory(inventory, options, problems, notices);
  return { facts, inventory, problems, notices };
}

export function linkInventory(
  inventory: Inventory,
  options: BuildFactsOptions,
  problems: InputProblem[],
  notices?: Notice[],
): WorkloadFacts[] {
  const facts: WorkloadFacts[] = [];
  linkEachWorkload(inventory, options, problems, (workload) => facts.push(workload), notices);
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
  notices?: Notice[],
): void {
  const cluster = options.cluster ?? NO_CLUSTER_FACTS;
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
  const gatewayIndex = indexGatewayBackends(inventory.gateway, namespaces, notices, cluster);
  const params = new Map(inventory.ingressClassParams.map((p) => [`${p.apiGroup}/${p.ref.name}`, p]));
  const classify = createIngressClassifier(inventory.ingressClasses, cluster);
  const ingressesByService = new ByName<IngressObject[]>();
  const verdicts = new Map<IngressObject, Extract<AlbVerdict, { kind: 'alb' }>>();
  // Services that an Ingress of a class draingate cannot resolve names: their workloads could not be judged.
  const undecided = new Map<string, string[]>();
  for (const ingress of inventory.ingresses) {
    const verdict = classify(ingress);
    if (verdict.kind === 'unresolved') {
      notices?.push(unresolvedIngressNotice(ingress, verdict.reason, verdict.declare));
      for (const backend of ingress.backends) {
        addTo(
          undecided,
          `${ingress.ref.namespace}/${backend.service}`,
          `Ingress ${ingress.ref.namespace}/${ingress.ref.name}: ${verdict.reason}`,
        );
      }
      continue;
    }
    if (verdict.kind !== 'alb') continue;
    verdicts.set(ingress, verdict);
    for (const backend of ingress.backends) {
      const list = ingressesByService.getOrSet(ingress.ref.namespace, backend.service, () => []);
      if (!list.includes(ingress)) list.push(ingress);
    }
  }
  for (const service of inventory.services) {
    if (serviceLoadBalancer(service, cluster) !== 'unresolved') continue;
    notices?.push(unresolvedServiceNotice(service));
    addTo(
      undecided,
      `${service.ref.namespace}/${service.ref.name}`,
      `Service ${service.ref.namespace}/${service.ref.name} is type LoadBalancer without a loadBalancerClass or an aws-load-balancer-type annotation`,
    );
  }
  for (const [key, reasons] of gatewayIndex.undecided)
    for (const reason of reasons) addTo(undecided, key, reason);
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
      const serviceKind = serviceLoadBalancer(service, cluster);
      for (const route of routesTo(
        service,
        serviceKind,
        workload,
        ingressesByService,
        bindings.get(ns) ?? [],
        ingresses.get(ns) ?? [],
        gatewayIndex,
      )) {
        const ports = portsFor(service, route);
        for (const servicePort of ports) {
          const ingress =
            route.kind === 'Ingress'
              ? route.ingress
              : route.kind === 'RolloutAlb'
                ? route.ingress
                : undefined;
          const verdict = ingress ? verdicts.get(ingress) : undefined;
          const ingressParams = verdict?.ingressClass ? paramsFor(verdict.ingressClass, params) : undefined;
          const groupName = ingress?.annotations[ALB.groupName];
          const isNlb = serviceKind === 'nlb' || serviceKind === 'auto-nlb';
          const loadBalancer =
            route.kind === 'Gateway'
              ? route.link.loadBalancer
              : route.kind === 'NlbService'
                ? 'nlb'
                : route.kind === 'TargetGroupBinding' && isNlb
                  ? 'nlb'
                  : 'alb';
          const resolvedSettings =
            route.kind === 'Gateway'
              ? resolveGatewaySettings(service, route.link, route.config.props, problems)
              : route.kind === 'NlbService'
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
          const autoMode =
            route.kind === 'NlbService' ? serviceKind === 'auto-nlb' : (verdict?.autoMode ?? false);
          const settings = withClusterTargetType(resolvedSettings, autoMode, cluster);
          const ingressGroup = ingress ? (ingressParams?.group ?? groupName) : undefined;
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
                  : route.kind === 'Gateway'
                    ? route.link.route.ref
                    : route.kind === 'RolloutAlb' && route.ingress
                      ? route.ingress.ref
                      : service.ref,
            servingContainers: servingContainerNames(workload, servicePort.targetPort),
            settings,
            ...(ingressGroup !== undefined ? { ingressGroup } : {}),
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
    const linked = dedupeBackends(withoutCanaryTwins(backends, workload));
    const unresolved =
      linked.length === 0 && undecided.size > 0
        ? selecting.flatMap((service) => undecided.get(`${ns}/${service.ref.name}`) ?? [])
        : [];
    visit({
      workload,
      ...(hpa ? { autoscaler: hpa } : {}),
      ...(namespace ? { namespace } : {}),
      ...(unresolved.length > 0 ? { unresolved } : {}),
      services: selecting,
      backends: linked,
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
    // Filed under its selector's first key in code-unit order: any one of its pairs would do, this one is
    // found without sorting (and without `localeCompare`, which costs more than the rest of the index).
    let key: string | undefined;
    for (const candidate in matchLabels) if (key === undefined || candidate < key) key = candidate;
    let list: T[] | undefined;
    if (key !== undefined) {
      const value = matchLabels[key]!;
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

/** Whether the AWS Load Balancer Controller (or EKS Auto Mode) builds an ALB for an Ingress. */
type AlbVerdict =
  | {
      readonly kind: 'alb';
      /** EKS Auto Mode serves the class (`eks.amazonaws.com/alb`): its defaults apply. */
      readonly autoMode: boolean;
      /** The IngressClass, when the input defines it (its IngressClassParams apply). */
      readonly ingressClass?: IngressClassObject;
    }
  | { readonly kind: 'other' }
  | { readonly kind: 'unresolved'; readonly reason: string; readonly declare: string };

const ALB_VERDICT: AlbVerdict = { kind: 'alb', autoMode: false };
const AUTO_MODE_VERDICT: AlbVerdict = { kind: 'alb', autoMode: true };
const OTHER_VERDICT: AlbVerdict = { kind: 'other' };

/** The name of the AWS Load Balancer Controller's `--ingress-class` unless set otherwise (v3.5.0). */
const CONTROLLER_INGRESS_CLASS = 'alb';

/**
 * Decides which Ingresses get an ALB the way the controller does (v3.5.0, `classifyIngress` in
 * pkg/ingress/group_loader.go and `defaultClassLoader.Load` in pkg/ingress/class_loader.go):
 * 1. a `kubernetes.io/ingress.class` annotation wins over `spec.ingressClassName`, and matches only the
 *    controller's `--ingress-class` (`alb` by default); the IngressClassParams of a class do not apply then;
 * 2. otherwise `spec.ingressClassName`, or with none the one IngressClass annotated
 *    `ingressclass.kubernetes.io/is-default-class: "true"` (two such classes are an error the controller
 *    reports), names an IngressClass whose `spec.controller` must be `ingress.k8s.aws/alb` (EKS Auto Mode:
 *    `eks.amazonaws.com/alb`);
 * 3. an Ingress with neither is managed only by a controller started with an empty `--ingress-class`.
 * IngressClasses the input does not define come from the cluster facts; a class named `alb` is taken to be
 * the controller's (its Helm chart creates it by that name). An Ingress whose class stays unknown but
 * which carries `alb.ingress.kubernetes.io/*` annotations is unresolved: it gets a notice, not silence.
 */
function createIngressClassifier(
  ingressClasses: readonly IngressClassObject[],
  cluster: ClusterFacts,
): (ingress: IngressObject) => AlbVerdict {
  const classes = new Map(ingressClasses.map((c) => [c.name, c]));
  const defaults = ingressClasses.filter((c) => c.isDefault);
  const declared = new Set(cluster.albIngressClasses ?? []);
  const byName = (name: string): AlbVerdict | undefined => {
    const defined = classes.get(name);
    if (defined) {
      if (defined.controller === ALB_INGRESS_CONTROLLER)
        return { kind: 'alb', autoMode: false, ingressClass: defined };
      if (defined.controller === EKS_AUTO_MODE.ingressController)
        return { kind: 'alb', autoMode: true, ingressClass: defined };
      return OTHER_VERDICT;
    }
    if (declared.has(name)) return cluster.eksAutoMode ? AUTO_MODE_VERDICT : ALB_VERDICT;
    if (name === CONTROLLER_INGRESS_CLASS) return cluster.eksAutoMode ? AUTO_MODE_VERDICT : ALB_VERDICT;
    return undefined;
  };
  return (ingress) => {
    const className = ingress.className;
    // Read only on the way to a doubt: most Ingresses name a class the input resolves.
    const hinted = (): boolean => carriesAlbAnnotations(ingress);
    if (className?.annotation) {
      if (className.name === CONTROLLER_INGRESS_CLASS || declared.has(className.name)) return ALB_VERDICT;
      // A value that names another controller's IngressClass is that controller's.
      const named = classes.get(className.name);
      if (named && named.controller !== ALB_INGRESS_CONTROLLER) return OTHER_VERDICT;
      return hinted()
        ? {
            kind: 'unresolved',
            reason: `its kubernetes.io/ingress.class annotation is ${JSON.stringify(className.name)}, which the controller serves only when started with --ingress-class=${className.name}`,
            declare: className.name,
          }
        : OTHER_VERDICT;
    }
    if (className) {
      const verdict = byName(className.name);
      if (verdict) return verdict;
      // Classes are declared: one that is not among them belongs to another controller.
      if (!hinted() || declared.size > 0) return OTHER_VERDICT;
      return {
        kind: 'unresolved',
        reason: `its IngressClass ${JSON.stringify(className.name)} is not in the input`,
        declare: className.name,
      };
    }
    if (defaults.length > 1) {
      return hinted()
        ? {
            kind: 'unresolved',
            reason: `it names no class and ${defaults.length} IngressClasses are marked default (${defaults.map((c) => c.name).join(', ')}), which the controller refuses`,
            declare: '<class>',
          }
        : OTHER_VERDICT;
    }
    const fallback = defaults[0]?.name ?? cluster.defaultIngressClass;
    if (fallback !== undefined) {
      const verdict = byName(fallback);
      if (verdict) return verdict;
      if (!hinted() || declared.size > 0) return OTHER_VERDICT;
      return {
        kind: 'unresolved',
        reason: `it names no class and the default IngressClass ${JSON.stringify(fallback)} is not in the input`,
        declare: fallback,
      };
    }
    return hinted()
      ? {
          kind: 'unresolved',
          reason:
            'it names no class (no ingressClassName, no kubernetes.io/ingress.class annotation) and no default IngressClass is in the input',
          declare: '<default class>',
        }
      : OTHER_VERDICT;
  };
}

function carriesAlbAnnotations(ingress: IngressObject): boolean {
  for (const key in ingress.annotations) if (key.startsWith(ALB.prefix)) return true;
  return false;
}

function unresolvedIngressNotice(ingress: IngressObject, reason: string, declare: string): Notice {
  const defaultClass = declare.startsWith('<');
  const how = defaultClass
    ? `declare the cluster's default class (cluster: { defaultIngressClass: alb } in .draingate.yaml, or --default-ingress-class alb), or add its IngressClass to the input`
    : `declare the class (cluster: { albIngressClasses: [${declare}] } in .draingate.yaml, or --alb-ingress-class ${declare}), or add its IngressClass to the input`;
  return {
    code: 'unresolved-ingress-class',
    object: `Ingress ${ingress.ref.namespace}/${ingress.ref.name}`,
    ...(ingress.ref.source ? { at: ingress.ref.source } : {}),
    message: `carries alb.ingress.kubernetes.io/* annotations, but ${reason}: draingate cannot tell whether the AWS Load Balancer Controller serves it, so the workloads behind it are not judged; if it does, ${how}.`,
  };
}

/** How a Service of `type: LoadBalancer` (or with a loadBalancerClass) is load balanced. */
type ServiceLoadBalancer = 'nlb' | 'auto-nlb' | 'none' | 'unresolved';

/**
 * A Service's NLB: `loadBalancerClass: service.k8s.aws/nlb` (the controller's) or `eks.amazonaws.com/nlb`
 * (EKS Auto Mode's); without a class, the `aws-load-balancer-type` annotation (`external`, `nlb-ip`,
 * `nlb`). A `type: LoadBalancer` Service with neither is the controller's when its Service mutator webhook
 * runs (it sets the class on create: webhooks/core/service_mutator.go, v3.5.0; on by default in the Helm
 * chart) or in EKS Auto Mode (whose class is the cluster default); the in-tree cloud provider's Classic
 * Load Balancer otherwise. Which one the input cannot say: unresolved, unless the cluster facts do.
 */
function serviceLoadBalancer(service: ServiceObject, cluster: ClusterFacts): ServiceLoadBalancer {
  const lbClass = service.loadBalancerClass;
  if (lbClass !== undefined) {
    if (lbClass === NLB.loadBalancerClass) return 'nlb';
    if (lbClass === EKS_AUTO_MODE.loadBalancerClass) return 'auto-nlb';
    return 'none';
  }
  if (service.type !== 'LoadBalancer') return 'none';
  const type = service.annotations[NLB.type];
  if (type === 'external' || type === 'nlb' || type === 'nlb-ip') return 'nlb';
  if (type !== undefined) return 'none';
  if (cluster.eksAutoMode) return 'auto-nlb';
  if (cluster.serviceMutatorWebhook) return 'nlb';
  if (cluster.serviceMutatorWebhook === false) return 'none';
  return 'unresolved';
}

function unresolvedServiceNotice(service: ServiceObject): Notice {
  return {
    code: 'unresolved-load-balancer-service',
    object: `Service ${service.ref.namespace}/${service.ref.name}`,
    ...(service.ref.source ? { at: service.ref.source } : {}),
    message: `is type LoadBalancer without a loadBalancerClass or a ${NLB.type} annotation: it becomes an NLB of the AWS Load Balancer Controller only when the controller's Service mutator webhook runs (on by default in its Helm chart) or in EKS Auto Mode, so the workloads behind it are not judged; declare which (cluster: { serviceMutatorWebhook: true } or { eksAutoMode: true } in .draingate.yaml, or --service-mutator-webhook / --eks-auto-mode), or set spec.loadBalancerClass: ${NLB.loadBalancerClass}.`,
  };
}

/** The IngressClassParams an IngressClass names, of the controller's API group or Auto Mode's. */
function paramsFor(
  ingressClass: IngressClassObject,
  params: ReadonlyMap<string, IngressClassParamsObject>,
): IngressClassParamsObject | undefined {
  if (ingressClass.paramsName === undefined) return undefined;
  const group =
    ingressClass.paramsGroup ??
    (ingressClass.controller === EKS_AUTO_MODE.ingressController ? EKS_AUTO_MODE.paramsGroup : ELBV2_GROUP);
  return params.get(`${group}/${ingressClass.paramsName}`);
}

/**
 * EKS Auto Mode's default target type: "The default targeting mode is IP Mode, not Instance Mode" (Amazon
 * EKS User Guide, "Considerations for load balancing with EKS Auto Mode", amazon-eks-user-guide 4d52b4d).
 */
const AUTO_MODE_TARGET_TYPE: Resolved<'ip' | 'instance'> = {
  value: 'ip',
  from: {
    kind: 'default',
    authority: 'eks-auto-mode',
    note: 'no target-type annotation; EKS Auto Mode defaults to ip targets',
  },
};

/**
 * A target type left to the controller's default takes the cluster's instead: EKS Auto Mode's (ip), or
 * the `--default-target-type` the cluster facts declare. Set annotations, IngressClassParams and
 * TargetGroupBindings keep theirs.
 */
function withClusterTargetType(
  settings: TargetGroupSettings,
  autoMode: boolean,
  cluster: ClusterFacts,
): TargetGroupSettings {
  const from = settings.targetType.from;
  if (from.kind !== 'default' || from.authority !== 'aws-load-balancer-controller') return settings;
  if (autoMode) return { ...settings, targetType: AUTO_MODE_TARGET_TYPE };
  if (cluster.defaultTargetType && cluster.defaultTargetType.value !== settings.targetType.value)
    return { ...settings, targetType: cluster.defaultTargetType };
  return settings;
}

function addTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

/** A backend port named `use-annotation` is an action of the Ingress's annotations, not a target group. */
const USE_ANNOTATION = 'use-annotation';

function routesTo(
  service: ServiceObject,
  serviceKind: ServiceLoadBalancer,
  workload: WorkloadObject,
  ingressesByService: ByName<IngressObject[]>,
  bindings: readonly TargetGroupBindingObject[],
  namespaceIngresses: readonly IngressObject[],
  gateways: GatewayIndex,
): Route[] {
  const routes: Route[] = [];
  const service_ = { namespace: service.ref.namespace, name: service.ref.name };
  for (const link of gateways.linksTo(service_.namespace, service_.name)) {
    routes.push({ kind: 'Gateway', link, config: gateways.configFor(link, service_) });
  }
  for (const ingress of ingressesByService.get(service.ref.namespace, service.ref.name) ?? []) {
    // The controller makes target groups of the services an action forwards to (read from its annotation
    // as backends of their own), not of the Service that names the action (Argo Rollouts' root Service).
    const targetGroups = ingress.backends.some(
      (backend) => backend.service === service.ref.name && backend.port !== USE_ANNOTATION,
    );
    if (targetGroups) routes.push({ kind: 'Ingress', ingress });
  }
  for (const binding of bindings) {
    if (binding.serviceName === service.ref.name) routes.push({ kind: 'TargetGroupBinding', binding });
  }
  const strategy = workload.strategy;
  if (strategy.type === 'Canary' && strategy.albIngresses.length > 0) {
    // Argo Rollouts forwards the Ingress's action to target groups of the stable and canary Services; the
    // root Service only names the action.
    if (service.ref.name === strategy.stableService || service.ref.name === strategy.canaryService) {
      for (const ingressName of strategy.albIngresses) {
        const ingress = namespaceIngresses.find((candidate) => candidate.ref.name === ingressName);
        const already = routes.some((route) => route.kind === 'Ingress' && route.ingress === ingress);
        if (!already)
          routes.push({
            kind: 'RolloutAlb',
            ingressName,
            ...(ingress ? { ingress } : {}),
            ...(strategy.albServicePort !== undefined ? { servicePort: strategy.albServicePort } : {}),
          });
      }
    }
  }
  const isNlb = serviceKind === 'nlb' || serviceKind === 'auto-nlb';
  if (isNlb && !routes.some((route) => route.kind === 'TargetGroupBinding')) {
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
    const refs = route.ingress.backends.filter(
      (backend) => backend.service === service.ref.name && backend.port !== USE_ANNOTATION,
    );
    const matched = all.filter((port) =>
      refs.some((ref) => ref.port === undefined || ref.port === port.port || ref.port === port.name),
    );
    return matched.length > 0 ? matched : all.slice(0, 1);
  }
  // The controller matches a backendRef's port to a Service port by number only; none matching, it makes no
  // target group (`Unable to find service port`, backend_service.go).
  if (route.kind === 'Gateway') return all.filter((port) => port.port === route.link.backendRef.port);
  if (route.kind === 'TargetGroupBinding') wanted = route.binding.servicePort;
  if (route.kind === 'RolloutAlb') wanted = route.servicePort;
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

/**
 * An Argo canary's stable and canary Services select the same pods and reach them through the same
 * Ingress: their target groups differ only where the two Services' own annotations differ. A canary
 * backend with the same route and the same settings as a stable one says nothing new, and would repeat
 * every finding of the stable one; it is dropped. One whose settings differ is kept.
 */
function withoutCanaryTwins(backends: BackendFacts[], workload: WorkloadObject): BackendFacts[] {
  const strategy = workload.strategy;
  if (backends.length < 2 || strategy.type !== 'Canary' || strategy.canaryService === undefined)
    return backends;
  const stable = backends.filter((backend) => backend.service.ref.name === strategy.stableService);
  if (stable.length === 0) return backends;
  return backends.filter(
    (backend) =>
      backend.service.ref.name !== strategy.canaryService ||
      !stable.some(
        (twin) =>
          routeKey(twin) === routeKey(backend) &&
          twin.servicePort.targetPort === backend.servicePort.targetPort &&
          sameSettings(twin.settings, backend.settings),
      ),
  );
}

function routeKey(backend: BackendFacts): string {
  const route = backend.route;
  if (route.kind === 'RolloutAlb') return `Ingress/${route.ingressName}`;
  if (route.kind === 'Ingress') return `Ingress/${route.ingress.ref.name}`;
  return `${backend.routeRef.kind}/${backend.routeRef.name}`;
}

function sameSettings(a: TargetGroupSettings, b: TargetGroupSettings): boolean {
  return (
    a.targetType.value === b.targetType.value &&
    a.healthCheckPath.value === b.healthCheckPath.value &&
    a.healthCheckIntervalSeconds.value === b.healthCheckIntervalSeconds.value &&
    a.healthCheckTimeoutSeconds.value === b.healthCheckTimeoutSeconds.value &&
    a.healthyThresholdCount.value === b.healthyThresholdCount.value &&
    a.unhealthyThresholdCount.value === b.unhealthyThresholdCount.value &&
    a.deregistrationDelaySeconds.value === b.deregistrationDelaySeconds.value &&
    a.idleTimeoutSeconds?.value === b.idleTimeoutSeconds?.value
  );
}

function dedupeBackends(backends: BackendFacts[]): BackendFacts[] {
  if (backends.length < 2) return backends;
  const seen = new Set<string>();
  return backends.filter((backend) => {
    const via =
      backend.route.kind === 'Gateway'
        ? `@${backend.route.link.gateway.ref.namespace}/${backend.route.link.gateway.ref.name}`
        : '';
    const key = `${backend.service.ref.name}:${backend.servicePort.port}:${backend.routeRef.kind}/${backend.routeRef.name}${via}`;
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
