import type { Resolved } from './provenance.js';

/**
 * Facts about the cluster that manifests do not hold, declared in `.draingate.yaml` (`cluster:`) or by
 * flags, or read from the cluster by `validate --live`. Each one decides which Ingresses and Services the
 * AWS Load Balancer Controller (or EKS Auto Mode) builds load balancers for, or a default it builds them
 * with. Every field is optional: what is not declared is taken from the input, or left undecided (and
 * said so in a notice).
 */
export interface ClusterFacts {
  /**
   * Names of IngressClasses whose controller is `ingress.k8s.aws/alb` or `eks.amazonaws.com/alb`, for
   * classes defined outside the input. An Ingress annotated `kubernetes.io/ingress.class` with one of them
   * counts as well (the controller's `--ingress-class` is then that name).
   */
  readonly albIngressClasses?: readonly string[];
  /**
   * Names of GatewayClasses whose `controllerName` is `gateway.k8s.aws/alb` (ALB) or `gateway.k8s.aws/nlb`
   * (NLB), for classes defined outside the input (a platform team's, installed with the controller).
   */
  readonly albGatewayClasses?: readonly string[];
  readonly nlbGatewayClasses?: readonly string[];
  /** The IngressClass annotated `ingressclass.kubernetes.io/is-default-class: "true"` in the cluster. */
  readonly defaultIngressClass?: string;
  /** The controller's `--default-target-type` (Helm `defaultTargetType`; `instance` unless set). */
  readonly defaultTargetType?: Resolved<'ip' | 'instance'>;
  /**
   * Whether the controller's Service mutator webhook runs (`--enable-service-mutator-webhook`, Helm
   * `enableServiceMutatorWebhook`, on by default in the chart): it sets `loadBalancerClass:
   * service.k8s.aws/nlb` on every new `type: LoadBalancer` Service that has none, so such a Service
   * becomes an NLB of the controller even without annotations.
   */
  readonly serviceMutatorWebhook?: boolean;
  /**
   * EKS Auto Mode runs the cluster's load balancing: `type: LoadBalancer` Services get
   * `loadBalancerClass: eks.amazonaws.com/nlb` by default, and the default target type is ip.
   */
  readonly eksAutoMode?: boolean;
  /** Where the facts were declared (`.draingate.yaml`, a flag, the cluster), for notices and provenance. */
  readonly source?: string;
}

/** No cluster facts declared (shared, never changed). */
export const NO_CLUSTER_FACTS: ClusterFacts = {};

/** Whether any fact is declared. */
export function hasClusterFacts(cluster: ClusterFacts): boolean {
  return (
    (cluster.albIngressClasses?.length ?? 0) > 0 ||
    (cluster.albGatewayClasses?.length ?? 0) > 0 ||
    (cluster.nlbGatewayClasses?.length ?? 0) > 0 ||
    cluster.defaultIngressClass !== undefined ||
    cluster.defaultTargetType !== undefined ||
    cluster.serviceMutatorWebhook !== undefined ||
    cluster.eksAutoMode !== undefined
  );
}

/** `fallback` with the facts of `over` laid on top (flags over the config file, the cluster over both). */
export function mergeClusterFacts(fallback: ClusterFacts, over: ClusterFacts): ClusterFacts {
  const merged: { -readonly [K in keyof ClusterFacts]: ClusterFacts[K] } = { ...fallback };
  for (const key of Object.keys(over) as (keyof ClusterFacts)[]) {
    if (over[key] !== undefined) (merged as Record<string, unknown>)[key] = over[key];
  }
  return merged;
}
