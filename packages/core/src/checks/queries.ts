import { InputError } from '../ports/errors.js';
import { loadBalancerDimension, targetGroupDimension } from '../ports/elb.js';
import type { MetricPercentile, MetricQuery, MetricWindow } from '../ports/metrics.js';
import { spanningWindow } from './series.js';

/** The queries of one or more checks and the one window they are read over. */
export interface MetricPlan {
  readonly queries: readonly MetricQuery[];
  readonly window: MetricWindow;
}

/** The ALB metric names draingate reads. */
export const ALB_METRICS = {
  elb5xx: 'HTTPCode_ELB_5XX_Count',
  elb500: 'HTTPCode_ELB_500_Count',
  elb502: 'HTTPCode_ELB_502_Count',
  elb503: 'HTTPCode_ELB_503_Count',
  elb504: 'HTTPCode_ELB_504_Count',
  target5xx: 'HTTPCode_Target_5XX_Count',
  requests: 'RequestCount',
  connectionErrors: 'TargetConnectionErrorCount',
  responseTime: 'TargetResponseTime',
} as const;

/** The split of ELB 5xx by status code, when asked for. */
export type ElbCodeSplit = 'elb500' | 'elb502' | 'elb503' | 'elb504';
export const ELB_CODE_SPLIT: readonly ElbCodeSplit[] = ['elb500', 'elb502', 'elb503', 'elb504'];

/** The query ids of a load balancer's own metrics. */
export interface LoadBalancerQueryIds {
  readonly arn: string;
  readonly dimension: string;
  readonly elb5xx: string;
  /** Present when the 500/502/503/504 split was asked for. */
  readonly split?: Readonly<Record<ElbCodeSplit, string>>;
  /**
   * Load-balancer-wide target 5xx and requests: planned only when no target group is named, so a rate can
   * still be computed.
   */
  readonly target5xx?: string;
  readonly requests?: string;
}

/** The query ids of one target group's metrics on its load balancer. */
export interface TargetGroupQueryIds {
  readonly arn: string;
  readonly dimension: string;
  readonly target5xx: string;
  readonly requests: string;
  readonly connectionErrors: string;
}

/** Sum over 60 s of one ALB metric. */
export function albCountQuery(metricName: string, dimensions: Readonly<Record<string, string>>): MetricQuery {
  return albQuery(metricName, dimensions, 'Sum');
}

/** One ALB metric with one statistic (a percentile is an extended statistic, `Stat: "p99"` in GetMetricData). */
export function albQuery(
  metricName: string,
  dimensions: Readonly<Record<string, string>>,
  stat: MetricQuery['stat'],
): MetricQuery {
  const query: Omit<MetricQuery, 'id'> = { namespace: 'AWS/ApplicationELB', metricName, dimensions, stat };
  return { id: metricQueryId(query), ...query };
}

/** The identity of a query for deduplication: namespace, metric, dimensions (in key order) and statistic. */
export function metricQueryKey(query: Omit<MetricQuery, 'id'>): string {
  const dimensions = Object.keys(query.dimensions)
    .sort()
    .map((name) => `${name}=${query.dimensions[name] ?? ''}`)
    .join(',');
  return `${query.namespace}|${query.metricName}|${dimensions}|${query.stat}`;
}

/**
 * A stable, readable id for a query, derived from what it reads (`httpcode_elb_5xx_count__app_web_0f…`), so
 * that the same metric gets the same id in every check's plan and a merged read still answers each of them.
 */
export function metricQueryId(query: Omit<MetricQuery, 'id'>): string {
  const parts = [
    query.metricName,
    ...Object.keys(query.dimensions)
      .sort()
      .map((name) => query.dimensions[name] ?? ''),
    ...(query.stat === 'Sum' ? [] : [query.stat]),
    ...(query.namespace === 'AWS/ApplicationELB' ? [] : [query.namespace]),
  ];
  const id = `m_${parts.map((part) => part.toLowerCase().replace(/[^a-z0-9]+/g, '_')).join('__')}`;
  // CloudWatch caps ids at 255 characters; ARN suffixes are short enough that this never happens with ALB
  // dimensions, but a hash keeps the id valid and stable whatever the input.
  return id.length <= 255 ? id : `m_${fnv1a(metricQueryKey(query))}`;
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** The CloudWatch dimension of a load balancer ARN, or an InputError naming `path`. */
export function requireLoadBalancerDimension(path: string, arn: unknown): string {
  const dimension = typeof arn === 'string' ? loadBalancerDimension(arn) : undefined;
  if (!dimension || !dimension.startsWith('app/')) {
    throw new InputError(
      path,
      `must be an Application Load Balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>), got ${JSON.stringify(arn)}`,
    );
  }
  return dimension;
}

/** The CloudWatch dimension of a target group ARN, or an InputError naming `path`. */
export function requireTargetGroupDimension(path: string, arn: unknown): string {
  const dimension = typeof arn === 'string' ? targetGroupDimension(arn) : undefined;
  if (!dimension) {
    throw new InputError(
      path,
      `must be a target group ARN (arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>), got ${JSON.stringify(arn)}`,
    );
  }
  return dimension;
}

/** The queries of the `elb-5xx` check, with the id of each metric it needs. */
export interface Elb5xxPlan extends MetricPlan {
  readonly loadBalancer: LoadBalancerQueryIds;
  readonly targetGroups: readonly TargetGroupQueryIds[];
  /** The window judged. */
  readonly evaluation: MetricWindow;
  readonly baseline?: MetricWindow;
}

export interface Elb5xxPlanInput {
  readonly loadBalancerArn: string;
  /** Target groups of the load balancer to judge; none means the whole load balancer. */
  readonly targetGroupArns?: readonly string[];
  readonly window: MetricWindow;
  /** A window before the deployment to compare with; read in the same call as `window`. */
  readonly baseline?: MetricWindow;
  /** Also read HTTPCode_ELB_500/502/503/504_Count, to say which kind of ELB 5xx happened. */
  readonly splitElbCodes?: boolean;
}

/**
 * The metric queries of the `elb-5xx` check: HTTPCode_ELB_5XX_Count (and optionally its split by code) per
 * load balancer; HTTPCode_Target_5XX_Count, RequestCount and TargetConnectionErrorCount per target group and
 * load balancer. Sum over the window's period. The plan's window spans the baseline too, so one read serves both.
 */
export function planElb5xxQueries(input: Elb5xxPlanInput): Elb5xxPlan {
  const lb = requireLoadBalancerDimension('loadBalancerArn', input.loadBalancerArn);
  const targetGroupArns = input.targetGroupArns ?? [];
  const lbDimensions = { LoadBalancer: lb };
  const queries: MetricQuery[] = [];
  const add = (metricName: string, dimensions: Record<string, string>): string => {
    const query = albCountQuery(metricName, dimensions);
    queries.push(query);
    return query.id;
  };
  const elb5xx = add(ALB_METRICS.elb5xx, lbDimensions);
  const split = input.splitElbCodes
    ? (Object.fromEntries(
        ELB_CODE_SPLIT.map((code) => [code, add(ALB_METRICS[code], lbDimensions)]),
      ) as Record<ElbCodeSplit, string>)
    : undefined;
  const lbTotals =
    targetGroupArns.length === 0
      ? {
          target5xx: add(ALB_METRICS.target5xx, lbDimensions),
          requests: add(ALB_METRICS.requests, lbDimensions),
        }
      : {};
  const targetGroups = targetGroupArns.map((arn, index) => {
    const dimension = requireTargetGroupDimension(`targetGroupArns[${index}]`, arn);
    const dimensions = { LoadBalancer: lb, TargetGroup: dimension };
    return {
      arn,
      dimension,
      target5xx: add(ALB_METRICS.target5xx, dimensions),
      requests: add(ALB_METRICS.requests, dimensions),
      connectionErrors: add(ALB_METRICS.connectionErrors, dimensions),
    };
  });
  const windows = input.baseline ? [input.window, input.baseline] : [input.window];
  return {
    queries: dedupeQueries(queries),
    window: spanningWindow(windows),
    evaluation: input.window,
    ...(input.baseline ? { baseline: input.baseline } : {}),
    loadBalancer: {
      arn: input.loadBalancerArn,
      dimension: lb,
      elb5xx,
      ...(split ? { split } : {}),
      ...lbTotals,
    },
    targetGroups: dedupeBy(targetGroups, (group) => group.arn),
  };
}

/** The queries of the `canary` check, with the id of each metric it needs. */
export interface CanaryPlan extends MetricPlan {
  readonly loadBalancerArn: string;
  readonly canary: TargetGroupQueryIds;
  readonly stable: TargetGroupQueryIds;
  readonly evaluation: MetricWindow;
}

export interface CanaryPlanInput {
  readonly loadBalancerArn: string;
  readonly canaryTargetGroupArn: string;
  readonly stableTargetGroupArn: string;
  readonly window: MetricWindow;
}

/**
 * The metric queries of the `canary` check: HTTPCode_Target_5XX_Count, RequestCount and
 * TargetConnectionErrorCount of the canary and the stable target group on the same load balancer.
 */
export function planCanaryQueries(input: CanaryPlanInput): CanaryPlan {
  return planCanaryAgainstStable(input, (arn, dimension, dimensions) => {
    const queries = [
      albCountQuery(ALB_METRICS.target5xx, dimensions),
      albCountQuery(ALB_METRICS.requests, dimensions),
      albCountQuery(ALB_METRICS.connectionErrors, dimensions),
    ] as const;
    return {
      ids: {
        arn,
        dimension,
        target5xx: queries[0].id,
        requests: queries[1].id,
        connectionErrors: queries[2].id,
      },
      queries: [...queries],
    };
  });
}

/**
 * The plan of a comparison of the canary target group with the stable one on the same load balancer: each
 * group's queries from `group`, the two target groups distinct, one window.
 */
function planCanaryAgainstStable<Ids extends { readonly dimension: string }>(
  input: CanaryPlanInput,
  group: (
    arn: string,
    dimension: string,
    dimensions: Readonly<Record<string, string>>,
  ) => { ids: Ids; queries: readonly MetricQuery[] },
): MetricPlan & {
  readonly loadBalancerArn: string;
  readonly canary: Ids;
  readonly stable: Ids;
  readonly evaluation: MetricWindow;
} {
  const lb = requireLoadBalancerDimension('loadBalancerArn', input.loadBalancerArn);
  const plan = (path: string, arn: string) => {
    const dimension = requireTargetGroupDimension(path, arn);
    return group(arn, dimension, { LoadBalancer: lb, TargetGroup: dimension });
  };
  const canary = plan('canaryTargetGroupArn', input.canaryTargetGroupArn);
  const stable = plan('stableTargetGroupArn', input.stableTargetGroupArn);
  if (canary.ids.dimension === stable.ids.dimension) {
    throw new InputError('stableTargetGroupArn', 'must differ from canaryTargetGroupArn');
  }
  return {
    queries: dedupeQueries([...canary.queries, ...stable.queries]),
    window: spanningWindow([input.window]),
    evaluation: input.window,
    loadBalancerArn: input.loadBalancerArn,
    canary: canary.ids,
    stable: stable.ids,
  };
}

/** The query ids of one target group's latency. */
export interface LatencyQueryIds {
  readonly arn: string;
  readonly dimension: string;
  /** TargetResponseTime at the percentile, seconds. */
  readonly responseTime: string;
  /** RequestCount, to know how many requests each minute's percentile stands on. */
  readonly requests: string;
}

/** The queries of the `latency` check, with the id of each metric it needs. */
export interface LatencyPlan extends MetricPlan {
  readonly loadBalancerArn: string;
  readonly percentile: MetricPercentile;
  readonly canary: LatencyQueryIds;
  readonly stable: LatencyQueryIds;
  readonly evaluation: MetricWindow;
}

/**
 * The metric queries of the `latency` check: TargetResponseTime at one percentile and RequestCount of the canary
 * and the stable target group on the same load balancer.
 */
export function planLatencyQueries(
  input: CanaryPlanInput & { readonly percentile: MetricPercentile },
): LatencyPlan {
  const plan = planCanaryAgainstStable(
    input,
    (
      arn,
      dimension,
      dimensions,
    ): {
      ids: LatencyQueryIds;
      queries: MetricQuery[];
    } => {
      const responseTime = albQuery(ALB_METRICS.responseTime, dimensions, input.percentile);
      const requests = albCountQuery(ALB_METRICS.requests, dimensions);
      return {
        ids: { arn, dimension, responseTime: responseTime.id, requests: requests.id },
        queries: [responseTime, requests],
      };
    },
  );
  return { ...plan, percentile: input.percentile };
}

/**
 * Queries without duplicates by (namespace, metric, dimensions, statistic), keeping the first. Two different
 * queries with the same id are a bug in a planner, not something to paper over.
 */
export function dedupeQueries(queries: readonly MetricQuery[]): MetricQuery[] {
  const byKey = new Map<string, MetricQuery>();
  const keyOfId = new Map<string, string>();
  for (const query of queries) {
    const key = metricQueryKey(query);
    const known = keyOfId.get(query.id);
    if (known !== undefined && known !== key) {
      throw new Error(`metric query id ${query.id} names two different queries: ${known} and ${key}`);
    }
    keyOfId.set(query.id, key);
    if (!byKey.has(key)) byKey.set(key, query);
  }
  return [...byKey.values()];
}

/**
 * One plan for several checks: their queries deduplicated and one window spanning all of theirs, so the
 * adapter makes one GetMetricData call (up to 500 queries) for a whole evaluation.
 */
export function mergeMetricPlans(plans: readonly MetricPlan[]): MetricPlan {
  if (plans.length === 0) throw new Error('mergeMetricPlans needs at least one plan');
  return {
    queries: dedupeQueries(plans.flatMap((plan) => plan.queries)),
    window: spanningWindow(plans.map((plan) => plan.window)),
  };
}

function dedupeBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
