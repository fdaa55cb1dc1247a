import {
  CANARY_PARAMETERS,
  ELB_5XX_PARAMETERS,
  LATENCY_PARAMETERS,
  ParameterValueError,
  TARGET_HEALTH_PARAMETERS,
  helpOf,
  offeredOn,
  parseParameterJson,
} from '@draingate/core';
import type { Parameter } from '@draingate/core';
import { z } from 'zod';

/** The checks the provider serves, as URLs spell them. */
export const CHECK_NAMES = ['elb-5xx', 'target-health', 'drain-timing', 'canary', 'latency'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** CloudWatch keeps one-minute datapoints for 15 days; nothing older can be read at the checks' resolution. */
export const MAX_LOOKBACK_DAYS = 15;

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

/** Why a value does not fit the parameter, in the words every front end uses; undefined when it fits. */
function grammarMessage(parameter: Parameter, value: unknown): string | undefined {
  try {
    parseParameterJson(parameter, value);
    return undefined;
  } catch (error) {
    if (error instanceof ParameterValueError) return error.message;
    throw error;
  }
}

/** What the OpenAPI document shows of a parameter's bounds (the grammar judges; these describe it). */
function jsonBounds(parameter: Parameter): Record<string, unknown> {
  const g = parameter.grammar;
  switch (g.kind) {
    case 'duration': {
      const per = g.unit === 'minutes' ? 60 : 1;
      const min = (g.minSeconds ?? 0) / per;
      return {
        ...(g.whole || g.unit === 'minutes' ? { type: 'integer' } : {}),
        ...(g.exclusiveMin ? { exclusiveMinimum: min } : { minimum: min }),
        ...(g.maxSeconds !== undefined ? { maximum: g.maxSeconds / per } : {}),
      };
    }
    case 'rate':
      return { minimum: 0, maximum: 1 };
    case 'count':
      return { type: 'integer', minimum: g.min ?? 0, ...(g.max !== undefined ? { maximum: g.max } : {}) };
    case 'number':
      return {
        ...(g.min !== undefined ? (g.exclusiveMin ? { exclusiveMinimum: g.min } : { minimum: g.min }) : {}),
        ...(g.max !== undefined ? { maximum: g.max } : {}),
      };
    default:
      return {};
  }
}

/**
 * A request field from core's parameter table: the JSON type, judged by the shared grammar so that a value is
 * refused here with the same words as by the CLI and the Action; its bounds and help go to the OpenAPI document.
 */
function parameterSchema(parameter: Parameter): z.ZodType {
  const error = (issue: { input: unknown }): string =>
    grammarMessage(parameter, issue.input) ?? 'is not valid';
  const judged = <T extends z.ZodType>(schema: T): T =>
    schema.superRefine((value, ctx) => {
      const message = grammarMessage(parameter, value);
      if (message !== undefined) ctx.addIssue({ code: 'custom', message });
    }) as unknown as T;
  const meta = { description: helpOf(parameter), ...jsonBounds(parameter) };
  switch (parameter.grammar.kind) {
    case 'duration':
    case 'rate':
    case 'count':
    case 'number':
      return judged(z.number({ error })).meta(meta);
    case 'choice':
      return z.enum(parameter.grammar.choices as [string, ...string[]], { error }).meta(meta);
    case 'boolean':
      return z.boolean({ error }).meta(meta);
    case 'time':
      return judged(z.string({ error })).meta({ ...meta, format: 'date-time' });
    default:
      throw new Error(`${parameter.name}: a ${parameter.grammar.kind} parameter has no request field`);
  }
}

/** Optional fields `K` of type `T`: what a table's fields are, for the request types (a test holds the keys). */
type Of<K extends string, T> = { [key in K]: z.ZodOptional<z.ZodType<T>> };

/** The provider's fields of a table, each optional (absent: the check's default). */
function fieldsOf(table: readonly Parameter[]): Record<string, z.ZodOptional<z.ZodType>> {
  return Object.fromEntries(
    table
      .filter((parameter) => offeredOn(parameter, 'provider'))
      .map((parameter) => [parameter.field, parameterSchema(parameter).optional()]),
  );
}

/** The tunables of each check, from core's tables; the targets (ARNs, workload) are declared here. */
export const CHECK_PARAMETERS: Readonly<Record<CheckName, readonly Parameter[]>> = {
  'elb-5xx': ELB_5XX_PARAMETERS,
  'target-health': TARGET_HEALTH_PARAMETERS,
  'drain-timing': [],
  canary: CANARY_PARAMETERS,
  latency: LATENCY_PARAMETERS,
};

/** The `elb-5xx` request: the load balancer, optionally its target groups, the window and the thresholds. */
export const elb5xxSchema = z
  .strictObject({
    loadBalancerArn,
    targetGroupArns: z.array(targetGroupArn).max(20).optional(),
    ...(fieldsOf(ELB_5XX_PARAMETERS) as Of<
      | 'windowMinutes'
      | 'maxRate'
      | 'maxCount'
      | 'minRequests'
      | 'incompleteMinutes'
      | 'baselineMinutes'
      | 'baselineFactor'
      | 'baselineMargin'
      | 'baselineMinRequests',
      number
    > &
      Of<'includeIncomplete' | 'splitElbCodes', boolean> &
      Of<'deployedAt', string> &
      Of<'belowMinimum', 'Successful' | 'Failed' | 'Inconclusive'>),
  })
  .meta({ id: 'Elb5xxRequest' });

/** The `target-health` request: a target group and, to cross-reference pods, their namespace and selector. */
export const targetHealthSchema = z
  .strictObject({
    targetGroupArn,
    namespace: namespace.optional(),
    selector: z.record(labelKey, labelValue).optional(),
    ...(fieldsOf(TARGET_HEALTH_PARAMETERS) as Of<'minHealthy' | 'registrationWindowSeconds', number> &
      Of<'unownedTargets', 'fail' | 'report'>),
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
    // The sequential method's start read from the canary's pods (instead of `since`).
    namespace: namespace.optional(),
    selector: z.record(labelKey, labelValue).optional(),
    ...(fieldsOf(CANARY_PARAMETERS) as Of<
      | 'windowMinutes'
      | 'alpha'
      | 'minCanaryRequests'
      | 'minStableRequests'
      | 'minRateDifference'
      | 'confidence'
      | 'incompleteMinutes'
      | 'minRelativeEffect',
      number
    > &
      Of<'countConnectionErrors' | 'includeIncomplete', boolean> &
      Of<'method', 'fisher' | 'sequential'> &
      Of<'since', string>),
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
    // The canary's start read from the pods of its revision (instead of `since`).
    namespace: namespace.optional(),
    selector: z.record(labelKey, labelValue).optional(),
    ...(fieldsOf(LATENCY_PARAMETERS) as Of<
      | 'windowMinutes'
      | 'alpha'
      | 'minRelativeEffect'
      | 'minRequestsPerMinute'
      | 'minMinutes'
      | 'incompleteMinutes',
      number
    > &
      Of<'percentile', 'p50' | 'p90' | 'p95' | 'p99'> &
      Of<'since', string>),
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
