import type { Clock } from '../ports/clock.js';
import { InputError } from '../ports/errors.js';
import type { LoadBalancerCatalog } from '../ports/elb.js';
import type { MetricSeries, MetricsSource } from '../ports/metrics.js';
import type { Phase, Verdict } from '../ports/verdict.js';
import { optionalNumber, requireDate } from './params.js';
import { planCanaryQueries } from './queries.js';
import type { CanaryPlan, TargetGroupQueryIds } from './queries.js';
import { DEFAULT_INCOMPLETE_MINUTES, fillSeries, judgedWindow, sumPeriods, windowJson } from './series.js';
import { requireLoadBalancer } from './load-balancer.js';
import { fisherExactGreater, normalQuantile, rateDifferenceInterval, rateRatio } from './stats.js';
import { createVerdict, formatCount, formatRate, withUpstreamErrors } from './verdict.js';

/** Defaults of the `canary` check. */
export const CANARY_DEFAULTS = {
  windowMinutes: 10,
  alpha: 0.05,
  minCanaryRequests: 50,
  minStableRequests: 100,
  minRateDifference: 0,
  confidence: 0.95,
  countConnectionErrors: true,
  incompleteMinutes: DEFAULT_INCOMPLETE_MINUTES,
} as const;

/** How the `canary` check judges. */
export interface CanaryThresholds {
  /** Fail when the one-sided p-value is below this. Default 0.05. */
  readonly alpha?: number;
  /** Below this many canary requests the verdict is Inconclusive. Default 50. */
  readonly minCanaryRequests?: number;
  /** Below this many stable requests the verdict is Inconclusive. Default 100. */
  readonly minStableRequests?: number;
  /** Fail only when the canary's rate also exceeds the stable one's by more than this. Default 0. */
  readonly minRateDifference?: number;
  /** Confidence of the effect-size intervals. Default 0.95. */
  readonly confidence?: number;
  /**
   * Count TargetConnectionErrorCount as errors: a refused connection is an ELB 502 that CloudWatch can only
   * attribute to a target group this way, and it is what a badly drained pod causes. Default true.
   */
  readonly countConnectionErrors?: boolean;
  readonly incompleteMinutes?: number;
  readonly includeIncomplete?: boolean;
}

type ValidCanaryThresholds = Required<CanaryThresholds>;

/** Validates thresholds a user gave; an InputError names the bad one. */
export function normalizeCanaryThresholds(
  thresholds: CanaryThresholds = {},
  path = 'thresholds',
): ValidCanaryThresholds {
  return {
    alpha: optionalNumber(`${path}.alpha`, thresholds.alpha, CANARY_DEFAULTS.alpha, {
      min: 0,
      exclusiveMin: true,
      max: 0.5,
    }),
    minCanaryRequests: optionalNumber(
      `${path}.minCanaryRequests`,
      thresholds.minCanaryRequests,
      CANARY_DEFAULTS.minCanaryRequests,
      {
        min: 1,
      },
    ),
    minStableRequests: optionalNumber(
      `${path}.minStableRequests`,
      thresholds.minStableRequests,
      CANARY_DEFAULTS.minStableRequests,
      {
        min: 1,
      },
    ),
    minRateDifference: optionalNumber(
      `${path}.minRateDifference`,
      thresholds.minRateDifference,
      CANARY_DEFAULTS.minRateDifference,
      {
        min: 0,
        max: 1,
      },
    ),
    confidence: optionalNumber(`${path}.confidence`, thresholds.confidence, CANARY_DEFAULTS.confidence, {
      min: 0,
      exclusiveMin: true,
      max: 0.9999,
    }),
    countConnectionErrors: thresholds.countConnectionErrors ?? CANARY_DEFAULTS.countConnectionErrors,
    incompleteMinutes: optionalNumber(
      `${path}.incompleteMinutes`,
      thresholds.incompleteMinutes,
      CANARY_DEFAULTS.incompleteMinutes,
      {
        min: 0,
      },
    ),
    includeIncomplete: thresholds.includeIncomplete ?? false,
  };
}

/** The counts of one group of a 2×2 table. */
export interface GroupCounts {
  readonly errors: number;
  readonly requests: number;
}

/** The comparison of a canary's error rate with the stable one's. */
export interface CanaryComparison {
  /** One-sided Fisher's exact p-value for "the canary's error rate is higher". */
  readonly pValue: number;
  readonly canaryRate: number;
  readonly stableRate: number;
  /** canaryRate − stableRate with Newcombe's hybrid score interval. */
  readonly rateDifference: number;
  readonly rateDifferenceInterval: { readonly lower: number; readonly upper: number };
  /** canaryRate / stableRate with Katz's log interval (Haldane-corrected when a count is 0). */
  readonly rateRatio: number;
  readonly rateRatioInterval: { readonly lower: number; readonly upper: number };
  readonly rateRatioCorrected: boolean;
  readonly confidence: number;
}

/**
 * Compares two groups' error counts: the one-sided Fisher's exact test (exact at any count, conditional on the
 * total number of errors) and the effect size with intervals. Pure; counts must be whole, errors ≤ requests.
 */
export function compareErrorRates(
  canary: GroupCounts,
  stable: GroupCounts,
  confidence: number = CANARY_DEFAULTS.confidence,
): CanaryComparison {
  for (const [path, group] of [
    ['canary', canary],
    ['stable', stable],
  ] as const) {
    if (
      !Number.isInteger(group.errors) ||
      !Number.isInteger(group.requests) ||
      group.errors < 0 ||
      group.requests < 1
    ) {
      throw new InputError(
        path,
        `needs whole counts with at least one request, got ${group.errors}/${group.requests}`,
      );
    }
    if (group.errors > group.requests) {
      throw new InputError(
        `${path}.errors`,
        `cannot exceed the ${group.requests} requests, got ${group.errors}`,
      );
    }
  }
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const difference = rateDifferenceInterval(
    canary.errors,
    canary.requests,
    stable.errors,
    stable.requests,
    z,
  );
  const ratio = rateRatio(canary.errors, canary.requests, stable.errors, stable.requests, z);
  const canaryRate = canary.errors / canary.requests;
  const stableRate = stable.errors / stable.requests;
  return {
    pValue: fisherExactGreater(canary.errors, canary.requests, stable.errors, stable.requests),
    canaryRate,
    stableRate,
    rateDifference: canaryRate - stableRate,
    rateDifferenceInterval: difference,
    rateRatio: ratio.ratio,
    rateRatioInterval: ratio.interval,
    rateRatioCorrected: ratio.corrected,
    confidence,
  };
}

/** What `evaluateCanary` reads. */
export interface CanaryInput {
  readonly plan: CanaryPlan;
  readonly series: readonly MetricSeries[];
  readonly now: Date;
}

/**
 * The `canary` verdict from the series of a plan: Failed when the canary's error rate is higher than the stable
 * one's with p < alpha (and by more than `minRateDifference`); Inconclusive below the minimum sample sizes.
 * value: the p-value; threshold: alpha (the check fails when value < threshold). Pure.
 */
export function evaluateCanary(input: CanaryInput, thresholds: CanaryThresholds = {}): Verdict {
  const t = normalizeCanaryThresholds(thresholds);
  const now = requireDate('now', input.now);
  const byId = new Map(input.series.map((series) => [series.id, series]));
  const window = input.plan.evaluation;
  const fill = (id: string) =>
    fillSeries(byId.get(id), window, now, { incompleteMinutes: t.incompleteMinutes });
  const excludedMinutes = fill(input.plan.canary.requests)
    .periods.filter((period) => period.incomplete && !t.includeIncomplete)
    .map((period) => period.start.toISOString());
  const countsOf = (ids: TargetGroupQueryIds) => {
    const options = { includeIncomplete: t.includeIncomplete };
    const target5xx = Math.round(sumPeriods(fill(ids.target5xx), options));
    const connectionErrors = Math.round(sumPeriods(fill(ids.connectionErrors), options));
    const requests = Math.round(sumPeriods(fill(ids.requests), options));
    // Both counts come from separate metrics of the same minutes; clamping keeps the table valid if CloudWatch
    // ever reports more errors than requests for a group.
    const errors = Math.min(requests, target5xx + (t.countConnectionErrors ? connectionErrors : 0));
    return { arn: ids.arn, target5xx, connectionErrors, requests, errors };
  };
  const canary = countsOf(input.plan.canary);
  const stable = countsOf(input.plan.stable);
  const baseDetails = {
    test: 'one-sided Fisher exact test',
    canary,
    stable,
    window: windowJson(window),
    excludedIncompleteMinutes: excludedMinutes,
    thresholds: t,
  };
  const tally = `canary ${formatCount(canary.errors)}/${formatCount(canary.requests)} errors (${formatRate(canary.requests > 0 ? canary.errors / canary.requests : 0)}) vs stable ${formatCount(stable.errors)}/${formatCount(stable.requests)} (${formatRate(stable.requests > 0 ? stable.errors / stable.requests : 0)})`;
  const verdict = (phase: Phase, value: number, reason: string, details: Record<string, unknown>): Verdict =>
    createVerdict('canary', phase, { value, threshold: t.alpha, reason, details }, now);

  if (canary.requests < t.minCanaryRequests || stable.requests < t.minStableRequests) {
    const short =
      canary.requests < t.minCanaryRequests
        ? `the canary's ${formatCount(canary.requests)} requests are below the minimum of ${formatCount(t.minCanaryRequests)}`
        : `the stable group's ${formatCount(stable.requests)} requests are below the minimum of ${formatCount(t.minStableRequests)}`;
    // value 1 (no evidence against the canary), so `value < threshold` conditions never fail on it.
    return verdict('Inconclusive', 1, `${tally}: ${short}, too few to compare.`, baseDetails);
  }
  const comparison = compareErrorRates(canary, stable, t.confidence);
  const details = { ...baseDetails, ...comparison };
  const effect = `difference ${signedRate(comparison.rateDifference)} (${Math.round(t.confidence * 100)}% CI ${signedRate(comparison.rateDifferenceInterval.lower)} to ${signedRate(comparison.rateDifferenceInterval.upper)}), ratio ${formatRatio(comparison.rateRatio)}`;
  const p = `p = ${formatP(comparison.pValue)}`;
  if (comparison.pValue < t.alpha && comparison.rateDifference > t.minRateDifference) {
    return verdict(
      'Failed',
      comparison.pValue,
      `${tally}: the canary's error rate is higher (${p} < ${t.alpha}; ${effect}).`,
      details,
    );
  }
  const why =
    comparison.pValue < t.alpha
      ? `higher but by no more than the tolerated ${formatRate(t.minRateDifference)}`
      : `not significantly higher (${p} ≥ ${t.alpha})`;
  return verdict(
    'Successful',
    comparison.pValue,
    `${tally}: the canary's error rate is ${why}; ${effect}.`,
    details,
  );
}

function signedRate(rate: number): string {
  return `${rate > 0 ? '+' : rate < 0 ? '−' : ''}${formatRate(Math.abs(rate))}`;
}

function formatRatio(ratio: number): string {
  return `${ratio >= 100 ? Math.round(ratio) : ratio.toPrecision(3)}×`;
}

function formatP(p: number): string {
  return p === 0 ? '0' : p < 0.001 ? p.toExponential(1) : p.toPrecision(2);
}

/** What `runCanary` needs. */
export interface CanaryRequest extends CanaryThresholds {
  readonly loadBalancerArn: string;
  readonly canaryTargetGroupArn: string;
  readonly stableTargetGroupArn: string;
  /** The last `windowMinutes` complete minutes before now (incomplete ones come on top). Default 10. */
  readonly windowMinutes?: number;
}

/**
 * Reads both target groups' metrics in one call and compares them. Upstream failures become an Error verdict;
 * with a `catalog`, so does a load balancer that does not exist.
 */
export async function runCanary(
  ports: { readonly metrics: MetricsSource; readonly clock: Clock; readonly catalog?: LoadBalancerCatalog },
  request: CanaryRequest,
  signal?: AbortSignal,
): Promise<Verdict> {
  const thresholds = normalizeCanaryThresholds(request, 'request');
  const windowMinutes = optionalNumber(
    'request.windowMinutes',
    request.windowMinutes,
    CANARY_DEFAULTS.windowMinutes,
    {
      min: 0,
      exclusiveMin: true,
    },
  );
  const plan = planCanaryQueries({
    loadBalancerArn: request.loadBalancerArn,
    canaryTargetGroupArn: request.canaryTargetGroupArn,
    stableTargetGroupArn: request.stableTargetGroupArn,
    window: judgedWindow(ports.clock.now(), windowMinutes, thresholds),
  });
  return withUpstreamErrors(
    'canary',
    thresholds.alpha,
    () => ports.clock.now(),
    async () => {
      const series = await ports.metrics.readMetrics(plan.queries, plan.window, signal);
      // No datapoint at all is what CloudWatch answers for a load balancer that does not exist, too.
      if (ports.catalog && series.every((s) => s.points.length === 0))
        await requireLoadBalancer(ports.catalog, request.loadBalancerArn, signal);
      return evaluateCanary({ plan, series, now: ports.clock.now() }, thresholds);
    },
  );
}
