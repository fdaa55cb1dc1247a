import type { InputProblem } from '../manifest/source.js';
import { GATEWAY_DEFAULTS, GATEWAY_NLB_LOCAL_DEFAULTS } from '../timing/defaults.js';
import type { TargetGroupSettings } from './facts.js';
import { liveSource } from './field-reader.js';
import type { HealthCheckField, TargetGroupProps } from './gateway.js';
import type { GatewayLink } from './gateway-link.js';
import type { ServiceObject } from './objects.js';
import type { DefaultAuthority, Provenance, Resolved } from './provenance.js';
import { formatObjectRef } from './provenance.js';

/** A default that applies because no TargetGroupConfiguration sets a field; the note is written when quoted. */
class GatewayDefault {
  readonly kind = 'default';
  readonly authority: DefaultAuthority;
  readonly #what: string;
  readonly #service: ServiceObject;
  readonly #why: string | undefined;

  constructor(authority: DefaultAuthority, what: string, service: ServiceObject, why?: string) {
    this.authority = authority;
    this.#what = what;
    this.#service = service;
    this.#why = why;
  }

  get note(): string {
    return `no ${this.#what} in a TargetGroupConfiguration for Service ${this.#service.ref.namespace}/${this.#service.ref.name}${this.#why ? ` (${this.#why})` : ''}`;
  }
}

/**
 * The settings of the target group the controller builds for a Gateway route's backend Service, from the
 * merged TargetGroupConfiguration props (see `GatewayIndex.configFor`) over the controller's Gateway defaults
 * (`buildTargetGroupSpec`, `buildTargetGroupHealthCheckConfig`, pkg/gateway/model/model_build_target_group.go,
 * v3.5.0). The controller sets no target group attribute a configuration does not, so the deregistration
 * delay is AWS's 300 s unless one does.
 */
export function resolveGatewaySettings(
  service: ServiceObject,
  link: GatewayLink,
  props: TargetGroupProps | undefined,
  problems: InputProblem[],
): TargetGroupSettings {
  const lb = link.loadBalancer;
  const controller = (what: string, why?: string): Provenance =>
    new GatewayDefault('aws-load-balancer-controller', what, service, why);
  const targetType: Resolved<'ip' | 'instance'> = props?.targetType ?? {
    value: GATEWAY_DEFAULTS.targetType,
    from: controller('targetType'),
  };
  const local = lb === 'nlb' && targetType.value === 'instance' && service.externalTrafficPolicy === 'Local';
  const localWhy = local ? 'externalTrafficPolicy Local with instance targets' : undefined;
  const fields = props?.healthCheck?.fields ?? {};
  const grpc =
    lb === 'alb' &&
    link.listenerProtocol === 'HTTPS' &&
    (props?.protocolVersion?.value === 'GRPC' ||
      (props?.protocolVersion === undefined && link.route.kind === 'GRPCRoute'));
  const tgProtocol =
    props?.protocol?.value ??
    (link.route.kind === 'TCPRoute'
      ? 'TCP'
      : link.route.kind === 'UDPRoute'
        ? 'UDP'
        : link.route.kind === 'TLSRoute'
          ? lb === 'nlb'
            ? 'TLS'
            : 'HTTPS'
          : 'HTTP');
  const protocol: Resolved<string> = (fields.healthCheckProtocol as Resolved<string> | undefined) ?? {
    value: lb === 'nlb' ? (local ? GATEWAY_NLB_LOCAL_DEFAULTS.healthCheckProtocol : 'TCP') : tgProtocol,
    from: controller(
      'healthCheckConfig.healthCheckProtocol',
      local ? localWhy : lb === 'nlb' ? 'an NLB checks TCP' : `the target group protocol ${tgProtocol}`,
    ),
  };
  const number = (field: HealthCheckField, fallback: number, localFallback: number): Resolved<number> => {
    const set = fields[field];
    if (set && typeof set.value === 'number') return set as Resolved<number>;
    return {
      value: local ? localFallback : fallback,
      from: controller(`healthCheckConfig.${field}`, localWhy),
    };
  };
  const portSet = fields.healthCheckPort;
  const pathSet = fields.healthCheckPath as Resolved<string> | undefined;
  const deregistration = attributeNumber(props, 'deregistration_delay.timeout_seconds', problems) ?? {
    value: GATEWAY_DEFAULTS.deregistrationDelaySeconds,
    from: new GatewayDefault('aws', 'deregistration_delay.timeout_seconds in targetGroupAttributes', service),
  };
  const settings: TargetGroupSettings = {
    targetType,
    healthCheckProtocol: protocol,
    healthCheckPort: portSet
      ? { value: String(portSet.value), from: portSet.from }
      : {
          value: local ? GATEWAY_NLB_LOCAL_DEFAULTS.healthCheckPort : GATEWAY_DEFAULTS.healthCheckPort,
          from: controller('healthCheckConfig.healthCheckPort', localWhy),
        },
    healthCheckPath: pathSet ?? {
      value: grpc
        ? GATEWAY_DEFAULTS.grpcHealthCheckPath
        : local
          ? GATEWAY_NLB_LOCAL_DEFAULTS.healthCheckPath
          : GATEWAY_DEFAULTS.healthCheckPath,
      from: controller('healthCheckConfig.healthCheckPath', grpc ? 'gRPC' : localWhy),
    },
    healthCheckIntervalSeconds: number(
      'healthCheckInterval',
      GATEWAY_DEFAULTS.healthCheckIntervalSeconds,
      GATEWAY_NLB_LOCAL_DEFAULTS.healthCheckIntervalSeconds,
    ),
    healthCheckTimeoutSeconds: number(
      'healthCheckTimeout',
      GATEWAY_DEFAULTS.healthCheckTimeoutSeconds,
      GATEWAY_NLB_LOCAL_DEFAULTS.healthCheckTimeoutSeconds,
    ),
    healthyThresholdCount: number(
      'healthyThresholdCount',
      GATEWAY_DEFAULTS.healthyThresholdCount,
      GATEWAY_NLB_LOCAL_DEFAULTS.healthyThresholdCount,
    ),
    unhealthyThresholdCount: number(
      'unhealthyThresholdCount',
      GATEWAY_DEFAULTS.unhealthyThresholdCount,
      GATEWAY_NLB_LOCAL_DEFAULTS.unhealthyThresholdCount,
    ),
    deregistrationDelaySeconds: deregistration,
  };
  if (lb === 'alb') {
    const idle = link.loadBalancerAttributes.get('idle_timeout.timeout_seconds');
    const idleValue = idle && /^\d+$/.test(idle.value.trim()) ? Number(idle.value.trim()) : undefined;
    if (idle && idleValue === undefined)
      problems.push(fieldProblem(idle.from, 'must be a whole number of seconds', idle.value));
    return {
      ...settings,
      idleTimeoutSeconds:
        idle && idleValue !== undefined
          ? { value: idleValue, from: idle.from }
          : {
              value: GATEWAY_DEFAULTS.idleTimeoutSeconds,
              from: {
                kind: 'default',
                authority: 'aws',
                note: `no idle_timeout.timeout_seconds in the loadBalancerAttributes of a LoadBalancerConfiguration of Gateway ${formatObjectRef(link.gateway.ref).replace(/^Gateway /, '')}`,
              },
            },
    };
  }
  const termination = attributeBoolean(
    props,
    'deregistration_delay.connection_termination.enabled',
    problems,
  );
  const preserve = attributeBoolean(props, 'preserve_client_ip.enabled', problems);
  return {
    ...settings,
    connectionTermination: termination ?? {
      value: GATEWAY_DEFAULTS.connectionTermination,
      from: new GatewayDefault(
        'aws',
        'deregistration_delay.connection_termination.enabled in targetGroupAttributes',
        service,
      ),
    },
    // AWS: off for ip targets over TCP or TLS, on otherwise (the controller sets nothing for Gateways).
    preserveClientIp: preserve ?? {
      value: !(targetType.value === 'ip' && (tgProtocol === 'TCP' || tgProtocol === 'TLS')),
      from: new GatewayDefault('aws', 'preserve_client_ip.enabled in targetGroupAttributes', service),
    },
  };
}

function attributeNumber(
  props: TargetGroupProps | undefined,
  key: string,
  problems: InputProblem[],
): Resolved<number> | undefined {
  const set = props?.attributes.get(key);
  if (!set) return undefined;
  if (!/^\d+$/.test(set.value.trim())) {
    problems.push(fieldProblem(set.from, `${key} must be a whole number of seconds`, set.value));
    return undefined;
  }
  return { value: Number(set.value.trim()), from: set.from };
}

function attributeBoolean(
  props: TargetGroupProps | undefined,
  key: string,
  problems: InputProblem[],
): Resolved<boolean> | undefined {
  const set = props?.attributes.get(key);
  if (!set) return undefined;
  const value = set.value.trim().toLowerCase();
  if (value !== 'true' && value !== 'false') {
    problems.push(fieldProblem(set.from, `${key} must be true or false`, set.value));
    return undefined;
  }
  return { value: value === 'true', from: set.from };
}

function fieldProblem(from: Provenance, message: string, value: string): InputProblem {
  if (from.kind !== 'field')
    return { at: { file: '-', line: 0, column: 0 }, message: `${message}, got ${JSON.stringify(value)}` };
  return {
    at: from.at ?? liveSource(from.object),
    object: `${from.object.kind} ${from.object.namespace}/${from.object.name}`,
    field: from.field,
    message: `${message}, got ${JSON.stringify(value)}`,
  };
}
