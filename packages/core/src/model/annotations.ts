/** Annotation keys draingate reads. */
export const ANNOTATIONS = {
  ignore: 'draingate.io/ignore',
  ignoreReason: 'draingate.io/ignore-reason',
  shutdownSeconds: 'draingate.io/shutdown-seconds',
  keepAliveTimeoutSeconds: 'draingate.io/keepalive-timeout-seconds',
  ingressClass: 'kubernetes.io/ingress.class',
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

export const ALB_INGRESS_CONTROLLER = 'ingress.k8s.aws/alb';

/** Readiness gate condition types the controller (v2, and v1 by hand) sets. */
export const READINESS_GATE_PREFIXES = [
  'target-health.elbv2.k8s.aws/',
  'target-health.alb.ingress.k8s.aws/',
] as const;

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
