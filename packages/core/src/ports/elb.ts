/** A target's state as ELBv2 reports it. */
export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

/** One registered target of a target group. */
export interface TargetHealth {
  /** The pod IP (ip targets) or instance id (instance targets). */
  readonly id: string;
  readonly port?: number;
  readonly availabilityZone?: string;
  readonly state: TargetState;
  /** ELB's reason code, e.g. `Target.DeregistrationInProgress`. */
  readonly reason?: string;
  readonly description?: string;
}

export interface HealthCheckSettings {
  readonly path?: string;
  readonly protocol?: string;
  /** `traffic-port` or a port number. */
  readonly port?: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThresholdCount: number;
  readonly unhealthyThresholdCount: number;
  readonly successCodes?: string;
}

export interface TargetGroupInfo {
  readonly arn: string;
  readonly name: string;
  readonly targetType: 'ip' | 'instance' | 'lambda' | 'alb';
  readonly protocol?: string;
  readonly port?: number;
  readonly loadBalancerArns: readonly string[];
  readonly healthCheck: HealthCheckSettings;
}

export interface LoadBalancerInfo {
  readonly arn: string;
  readonly name: string;
  readonly type: 'application' | 'network' | 'gateway';
  readonly scheme?: string;
  readonly dnsName?: string;
}

/** Reads the states of a target group's targets. */
export interface TargetHealthSource {
  describeTargetHealth(targetGroupArn: string, signal?: AbortSignal): Promise<TargetHealth[]>;
}

/** Reads target group and load balancer settings and tags. */
export interface LoadBalancerCatalog {
  describeTargetGroups(arns: readonly string[], signal?: AbortSignal): Promise<TargetGroupInfo[]>;
  /** Attributes as AWS names them (`deregistration_delay.timeout_seconds` → `"300"`). */
  describeTargetGroupAttributes(arn: string, signal?: AbortSignal): Promise<Readonly<Record<string, string>>>;
  describeLoadBalancers(arns: readonly string[], signal?: AbortSignal): Promise<LoadBalancerInfo[]>;
  describeLoadBalancerAttributes(
    arn: string,
    signal?: AbortSignal,
  ): Promise<Readonly<Record<string, string>>>;
  describeTags(
    arns: readonly string[],
    signal?: AbortSignal,
  ): Promise<ReadonlyMap<string, Readonly<Record<string, string>>>>;
  /** Target groups whose tags include every given tag (the controller's `elbv2.k8s.aws/cluster`, …). */
  findTargetGroupsByTags(
    tags: Readonly<Record<string, string>>,
    signal?: AbortSignal,
  ): Promise<TargetGroupInfo[]>;
}

/** `arn:aws:elasticloadbalancing:eu-west-1:123:loadbalancer/app/web/abc` → `app/web/abc` (CloudWatch's dimension). */
export function loadBalancerDimension(arn: string): string | undefined {
  const match =
    /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:loadbalancer\/((?:app|net|gwy)\/[\w-]{1,32}\/[0-9a-f]{16})$/.exec(
      arn,
    );
  return match?.[1];
}

/** `arn:…:targetgroup/web/abc` → `targetgroup/web/abc` (CloudWatch's dimension). */
export function targetGroupDimension(arn: string): string | undefined {
  const match =
    /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:(targetgroup\/[\w-]{1,32}\/[0-9a-f]{16})$/.exec(arn);
  return match?.[1];
}

/** The region of an ELBv2 ARN. */
export function regionOfArn(arn: string): string | undefined {
  return /^arn:aws[\w-]*:elasticloadbalancing:([\w-]+):/.exec(arn)?.[1];
}
