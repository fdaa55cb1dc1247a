import { z } from 'zod';

/** The checks the provider serves, as URLs spell them. */
export const CHECK_NAMES = ['elb-5xx', 'target-health', 'drain-timing', 'canary', 'latency'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** CloudWatch keeps one-minute datapoints for 15 days; nothing older can be read at the checks' resolution. */
export const MAX_LOOKBACK_DAYS = 15;
const MAX_WINDOW_MINUTES = 1440;

// The same shapes as core's loadBalancerDimension / targetGroupDimension, as patterns so that the OpenAPI
// document shows them; a test keeps the two in step.
const loadBalancerArn = z
  .string()
  .max(512)
  .regex(
    /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:loadbalancer\/app\/[\w-]{1,32}\/[0-9a-f]{16}$/,
    'must be an Application Load Balancer ARN: arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>',
  );
const targetGroupArn = z
  .string()
  .max(512)
  .regex(
    /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:targetgroup\/[\w-]{1,32}\/[0-9a-f]{16}$/,
    'must be a target group ARN: arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>',
  );
const count = z.number().int().min(0).max(1e12);
const ratio = z.number().min(0).max(1);
const windowMinutes = z.number().int().min(1).max(MAX_WINDOW_MINUTES);
const incompleteMinutes = z.number().int().min(0).max(15);
const namespace = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name (a DNS-1123 label)');
const labelKey = z
  .string()
  .max(317)
  .regex(
    /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    'must be a label key',
  );
const labelValue = z
  .string()
  .max(63)
  .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'must be a label value');

/** The `elb-5xx` request: the load balancer, optionally its target groups, the window and the thresholds. */
export const elb5xxSchema = z
  .strictObject({
    loadBalancerArn,
    targetGroupArns: z.array(targetGroupArn).max(20).optional(),
    windowMinutes: windowMinutes.optional(),
    maxRate: ratio.optional(),
    maxCount: count.optional(),
    minRequests: count.optional(),
    belowMinimum: z.enum(['Successful', 'Failed', 'Inconclusive']).optional(),
    incompleteMinutes: incompleteMinutes.optional(),
    includeIncomplete: z.boolean().optional(),
    deployedAt: z.iso.datetime({ offset: true }).optional(),
    baselineMinutes: windowMinutes.optional(),
    baselineFactor: z.number().min(0).max(1000).optional(),
    baselineMargin: ratio.optional(),
    baselineMinRequests: count.optional(),
    splitElbCodes: z.boolean().optional(),
  })
  .meta({ id: 'Elb5xxRequest' });

/** The `target-health` request: a target group and, to cross-reference pods, their namespace and selector. */
export const targetHealthSchema = z
  .strictObject({
    targetGroupArn,
    namespace: namespace.optional(),
    selector: z.record(labelKey, labelValue).optional(),
    minHealthy: z.number().int().min(0).max(10_000).optional(),
    registrationWindowSeconds: z.number().min(0).max(3600).optional(),
    unownedTargets: z.enum(['fail', 'report']).optional(),
  })
  .meta({ id: 'TargetHealthRequest' });

/** The `drain-timing` request: which workload. */
export const drainTimingSchema = z
  .strictObject({
    namespace,
    name: z
      .string()
      .max(253)
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be an object name (a DNS-1123 subdomain)'),
    kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout']).optional(),
  })
  .meta({ id: 'DrainTimingRequest' });

/**
 * The `canary` request: one load balancer, the canary and the stable target group, the test's settings. The
 * `sequential` method judges every minute since the canary started: `since`, or the pods of the canary's revision
 * (`namespace` and `selector`), whose earliest ready time is the start.
 */
export const canarySchema = z
  .strictObject({
    loadBalancerArn,
    canaryTargetGroupArn: targetGroupArn,
    stableTargetGroupArn: targetGroupArn,
    method: z.enum(['fisher', 'sequential']).optional(),
    windowMinutes: windowMinutes.optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    namespace: namespace.optional(),
    selector: z.record(labelKey, labelValue).optional(),
    alpha: z.number().gt(0).max(0.5).optional(),
    minCanaryRequests: count.optional(),
    minStableRequests: count.optional(),
    minRateDifference: ratio.optional(),
    minRelativeEffect: z.number().min(0).max(100).optional(),
    confidence: z.number().min(0.5).max(0.999).optional(),
    countConnectionErrors: z.boolean().optional(),
    incompleteMinutes: incompleteMinutes.optional(),
    includeIncomplete: z.boolean().optional(),
  })
  .meta({ id: 'CanaryRequest' });

/**
 * The `latency` request: one load balancer, the canary and the stable target group, the percentile and the
 * test's settings. The minutes judged: every one since the canary started (`since`, or the pods of the canary's
 * revision: `namespace` and `selector`), or the last `windowMinutes`.
 */
export const latencySchema = z
  .strictObject({
    loadBalancerArn,
    canaryTargetGroupArn: targetGroupArn,
    stableTargetGroupArn: targetGroupArn,
    percentile: z.enum(['p50', 'p90', 'p95', 'p99']).optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    namespace: namespace.optional(),
    selector: z.record(labelKey, labelValue).optional(),
    windowMinutes: windowMinutes.optional(),
    alpha: z.number().gt(0).max(0.5).optional(),
    minRelativeEffect: z.number().min(0).max(100).optional(),
    minRequestsPerMinute: z.number().int().min(1).max(1e9).optional(),
    minMinutes: z.number().int().min(1).max(MAX_WINDOW_MINUTES).optional(),
    incompleteMinutes: incompleteMinutes.optional(),
  })
  .meta({ id: 'LatencyRequest' });

export type Elb5xxBody = z.infer<typeof elb5xxSchema>;
export type TargetHealthBody = z.infer<typeof targetHealthSchema>;
export type DrainTimingBody = z.infer<typeof drainTimingSchema>;
export type CanaryBody = z.infer<typeof canarySchema>;
export type LatencyBody = z.infer<typeof latencySchema>;

/** A validated request of one check. */
export type CheckInput =
  | { readonly check: 'elb-5xx'; readonly body: Elb5xxBody }
  | { readonly check: 'target-health'; readonly body: TargetHealthBody }
  | { readonly check: 'drain-timing'; readonly body: DrainTimingBody }
  | { readonly check: 'canary'; readonly body: CanaryBody }
  | { readonly check: 'latency'; readonly body: LatencyBody };

/** The schema of each check's body. */
export const CHECK_SCHEMAS = {
  'elb-5xx': elb5xxSchema,
  'target-health': targetHealthSchema,
  'drain-timing': drainTimingSchema,
  canary: canarySchema,
  latency: latencySchema,
} as const;
