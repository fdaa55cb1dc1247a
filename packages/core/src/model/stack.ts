import type { BackendFacts } from './facts.js';
import type { GatewayLink } from './gateway-link.js';
import type { ObjectRef } from './provenance.js';

/**
 * One load balancer of the AWS Load Balancer Controller — a "stack" in its source — as the labels it puts on
 * every TargetGroupBinding it makes for it. Two routes to one Service port through two load balancers (two
 * Gateways, an Ingress and a Gateway, two IngressGroups) give two target groups and two bindings of the same
 * Service port; only these labels tell them apart.
 *
 * The controller (v3.5.0) labels each binding with `StackLabels` (pkg/deploy/tracking/provider.go; applied
 * in pkg/deploy/elbv2/target_group_binding_manager.go `Create`/`Update`): `<prefix>/stack: <name>` for a
 * stack ID without a namespace, else `<prefix>/stack-namespace` and `<prefix>/stack-name`. The stack IDs:
 * - an Ingress: its IngressGroup's ID (pkg/ingress/model_builder.go, `core.StackID(ingGroup.ID)`), which is
 *   the bare group name for an explicit group — IngressClassParams `spec.group.name` first, then the
 *   `alb.ingress.kubernetes.io/group.name` annotation — and the Ingress's namespace/name otherwise
 *   (pkg/ingress/group_loader.go `loadGroupID`, pkg/ingress/group.go); prefix `ingress.k8s.aws`
 *   (controllers/ingress/group_controller.go `ingressTagPrefix`);
 * - a Gateway: the Gateway's namespace/name (pkg/gateway/model/base_model_builder.go); prefix
 *   `gateway.k8s.aws.alb` or `gateway.k8s.aws.nlb` (pkg/gateway/constants/controller_constants.go
 *   `ALBGatewayTagPrefix`/`NLBGatewayTagPrefix`, passed in controllers/gateway/gateway_controller.go);
 * - an NLB Service: the Service's namespace/name (pkg/service/model_builder.go); prefix `service.k8s.aws`
 *   (controllers/service/service_controller.go `serviceTagPrefix`).
 */
export interface ControllerStack {
  /** The labels every TargetGroupBinding of the stack carries. */
  readonly labels: Readonly<Record<string, string>>;
  /** For messages: `IngressGroup public`, `Ingress shop/web`, `ALB Gateway shop/public`, `NLB Service shop/web`. */
  readonly description: string;
  /**
   * Gateway stacks only. One Gateway makes one target group per route, Service and port: the resource ID is
   * `<gateway>:<route namespace>-<route name>:<route kind>-<service namespace>-<service name>:<port>`
   * (pkg/gateway/model/model_build_target_group.go `buildTargetGroupResourceID`, v3.5.0), so two routes of
   * one Gateway to one Service port have two bindings with the same stack labels. The binding is named like
   * its target group, `k8s-<route namespace, 8>-<route name, 8>-<hash, 10>` with everything but letters and
   * digits dropped (`buildTargetGroupName`), unless a TargetGroupConfiguration sets `targetGroupName`: this
   * prefix picks the route's binding among them.
   */
  readonly bindingNamePrefix?: string;
}

/** The label prefixes of the controller's three reconcilers (and of its ALB and NLB Gateways). */
export const STACK_LABEL_PREFIXES = [
  'ingress.k8s.aws',
  'service.k8s.aws',
  'gateway.k8s.aws.alb',
  'gateway.k8s.aws.nlb',
] as const;

/**
 * The controller's load balancer stack a backend's target group belongs to (an Ingress or IngressGroup, a
 * Gateway, an NLB Service): live, it picks the TargetGroupBinding of that load balancer. Undefined for a
 * TargetGroupBinding (it names its own target group) and for routes whose stack is unknown. Worked out when
 * asked, as only live reads need it.
 */
export function stackOf(backend: BackendFacts): ControllerStack | undefined {
  const route = backend.route;
  if (route.kind === 'Gateway') return gatewayStack(route.link);
  if (route.kind === 'NlbService') return nlbServiceStack(backend.service.ref);
  const ingress = route.kind === 'Ingress' || route.kind === 'RolloutAlb' ? route.ingress : undefined;
  return ingress ? ingressStack(ingress.ref, backend.ingressGroup) : undefined;
}

/** The stack of an Ingress: its explicit IngressGroup when it has one, else itself. */
export function ingressStack(ingress: ObjectRef, groupName: string | undefined): ControllerStack {
  return groupName !== undefined
    ? { labels: { 'ingress.k8s.aws/stack': groupName }, description: `IngressGroup ${groupName}` }
    : {
        labels: namespacedLabels('ingress.k8s.aws', ingress.namespace, ingress.name),
        description: `Ingress ${ingress.namespace}/${ingress.name}`,
      };
}

/** The stack of a Gateway, with the binding-name prefix of the route that reaches the Service. */
export function gatewayStack(link: GatewayLink): ControllerStack {
  const gateway = link.gateway.ref;
  const route = link.route.ref;
  return {
    labels: namespacedLabels(`gateway.k8s.aws.${link.loadBalancer}`, gateway.namespace, gateway.name),
    description: `${link.loadBalancer.toUpperCase()} Gateway ${gateway.namespace}/${gateway.name}`,
    bindingNamePrefix: `k8s-${sanitized(route.namespace).slice(0, 8)}-${sanitized(route.name).slice(0, 8)}-`,
  };
}

/** The stack of a Service the controller gives an NLB of its own. */
export function nlbServiceStack(service: ObjectRef): ControllerStack {
  return {
    labels: namespacedLabels('service.k8s.aws', service.namespace, service.name),
    description: `NLB Service ${service.namespace}/${service.name}`,
  };
}

/** Whether a binding carries any of the controller's stack labels (hand-written bindings carry none). */
export function carriesStackLabels(labels: Readonly<Record<string, string>>): boolean {
  return STACK_LABEL_PREFIXES.some(
    (prefix) =>
      labels[`${prefix}/stack`] !== undefined ||
      (labels[`${prefix}/stack-namespace`] !== undefined && labels[`${prefix}/stack-name`] !== undefined),
  );
}

/** Whether a binding's labels are those of the stack. */
export function belongsToStack(labels: Readonly<Record<string, string>>, stack: ControllerStack): boolean {
  return Object.entries(stack.labels).every(([key, value]) => labels[key] === value);
}

function namespacedLabels(prefix: string, namespace: string, name: string): Record<string, string> {
  return { [`${prefix}/stack-namespace`]: namespace, [`${prefix}/stack-name`]: name };
}

/** `invalidTargetGroupNamePattern` (`[[:^alnum:]]`) of model_build_target_group.go, removed. */
function sanitized(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '');
}
