import { ALB_DEFAULTS, NLB_DEFAULTS, NLB_LOCAL_DEFAULTS } from '../timing/defaults.js';
import type { InputProblem } from '../manifest/source.js';
import { ALB, NLB, parseAttributeList } from './annotations.js';
import type { TargetGroupSettings } from './facts.js';
import type {
  IngressClassParamsObject,
  IngressObject,
  ServiceObject,
  TargetGroupBindingObject,
} from './objects.js';
import type { DefaultAuthority, Provenance, Resolved } from './provenance.js';
import { liveSource } from './field-reader.js';

/**
 * An object whose annotations may carry load-balancer settings (a Service or an Ingress); lists of them are
 * in precedence order (first wins).
 */
type AnnotationSource = Pick<ServiceObject | IngressObject, 'ref' | 'annotations' | 'reader'>;

function provenanceAt(source: AnnotationSource, key: string, attribute?: string): Provenance {
  return source.reader.annotation(key, undefined, attribute);
}

/**
 * A default that applies because a setting is written nowhere: "no <setting> on <where>". The note is
 * written only when a message quotes it, as most defaults are never shown. A class, not a literal with a
 * getter of its own (which V8 keeps in slow dictionary mode) nor a closure (whose scope would keep the
 * whole resolution alive): every backend holds several of these.
 */
class UnsetDefault {
  readonly kind = 'default';
  readonly authority: DefaultAuthority;
  readonly #setting: string;
  readonly #where: string | undefined;

  constructor(authority: DefaultAuthority, setting: string, where: string | undefined) {
    this.authority = authority;
    this.#setting = setting;
    this.#where = where;
  }

  get note(): string {
    return this.#where === undefined ? `no ${this.#setting}` : `no ${this.#setting} on ${this.#where}`;
  }
}

function controllerDefault(setting: string, where: string): Provenance {
  return new UnsetDefault('aws-load-balancer-controller', setting, where);
}

/** A default whose note is written only when a message quotes it. */
class LazyDefault {
  readonly kind = 'default';
  readonly authority: DefaultAuthority;
  readonly #note: () => string;

  constructor(authority: DefaultAuthority, note: () => string) {
    this.authority = authority;
    this.#note = note;
  }

  get note(): string {
    return this.#note();
  }
}

const ALB_DEREGISTRATION_SETTING = `deregistration_delay.timeout_seconds in ${ALB.targetGroupAttributes}`;
const NLB_DEREGISTRATION_SETTING = `deregistration_delay.timeout_seconds in ${NLB.targetGroupAttributes}`;
const ALB_IDLE_TIMEOUT_SETTING = `idle_timeout.timeout_seconds in ${ALB.loadBalancerAttributes}`;

/**
 * Resolves an ALB target group's settings from Service and Ingress annotations and IngressClassParams,
 * with the controller's precedence: IngressClassParams, then the Service's annotation, then the Ingress's,
 * then the controller default. `groupIngresses` are the other members of the Ingress's IngressGroup, whose
 * load-balancer attributes apply to the shared load balancer.
 */
export function resolveAlbSettings(
  service: ServiceObject,
  ingress: IngressObject | undefined,
  params: IngressClassParamsObject | undefined,
  groupIngresses: readonly IngressObject[],
  problems: InputProblem[],
): TargetGroupSettings {
  const sources: AnnotationSource[] = ingress ? [service, ingress] : [service];
  const where = ingress
    ? `Service ${service.ref.name} or Ingress ${ingress.ref.namespace}/${ingress.ref.name}`
    : `Service ${service.ref.name}`;
  const numberSetting = (key: string, fallback: number): Resolved<number> =>
    annotationNumber(sources, key, problems) ?? { value: fallback, from: controllerDefault(key, where) };

  let targetType: Resolved<'ip' | 'instance'> | undefined;
  if (params?.targetType === 'ip' || params?.targetType === 'instance') {
    targetType = {
      value: params.targetType,
      from: {
        kind: 'ingress-class-params',
        object: params.ref,
        field: 'spec.targetType',
        at: params.reader.at(['spec', 'targetType']),
      },
    };
  }
  targetType ??= annotationEnum(sources, ALB.targetType, ['ip', 'instance'] as const, problems);
  targetType ??= { value: ALB_DEFAULTS.targetType, from: controllerDefault(ALB.targetType, where) };

  const path = annotationString(sources, ALB.healthCheckPath) ?? {
    value: ALB_DEFAULTS.healthCheckPath,
    from: controllerDefault(ALB.healthCheckPath, where),
  };
  const protocol = annotationEnum(
    sources,
    ALB.healthCheckProtocol,
    ['HTTP', 'HTTPS'] as const,
    problems,
    (raw) => raw.toUpperCase(),
  ) ?? { value: ALB_DEFAULTS.healthCheckProtocol, from: controllerDefault(ALB.healthCheckProtocol, where) };
  const port = annotationString(sources, ALB.healthCheckPort) ?? {
    value: ALB_DEFAULTS.healthCheckPort,
    from: controllerDefault(ALB.healthCheckPort, where),
  };

  const tgAttribute = annotationAttribute(
    sources,
    ALB.targetGroupAttributes,
    'deregistration_delay.timeout_seconds',
    problems,
  );
  const deregistration = tgAttribute ?? {
    value: ALB_DEFAULTS.deregistrationDelaySeconds,
    from: controllerDefault(ALB_DEREGISTRATION_SETTING, where),
  };

  let idle: Resolved<number> | undefined;
  const paramsIdle = params?.loadBalancerAttributes['idle_timeout.timeout_seconds'];
  if (params && paramsIdle !== undefined && /^\d+$/.test(paramsIdle)) {
    idle = {
      value: Number(paramsIdle),
      from: {
        kind: 'ingress-class-params',
        object: params.ref,
        field: 'spec.loadBalancerAttributes[idle_timeout.timeout_seconds]',
        at: params.reader.at(['spec', 'loadBalancerAttributes']),
      },
    };
  }
  const lbSources: AnnotationSource[] = ingress
    ? [ingress, ...groupIngresses.filter((g) => g !== ingress)]
    : [];
  idle ??= annotationAttribute(
    lbSources,
    ALB.loadBalancerAttributes,
    'idle_timeout.timeout_seconds',
    problems,
  );
  idle ??= {
    value: ALB_DEFAULTS.idleTimeoutSeconds,
    from: new UnsetDefault(
      'aws',
      ALB_IDLE_TIMEOUT_SETTING,
      ingress ? `Ingress ${ingress.ref.namespace}/${ingress.ref.name}` : undefined,
    ),
  };

  return {
    targetType,
    healthCheckProtocol: protocol,
    healthCheckPort: port,
    healthCheckPath: path,
    healthCheckIntervalSeconds: numberSetting(
      ALB.healthCheckInterval,
      ALB_DEFAULTS.healthCheckIntervalSeconds,
    ),
    healthCheckTimeoutSeconds: numberSetting(ALB.healthCheckTimeout, ALB_DEFAULTS.healthCheckTimeoutSeconds),
    healthyThresholdCount: numberSetting(ALB.healthyThreshold, ALB_DEFAULTS.healthyThresholdCount),
    unhealthyThresholdCount: numberSetting(ALB.unhealthyThreshold, ALB_DEFAULTS.unhealthyThresholdCount),
    deregistrationDelaySeconds: deregistration,
    idleTimeoutSeconds: idle,
  };
}

/**
 * NLB target group settings from the Service's `service.beta.kubernetes.io/aws-load-balancer-*` annotations,
 * with the controller's defaults (pkg/service: `buildTargetType`, `buildTargetGroupHealthCheckConfig`,
 * `buildPreserveClientIPFlag`). The target type defaults to the controller's `--default-target-type`
 * (`instance`); `nlb-ip` as the load balancer type means ip. With instance targets, `type: LoadBalancer` and
 * `externalTrafficPolicy: Local`, the health check defaults change to kube-proxy's `/healthz` on the
 * healthCheckNodePort.
 */
export function resolveNlbSettings(service: ServiceObject, problems: InputProblem[]): TargetGroupSettings {
  const sources: AnnotationSource[] = [service];
  const where = `Service ${service.ref.name}`;
  const type = service.annotations[NLB.type];
  const targetType: Resolved<'ip' | 'instance'> =
    type === 'nlb-ip'
      ? { value: 'ip', from: provenanceAt(service, NLB.type) }
      : (annotationEnum(sources, NLB.targetType, ['ip', 'instance'] as const, problems) ?? {
          value: NLB_DEFAULTS.targetType,
          from: controllerDefault(NLB.targetType, where),
        });
  const local =
    targetType.value === 'instance' &&
    service.type === 'LoadBalancer' &&
    service.externalTrafficPolicy === 'Local';
  const defaults = local ? { ...NLB_DEFAULTS, ...NLB_LOCAL_DEFAULTS } : NLB_DEFAULTS;
  const defaultNote = (key: string): Provenance =>
    local
      ? new LazyDefault(
          'aws-load-balancer-controller',
          () => `no ${key} on ${where}, whose externalTrafficPolicy is Local with instance targets`,
        )
      : controllerDefault(key, where);
  const numberSetting = (key: string, fallback: number): Resolved<number> =>
    annotationNumber(sources, key, problems) ?? { value: fallback, from: defaultNote(key) };
  const attribute = (key: string): Resolved<boolean> | undefined =>
    annotationBoolean(sources, NLB.targetGroupAttributes, key, problems);
  return {
    targetType,
    healthCheckProtocol: annotationEnum(
      sources,
      NLB.healthCheckProtocol,
      ['TCP', 'HTTP', 'HTTPS'] as const,
      problems,
      (raw) => raw.toUpperCase(),
    ) ?? { value: defaults.healthCheckProtocol, from: defaultNote(NLB.healthCheckProtocol) },
    healthCheckPort: annotationString(sources, NLB.healthCheckPort) ?? {
      value: defaults.healthCheckPort,
      from: defaultNote(NLB.healthCheckPort),
    },
    healthCheckPath: annotationString(sources, NLB.healthCheckPath) ?? {
      value: defaults.healthCheckPath,
      from: defaultNote(NLB.healthCheckPath),
    },
    healthCheckIntervalSeconds: numberSetting(NLB.healthCheckInterval, defaults.healthCheckIntervalSeconds),
    healthCheckTimeoutSeconds: numberSetting(NLB.healthCheckTimeout, defaults.healthCheckTimeoutSeconds),
    healthyThresholdCount: numberSetting(NLB.healthyThreshold, defaults.healthyThresholdCount),
    unhealthyThresholdCount: numberSetting(NLB.unhealthyThreshold, defaults.unhealthyThresholdCount),
    deregistrationDelaySeconds: annotationAttribute(
      sources,
      NLB.targetGroupAttributes,
      'deregistration_delay.timeout_seconds',
      problems,
    ) ?? {
      value: NLB_DEFAULTS.deregistrationDelaySeconds,
      from: controllerDefault(NLB_DEREGISTRATION_SETTING, where),
    },
    connectionTermination: attribute('deregistration_delay.connection_termination.enabled') ?? {
      value: NLB_DEFAULTS.connectionTermination,
      from: new UnsetDefault(
        'aws',
        `deregistration_delay.connection_termination.enabled in ${NLB.targetGroupAttributes}`,
        where,
      ),
    },
    preserveClientIp: attribute('preserve_client_ip.enabled') ?? {
      value: targetType.value === 'instance',
      from: controllerDefault(`preserve_client_ip.enabled in ${NLB.targetGroupAttributes}`, where),
    },
  };
}

/**
 * A TargetGroupBinding points at a target group made outside the manifests: only its target type is known
 * statically; the rest are AWS's defaults for a new target group until `--live` reads the real ones.
 */
export function resolveBindingSettings(
  binding: TargetGroupBindingObject,
  loadBalancer: 'alb' | 'nlb',
): TargetGroupSettings {
  const unknown = (what: string): Provenance =>
    new LazyDefault(
      'aws',
      () =>
        `${what} of target group ${binding.targetGroupARN ?? binding.targetGroupName ?? '(unnamed)'} is not in the manifests; run with --live to read it`,
    );
  return {
    targetType:
      binding.targetType === 'ip' || binding.targetType === 'instance'
        ? { value: binding.targetType, from: binding.reader.field(['spec', 'targetType']) }
        : { value: 'instance', from: unknown('the target type') },
    healthCheckProtocol: {
      value: loadBalancer === 'alb' ? 'HTTP' : 'TCP',
      from: unknown('the health check protocol'),
    },
    healthCheckPort: { value: 'traffic-port', from: unknown('the health check port') },
    healthCheckPath: { value: '/', from: unknown('the health check path') },
    healthCheckIntervalSeconds: { value: 30, from: unknown('the health check interval') },
    healthCheckTimeoutSeconds: {
      value: loadBalancer === 'alb' ? 5 : 10,
      from: unknown('the health check timeout'),
    },
    healthyThresholdCount: { value: 5, from: unknown('the healthy threshold') },
    unhealthyThresholdCount: { value: 2, from: unknown('the unhealthy threshold') },
    deregistrationDelaySeconds: { value: 300, from: unknown('the deregistration delay') },
    ...(loadBalancer === 'alb'
      ? { idleTimeoutSeconds: { value: 60, from: unknown('the idle timeout') } }
      : {}),
    ...(binding.targetGroupARN ? { targetGroupArn: binding.targetGroupARN } : {}),
  };
}

function annotationString(sources: readonly AnnotationSource[], key: string): Resolved<string> | undefined {
  for (const source of sources) {
    const value = source.annotations[key];
    if (value !== undefined) return { value, from: provenanceAt(source, key) };
  }
  return undefined;
}

function annotationNumber(
  sources: readonly AnnotationSource[],
  key: string,
  problems: InputProblem[],
): Resolved<number> | undefined {
  for (const source of sources) {
    const value = source.annotations[key];
    if (value === undefined) continue;
    if (!/^\d+$/.test(value.trim())) {
      problems.push(
        annotationProblem(
          source,
          key,
          `must be a whole number of seconds or a count, got ${JSON.stringify(value)}`,
        ),
      );
      continue;
    }
    return { value: Number(value.trim()), from: provenanceAt(source, key) };
  }
  return undefined;
}

function annotationEnum<T extends string>(
  sources: readonly AnnotationSource[],
  key: string,
  allowed: readonly T[],
  problems: InputProblem[],
  normalize: (raw: string) => string = (raw) => raw,
): Resolved<T> | undefined {
  for (const source of sources) {
    const raw = source.annotations[key];
    if (raw === undefined) continue;
    const value = normalize(raw.trim());
    if (!(allowed as readonly string[]).includes(value)) {
      problems.push(
        annotationProblem(source, key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`),
      );
      continue;
    }
    return { value: value as T, from: provenanceAt(source, key) };
  }
  return undefined;
}

function annotationBoolean(
  sources: readonly AnnotationSource[],
  annotation: string,
  attribute: string,
  problems: InputProblem[],
): Resolved<boolean> | undefined {
  for (const source of sources) {
    const text = source.annotations[annotation];
    if (text === undefined) continue;
    const value = parseAttributeList(text).get(attribute)?.toLowerCase();
    if (value === undefined) continue;
    if (value !== 'true' && value !== 'false') {
      problems.push(
        annotationProblem(
          source,
          annotation,
          `${attribute} must be true or false, got ${JSON.stringify(value)}`,
        ),
      );
      continue;
    }
    return { value: value === 'true', from: provenanceAt(source, annotation, attribute) };
  }
  return undefined;
}

function annotationAttribute(
  sources: readonly AnnotationSource[],
  annotation: string,
  attribute: string,
  problems: InputProblem[],
): Resolved<number> | undefined {
  for (const source of sources) {
    const text = source.annotations[annotation];
    if (text === undefined) continue;
    const value = parseAttributeList(text).get(attribute);
    if (value === undefined) continue;
    if (!/^\d+$/.test(value)) {
      problems.push(
        annotationProblem(
          source,
          annotation,
          `${attribute} must be a whole number of seconds, got ${JSON.stringify(value)}`,
        ),
      );
      continue;
    }
    return { value: Number(value), from: provenanceAt(source, annotation, attribute) };
  }
  return undefined;
}

function annotationProblem(source: AnnotationSource, key: string, message: string): InputProblem {
  const from = provenanceAt(source, key);
  return {
    at: (from.kind === 'annotation' ? from.at : undefined) ?? liveSource(source.ref),
    object: `${source.ref.kind} ${source.ref.namespace}/${source.ref.name}`,
    field: `metadata.annotations[${JSON.stringify(key)}]`,
    message,
  };
}
