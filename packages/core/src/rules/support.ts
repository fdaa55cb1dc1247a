import { ALB, ANNOTATIONS, NLB, READINESS_GATE_PREFIXES, parseAttributeList } from '../model/annotations.js';
import type { BackendFacts, WorkloadFacts } from '../model/facts.js';
import { servingContainers } from '../model/facts.js';
import type { ContainerFacts, WorkloadObject } from '../model/objects.js';
import { podTemplateOwner } from '../model/objects.js';
import type { ObjectRef, Provenance, Resolved } from '../model/provenance.js';
import { describeProvenance, formatObjectRef } from '../model/provenance.js';
import type { FieldPath, SourceRef } from '../manifest/source.js';
import type { HealthCheckField } from '../model/gateway.js';
import { drainTimingOf, recommendDrainTiming } from '../timing/model.js';
import type { DrainTiming, RecommendedTiming } from '../timing/model.js';
import { stringifySnippet } from './snippet-yaml.js';
import { gatewayConfigFix, gatewayConfigRef, isGatewayBackend } from './gateway-fix.js';
import type { Finding, FindingValue, Fix, RuleContext, RuleMeta, Severity } from './types.js';

/** Builds a finding of a rule with the workload filled in. */
export function createFinding(
  rule: RuleMeta,
  context: RuleContext,
  details: {
    message: string;
    values?: readonly FindingValue[];
    container?: string;
    object?: ObjectRef;
    at?: SourceRef;
    path?: FieldPath;
    fix: Fix;
    severity?: Severity;
  },
): Finding {
  const workload = context.facts.workload;
  const at = details.at ?? (details.path ? fieldPosition(workload, details.path) : workload.ref.source);
  return {
    ruleId: rule.id,
    slug: rule.slug,
    title: rule.title,
    severity: details.severity ?? rule.severity,
    workload: workload.ref,
    object: details.object ?? workload.ref,
    ...(details.container ? { container: details.container } : {}),
    message: details.message,
    values: details.values ?? [],
    ...(at ? { at } : {}),
    fix: details.fix,
  };
}

/**
 * Where a field of a workload is written. The pod template of a Rollout with a workloadRef is written in
 * the Deployment it names, so its fields are looked up there.
 */
export function fieldPosition(workload: WorkloadObject, path: FieldPath): SourceRef | undefined {
  const inTemplate = path[0] === 'spec' && path[1] === 'template';
  return (inTemplate ? podTemplateOwner(workload) : workload).reader.at(path);
}

/** `12 s (controller default: …)`: a number with its source, as findings quote them. */
export function quote(value: Resolved<number>, unit = 's'): string {
  return `${value.value} ${unit} (${describeProvenance(value.from)})`;
}

export function value(
  name: string,
  symbol: string | undefined,
  resolved: Resolved<number>,
  unit: FindingValue['unit'] = 's',
): FindingValue {
  return { name, ...(symbol ? { symbol } : {}), value: resolved.value, unit, from: resolved.from };
}

/** A serving container with the timing of its most demanding backend (the longest deregistration delay). */
export interface ContainerTiming {
  readonly container: ContainerFacts;
  readonly backend: BackendFacts;
  readonly timing: DrainTiming;
  readonly recommended: RecommendedTiming;
}

// Four rules read the same timings: worked out once per evaluation of a workload. One entry, for the
// context `evaluateWorkload` hands every rule: a WeakMap keyed by the facts held the timings (and through
// them the facts) past young-generation collections, which then copied every workload into the old one.
let lastTimings: { readonly context: RuleContext; readonly timings: ContainerTiming[] } | undefined;

export function servingContainerTimings(context: RuleContext): ContainerTiming[] {
  if (lastTimings?.context === context) return lastTimings.timings;
  const timings = computeTimings(context);
  lastTimings = { context, timings };
  return timings;
}

function computeTimings(context: RuleContext): ContainerTiming[] {
  const { facts, allowances } = context;
  const timings: ContainerTiming[] = [];
  for (const container of servingContainers(facts)) {
    const strictest = strictestBackend(facts.backends, container.name);
    if (!strictest) continue;
    const timing = drainTimingOf(facts, strictest, container, allowances);
    timings.push({ container, backend: strictest, timing, recommended: recommendDrainTiming(timing) });
  }
  return timings;
}

/**
 * The backend of a container with the longest deregistration delay; on a tie an NLB's (its propagation is
 * longer), and then the first listed.
 */
function strictestBackend(backends: readonly BackendFacts[], container: string): BackendFacts | undefined {
  let strictest: BackendFacts | undefined;
  for (const backend of backends) {
    if (!backend.servingContainers.includes(container)) continue;
    if (!strictest) {
      strictest = backend;
      continue;
    }
    const delay = backend.settings.deregistrationDelaySeconds.value;
    const strictestDelay = strictest.settings.deregistrationDelaySeconds.value;
    if (
      delay > strictestDelay ||
      (delay === strictestDelay && backend.loadBalancer === 'nlb' && strictest.loadBalancer !== 'nlb')
    ) {
      strictest = backend;
    }
  }
  return strictest;
}

/**
 * What keeps sending requests to a deleted pod, as a clause for messages: "the ALB keeps routing new requests
 * to its target for 20 s (…)".
 */
export function describeExposure(timing: DrainTiming, backend: BackendFacts): string {
  const lb = backend.loadBalancer.toUpperCase();
  switch (timing.exposure) {
    case 'deregistration':
      return `the ${lb} keeps routing new requests to its target for about ${quote(timing.exposureSeconds)}`;
    case 'endpoints':
      return `kube-proxy on the nodes keeps sending it new connections for up to ${quote(timing.exposureSeconds)}`;
    case 'node-health-check':
      return `its node stays in the ${lb}'s rotation for about ${quote(timing.exposureSeconds)}`;
  }
}

/** W and the terms it is the sum of, each with its source, for a finding's values. */
export function exposureValues(timing: DrainTiming, backend: BackendFacts): FindingValue[] {
  const w = value('exposure', 'W', timing.exposureSeconds);
  switch (timing.exposure) {
    case 'deregistration':
      return [
        w,
        value('controller latency', 'C', timing.controllerLatencySeconds),
        value('propagation', 'L', timing.propagationSeconds),
      ];
    case 'endpoints':
      return [w, value('endpoint propagation', 'E', timing.endpointPropagationSeconds)];
    case 'node-health-check':
      return [
        w,
        value('endpoint propagation', 'E', timing.endpointPropagationSeconds),
        value('unhealthy threshold', 'U', backend.settings.unhealthyThresholdCount, 'count'),
        value('health check interval', 'I', backend.settings.healthCheckIntervalSeconds),
      ];
  }
}

/** Whether a pod template has a readiness gate the AWS Load Balancer Controller sets. */
export function hasMatchingReadinessGate(facts: WorkloadFacts): boolean {
  return facts.workload.readinessGates.some((gate) =>
    READINESS_GATE_PREFIXES.some((prefix) => gate.startsWith(prefix)),
  );
}

/** `enabled`, `missing`, or `unknown` when the Namespace is not in the input. */
export function namespaceInjection(facts: WorkloadFacts): 'enabled' | 'missing' | 'unknown' {
  if (!facts.namespace) return 'unknown';
  return facts.namespace.labels[ANNOTATIONS.readinessGateInjectLabel] === 'enabled' ? 'enabled' : 'missing';
}

export function backendLabel(backend: BackendFacts): string {
  return `${backend.loadBalancer.toUpperCase()} backend ${formatObjectRef(backend.routeRef)} → Service ${backend.service.ref.name}:${backend.servicePort.port}`;
}

/**
 * A snippet to merge into the workload's pod template (and `spec.minReadySeconds`). When the template is
 * written in another object (a Rollout's workloadRef), the template part is a snippet of that object.
 */
export function podTemplateFix(
  facts: WorkloadFacts,
  patch: {
    grace?: number;
    minReadySeconds?: number;
    container?: { name: string; fields: Record<string, unknown> };
    readinessGate?: string;
  },
): string {
  const podSpec: Record<string, unknown> = {};
  if (patch.readinessGate) podSpec['readinessGates'] = [{ conditionType: patch.readinessGate }];
  if (patch.grace !== undefined) podSpec['terminationGracePeriodSeconds'] = patch.grace;
  if (patch.container) podSpec['containers'] = [{ name: patch.container.name, ...patch.container.fields }];
  const template = Object.keys(podSpec).length > 0 ? { template: { spec: podSpec } } : undefined;
  const own = patch.minReadySeconds !== undefined ? { minReadySeconds: patch.minReadySeconds } : undefined;
  const owner = facts.workload.template;
  if (owner && template) {
    const templateSnippet = snippet(owner.ref, { spec: template });
    return own ? `${snippet(facts.workload.ref, { spec: own })}---\n${templateSnippet}` : templateSnippet;
  }
  return snippet(facts.workload.ref, { spec: { ...own, ...template } });
}

export function preStopSleep(seconds: number): Record<string, unknown> {
  return { lifecycle: { preStop: { sleep: { seconds } } } };
}

/**
 * A snippet that sets one target group attribute in the backend's `…/target-group-attributes` annotation,
 * keeping the attributes already written there: a merge patch replaces an annotation's value whole.
 */
export function targetGroupAttributeFix(
  backend: BackendFacts,
  attribute: string,
  value: string | number,
): string {
  if (isGatewayBackend(backend)) return gatewayConfigFix(backend, { attribute: [attribute, String(value)] });
  const object = settingsObject(backend);
  const annotation = backend.loadBalancer === 'alb' ? ALB.targetGroupAttributes : NLB.targetGroupAttributes;
  const holder =
    object === backend.service.ref
      ? backend.service
      : backend.route.kind === 'Ingress'
        ? backend.route.ingress
        : backend.route.kind === 'RolloutAlb'
          ? backend.route.ingress
          : undefined;
  const attributes = parseAttributeList(holder?.annotations[annotation] ?? '');
  attributes.set(attribute, String(value));
  return annotationFix(object, {
    [annotation]: [...attributes].map(([key, v]) => `${key}=${v}`).join(','),
  });
}

/**
 * How to set one health check or target type setting of a backend: its annotation on the Ingress or Service,
 * or for a Gateway route the field of the Service's TargetGroupConfiguration. `setting` names it for the
 * fix summary.
 */
export function backendSettingFix(
  backend: BackendFacts,
  annotation: string,
  change: { healthCheck: HealthCheckField; value: string | number } | { targetType: 'ip' | 'instance' },
): { setting: string; yaml: string } {
  if (isGatewayBackend(backend)) {
    return 'targetType' in change
      ? { setting: 'targetType', yaml: gatewayConfigFix(backend, { targetType: change.targetType }) }
      : {
          setting: `healthCheckConfig.${change.healthCheck}`,
          yaml: gatewayConfigFix(backend, { healthCheck: { [change.healthCheck]: change.value } }),
        };
  }
  const value = 'targetType' in change ? change.targetType : String(change.value);
  return { setting: annotation, yaml: annotationFix(settingsObject(backend), { [annotation]: value }) };
}

/** A snippet to merge into an object's annotations. */
export function annotationFix(ref: ObjectRef, annotations: Record<string, string>): string {
  return snippet(ref, { metadata: { annotations } });
}

export function snippet(ref: ObjectRef, body: Record<string, unknown>): string {
  return `# ${formatObjectRef(ref)}\n${stringifySnippet(body)}`;
}

/** Where a value came from, for `describeProvenance` callers that may have none. */
export function describeFrom(from: Provenance | undefined): string {
  return from ? describeProvenance(from) : 'not set';
}

/**
 * Where a finding about a backend's settings points: the annotation or field a value came from when it was
 * written somewhere, else the object the settings live on (the Ingress, the NLB Service, the
 * TargetGroupBinding) — never the workload.
 */
export function settingsAt(backend: BackendFacts, from?: Provenance): { at?: SourceRef } {
  if (from && from.kind !== 'aws' && from.kind !== 'default' && from.kind !== 'setting' && from.at)
    return { at: from.at };
  const source =
    backend.route.kind === 'Gateway'
      ? (backend.route.config.serviceConfig?.ref.source ?? backend.route.link.route.ref.source)
      : backend.route.kind === 'Ingress'
        ? backend.route.ingress.ref.source
        : backend.route.kind === 'TargetGroupBinding'
          ? backend.route.binding.ref.source
          : backend.route.kind === 'RolloutAlb' && backend.route.ingress
            ? backend.route.ingress.ref.source
            : backend.service.ref.source;
  return source ? { at: source } : {};
}

/**
 * One backend per setting as it is written: the ports of one NLB Service, or the stable and canary Services of
 * one Ingress, share a target group setting that one annotation changes, so a rule about that setting reports
 * it once, not once per backend. Backends whose setting comes from different places stay apart.
 */
export function onePerSetting(
  backends: readonly BackendFacts[],
  settings: (backend: BackendFacts) => readonly Resolved<unknown>[],
): readonly BackendFacts[] {
  // Most workloads have one backend: nothing to fold, and no key to build.
  if (backends.length < 2) return backends;
  const seen = new Set<string>();
  return backends.filter((backend) => {
    const written = settings(backend)
      .map((resolved) => `${String(resolved.value)}@${describeProvenance(resolved.from)}`)
      .join('|');
    const key = `${formatObjectRef(settingsObject(backend))}|${backend.servingContainers.join(',')}|${written}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The object a backend's settings live on (Ingress, Service or TargetGroupBinding; for a Gateway route, the
 * Service's TargetGroupConfiguration) for fixes.
 */
export function settingsObject(backend: BackendFacts): ObjectRef {
  if (isGatewayBackend(backend)) return gatewayConfigRef(backend);
  return backend.route.kind === 'NlbService' ? backend.service.ref : backend.routeRef;
}
