import { ByName } from './by-name.js';
import type { Notice } from '../manifest/source.js';
import type {
  GatewayBackendRef,
  GatewayClassObject,
  GatewayListener,
  GatewayObject,
  GatewayRouteObject,
  ListenerSetObject,
  LoadBalancerConfigurationObject,
  ReferenceGrantObject,
  TargetGroupConfigurationObject,
  TargetGroupProps,
} from './gateway.js';
import { GATEWAY_CONTROLLERS, mergeProps, propsForRoute, referenceGranted } from './gateway.js';
import type { LabelSelector, NamespaceObject } from './objects.js';
import { selectorMatches } from './objects.js';
import type { ClusterFacts } from './cluster.js';
import type { Resolved } from './provenance.js';
import { describeProvenance, formatObjectRef } from './provenance.js';

/** The Gateway API objects of an input, and the controller's configuration for them. */
export interface GatewayInventory {
  readonly gatewayClasses: GatewayClassObject[];
  readonly gateways: GatewayObject[];
  readonly routes: GatewayRouteObject[];
  readonly listenerSets: ListenerSetObject[];
  readonly referenceGrants: ReferenceGrantObject[];
  readonly targetGroupConfigurations: TargetGroupConfigurationObject[];
  readonly loadBalancerConfigurations: LoadBalancerConfigurationObject[];
}

/** A route of one of the controller's Gateways that sends traffic to a Service port. */
export interface GatewayLink {
  readonly loadBalancer: 'alb' | 'nlb';
  /** The Gateway whose load balancer serves the route (a ListenerSet's parent Gateway). */
  readonly gateway: GatewayObject;
  /** The ListenerSet whose listener the route attaches to, when it attaches through one. */
  readonly listenerSet?: ListenerSetObject;
  readonly route: GatewayRouteObject;
  /** The protocol of the first listener the route attaches to (decides gRPC health checks on an ALB). */
  readonly listenerProtocol: string;
  readonly backendRef: GatewayBackendRef & { readonly port: number };
  /** The Gateway-level default TargetGroupConfiguration (GatewayClass and Gateway merged), if any. */
  readonly defaultConfig?: TargetGroupConfigurationObject;
  /** The Gateway's load balancer attributes (GatewayClass and Gateway LoadBalancerConfigurations merged). */
  readonly loadBalancerAttributes: ReadonlyMap<string, Resolved<string>>;
}

/** The effective target group props of a link for its Service, and the Service-level configuration. */
export interface GatewayTargetGroupConfig {
  readonly props?: TargetGroupProps;
  /** The TargetGroupConfiguration in the Service's namespace whose targetReference names the Service. */
  readonly serviceConfig?: TargetGroupConfigurationObject;
}

/** Links of the controller's Gateways to Services, with the configuration lookups they need. */
export interface GatewayIndex {
  /** The links to the Service `name` in `namespace`. */
  linksTo(namespace: string, name: string): readonly GatewayLink[];
  /** Why a Service's route is not judged, by `namespace/service` (for workloads no load balancer reaches). */
  readonly undecided: ReadonlyMap<string, readonly string[]>;
  configFor(link: GatewayLink, service: { namespace: string; name: string }): GatewayTargetGroupConfig;
}

const NO_GATEWAY_LINKS: readonly GatewayLink[] = [];

/**
 * GatewayClass names that say AWS (`aws-alb`, `amazon-alb`, `alb`, `aws-nlb-gateway-class`): platform teams
 * create the controller's class outside application repositories, and a Gateway of such a class without it
 * is more likely the controller's than another's. Undecided then, not quiet; another name stays quiet.
 */
const AWS_CLASS_NAME = /(?:^|[-_.])(?:aws|amazon|eks|alb|nlb|elb)(?:$|[-_.])/i;

const NO_LINKS: GatewayIndex = {
  linksTo: () => NO_GATEWAY_LINKS,
  undecided: new Map(),
  configFor: () => ({}),
};

/** An empty Gateway inventory. */
export function createGatewayInventory(): GatewayInventory {
  return {
    gatewayClasses: [],
    gateways: [],
    routes: [],
    listenerSets: [],
    referenceGrants: [],
    targetGroupConfigurations: [],
    loadBalancerConfigurations: [],
  };
}

const NO_ATTRIBUTES: ReadonlyMap<string, Resolved<string>> = new Map();

/**
 * Finds the Services the controller's Gateways route to, the way the controller attaches routes and loads
 * backends (v3.5.0):
 * - a Gateway is the controller's when its GatewayClass's `controllerName` is `gateway.k8s.aws/alb` or
 *   `gateway.k8s.aws/nlb`; another controller's stays quiet;
 * - a route attaches through a `parentRef` to a listener that allows its namespace (`allowedRoutes.namespaces`,
 *   `Same` unless set) and its kind (`allowedRoutes.kinds`, or the protocol's defaults)
 *   (pkg/gateway/routeutils/listener_attachment_helper.go);
 * - a `parentRef` of kind ListenerSet attaches to the listeners of that ListenerSet (its namespace the route's
 *   unless set), once the ListenerSet's parent Gateway accepts it through `spec.allowedListeners.namespaces`
 *   (`None` unless set); namespace checks of those listeners are against the ListenerSet's namespace, and the
 *   load balancer and its configuration are the parent Gateway's (`resolveParentRef`,
 *   pkg/gateway/routeutils/route_listener_mapper.go; `listenerSetGatewayHandshake`,
 *   pkg/gateway/routeutils/listener_set.go; feature gate GatewayListenerSet, on by default);
 * - a backendRef needs a port, and one to another namespace needs a ReferenceGrant there
 *   (`serviceLoader`, pkg/gateway/routeutils/backend_service.go; pkg/shared_utils/cross_namespace_validator.go);
 * - the LoadBalancerConfigurations of the GatewayClass (`spec.parametersRef`, which must name a namespace)
 *   and the Gateway (`spec.infrastructure.parametersRef`, in its namespace) merge by the GatewayClass one's
 *   `mergingMode`, as do their default TargetGroupConfigurations (controllers/gateway/config_resolver.go).
 * What the input cannot decide (a GatewayClass, configuration or Namespace it lacks) is a notice, and the
 * workloads behind it are not judged.
 */
export function indexGatewayBackends(
  inventory: GatewayInventory,
  namespaces: ReadonlyMap<string, NamespaceObject>,
  notices: Notice[] | undefined,
  cluster: ClusterFacts = {},
): GatewayIndex {
  if (inventory.routes.length === 0) return NO_LINKS;
  const classes = new Map(inventory.gatewayClasses.map((c) => [c.name, c]));
  const gateways = new ByName<GatewayObject>();
  for (const gateway of inventory.gateways) gateways.set(gateway.ref.namespace, gateway.ref.name, gateway);
  const listenerSets = new ByName<ListenerSetObject>();
  for (const set of inventory.listenerSets) listenerSets.set(set.ref.namespace, set.ref.name, set);
  const lbcs = new ByName<LoadBalancerConfigurationObject>();
  for (const lbc of inventory.loadBalancerConfigurations) lbcs.set(lbc.ref.namespace, lbc.ref.name, lbc);
  // Every TargetGroupConfiguration by its own name, built the first time a LoadBalancerConfiguration names a
  // default one (most inputs have none).
  let tgcs: ByName<TargetGroupConfigurationObject> | undefined;
  const links = new ByName<GatewayLink[]>();
  const undecided = new Map<string, string[]>();
  const notice = (object: { readonly ref: GatewayObject['ref'] }, code: string, message: string): void => {
    notices?.push({
      code,
      object: formatObjectRef(object.ref),
      ...(object.ref.source ? { at: object.ref.source } : {}),
      message,
    });
  };

  // Each Gateway's verdict once: ours (with its configuration), another controller's, or undecided.
  type Resolution =
    | {
        kind: 'ours';
        loadBalancer: 'alb' | 'nlb';
        defaultConfig?: TargetGroupConfigurationObject;
        attributes: ReadonlyMap<string, Resolved<string>>;
      }
    | { kind: 'other' }
    | { kind: 'undecided'; reason: string; declare?: string };
  const resolutions = new Map<GatewayObject, Resolution>();
  const resolve = (gateway: GatewayObject): Resolution => {
    const known = resolutions.get(gateway);
    if (known) return known;
    const resolution = resolveGateway(gateway);
    resolutions.set(gateway, resolution);
    if (resolution.kind === 'undecided')
      notice(
        gateway,
        'unresolved-gateway',
        `${resolution.reason}: draingate cannot tell how the AWS Load Balancer Controller builds its target groups, so the workloads behind its routes are not judged; ${resolution.declare ?? 'add it to the input'}.`,
      );
    return resolution;
  };
  const resolveGateway = (gateway: GatewayObject): Resolution => {
    const gatewayClass = classes.get(gateway.className);
    const declared = cluster.albGatewayClasses?.includes(gateway.className)
      ? 'alb'
      : cluster.nlbGatewayClasses?.includes(gateway.className)
        ? 'nlb'
        : undefined;
    if (!gatewayClass && !declared) {
      // Another controller's Gateway stays quiet; one configured for this controller is undecided.
      const hint =
        gateway.parametersRef !== undefined
          ? 'though it names a LoadBalancerConfiguration of gateway.k8s.aws'
          : configuredBackend(gateway)
            ? 'though a TargetGroupConfiguration of gateway.k8s.aws configures a Service its routes send traffic to'
            : AWS_CLASS_NAME.test(gateway.className)
              ? 'though its name is one the AWS Load Balancer Controller’s documentation and users give its classes'
              : undefined;
      return hint
        ? {
            kind: 'undecided',
            reason: `its GatewayClass ${JSON.stringify(gateway.className)} is not in the input, ${hint}`,
            declare: `if the controller serves it, declare the class (cluster: { albGatewayClasses: [${gateway.className}] } or nlbGatewayClasses in .draingate.yaml, or --alb-gateway-class / --nlb-gateway-class ${gateway.className}), or add the GatewayClass to the input`,
          }
        : { kind: 'other' };
    }
    const loadBalancer = gatewayClass
      ? (GATEWAY_CONTROLLERS as Record<string, 'alb' | 'nlb' | undefined>)[gatewayClass.controllerName]
      : declared;
    if (!loadBalancer) return { kind: 'other' };
    let classConfig: LoadBalancerConfigurationObject | undefined;
    if (gatewayClass?.parametersRef) {
      const { name, namespace } = gatewayClass.parametersRef;
      if (namespace === undefined)
        return {
          kind: 'undecided',
          reason: `its GatewayClass ${gatewayClass.name} names LoadBalancerConfiguration ${name} without a namespace, which the controller refuses ("Namespace must be specified in ParametersRef")`,
        };
      classConfig = lbcs.get(namespace, name);
      if (!classConfig)
        return {
          kind: 'undecided',
          reason: `the LoadBalancerConfiguration ${namespace}/${name} of its GatewayClass ${gatewayClass.name} is not in the input`,
        };
    }
    let gatewayConfig: LoadBalancerConfigurationObject | undefined;
    if (gateway.parametersRef !== undefined) {
      gatewayConfig = lbcs.get(gateway.ref.namespace, gateway.parametersRef);
      if (!gatewayConfig)
        return {
          kind: 'undecided',
          reason: `its LoadBalancerConfiguration ${gateway.ref.namespace}/${gateway.parametersRef} is not in the input`,
        };
    }
    const defaultTgc = (
      lbc: LoadBalancerConfigurationObject | undefined,
    ): TargetGroupConfigurationObject | string | undefined => {
      if (lbc?.defaultTargetGroupConfiguration === undefined) return undefined;
      const key = `${lbc.ref.namespace}/${lbc.defaultTargetGroupConfiguration}`;
      if (!tgcs) {
        tgcs = new ByName();
        for (const config of inventory.targetGroupConfigurations)
          tgcs.set(config.ref.namespace, config.ref.name, config);
      }
      const tgc = tgcs.get(lbc.ref.namespace, lbc.defaultTargetGroupConfiguration);
      if (!tgc)
        return `the default TargetGroupConfiguration ${key} of LoadBalancerConfiguration ${lbc.ref.namespace}/${lbc.ref.name} is not in the input`;
      if (tgc.targetReference)
        return `the default TargetGroupConfiguration ${key} of LoadBalancerConfiguration ${lbc.ref.namespace}/${lbc.ref.name} has a targetReference, which the controller refuses for a default (it fails the Gateway's reconciliation)`;
      return tgc;
    };
    const classTgc = defaultTgc(classConfig);
    const gatewayTgc = defaultTgc(gatewayConfig);
    if (typeof classTgc === 'string') return { kind: 'undecided', reason: classTgc };
    if (typeof gatewayTgc === 'string') return { kind: 'undecided', reason: gatewayTgc };
    const preferGateway = classConfig?.mergingMode?.value === 'prefer-gateway';
    const [highLbc, lowLbc] = preferGateway ? [gatewayConfig, classConfig] : [classConfig, gatewayConfig];
    const [highTgc, lowTgc] = preferGateway ? [gatewayTgc, classTgc] : [classTgc, gatewayTgc];
    return {
      kind: 'ours',
      loadBalancer,
      ...(highTgc || lowTgc ? { defaultConfig: mergeDefaultConfigs(highTgc, lowTgc) } : {}),
      attributes: mergeAttributes(highLbc?.loadBalancerAttributes, lowLbc?.loadBalancerAttributes),
    };
  };

  // Each ListenerSet's verdict once, when a route first attaches to it: accepted by one of the controller's
  // Gateways, not accepted (with a notice, or quietly for another controller's Gateway), or undecided.
  type Acceptance =
    | { kind: 'accepted'; gateway: GatewayObject }
    | { kind: 'rejected' }
    | { kind: 'undecided'; reason: string };
  const acceptances = new Map<ListenerSetObject, Acceptance>();
  const accept = (set: ListenerSetObject): Acceptance => {
    const known = acceptances.get(set);
    if (known) return known;
    const acceptance = acceptListenerSet(set);
    acceptances.set(set, acceptance);
    return acceptance;
  };
  const acceptListenerSet = (set: ListenerSetObject): Acceptance => {
    if (!set.parentRef) {
      notice(
        set,
        'listener-set-not-accepted',
        'its spec.parentRef names a kind other than Gateway: the AWS Load Balancer Controller attaches it to no Gateway, so routes attached to it reach no load balancer through it.',
      );
      return { kind: 'rejected' };
    }
    const { namespace, name } = set.parentRef;
    const gateway = gateways.get(namespace, name);
    if (!gateway) {
      const reason = `its parent Gateway ${namespace}/${name} is not in the input`;
      notice(
        set,
        'unresolved-listener-set',
        `${reason}: draingate cannot tell whether the Gateway accepts it or which load balancer serves it, so the workloads behind the routes attached to it are not judged; add the Gateway and its GatewayClass to the input.`,
      );
      return { kind: 'undecided', reason };
    }
    const resolution = resolve(gateway);
    // Another controller's Gateway: its ListenerSets are not ours either.
    if (resolution.kind === 'other') return { kind: 'rejected' };
    if (resolution.kind === 'undecided')
      return { kind: 'undecided', reason: `its parent Gateway ${namespace}/${name}: ${resolution.reason}` };
    const allowed = listenerSetAllowed(gateway, set, namespaces);
    if (allowed === 'unknown') {
      const reason = `its parent Gateway ${namespace}/${name} admits ListenerSets by namespace label and Namespace ${set.ref.namespace} is not in the input`;
      notice(
        set,
        'unresolved-listener-set',
        `${reason}: draingate cannot tell whether the Gateway accepts it, so the workloads behind the routes attached to it are not judged; add the Namespace to the input.`,
      );
      return { kind: 'undecided', reason };
    }
    if (allowed !== true) {
      notice(
        set,
        'listener-set-not-accepted',
        `Gateway ${namespace}/${name} does not accept it: ${allowed}. The AWS Load Balancer Controller programs none of its listeners (Accepted: False, NotAllowed), so routes attached to it reach no load balancer through it; to attach it, set spec.allowedListeners.namespaces.from on the Gateway to Same, All or Selector so that it admits namespace ${set.ref.namespace}.`,
      );
      return { kind: 'rejected' };
    }
    return { kind: 'accepted', gateway };
  };

  // The TargetGroupConfiguration of each Service that one names. Also a hint that a Gateway routing to such
  // a Service is ours when its class is unknown.
  const serviceConfigs = new ByName<TargetGroupConfigurationObject>();
  for (const tgc of inventory.targetGroupConfigurations) {
    if (tgc.targetReference?.kind !== 'Service') continue;
    // The controller takes the first it lists (`LookUpTargetGroupConfiguration`): the input's first here.
    if (!serviceConfigs.has(tgc.ref.namespace, tgc.targetReference.name))
      serviceConfigs.set(tgc.ref.namespace, tgc.targetReference.name, tgc);
  }
  // The routes of each Gateway, built the first time a Gateway without a known class needs them.
  let routesByGateway: Map<GatewayObject, GatewayRouteObject[]> | undefined;
  function configuredBackend(gateway: GatewayObject): boolean {
    if (!routesByGateway) {
      routesByGateway = new Map();
      for (const route of inventory.routes)
        for (const parent of route.parentRefs) {
          const viaSet =
            parent.kind === 'ListenerSet'
              ? listenerSets.get(parent.namespace, parent.name)?.parentRef
              : parent;
          const parentGateway = viaSet && gateways.get(viaSet.namespace, viaSet.name);
          if (!parentGateway) continue;
          const list = routesByGateway.get(parentGateway);
          if (list) list.push(route);
          else routesByGateway.set(parentGateway, [route]);
        }
    }
    return (routesByGateway.get(gateway) ?? []).some((route) =>
      route.backendRefs.some((ref) => serviceConfigs.has(ref.namespace, ref.name)),
    );
  }

  // Parents the routes name that the input lacks, each with the routes that name it: one notice each.
  const missingParents = new Map<string, { kind: string; routes: GatewayRouteObject[] }>();
  for (const route of inventory.routes) {
    let anyAttached = false;
    let undecidedReason: string | undefined;
    const missing = (kind: 'Gateway' | 'ListenerSet', parent: { namespace: string; name: string }): void => {
      const key = `${kind} ${parent.namespace}/${parent.name}`;
      undecidedReason = `${route.kind} ${route.ref.namespace}/${route.ref.name}: its parent ${key} is not in the input`;
      const entry = missingParents.get(key);
      if (entry) entry.routes.push(route);
      else missingParents.set(key, { kind, routes: [route] });
    };
    for (const parent of route.parentRefs) {
      let attached: { gateway: GatewayObject; listener: GatewayListener } | undefined;
      let gateway: GatewayObject | undefined;
      let listenerSet: ListenerSetObject | undefined;
      if (parent.kind === 'ListenerSet') {
        listenerSet = listenerSets.get(parent.namespace, parent.name);
        if (!listenerSet) {
          missing('ListenerSet', parent);
          continue;
        }
        const acceptance = accept(listenerSet);
        if (acceptance.kind === 'rejected') continue;
        if (acceptance.kind === 'undecided') {
          undecidedReason = `${route.kind} ${route.ref.namespace}/${route.ref.name}: ListenerSet ${listenerSet.ref.namespace}/${listenerSet.ref.name}: ${acceptance.reason}`;
          continue;
        }
        gateway = acceptance.gateway;
      } else {
        gateway = gateways.get(parent.namespace, parent.name);
        if (!gateway) {
          missing('Gateway', parent);
          continue;
        }
        const resolution = resolve(gateway);
        if (resolution.kind === 'other') continue;
        if (resolution.kind === 'undecided') {
          undecidedReason = `${route.kind} ${route.ref.namespace}/${route.ref.name}: ${resolution.reason}`;
          continue;
        }
      }
      // A route naming the Gateway attaches to its own listeners only, never to its ListenerSets'.
      const parentObject = listenerSet ?? gateway;
      for (const listener of parentObject.listeners) {
        if (parent.sectionName !== undefined && listener.name !== parent.sectionName) continue;
        if (parent.port !== undefined && listener.port !== parent.port) continue;
        if (!listener.kinds.includes(route.kind)) continue;
        const allowed = namespaceAllowed(listener, parentObject.ref.namespace, route, namespaces);
        if (allowed === 'unknown') {
          undecidedReason = `${route.kind} ${route.ref.namespace}/${route.ref.name}: listener ${listener.name} of ${listenerSet ? 'ListenerSet' : 'Gateway'} ${parentObject.ref.namespace}/${parentObject.ref.name} admits namespaces by label and Namespace ${route.ref.namespace} is not in the input`;
          continue;
        }
        if (!allowed) continue;
        attached = { gateway, listener };
        break;
      }
      if (!attached) continue;
      anyAttached = true;
      const resolved = resolve(attached.gateway);
      if (resolved.kind !== 'ours') continue;
      for (const backendRef of route.backendRefs) {
        if (backendRef.port === undefined) {
          notice(
            route,
            'gateway-backend-without-port',
            `backendRef to Service ${backendRef.namespace}/${backendRef.name} has no port, which the controller refuses ("Port is required"): it makes no target group for it.`,
          );
          continue;
        }
        if (
          backendRef.namespace !== route.ref.namespace &&
          !referenceGranted(inventory.referenceGrants, route, {
            namespace: backendRef.namespace,
            name: backendRef.name,
          })
        ) {
          notice(
            route,
            'gateway-reference-not-permitted',
            `sends traffic to Service ${backendRef.namespace}/${backendRef.name} in another namespace, but no ReferenceGrant in namespace ${backendRef.namespace} allows ${route.kind}s from namespace ${route.ref.namespace} to name it: the controller drops the backend (RefNotPermitted), so the workloads behind it are not judged; add a ReferenceGrant in ${backendRef.namespace} (from: group gateway.networking.k8s.io, kind ${route.kind}, namespace ${route.ref.namespace}; to: group "", kind Service).`,
          );
          continue;
        }
        const link: GatewayLink = {
          loadBalancer: resolved.loadBalancer,
          gateway: attached.gateway,
          ...(listenerSet ? { listenerSet } : {}),
          route,
          listenerProtocol: attached.listener.protocol,
          backendRef: backendRef as GatewayBackendRef & { port: number },
          ...(resolved.defaultConfig ? { defaultConfig: resolved.defaultConfig } : {}),
          loadBalancerAttributes: resolved.attributes,
        };
        links.getOrSet(backendRef.namespace, backendRef.name, () => []).push(link);
      }
    }
    if (!anyAttached && undecidedReason !== undefined)
      for (const backendRef of route.backendRefs) {
        const key = `${backendRef.namespace}/${backendRef.name}`;
        const list = undecided.get(key);
        if (list) list.push(undecidedReason);
        else undecided.set(key, [undecidedReason]);
      }
  }

  for (const [parent, { kind, routes }] of missingParents) {
    // A route that reached a load balancer through another parent loses nothing: its workloads are judged.
    const [first] = routes;
    const named = routes
      .slice(0, 3)
      .map((route) => `${route.kind} ${route.ref.namespace}/${route.ref.name}`)
      .join(', ');
    const more = routes.length > 3 ? ` and ${routes.length - 3} more` : '';
    notices?.push({
      code: 'unresolved-route-parent',
      object: parent,
      ...(first?.ref.source ? { at: first.ref.source } : {}),
      message: `named as parent by ${named}${more}, but not in the input: draingate cannot tell which load balancer serves ${routes.length === 1 ? 'that route' : 'those routes'}, so the workloads behind ${routes.length === 1 ? 'it' : 'them'} are not judged unless another parent decides; add the ${kind}${kind === 'ListenerSet' ? ', its Gateway' : ''} and its GatewayClass to the input (validate the platform's manifests with the application's: draingate validate app/ platform/)`,
    });
  }

  return {
    linksTo: (namespace, name) => links.get(namespace, name) ?? NO_GATEWAY_LINKS,
    undecided,
    configFor(link, service) {
      const route = { kind: link.route.kind, namespace: link.route.ref.namespace, name: link.route.ref.name };
      const serviceConfig = serviceConfigs.get(service.namespace, service.name);
      // Service-level props win field by field over the Gateway's defaults (`serviceLoader`, backend_service.go).
      const props = mergeProps(
        serviceConfig ? propsForRoute(serviceConfig, route) : undefined,
        link.defaultConfig ? propsForRoute(link.defaultConfig, route) : undefined,
      );
      return { ...(props ? { props } : {}), ...(serviceConfig ? { serviceConfig } : {}) };
    },
  };
}

/**
 * The two default TargetGroupConfigurations merged: `defaultConfiguration` field by field (attributes key by
 * key), the winner's `routeConfigurations` whole (`MergeDefaultTGCs`, pkg/gateway/tg_config_constructor.go).
 */
function mergeDefaultConfigs(
  high: TargetGroupConfigurationObject | undefined,
  low: TargetGroupConfigurationObject | undefined,
): TargetGroupConfigurationObject {
  if (!high) return low!;
  if (!low) return high;
  return { ...high, defaultConfiguration: mergeProps(high.defaultConfiguration, low.defaultConfiguration)! };
}

function mergeAttributes(
  high: ReadonlyMap<string, Resolved<string>> | undefined,
  low: ReadonlyMap<string, Resolved<string>> | undefined,
): ReadonlyMap<string, Resolved<string>> {
  if (!high || high.size === 0) return low ?? NO_ATTRIBUTES;
  if (!low || low.size === 0) return high;
  const merged = new Map(high);
  for (const [key, value] of low) if (!merged.has(key)) merged.set(key, value);
  return merged;
}

/**
 * `allowedRoutes.namespaces` of a listener, against the namespace of the object that defines it — the Gateway,
 * or the ListenerSet for one of its listeners (`namespaceCheck`, listener_attachment_helper.go).
 */
function namespaceAllowed(
  listener: GatewayListener,
  parentNamespace: string,
  route: GatewayRouteObject,
  namespaces: ReadonlyMap<string, NamespaceObject>,
): boolean | 'unknown' {
  switch (listener.from) {
    case 'All':
      return true;
    case 'Same':
      return route.ref.namespace === parentNamespace;
    case 'Selector':
      return namespaceSelected(listener.selector, route.ref.namespace, namespaces);
  }
}

function namespaceSelected(
  selector: LabelSelector | undefined,
  name: string,
  namespaces: ReadonlyMap<string, NamespaceObject>,
): boolean | 'unknown' {
  const namespace = namespaces.get(name);
  if (!namespace) return 'unknown';
  // Kubernetes labels every Namespace with its name.
  const labels = { 'kubernetes.io/metadata.name': namespace.name, ...namespace.labels };
  return selector ? selectorMatches(selector, labels) : false;
}

/**
 * Whether a Gateway accepts a ListenerSet that names it, by `spec.allowedListeners.namespaces` (`None` unless
 * set; `Selector` without a selector admits none): true, why not, or 'unknown' when the ListenerSet's Namespace
 * is not in the input (`listenerSetGatewayHandshake`, pkg/gateway/routeutils/listener_set.go, and
 * `doesResourceAllowNamespace`, pkg/gateway/routeutils/attachment_helper.go, v3.5.0).
 */
function listenerSetAllowed(
  gateway: GatewayObject,
  set: ListenerSetObject,
  namespaces: ReadonlyMap<string, NamespaceObject>,
): true | string | 'unknown' {
  const { from, selector, at } = gateway.allowedListeners;
  const where = at ? ` (${describeProvenance(at)})` : '';
  switch (from) {
    case 'None':
      return at
        ? `spec.allowedListeners.namespaces.from is None${where}`
        : 'it sets no spec.allowedListeners, and a Gateway accepts no ListenerSet unless it does (from: None by default)';
    case 'All':
      return true;
    case 'Same':
      return set.ref.namespace === gateway.ref.namespace
        ? true
        : `it admits ListenerSets of its own namespace ${gateway.ref.namespace} only${where}`;
    case 'Selector': {
      const selected = namespaceSelected(selector, set.ref.namespace, namespaces);
      if (selected === 'unknown' || selected) return selected;
      return selector
        ? `the labels of Namespace ${set.ref.namespace} do not match its spec.allowedListeners.namespaces.selector${where}`
        : `it admits ListenerSets by a selector it does not set${where}`;
    }
  }
}
