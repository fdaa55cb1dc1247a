import { ALB } from '../model/annotations.js';
import type { BackendFacts } from '../model/facts.js';
import { formatObjectRef } from '../model/provenance.js';
import type { ObjectRef } from '../model/provenance.js';
import { gatewayConfigFix, gatewayConfigRef, isGatewayBackend } from './gateway-fix.js';
import type { TargetGroupChange } from './gateway-fix.js';
import { backendLabel, createFinding, snippet } from './support.js';
import type { FieldReader } from '../model/field-reader.js';
import { parseAttributeList } from '../model/annotations.js';
import type { Finding, Rule } from './types.js';

/**
 * The Ingress annotations that set a target group, and the TargetGroupConfiguration field each one means.
 * The controller's Gateway model builder reads none of them (pkg/gateway/model/model_build_target_group.go,
 * v3.5.0, takes every setting from TargetGroupConfigurations).
 */
const TARGET_GROUP_ANNOTATIONS: readonly (readonly [annotation: string, field: string])[] = [
  [ALB.targetType, 'targetType'],
  [ALB.healthCheckProtocol, 'healthCheckConfig.healthCheckProtocol'],
  [ALB.healthCheckPort, 'healthCheckConfig.healthCheckPort'],
  [ALB.healthCheckPath, 'healthCheckConfig.healthCheckPath'],
  [ALB.healthCheckInterval, 'healthCheckConfig.healthCheckInterval'],
  [ALB.healthCheckTimeout, 'healthCheckConfig.healthCheckTimeout'],
  [ALB.healthyThreshold, 'healthCheckConfig.healthyThresholdCount'],
  [ALB.unhealthyThreshold, 'healthCheckConfig.unhealthyThresholdCount'],
  [ALB.successCodes, 'healthCheckConfig.matcher.httpCode'],
  [ALB.targetGroupAttributes, 'targetGroupAttributes'],
];

interface Holder {
  readonly ref: ObjectRef;
  readonly reader: FieldReader;
  readonly annotations: Readonly<Record<string, string>>;
}

export const ingressAnnotationsOnGatewayBackend: Rule = {
  id: 'DG020',
  slug: 'ingress-annotations-on-gateway-backend',
  title: 'Ingress target group annotations on a Gateway route’s Service or Gateway',
  severity: 'warning',
  scope: 'static',
  rationale:
    'The AWS Load Balancer Controller builds a Gateway route’s target groups from TargetGroupConfigurations only: the alb.ingress.kubernetes.io/* annotations that set an Ingress’s target group (target type, health check, target-group-attributes) do nothing on the Service or the Gateway there. A Service moved from an Ingress to an HTTPRoute keeps its annotations and looks configured, while its new target group runs on the controller’s defaults — instance targets, a 300 s deregistration delay, thresholds of 3.',
  remediation:
    'Move each setting into a TargetGroupConfiguration whose targetReference names the Service (targetType, healthCheckConfig, targetGroupAttributes) and remove the annotations; a Service an Ingress still routes to keeps them (they apply to that Ingress’s target group), and is not reported.',
  evaluate(context) {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const backend of context.facts.backends) {
      if (!isGatewayBackend(backend)) continue;
      // A Service an Ingress also routes to uses its annotations there: only the Gateway's are wasted.
      const ingressToo = context.facts.backends.some(
        (other) =>
          other.service === backend.service &&
          (other.route.kind === 'Ingress' || other.route.kind === 'RolloutAlb'),
      );
      const holders: Holder[] = ingressToo
        ? [backend.route.link.gateway]
        : [backend.service, backend.route.link.gateway];
      for (const holder of holders) {
        const written = TARGET_GROUP_ANNOTATIONS.filter(
          ([annotation]) => holder.annotations[annotation] !== undefined,
        );
        if (written.length === 0) continue;
        const key = `${formatObjectRef(holder.ref)}|${formatObjectRef(gatewayConfigRef(backend))}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const object = gatewayConfigRef(backend);
        const first = written[0]![0];
        const at = holder.reader.annotation(first);
        const change = translate(holder, written);
        findings.push(
          createFinding(this, context, {
            object: holder.ref,
            ...(at.kind === 'annotation' && at.at
              ? { at: at.at }
              : holder.ref.source
                ? { at: holder.ref.source }
                : {}),
            message: `${formatObjectRef(holder.ref)} carries ${written.map(([a]) => a).join(', ')}, which the controller reads for Ingresses only: the target group of ${backendLabel(backend)} ignores ${written.length === 1 ? 'it' : 'them'} and runs on what its TargetGroupConfigurations say (${describeEffective(backend)}).`,
            values: written.map(([annotation, field]) => ({
              name: `ignored ${field.split('.').pop()!}`,
              value: holder.annotations[annotation]!,
              from: holder.reader.annotation(annotation),
            })),
            fix: {
              summary: `move the settings into ${object.kind} ${object.name} and drop the annotations from ${formatObjectRef(holder.ref)}`,
              object,
              yaml: [
                gatewayConfigFix(backend, change),
                // A null in a merge patch removes the key.
                snippet(holder.ref, {
                  metadata: {
                    annotations: Object.fromEntries(written.map(([annotation]) => [annotation, null])),
                  },
                }),
              ].join('---\n'),
            },
          }),
        );
      }
    }
    return findings;
  },
};

function describeEffective(backend: BackendFacts): string {
  const s = backend.settings;
  return `${s.targetType.value} targets, deregistration delay ${s.deregistrationDelaySeconds.value} s, health check ${s.healthCheckPath.value} every ${s.healthCheckIntervalSeconds.value} s`;
}

/** The annotations' settings as a TargetGroupConfiguration change (those a change can carry). */
function translate(holder: Holder, written: readonly (readonly [string, string])[]): TargetGroupChange {
  const a = holder.annotations;
  const healthCheck: NonNullable<TargetGroupChange['healthCheck']> = {};
  const number = (key: string): number | undefined => {
    const value = a[key];
    return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
  };
  const path = a[ALB.healthCheckPath];
  if (path !== undefined) healthCheck.healthCheckPath = path;
  const protocol = a[ALB.healthCheckProtocol];
  if (protocol !== undefined) healthCheck.healthCheckProtocol = protocol.toUpperCase();
  const port = a[ALB.healthCheckPort];
  if (port !== undefined) healthCheck.healthCheckPort = port;
  for (const [annotation, field] of [
    [ALB.healthCheckInterval, 'healthCheckInterval'],
    [ALB.healthCheckTimeout, 'healthCheckTimeout'],
    [ALB.healthyThreshold, 'healthyThresholdCount'],
    [ALB.unhealthyThreshold, 'unhealthyThresholdCount'],
  ] as const) {
    const value = number(annotation);
    if (value !== undefined) healthCheck[field] = value;
  }
  const delay = parseAttributeList(a[ALB.targetGroupAttributes] ?? '').get(
    'deregistration_delay.timeout_seconds',
  );
  const targetType = a[ALB.targetType];
  return {
    ...(targetType === 'ip' || targetType === 'instance' ? { targetType } : {}),
    ...(Object.keys(healthCheck).length > 0 ? { healthCheck } : {}),
    ...(delay !== undefined && written.some(([annotation]) => annotation === ALB.targetGroupAttributes)
      ? { attribute: ['deregistration_delay.timeout_seconds', delay] as const }
      : {}),
  };
}
