/** Annotation keys draingate reads. */
export const ANNOTATIONS = {
  ignore: 'draingate.io/ignore',
  ignoreReason: 'draingate.io/ignore-reason',
  shutdownSeconds: 'draingate.io/shutdown-seconds',
  keepAliveTimeoutSeconds: 'draingate.io/keepalive-timeout-seconds',
  ingressClass: 'kubernetes.io/ingress.class',
  /** On an IngressClass: Ingresses without a class use it (Kubernetes; the controller reads it too). */
  defaultIngressClass: 'ingressclass.kubernetes.io/is-default-class',
  readinessGateInjectLabel: 'elbv2.k8s.aws/pod-readiness-gate-inject',
} as const;

/** AWS Load Balancer Controller Ingress/Service annotations (ALB). */
export const ALB = {
  prefix: 'alb.ingress.kubernetes.io/',
  targetType: 'alb.ingress.kubernetes.io/target-type',
  healthCheckProtocol: 'alb.ingress.kubernetes.io/healthcheck-protocol',
  healthCheckPort: 'alb.ingress.kubernetes.io/healthcheck-port',
  healthCheckPath: 'alb.ingress.kubernetes.io/healthcheck-path',
  healthCheckInterval: 'alb.ingress.kubernetes.io/healthcheck-interval-seconds',
  healthCheckTimeout: 'alb.ingress.kubernetes.io/healthcheck-timeout-seconds',
  healthyThreshold: 'alb.ingress.kubernetes.io/healthy-threshold-count',
  unhealthyThreshold: 'alb.ingress.kubernetes.io/unhealthy-threshold-count',
  successCodes: 'alb.ingress.kubernetes.io/success-codes',
  targetGroupAttributes: 'alb.ingress.kubernetes.io/target-group-attributes',
  loadBalancerAttributes: 'alb.ingress.kubernetes.io/load-balancer-attributes',
  groupName: 'alb.ingress.kubernetes.io/group.name',
} as const;

/** AWS Load Balancer Controller Service annotations (NLB). */
export const NLB = {
  type: 'service.beta.kubernetes.io/aws-load-balancer-type',
  targetType: 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type',
  healthCheckProtocol: 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol',
  healthCheckPort: 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port',
  healthCheckPath: 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path',
  healthCheckInterval: 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval',
  healthCheckTimeout: 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-timeout',
  healthyThreshold: 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold',
  unhealthyThreshold: 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold',
  targetGroupAttributes: 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes',
  loadBalancerClass: 'service.k8s.aws/nlb',
} as const;

/** `spec.controller` of an IngressClass the AWS Load Balancer Controller serves. */
export const ALB_INGRESS_CONTROLLER = 'ingress.k8s.aws/alb';

/**
 * EKS Auto Mode's own load balancing: its IngressClass controller, the API group of its IngressClassParams,
 * and the `loadBalancerClass` of its NLB Services (set by default on every `type: LoadBalancer` Service of
 * an Auto Mode cluster). Amazon EKS User Guide, "Create an IngressClass to configure an Application Load
 * Balancer" and "Use Service Annotations to configure Network Load Balancers" (amazon-eks-user-guide
 * 4d52b4d, 2024-12-18).
 */
export const EKS_AUTO_MODE = {
  ingressController: 'eks.amazonaws.com/alb',
  paramsGroup: 'eks.amazonaws.com',
  loadBalancerClass: 'eks.amazonaws.com/nlb',
} as const;

/** The API group of the AWS Load Balancer Controller's own IngressClassParams and TargetGroupBindings. */
export const ELBV2_GROUP = 'elbv2.k8s.aws';

/**
 * Readiness gate condition types the v2 controller sets: `target-health.elbv2.k8s.aws/<TargetGroupBinding>`
 * (pkg/targetgroupbinding/utils.go, TargetHealthPodConditionTypePrefix, controller v3.5.0).
 */
export const READINESS_GATE_PREFIXES = ['target-health.elbv2.k8s.aws/'] as const;

/**
 * The v1 ALB Ingress Controller's readiness gate prefix (TargetHealthPodConditionTypePrefixLegacy). The v2
 * controller never sets such a condition; its pod webhook removes these gates, and only when it injects
 * its own (a labelled namespace and an ip-target TargetGroupBinding for the pod; pkg/inject/pod_readiness,
 * docs/deploy/pod_readiness_gate.md, v3.5.0).
 */
export const LEGACY_READINESS_GATE_PREFIX = 'target-health.alb.ingress.k8s.aws/';

/** Parses `key=value,key=value` (target-group-attributes, load-balancer-attributes). */
export function parseAttributeList(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of value.split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) continue;
    out.set(trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim());
  }
  return out;
}
