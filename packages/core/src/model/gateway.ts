import type { FieldPath } from '../manifest/source.js';
import type { FieldReader } from './field-reader.js';
import { readSelector } from './objects.js';
import type { LabelSelector } from './objects.js';
import type { ObjectRef, Provenance, Resolved } from './provenance.js';

// Gateway API objects (gateway.networking.k8s.io) and the AWS Load Balancer Controller's configuration CRDs for
// them (gateway.k8s.aws), as the controller reads them (v3.5.0). Each normalizer keeps what the controller uses
// to build target groups, with the provenance of every value a rule may quote.

/** The API group of Gateway API objects. */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
/** The API group of the controller's TargetGroupConfiguration and LoadBalancerConfiguration. */
export const GATEWAY_AWS_GROUP = 'gateway.k8s.aws';

/**
 * `spec.controllerName` of the controller's GatewayClasses (pkg/gateway/constants/controller_constants.go,
 * v3.5.0): L7 routes on an ALB, L4 routes on an NLB.
 */
export const GATEWAY_CONTROLLERS = {
  'gateway.k8s.aws/alb': 'alb',
  'gateway.k8s.aws/nlb': 'nlb',
} as const satisfies Record<string, 'alb' | 'nlb'>;

export type GatewayRouteKind = 'HTTPRoute' | 'GRPCRoute' | 'TCPRoute' | 'UDPRoute' | 'TLSRoute';

export const GATEWAY_ROUTE_KINDS: ReadonlySet<string> = new Set<GatewayRouteKind>([
  'HTTPRoute',
  'GRPCRoute',
  'TCPRoute',
  'UDPRoute',
  'TLSRoute',
]);

/**
 * The route kinds a listener accepts when its `allowedRoutes.kinds` is empty, by protocol
 * (`DefaultProtocolToRouteKindMap`, pkg/gateway/routeutils/constants.go, v3.5.0).
 */
export const DEFAULT_ROUTE_KINDS: Readonly<Record<string, readonly GatewayRouteKind[]>> = {
  TCP: ['TCPRoute'],
  UDP: ['UDPRoute'],
  TLS: ['TLSRoute', 'TCPRoute'],
  HTTP: ['HTTPRoute'],
  HTTPS: ['HTTPRoute', 'GRPCRoute'],
};

export interface GatewayClassObject {
  readonly name: string;
  readonly ref: ObjectRef;
  readonly controllerName: string;
  /** `spec.parametersRef` to a LoadBalancerConfiguration (which must name its namespace). */
  readonly parametersRef?: { readonly name: string; readonly namespace?: string };
}

export interface GatewayListener {
  readonly name: string;
  readonly protocol: string;
  readonly port: number;
  /** `allowedRoutes.namespaces.from`: `Same` unless set. */
  readonly from: 'Same' | 'All' | 'Selector';
  readonly selector?: LabelSelector;
  /** `allowedRoutes.kinds`, or the protocol's default kinds. */
  readonly kinds: readonly string[];
}

/** `spec.allowedListeners.namespaces` of a Gateway: which namespaces' ListenerSets it accepts. */
export interface AllowedListeners {
  /** `None` (no ListenerSet) unless set. */
  readonly from: 'None' | 'Same' | 'All' | 'Selector';
  readonly selector?: LabelSelector;
  /** Where `from` is written; absent for the default. */
  readonly at?: Provenance;
}

export interface GatewayObject {
  readonly ref: ObjectRef;
  readonly reader: FieldReader;
  readonly annotations: Readonly<Record<string, string>>;
  readonly className: string;
  readonly listeners: readonly GatewayListener[];
  readonly allowedListeners: AllowedListeners;
  /** `spec.infrastructure.parametersRef` to a LoadBalancerConfiguration in the Gateway's namespace. */
  readonly parametersRef?: string;
}

export interface ListenerSetObject {
  readonly ref: ObjectRef;
  readonly reader: FieldReader;
  /** `spec.parentRef`; absent when it names a kind other than Gateway, which attaches to nothing. */
  readonly parentRef?: { readonly name: string; readonly namespace: string };
  readonly listeners: readonly GatewayListener[];
}

export interface GatewayParentRef {
  /** `Gateway` unless set; a route may also name a ListenerSet, whose listeners it then attaches to. */
  readonly kind: 'Gateway' | 'ListenerSet';
  readonly name: string;
  readonly namespace: string;
  readonly sectionName?: string;
  readonly port?: number;
}

export interface GatewayBackendRef {
  readonly name: string;
  readonly namespace: string;
  /** Required by the controller (`Port is required`); absent here when the route leaves it out. */
  readonly port?: number;
  /** `weight`: 1 unless set; 0 sends the backend no traffic. */
  readonly weight: number;
}

export interface GatewayRouteObject {
  readonly ref: ObjectRef;
  readonly reader: FieldReader;
  readonly kind: GatewayRouteKind;
  readonly parentRefs: readonly GatewayParentRef[];
  readonly backendRefs: readonly GatewayBackendRef[];
}

export interface ReferenceGrantObject {
  readonly ref: ObjectRef;
  readonly from: readonly { readonly group: string; readonly kind: string; readonly namespace: string }[];
  readonly to: readonly { readonly group: string; readonly kind: string; readonly name?: string }[];
}

/** The health check fields of a TargetGroupConfiguration's `healthCheckConfig`. */
export type HealthCheckField =
  | 'healthCheckProtocol'
  | 'healthCheckPort'
  | 'healthCheckPath'
  | 'healthCheckInterval'
  | 'healthCheckTimeout'
  | 'healthyThresholdCount'
  | 'unhealthyThresholdCount';

export const HEALTH_CHECK_FIELDS: readonly HealthCheckField[] = [
  'healthCheckProtocol',
  'healthCheckPort',
  'healthCheckPath',
  'healthCheckInterval',
  'healthCheckTimeout',
  'healthyThresholdCount',
  'unhealthyThresholdCount',
];

const NUMERIC_HEALTH_CHECK_FIELDS: ReadonlySet<HealthCheckField> = new Set([
  'healthCheckInterval',
  'healthCheckTimeout',
  'healthyThresholdCount',
  'unhealthyThresholdCount',
]);

/** A `healthCheckConfig` block: the controller takes it whole from one TargetGroupConfiguration. */
export interface HealthCheckBlock {
  readonly from: Provenance;
  readonly fields: Readonly<Partial<Record<HealthCheckField, Resolved<string | number>>>>;
}

/** Where a set of TargetGroupProps is written: a TargetGroupConfiguration, and a route configuration in it. */
export interface PropsSource {
  readonly config: TargetGroupConfigurationObject;
  /** The index in `spec.routeConfigurations`; absent for `spec.defaultConfiguration`. */
  readonly routeIndex?: number;
}

/** `TargetGroupProps` (apis/gateway/v1/targetgroupconfig_types.go), the fields drain timing depends on. */
export interface TargetGroupProps {
  readonly targetType?: Resolved<'ip' | 'instance'>;
  readonly protocol?: Resolved<string>;
  readonly protocolVersion?: Resolved<string>;
  readonly healthCheck?: HealthCheckBlock;
  /** `targetGroupAttributes`, merged key by key across configurations. */
  readonly attributes: ReadonlyMap<string, Resolved<string>>;
  /**
   * Health check fields a lower-priority configuration set and a higher one's `healthCheckConfig` replaced
   * (the merge takes the block whole): they fall back to the controller's defaults.
   */
  readonly droppedHealthCheck?: Readonly<Partial<Record<HealthCheckField, Resolved<string | number>>>>;
  /** The TargetGroupConfiguration (and route configuration) whose props these are, highest priority first. */
  readonly sources: readonly PropsSource[];
}

export interface RouteConfiguration {
  readonly kind: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly props: TargetGroupProps;
  /** The entry as written, for fixes that rewrite the list. */
  readonly written: Record<string, unknown>;
}

export interface TargetGroupConfigurationObject {
  readonly ref: ObjectRef;
  readonly reader: FieldReader;
  /** `spec.targetReference`: `Service` unless another kind is named. Absent: a default configuration only. */
  readonly targetReference?: { readonly kind: string; readonly name: string };
  readonly defaultConfiguration: TargetGroupProps;
  readonly routeConfigurations: readonly RouteConfiguration[];
}

export interface LoadBalancerConfigurationObject {
  readonly ref: ObjectRef;
  readonly mergingMode?: Resolved<'prefer-gateway-class' | 'prefer-gateway'>;
  readonly defaultTargetGroupConfiguration?: string;
  readonly loadBalancerAttributes: ReadonlyMap<string, Resolved<string>>;
}

export function normalizeGatewayClass(r: FieldReader): GatewayClassObject | undefined {
  const controllerName = r.string(['spec', 'controllerName']);
  if (controllerName === undefined) r.report(['spec', 'controllerName'], 'is required');
  const kind = r.string(['spec', 'parametersRef', 'kind']);
  const group = r.string(['spec', 'parametersRef', 'group']);
  const name = r.string(['spec', 'parametersRef', 'name']);
  const namespace = r.string(['spec', 'parametersRef', 'namespace']);
  if (!r.ok || controllerName === undefined) return undefined;
  const lbc = kind === 'LoadBalancerConfiguration' && group === GATEWAY_AWS_GROUP && name !== undefined;
  return {
    name: r.ref.name,
    ref: r.refInNamespace(''),
    controllerName,
    ...(lbc ? { parametersRef: { name, ...(namespace !== undefined ? { namespace } : {}) } } : {}),
  };
}

/** Reads a listener (of a Gateway's `spec.listeners` or a ListenerSet's); undefined when unusable. */
function readListener(l: FieldReader): GatewayListener | undefined {
  const name = l.string(['name']) ?? '';
  const protocol = l.string(['protocol']);
  const port = l.integer(['port'], { min: 1, max: 65535 });
  if (protocol === undefined) l.report(['protocol'], 'is required');
  if (port === undefined && l.raw(['port']) === undefined) l.report(['port'], 'is required');
  const fromValue = l.string(['allowedRoutes', 'namespaces', 'from']) ?? 'Same';
  if (fromValue !== 'Same' && fromValue !== 'All' && fromValue !== 'Selector')
    l.report(
      ['allowedRoutes', 'namespaces', 'from'],
      `must be Same, All or Selector, got ${JSON.stringify(fromValue)}`,
    );
  const kinds = l
    .list(['allowedRoutes', 'kinds'])
    .map((__, k) => l.string(['allowedRoutes', 'kinds', k, 'kind']))
    .filter((kind): kind is string => kind !== undefined);
  const selector =
    fromValue === 'Selector' ? readSelector(l, ['allowedRoutes', 'namespaces', 'selector']) : undefined;
  if (protocol === undefined || port === undefined) return undefined;
  return {
    name,
    protocol,
    port,
    from: fromValue as GatewayListener['from'],
    ...(selector ? { selector } : {}),
    kinds: kinds.length > 0 ? kinds : (DEFAULT_ROUTE_KINDS[protocol] ?? []),
  };
}

function readListeners(r: FieldReader): GatewayListener[] {
  return r
    .list(['spec', 'listeners'])
    .flatMap((_, i) => readListener(r.within(['spec', 'listeners', i])) ?? []);
}

const ALLOWED_LISTENERS_FROM: ReadonlySet<string> = new Set(['None', 'Same', 'All', 'Selector']);
const NO_LISTENER_SETS: AllowedListeners = { from: 'None' };
const SELECTOR_PATH: FieldPath = ['spec', 'allowedListeners', 'namespaces', 'selector'];

export function normalizeGateway(r: FieldReader): GatewayObject | undefined {
  const className = r.string(['spec', 'gatewayClassName']);
  if (className === undefined) r.report(['spec', 'gatewayClassName'], 'is required');
  const listeners = readListeners(r);
  const fromPath: FieldPath = ['spec', 'allowedListeners', 'namespaces', 'from'];
  const from = r.string(fromPath);
  if (from !== undefined && !ALLOWED_LISTENERS_FROM.has(from))
    r.report(fromPath, `must be None, Same, All or Selector, got ${JSON.stringify(from)}`);
  const allowedListeners: AllowedListeners =
    from === undefined || from === 'None' || !ALLOWED_LISTENERS_FROM.has(from)
      ? NO_LISTENER_SETS
      : {
          from: from as AllowedListeners['from'],
          at: r.field(fromPath),
          // The controller admits none by a Selector without a selector (`doesResourceAllowNamespace`).
          ...(from === 'Selector' && r.mapping(SELECTOR_PATH)
            ? { selector: readSelector(r, SELECTOR_PATH) }
            : {}),
        };
  const refKind = r.string(['spec', 'infrastructure', 'parametersRef', 'kind']);
  const refGroup = r.string(['spec', 'infrastructure', 'parametersRef', 'group']);
  const refName = r.string(['spec', 'infrastructure', 'parametersRef', 'name']);
  if (!r.ok || className === undefined) return undefined;
  const lbc = refKind === 'LoadBalancerConfiguration' && refGroup === GATEWAY_AWS_GROUP && refName;
  return {
    ref: r.ref,
    reader: r,
    annotations: r.stringMap(['metadata', 'annotations']),
    className,
    listeners,
    allowedListeners,
    ...(lbc ? { parametersRef: refName } : {}),
  };
}

/**
 * A ListenerSet (gateway.networking.k8s.io/v1, Gateway API v1.5.0, GEP-1713): listeners added to the Gateway
 * of its `spec.parentRef`, whose kind must be Gateway and whose namespace is the ListenerSet's unless set
 * (`doesResourceAttachToGateway`, pkg/gateway/routeutils/attachment_helper.go, v3.5.0).
 */
export function normalizeListenerSet(r: FieldReader): ListenerSetObject | undefined {
  const name = r.string(['spec', 'parentRef', 'name']);
  if (name === undefined) r.report(['spec', 'parentRef', 'name'], 'is required');
  const kind = r.string(['spec', 'parentRef', 'kind']) ?? 'Gateway';
  const namespace = r.string(['spec', 'parentRef', 'namespace']) ?? r.ref.namespace;
  const listeners = readListeners(r);
  if (!r.ok || name === undefined) return undefined;
  return {
    ref: r.ref,
    reader: r,
    ...(kind === 'Gateway' ? { parentRef: { name, namespace } } : {}),
    listeners,
  };
}

export function normalizeGatewayRoute(r: FieldReader): GatewayRouteObject | undefined {
  const kind = r.kind as GatewayRouteKind;
  const namespace = r.ref.namespace;
  const parentRefs: GatewayParentRef[] = [];
  r.list(['spec', 'parentRefs']).forEach((_, i) => {
    const p = r.within(['spec', 'parentRefs', i]);
    const group = p.string(['group']) ?? GATEWAY_API_GROUP;
    const parentKind = p.string(['kind']) ?? 'Gateway';
    const name = p.string(['name']);
    if (name === undefined) p.report(['name'], 'is required');
    const sectionName = p.string(['sectionName']);
    const port = p.integer(['port'], { min: 1, max: 65535 });
    if (name === undefined || group !== GATEWAY_API_GROUP) return;
    if (parentKind !== 'Gateway' && parentKind !== 'ListenerSet') return;
    parentRefs.push({
      kind: parentKind,
      name,
      namespace: p.string(['namespace']) ?? namespace,
      ...(sectionName !== undefined ? { sectionName } : {}),
      ...(port !== undefined ? { port } : {}),
    });
  });
  const backendRefs: GatewayBackendRef[] = [];
  r.list(['spec', 'rules']).forEach((_, i) => {
    r.list(['spec', 'rules', i, 'backendRefs']).forEach((__, j) => {
      const path: FieldPath = ['spec', 'rules', i, 'backendRefs', j];
      const b = r.within(path);
      const group = b.string(['group']) ?? '';
      const backendKind = b.string(['kind']) ?? 'Service';
      const name = b.string(['name']);
      if (name === undefined) b.report(['name'], 'is required');
      const port = b.integer(['port'], { min: 1, max: 65535 });
      // The controller refuses a weight above 999 (`maxWeight`, pkg/gateway/routeutils/backend.go).
      const weight = b.integer(['weight'], { min: 0, max: 999 });
      // Only Services are pods' backends; a TargetGroupName or Gateway backend is not a workload.
      if (name === undefined || group !== '' || backendKind !== 'Service') return;
      backendRefs.push({
        name,
        namespace: b.string(['namespace']) ?? namespace,
        ...(port !== undefined ? { port } : {}),
        weight: weight ?? 1,
      });
    });
  });
  if (!r.ok) return undefined;
  return { ref: r.ref, reader: r, kind, parentRefs, backendRefs };
}

export function normalizeReferenceGrant(r: FieldReader): ReferenceGrantObject | undefined {
  const from = r.list(['spec', 'from']).flatMap((_, i) => {
    const group = r.string(['spec', 'from', i, 'group']) ?? '';
    const kind = r.string(['spec', 'from', i, 'kind']);
    const namespace = r.string(['spec', 'from', i, 'namespace']);
    return kind !== undefined && namespace !== undefined ? [{ group, kind, namespace }] : [];
  });
  const to = r.list(['spec', 'to']).flatMap((_, i) => {
    const group = r.string(['spec', 'to', i, 'group']) ?? '';
    const kind = r.string(['spec', 'to', i, 'kind']);
    const name = r.string(['spec', 'to', i, 'name']);
    return kind !== undefined ? [{ group, kind, ...(name !== undefined ? { name } : {}) }] : [];
  });
  return r.ok ? { ref: r.ref, from, to } : undefined;
}

/** Whether a ReferenceGrant in the Service's namespace lets a route of another namespace name it. */
export function referenceGranted(
  grants: readonly ReferenceGrantObject[],
  route: GatewayRouteObject,
  service: { readonly namespace: string; readonly name: string },
): boolean {
  return grants.some(
    (grant) =>
      grant.ref.namespace === service.namespace &&
      grant.from.some(
        (f) => f.group === GATEWAY_API_GROUP && f.kind === route.kind && f.namespace === route.ref.namespace,
      ) &&
      grant.to.some(
        (t) => t.group === '' && t.kind === 'Service' && (t.name === undefined || t.name === service.name),
      ),
  );
}

const NO_ATTRIBUTES: ReadonlyMap<string, Resolved<string>> = new Map();

/** Reads one `TargetGroupProps` block at `path`. */
function readProps(r: FieldReader, path: FieldPath, source: PropsSource | undefined): TargetGroupProps {
  const props: {
    -readonly [K in keyof TargetGroupProps]: TargetGroupProps[K];
  } = { attributes: NO_ATTRIBUTES, sources: source ? [source] : NO_SOURCES };
  // Most configurations set a few fields: read the block once, and only the keys it has.
  const block = r.mapping(path);
  if (!block) return props;
  const p = r.within(path);
  const targetType = block['targetType'] === undefined ? undefined : p.string(TARGET_TYPE);
  if (targetType === 'ip' || targetType === 'instance')
    props.targetType = { value: targetType, from: p.field(TARGET_TYPE) };
  else if (targetType !== undefined)
    p.report(TARGET_TYPE, `must be ip or instance, got ${JSON.stringify(targetType)}`);
  const protocol = block['protocol'] === undefined ? undefined : p.string(PROTOCOL);
  if (protocol !== undefined) props.protocol = { value: protocol, from: p.field(PROTOCOL) };
  const protocolVersion = block['protocolVersion'] === undefined ? undefined : p.string(PROTOCOL_VERSION);
  if (protocolVersion !== undefined)
    props.protocolVersion = { value: protocolVersion, from: p.field(PROTOCOL_VERSION) };
  const hc = p.mapping(HEALTH_CHECK);
  if (hc) {
    const h = p.within(HEALTH_CHECK);
    const fields: Partial<Record<HealthCheckField, Resolved<string | number>>> = {};
    for (const key of Object.keys(hc)) {
      if (!HEALTH_CHECK_FIELD_SET.has(key)) continue;
      const field = key as HealthCheckField;
      const at = [field];
      const value = NUMERIC_HEALTH_CHECK_FIELDS.has(field)
        ? h.integer(at, { min: 0 })
        : field === 'healthCheckPort'
          ? h.intOrString(at)
          : h.string(at);
      if (value === undefined) continue;
      fields[field] = {
        value: field === 'healthCheckProtocol' ? String(value).toUpperCase() : value,
        from: h.field(at),
      };
    }
    props.healthCheck = { from: p.field(HEALTH_CHECK), fields };
  }
  const list = block['targetGroupAttributes'] === undefined ? [] : p.list(ATTRIBUTES);
  if (list.length > 0) {
    const attributes = new Map<string, Resolved<string>>();
    list.forEach((_, i) => {
      const key = p.string(['targetGroupAttributes', i, 'key']);
      const value = p.string(['targetGroupAttributes', i, 'value']);
      if (key === undefined || value === undefined) return;
      attributes.set(key, {
        value,
        from: p.field(['targetGroupAttributes', i, 'value'], attributeLabel(path, key)),
      });
    });
    if (attributes.size > 0) props.attributes = attributes;
  }
  return props;
}

/**
 * The label of a target group attribute, `….targetGroupAttributes[key]`, formatted when a message quotes it.
 * A function of its own, so that the label keeps only the path and the key alive, not the reader (and the
 * parsed document) of the function that made it.
 */
function attributeLabel(path: FieldPath, key: string): () => string {
  return () => `${formatPath([...path, 'targetGroupAttributes'])}[${key}]`;
}

const NO_SOURCES: readonly PropsSource[] = [];
const TARGET_TYPE: FieldPath = ['targetType'];
const PROTOCOL: FieldPath = ['protocol'];
const PROTOCOL_VERSION: FieldPath = ['protocolVersion'];
const HEALTH_CHECK: FieldPath = ['healthCheckConfig'];
const ATTRIBUTES: FieldPath = ['targetGroupAttributes'];
const HEALTH_CHECK_FIELD_SET: ReadonlySet<string> = new Set(HEALTH_CHECK_FIELDS);

function formatPath(path: FieldPath): string {
  return path
    .map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`))
    .join('')
    .slice(1);
}

function copyWritten(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (structuredClone(value) as Record<string, unknown>)
    : {};
}

export function normalizeTargetGroupConfiguration(
  r: FieldReader,
): TargetGroupConfigurationObject | undefined {
  const refName = r.string(['spec', 'targetReference', 'name']);
  const refKind = r.string(['spec', 'targetReference', 'kind']) ?? 'Service';
  if (r.mapping(['spec', 'targetReference']) && refName === undefined)
    r.report(['spec', 'targetReference', 'name'], 'is required');
  const object = {} as {
    -readonly [K in keyof TargetGroupConfigurationObject]: TargetGroupConfigurationObject[K];
  };
  object.ref = r.ref;
  object.reader = r;
  if (refName !== undefined) object.targetReference = { kind: refKind, name: refName };
  object.defaultConfiguration = readProps(r, ['spec', 'defaultConfiguration'], { config: object });
  object.routeConfigurations = r.list(['spec', 'routeConfigurations']).flatMap((_, i) => {
    const base: FieldPath = ['spec', 'routeConfigurations', i];
    const kind = r.string([...base, 'routeIdentifier', 'kind']);
    if (kind === undefined) {
      r.report([...base, 'routeIdentifier', 'kind'], 'is required');
      return [];
    }
    const namespace = r.string([...base, 'routeIdentifier', 'namespace']);
    const name = r.string([...base, 'routeIdentifier', 'name']);
    return [
      {
        kind,
        ...(namespace ? { namespace } : {}),
        ...(name ? { name } : {}),
        props: readProps(r, [...base, 'targetGroupProps'], { config: object, routeIndex: i }),
        written: copyWritten(r.raw(base)),
      },
    ];
  });
  return r.ok ? object : undefined;
}

export function normalizeLoadBalancerConfiguration(
  r: FieldReader,
): LoadBalancerConfigurationObject | undefined {
  const mode = r.string(['spec', 'mergingMode']);
  if (mode !== undefined && mode !== 'prefer-gateway-class' && mode !== 'prefer-gateway')
    r.report(
      ['spec', 'mergingMode'],
      `must be prefer-gateway-class or prefer-gateway, got ${JSON.stringify(mode)}`,
    );
  const tgc = r.string(['spec', 'defaultTargetGroupConfiguration', 'name']);
  const attributes = new Map<string, Resolved<string>>();
  r.list(['spec', 'loadBalancerAttributes']).forEach((_, i) => {
    const key = r.string(['spec', 'loadBalancerAttributes', i, 'key']);
    const value = r.string(['spec', 'loadBalancerAttributes', i, 'value']);
    if (key === undefined || value === undefined) return;
    attributes.set(key, {
      value,
      from: r.field(['spec', 'loadBalancerAttributes', i, 'value'], `spec.loadBalancerAttributes[${key}]`),
    });
  });
  if (!r.ok) return undefined;
  return {
    ref: r.ref,
    ...(mode === 'prefer-gateway-class' || mode === 'prefer-gateway'
      ? { mergingMode: { value: mode, from: r.field(['spec', 'mergingMode']) } }
      : {}),
    ...(tgc !== undefined ? { defaultTargetGroupConfiguration: tgc } : {}),
    loadBalancerAttributes: attributes.size > 0 ? attributes : NO_ATTRIBUTES,
  };
}

/**
 * The route configuration of a TargetGroupConfiguration that applies to a route, merged over its
 * `defaultConfiguration`: an exact kind+namespace+name match wins at once; otherwise kind+namespace beats
 * kind alone, and an entry that names a route (or a namespace) matches no other (`mergeWithLongestMatch`,
 * pkg/gateway/tg_config_constructor.go, v3.5.0).
 */
export function propsForRoute(
  config: TargetGroupConfigurationObject,
  route: { readonly kind: string; readonly namespace: string; readonly name: string },
): TargetGroupProps {
  let matched: TargetGroupProps | undefined;
  let longest = 0;
  for (const entry of config.routeConfigurations) {
    const kindEquals = entry.kind === route.kind;
    const nsEquals = (entry.namespace ?? '') === route.namespace;
    if (kindEquals && nsEquals && (entry.name ?? '') === route.name) {
      matched = entry.props;
      break;
    }
    if (entry.name !== undefined) continue;
    if (kindEquals && nsEquals && longest < 2) {
      matched = entry.props;
      longest = 2;
    } else if (kindEquals && entry.namespace === undefined && longest < 1) {
      matched = entry.props;
      longest = 1;
    }
  }
  return matched ? mergeProps(matched, config.defaultConfiguration)! : config.defaultConfiguration;
}

/**
 * Two sets of props merged, `high` winning: each top-level field is taken whole from `high` when set there,
 * else from `low` — so a `healthCheckConfig` replaces the other's block entirely — while target group
 * attributes merge key by key (`merge`/`performTakeOneMerges`, pkg/gateway/tg_config_constructor.go, and
 * `mergeAttributes`, pkg/gateway/attribute_merger.go, v3.5.0).
 */
export function mergeProps(
  high: TargetGroupProps | undefined,
  low: TargetGroupProps | undefined,
): TargetGroupProps | undefined {
  if (!high) return low;
  if (!low) return high;
  let attributes = high.attributes;
  if (low.attributes.size > 0) {
    const merged = new Map(high.attributes);
    for (const [key, value] of low.attributes) if (!merged.has(key)) merged.set(key, value);
    attributes = merged;
  }
  const dropped: Partial<Record<HealthCheckField, Resolved<string | number>>> = {
    ...low.droppedHealthCheck,
    ...high.droppedHealthCheck,
  };
  if (high.healthCheck && low.healthCheck) {
    for (const field of HEALTH_CHECK_FIELDS) {
      const lost = low.healthCheck.fields[field];
      if (lost && high.healthCheck.fields[field] === undefined) dropped[field] = lost;
    }
  }
  const healthCheck = high.healthCheck ?? low.healthCheck;
  // What the final block sets is not lost.
  if (healthCheck)
    for (const field of HEALTH_CHECK_FIELDS) if (healthCheck.fields[field]) delete dropped[field];
  const targetType = high.targetType ?? low.targetType;
  const protocol = high.protocol ?? low.protocol;
  const protocolVersion = high.protocolVersion ?? low.protocolVersion;
  return {
    ...(targetType ? { targetType } : {}),
    ...(protocol ? { protocol } : {}),
    ...(protocolVersion ? { protocolVersion } : {}),
    ...(healthCheck ? { healthCheck } : {}),
    attributes,
    ...(Object.keys(dropped).length > 0 ? { droppedHealthCheck: dropped } : {}),
    sources: [...high.sources, ...low.sources.filter((s) => !high.sources.includes(s))],
  };
}
