import type { Clock } from '../ports/clock.js';
import { InputError } from '../ports/errors.js';
import type { LoadBalancerCatalog } from '../ports/elb.js';
import type { MetricSeries, MetricsSource, MetricWindow } from '../ports/metrics.js';
import type { Phase, Verdict } from '../ports/verdict.js';
import { optionalNumber, requireDate } from './params.js';
import { ELB_CODE_SPLIT, planElb5xxQueries } from './queries.js';
import type { Elb5xxPlan, ElbCodeSplit } from './queries.js';
import { DEFAULT_INCOMPLETE_MINUTES, fillSeries, judgedWindow, windowBefore, windowJson } from './series.js';
import type { FilledSeries } from './series.js';
import { requireLoadBalancer } from './load-balancer.js';
import { createVerdict, formatCount, formatRate, withUpstreamErrors } from './verdict.js';

/** Defaults of the `elb-5xx` check. */
export const ELB_5XX_DEFAULTS = {
  windowMinutes: 10,
  maxRate: 0.01,
  minRequests: 100,
  belowMinimum: 'Inconclusive',
  incompleteMinutes: DEFAULT_INCOMPLETE_MINUTES,
  baselineFactor: 2,
  baselineMargin: 0.001,
  baselineMinRequests: 100,
} as const;

/** How the `elb-5xx` check judges. */
export interface Elb5xxThresholds {
  /** Fail when (ELB 5xx + target 5xx) / (requests + ELB 5xx) exceeds this. Default 0.01. */
  readonly maxRate?: number;
  /** Fail when ELB 5xx + target 5xx exceed this count, whatever the traffic. Default: no count limit. */
  readonly maxCount?: number;
  /** Below this many requests (+ ELB 5xx) the rate is not judged. Default 100. */
  readonly minRequests?: number;
  /** The phase when traffic is below `minRequests`. Default Inconclusive. */
  readonly belowMinimum?: Exclude<Phase, 'Error'>;
  /** Minutes before now treated as incomplete. Default 2. */
  readonly incompleteMinutes?: number;
  /** Judge the incomplete minutes too (their counts may still grow). Default false. */
  readonly includeIncomplete?: boolean;
  /** Baseline comparison: fail when rate > baseline rate × factor + margin. */
  readonly baselineFactor?: number;
  readonly baselineMargin?: number;
  /** The baseline is used only when it saw at least this many requests. Default 100. */
  readonly baselineMinRequests?: number;
}

/** Counts of one period, or of a whole window. */
interface Counts {
  elb5xx: number;
  target5xx: number;
  requests: number;
  connectionErrors: number;
}

/** Thresholds with every default applied and every value checked. */
export interface ValidElb5xxThresholds {
  readonly maxRate: number;
  readonly maxCount: number | undefined;
  readonly minRequests: number;
  readonly belowMinimum: Exclude<Phase, 'Error'>;
  readonly incompleteMinutes: number;
  readonly includeIncomplete: boolean;
  readonly baselineFactor: number;
  readonly baselineMargin: number;
  readonly baselineMinRequests: number;
}

/** Validates thresholds a user gave; an InputError names the bad one. */
export function normalizeElb5xxThresholds(
  thresholds: Elb5xxThresholds = {},
  path = 'thresholds',
): ValidElb5xxThresholds {
  const belowMinimum = thresholds.belowMinimum ?? ELB_5XX_DEFAULTS.belowMinimum;
  if (!['Successful', 'Failed', 'Inconclusive'].includes(belowMinimum)) {
    throw new InputError(
      `${path}.belowMinimum`,
      `must be Successful, Failed or Inconclusive, got ${String(belowMinimum)}`,
    );
  }
  return {
    maxRate: optionalNumber(`${path}.maxRate`, thresholds.maxRate, ELB_5XX_DEFAULTS.maxRate, {
      min: 0,
      max: 1,
    }),
    maxCount:
      thresholds.maxCount === undefined
        ? undefined
        : optionalNumber(`${path}.maxCount`, thresholds.maxCount, 0, { min: 0 }),
    minRequests: optionalNumber(`${path}.minRequests`, thresholds.minRequests, ELB_5XX_DEFAULTS.minRequests, {
      min: 0,
    }),
    belowMinimum,
    incompleteMinutes: optionalNumber(
      `${path}.incompleteMinutes`,
      thresholds.incompleteMinutes,
      ELB_5XX_DEFAULTS.incompleteMinutes,
      { min: 0 },
    ),
    includeIncomplete: thresholds.includeIncomplete ?? false,
    baselineFactor: optionalNumber(
      `${path}.baselineFactor`,
      thresholds.baselineFactor,
      ELB_5XX_DEFAULTS.baselineFactor,
      {
        min: 0,
      },
    ),
    baselineMargin: optionalNumber(
      `${path}.baselineMargin`,
      thresholds.baselineMargin,
      ELB_5XX_DEFAULTS.baselineMargin,
      {
        min: 0,
        max: 1,
      },
    ),
    baselineMinRequests: optionalNumber(
      `${path}.baselineMinRequests`,
      thresholds.baselineMinRequests,
      ELB_5XX_DEFAULTS.baselineMinRequests,
      { min: 0 },
    ),
  };
}

/**
 * The error rate the check judges: ELB and target 5xx over every request the ALB answered. RequestCount
 * counts only requests that reached a target, so the ELB's own 5xx are added to the denominator; with no
 * traffic the rate is 0. Always in [0, 1] for non-negative counts.
 */
export function errorRate(elb5xx: number, target5xx: number, requests: number): number {
  const denominator = requests + elb5xx;
  if (denominator <= 0) return 0;
  return Math.min(1, Math.max(0, (elb5xx + target5xx) / denominator));
}

/** What `evaluateElb5xx` reads: the plan it was read with, the series, and when. */
export interface Elb5xxInput {
  readonly plan: Elb5xxPlan;
  readonly series: readonly MetricSeries[];
  readonly now: Date;
}

/**
 * The `elb-5xx` verdict from the series of a plan. Pure. Failed when the rate exceeds `maxRate` (or the
 * baseline limit), or the count exceeds `maxCount`; the rate is not judged below `minRequests`. Incomplete
 * minutes are left out (and listed) unless `includeIncomplete`.
 */
export function evaluateElb5xx(input: Elb5xxInput, thresholds: Elb5xxThresholds = {}): Verdict {
  const t = normalizeElb5xxThresholds(thresholds);
  const now = requireDate('now', input.now);
  const { plan } = input;
  const byId = new Map(input.series.map((series) => [series.id, series]));
  const fill = (id: string | undefined, window: MetricWindow): FilledSeries | undefined =>
    id === undefined
      ? undefined
      : fillSeries(byId.get(id), window, now, { incompleteMinutes: t.incompleteMinutes });

  const window = plan.evaluation;
  const elb5xx = fill(plan.loadBalancer.elb5xx, window);
  const split = plan.loadBalancer.split;
  const splitSeries = split ? ELB_CODE_SPLIT.map((code) => [code, fill(split[code], window)] as const) : [];
  // Without target groups, the load balancer's own target 5xx and requests stand in for them.
  const groups =
    plan.targetGroups.length > 0
      ? plan.targetGroups.map((group) => ({
          arn: group.arn,
          dimension: group.dimension,
          target5xx: fill(group.target5xx, window),
          requests: fill(group.requests, window),
          connectionErrors: fill(group.connectionErrors, window),
        }))
      : [
          {
            arn: plan.loadBalancer.arn,
            dimension: plan.loadBalancer.dimension,
            target5xx: fill(plan.loadBalancer.target5xx, window),
            requests: fill(plan.loadBalancer.requests, window),
            connectionErrors: undefined,
          },
        ];

  const periodCount = elb5xx?.periods.length ?? 0;
  const minutes: (Counts & { start: string; incomplete: boolean; elbByCode?: Record<string, number> })[] = [];
  for (let index = 0; index < periodCount; index += 1) {
    const period = elb5xx?.periods[index];
    if (!period) continue;
    const counts: Counts = { elb5xx: period.value, target5xx: 0, requests: 0, connectionErrors: 0 };
    for (const group of groups) {
      counts.target5xx += group.target5xx?.periods[index]?.value ?? 0;
      counts.requests += group.requests?.periods[index]?.value ?? 0;
      counts.connectionErrors += group.connectionErrors?.periods[index]?.value ?? 0;
    }
    minutes.push({
      start: period.start.toISOString(),
      incomplete: period.incomplete,
      ...counts,
      ...(split
        ? {
            elbByCode: Object.fromEntries(
              splitSeries.map(([code, series]) => [codeLabel(code), series?.periods[index]?.value ?? 0]),
            ),
          }
        : {}),
    });
  }
  const judgedIndexes = new Set<number>();
  minutes.forEach((minute, index) => {
    if (t.includeIncomplete || !minute.incomplete) judgedIndexes.add(index);
  });
  const judged = minutes.filter((_, index) => judgedIndexes.has(index));
  const excluded = minutes.filter((_, index) => !judgedIndexes.has(index));
  const totals = sumCounts(judged);
  const rate = errorRate(totals.elb5xx, totals.target5xx, totals.requests);
  const errors = totals.elb5xx + totals.target5xx;
  const traffic = totals.requests + totals.elb5xx;

  const sumJudged = (series: FilledSeries | undefined): number =>
    series
      ? series.periods.reduce((sum, period, index) => sum + (judgedIndexes.has(index) ? period.value : 0), 0)
      : 0;
  const targetGroups = groups.map((group) => {
    const target5xx = sumJudged(group.target5xx);
    const requests = sumJudged(group.requests);
    return {
      arn: group.arn,
      dimension: group.dimension,
      target5xx,
      requests,
      connectionErrors: sumJudged(group.connectionErrors),
      // ELB 5xx exist per load balancer only, so a target group's own rate is its target 5xx over its requests.
      target5xxRate: errorRate(0, target5xx, requests),
    };
  });

  const baseline = plan.baseline ? baselineOf(plan, plan.baseline, byId, now, t) : undefined;
  const baselineLimit =
    baseline && baseline.requests + baseline.elb5xx >= t.baselineMinRequests
      ? Math.min(1, baseline.rate * t.baselineFactor + t.baselineMargin)
      : undefined;
  const threshold = baselineLimit === undefined ? t.maxRate : Math.min(t.maxRate, baselineLimit);

  const details = {
    loadBalancer: {
      arn: plan.loadBalancer.arn,
      dimension: plan.loadBalancer.dimension,
      elb5xx: totals.elb5xx,
      ...(split
        ? {
            elbByCode: Object.fromEntries(
              splitSeries.map(([code, series]) => [codeLabel(code), sumJudged(series)]),
            ),
          }
        : {}),
    },
    targetGroups,
    totals: { ...totals, errors, rate },
    window: windowJson(window),
    minutes,
    judgedMinutes: judged.length,
    excludedIncompleteMinutes: excluded.map((minute) => minute.start),
    thresholds: {
      maxRate: t.maxRate,
      ...(t.maxCount === undefined ? {} : { maxCount: t.maxCount }),
      minRequests: t.minRequests,
      belowMinimum: t.belowMinimum,
      incompleteMinutes: t.incompleteMinutes,
      includeIncomplete: t.includeIncomplete,
    },
    ...(baseline
      ? {
          baseline: {
            ...baseline,
            used: baselineLimit !== undefined,
            factor: t.baselineFactor,
            margin: t.baselineMargin,
            minRequests: t.baselineMinRequests,
            ...(baselineLimit === undefined ? {} : { limit: baselineLimit }),
          },
        }
      : {}),
  };

  const counted = `${formatCount(totals.elb5xx)} ELB 5xx and ${formatCount(totals.target5xx)} target 5xx over ${formatCount(traffic)} requests`;
  const span = `in ${judged.length} complete minute${judged.length === 1 ? '' : 's'}${excluded.length > 0 ? ` (${excluded.length} incomplete left out)` : ''}`;
  const verdict = (phase: Phase, reason: string): Verdict =>
    createVerdict('elb-5xx', phase, { value: rate, threshold, reason, details }, now);

  if (t.maxCount !== undefined && errors > t.maxCount) {
    return verdict(
      'Failed',
      `${counted} ${span}: ${formatCount(errors)} 5xx exceed the limit of ${formatCount(t.maxCount)}.`,
    );
  }
  if (judged.length === 0) {
    return verdict(
      'Inconclusive',
      `no complete minute to judge yet: the window's ${minutes.length} minute${minutes.length === 1 ? ' is' : 's are'} within the last ${t.incompleteMinutes} minutes.`,
    );
  }
  if (traffic < t.minRequests) {
    return verdict(
      t.belowMinimum,
      `${counted} ${span}: below the minimum of ${formatCount(t.minRequests)} requests, so the rate of ${formatRate(rate)} is not judged.`,
    );
  }
  if (rate > threshold) {
    const limit =
      baselineLimit !== undefined && baselineLimit < t.maxRate
        ? `the baseline limit of ${formatRate(baselineLimit)} (baseline ${formatRate(baseline?.rate ?? 0)} × ${t.baselineFactor} + ${formatRate(t.baselineMargin)})`
        : `the limit of ${formatRate(t.maxRate)}`;
    return verdict('Failed', `${counted} ${span}: a rate of ${formatRate(rate)}, above ${limit}.`);
  }
  return verdict(
    'Successful',
    `${counted} ${span}: a rate of ${formatRate(rate)}, within ${formatRate(threshold)}.`,
  );
}

function baselineOf(
  plan: Elb5xxPlan,
  window: MetricWindow,
  byId: ReadonlyMap<string, MetricSeries>,
  now: Date,
  t: ValidElb5xxThresholds,
): Counts & { rate: number; window: ReturnType<typeof windowJson>; minutes: number } {
  const total = (id: string | undefined): number =>
    id === undefined
      ? 0
      : fillSeries(byId.get(id), window, now, { incompleteMinutes: t.incompleteMinutes }).periods.reduce(
          (sum, period) => sum + (period.incomplete && !t.includeIncomplete ? 0 : period.value),
          0,
        );
  const ids =
    plan.targetGroups.length > 0
      ? plan.targetGroups
      : [
          {
            target5xx: plan.loadBalancer.target5xx,
            requests: plan.loadBalancer.requests,
            connectionErrors: undefined,
          },
        ];
  const counts: Counts = {
    elb5xx: total(plan.loadBalancer.elb5xx),
    target5xx: ids.reduce((sum, group) => sum + total(group.target5xx), 0),
    requests: ids.reduce((sum, group) => sum + total(group.requests), 0),
    connectionErrors: ids.reduce((sum, group) => sum + total(group.connectionErrors), 0),
  };
  return {
    ...counts,
    rate: errorRate(counts.elb5xx, counts.target5xx, counts.requests),
    window: windowJson(window),
    minutes: Math.round((window.end.getTime() - window.start.getTime()) / 60_000),
  };
}

function sumCounts(minutes: readonly Counts[]): Counts {
  const totals: Counts = { elb5xx: 0, target5xx: 0, requests: 0, connectionErrors: 0 };
  for (const minute of minutes) {
    totals.elb5xx += minute.elb5xx;
    totals.target5xx += minute.target5xx;
    totals.requests += minute.requests;
    totals.connectionErrors += minute.connectionErrors;
  }
  return totals;
}

function codeLabel(code: ElbCodeSplit): string {
  return code.slice(3);
}

/** What `runElb5xx` needs: where to read, and when. */
export interface Elb5xxRequest extends Elb5xxThresholds {
  readonly loadBalancerArn: string;
  readonly targetGroupArns?: readonly string[];
  /** The window: the last `windowMinutes` complete minutes before now (incomplete ones come on top). Default 10. */
  readonly windowMinutes?: number;
  /** When the deployment started; with `baselineMinutes`, the baseline is the window just before it. */
  readonly deployedAt?: Date;
  readonly baselineMinutes?: number;
  readonly splitElbCodes?: boolean;
}

/**
 * Reads the metrics of the `elb-5xx` check in one call and evaluates them. An upstream failure becomes an
 * Error verdict; bad parameters throw an InputError. With a `catalog`, a window without a single datapoint makes
 * sure the load balancer exists: CloudWatch answers an unknown one with no datapoints, as it does a quiet one,
 * and an unknown one is an Error (not found), not an Inconclusive "0 requests".
 */
export async function runElb5xx(
  ports: { readonly metrics: MetricsSource; readonly clock: Clock; readonly catalog?: LoadBalancerCatalog },
  request: Elb5xxRequest,
  signal?: AbortSignal,
): Promise<Verdict> {
  const now = ports.clock.now();
  const thresholds = normalizeElb5xxThresholds(request, 'request');
  const windowMinutes = optionalNumber(
    'request.windowMinutes',
    request.windowMinutes,
    ELB_5XX_DEFAULTS.windowMinutes,
    {
      min: 0,
      exclusiveMin: true,
    },
  );
  let baseline: MetricWindow | undefined;
  if (request.baselineMinutes !== undefined || request.deployedAt !== undefined) {
    if (request.deployedAt === undefined)
      throw new InputError('request.deployedAt', 'is required with baselineMinutes');
    const minutes = optionalNumber('request.baselineMinutes', request.baselineMinutes, windowMinutes, {
      min: 0,
      exclusiveMin: true,
    });
    baseline = windowBefore(requireDate('request.deployedAt', request.deployedAt), minutes);
  }
  const plan = planElb5xxQueries({
    loadBalancerArn: request.loadBalancerArn,
    ...(request.targetGroupArns ? { targetGroupArns: request.targetGroupArns } : {}),
    window: judgedWindow(now, windowMinutes, thresholds),
    ...(baseline ? { baseline } : {}),
    ...(request.splitElbCodes ? { splitElbCodes: true } : {}),
  });
  return withUpstreamErrors(
    'elb-5xx',
    thresholds.maxRate,
    () => ports.clock.now(),
    async () => {
      const series = await ports.metrics.readMetrics(plan.queries, plan.window, signal);
      // No datapoint at all is what CloudWatch answers for a load balancer that does not exist, too.
      if (ports.catalog && series.every((s) => s.points.length === 0))
        await requireLoadBalancer(ports.catalog, request.loadBalancerArn, signal);
      return evaluateElb5xx({ plan, series, now: ports.clock.now() }, thresholds);
    },
  );
}
