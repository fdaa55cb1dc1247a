import type { BackendFacts } from '../model/facts.js';
import type { HealthCheckField, TargetGroupConfigurationObject, TargetGroupProps } from '../model/gateway.js';
import { GATEWAY_AWS_GROUP, HEALTH_CHECK_FIELDS } from '../model/gateway.js';
import type { ObjectRef } from '../model/provenance.js';
import { stringifySnippet } from './snippet-yaml.js';

type GatewayBackend = BackendFacts & { readonly route: Extract<BackendFacts['route'], { kind: 'Gateway' }> };

export function isGatewayBackend(backend: BackendFacts): backend is GatewayBackend {
  return backend.route.kind === 'Gateway';
}

/** A change to a Gateway backend's target group, written in a TargetGroupConfiguration. */
export interface TargetGroupChange {
  readonly attribute?: readonly [key: string, value: string];
  readonly targetType?: 'ip' | 'instance';
  readonly healthCheck?: Partial<Record<HealthCheckField, string | number>>;
}

/**
 * The TargetGroupConfiguration a fix for a Gateway backend goes into: the one whose targetReference names
 * the Service (it wins over the Gateway's defaults field by field), or a new one by the Service's name.
 */
export function gatewayConfigRef(backend: GatewayBackend): ObjectRef {
  const existing = backend.route.config.serviceConfig;
  if (existing) return existing.ref;
  return {
    kind: 'TargetGroupConfiguration',
    name: backend.service.ref.name,
    namespace: backend.service.ref.namespace,
  };
}

/**
 * A snippet of the Service's TargetGroupConfiguration with the change: in the route configuration that
 * applies to the route when that one sets the field (it wins over `defaultConfiguration`; the list is
 * written whole, as a merge patch replaces a list), else a merge patch of `defaultConfiguration`; a new
 * TargetGroupConfiguration when the Service has none. A `healthCheckConfig` carries every effective field —
 * the controller takes the block from one configuration, so a partial block would drop the fields the
 * Gateway's default configuration sets — and `targetGroupAttributes` keep the entries already written.
 */
export function gatewayConfigFix(backend: GatewayBackend, change: TargetGroupChange): string {
  const ref = gatewayConfigRef(backend);
  const existing = backend.route.config.serviceConfig;
  const props = backend.route.config.props;
  if (!existing) {
    const body = applyChange({}, change, props);
    // A whole new object (apiVersion and kind say so), as a fix that adds a PodDisruptionBudget writes one.
    return `# ${ref.kind} ${ref.namespace}/${ref.name}\n${stringifySnippet({
      apiVersion: `${GATEWAY_AWS_GROUP}/v1`,
      kind: 'TargetGroupConfiguration',
      metadata: { name: ref.name, namespace: ref.namespace },
      spec: { targetReference: { name: backend.service.ref.name }, defaultConfiguration: body },
    })}`;
  }
  const routeIndex = matchedRouteIndex(existing, props);
  const entry = routeIndex === undefined ? undefined : existing.routeConfigurations[routeIndex];
  if (entry && routeIndex !== undefined && setsChangedField(entry.props, change)) {
    const entries = existing.routeConfigurations.map((other, i) => {
      if (i !== routeIndex) return other.written;
      const written = other.written['targetGroupProps'];
      const patched = applyChange(
        typeof written === 'object' && written !== null ? (written as Record<string, unknown>) : {},
        change,
        props,
      );
      return { ...other.written, targetGroupProps: patched };
    });
    return `# ${ref.kind} ${ref.namespace}/${ref.name}\n${stringifySnippet({ spec: { routeConfigurations: entries } })}`;
  }
  // A merge patch of `defaultConfiguration` (a mapping): only what changes, with the attribute list whole.
  return `# ${ref.kind} ${ref.namespace}/${ref.name}\n${stringifySnippet({
    spec: {
      defaultConfiguration: applyChange(
        change.attribute ? writtenAttributes(existing.defaultConfiguration) : {},
        change,
        props,
      ),
    },
  })}`;
}

/** The attribute list of a configuration's props, as written (the only list a merge patch replaces). */
function writtenAttributes(props: TargetGroupProps): Record<string, unknown> {
  if (props.attributes.size === 0) return {};
  return {
    targetGroupAttributes: [...props.attributes].map(([key, value]) => ({ key, value: value.value })),
  };
}

function matchedRouteIndex(
  config: TargetGroupConfigurationObject,
  props: TargetGroupProps | undefined,
): number | undefined {
  return props?.sources.find((source) => source.config === config && source.routeIndex !== undefined)
    ?.routeIndex;
}

function setsChangedField(props: TargetGroupProps, change: TargetGroupChange): boolean {
  if (change.attribute) return props.attributes.has(change.attribute[0]);
  if (change.targetType) return props.targetType !== undefined;
  return props.healthCheck !== undefined;
}

/** `written` (a TargetGroupProps as written) with the change, as a new object. */
function applyChange(
  written: Record<string, unknown>,
  change: TargetGroupChange,
  effective: TargetGroupProps | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...written };
  if (change.targetType) out['targetType'] = change.targetType;
  if (change.attribute) {
    const [key, value] = change.attribute;
    const list = Array.isArray(written['targetGroupAttributes'])
      ? (written['targetGroupAttributes'] as unknown[]).filter(
          (entry) => (entry as { key?: unknown } | null)?.key !== key,
        )
      : [];
    out['targetGroupAttributes'] = [...list, { key, value }];
  }
  if (change.healthCheck) {
    const writtenBlock = written['healthCheckConfig'];
    const block: Record<string, unknown> =
      typeof writtenBlock === 'object' && writtenBlock !== null
        ? { ...(writtenBlock as Record<string, unknown>) }
        : {};
    const fields = effective?.healthCheck?.fields ?? {};
    for (const field of HEALTH_CHECK_FIELDS) {
      const value = change.healthCheck[field] ?? fields[field]?.value;
      if (value !== undefined) block[field] = value;
    }
    out['healthCheckConfig'] = block;
  }
  return out;
}

/** The TargetGroupConfiguration field a health check setting is written in, for fix summaries. */
export function healthCheckFieldName(field: HealthCheckField): string {
  return `healthCheckConfig.${field}`;
}
