import type { Clock } from '../ports/clock.js';
import { InputError } from '../ports/errors.js';
import type { LoadBalancerCatalog } from '../ports/elb.js';
import type { MetricSeries, MetricWindow, MetricsSource } from '../ports/metrics.js';
import type { Phase, Verdict } from '../ports/verdict.js';
import { optionalNumber, requireDate } from './params.js';
import { planCanaryQueries } from './queries.js';
import type { CanaryPlan, TargetGroupQueryIds } from './queries.js';
import {
  DEFAULT_INCOMPLETE_MINUTES,
  DEFAULT_PERIOD_SECONDS,
  fillSeries,
  judgedWindow,
  sumPeriods,
  windowJson,
} from './series.js';
import { requireLoadBalancer } from './load-balancer.js';
import { evaluateSequentialTest } from './sequential.js';
import type { MinuteCounts, SequentialTestResult } from './sequential.js';
import { fisherExactGreater, normalQuantile, rateDifferenceInterval, rateRatio } from './stats.js';
import { createVerdict, formatCount, formatEvidence, formatRate, withUpstreamErrors } from './verdict.js';

/** Defaults of the `canary` check. */
export const CANARY_DEFAULTS = {
  method: 'fisher',
  windowMinutes: 10,
  alpha: 0.05,
  minCanaryRequests: 50,
  minStableRequests: 100,
  minRateDifference: 0,
  minRelativeEffect: 0,
  confidence: 0.95,
  countConnectionErrors: true,
  incompleteMinutes: DEFAULT_INCOMPLETE_MINUTES,
} as const;

/**
 * How the `canary` check tests: `fisher`, one fixed-sample test on the last window (for a single look); or
 * `sequential`, an anytime-valid test on every minute since the canary started, which keeps its false-alarm rate
 * at most alpha however often Argo asks (see sequential.ts).
 */
export type CanaryMethod = 'fisher' | 'sequential';

export const CANARY_METHODS: readonly CanaryMethod[] = ['fisher', 'sequential'];

/** How the `canary` check judges. */
export interface CanaryThresholds {
  /** Default `fisher`. */
  readonly method?: CanaryMethod;
  /** Fail when the one-sided p-value (for `sequential`, the always-valid one) is below this. Default 0.05. */
  readonly alpha?: number;
  /** Below this many canary requests the verdict is Inconclusive. Default 50. */
  readonly minCanaryRequests?: number;
  /** Below this many stable requests the verdict is Inconclusive. Default 100. */
  readonly minStableRequests?: number;
  /** Fail only when the canary's rate also exceeds the stable one's by more than this. Default 0. `fisher` only. */
  readonly minRateDifference?: number;
  /**
   * `sequential` only: the regression tolerated, relative to the stable rate. The test fails only on evidence
   * that the canary's rate is more than (1 + this) × the stable one's. Default 0.
   */
  readonly minRelativeEffect?: number;
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
  const method = thresholds.method ?? CANARY_DEFAULTS.method;
  if (!CANARY_METHODS.includes(method)) {
    throw new InputError(
      `${path}.method`,
      `must be one of ${CANARY_METHODS.join(', ')}, got ${JSON.stringify(method)}`,
    );
  }
  return {
    method,
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
    minRelativeEffect: optionalNumber(
      `${path}.minRelativeEffect`,
      thresholds.minRelativeEffect,
      CANARY_DEFAULTS.minRelativeEffect,
      { min: 0, max: 100 },
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
 * The `canary` verdict from the series of a plan. `fisher`: Failed when the canary's error rate is higher than
 * the stable one's with p < alpha (and by more than `minRateDifference`) over the plan's window; Inconclusive
 * below the minimum sample sizes. `sequential`: Failed once the e-value over the plan's minutes (those since the
 * canary started) reaches 1/alpha, at any sample size; otherwise Inconclusive below the minimum sample sizes.
 * value: the p-value (always-valid for `sequential`); threshold: alpha (the check fails when value < threshold).
 * Pure.
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
  if (t.method === 'sequential') {
    const minutesOf = (ids: TargetGroupQueryIds) => {
      const [target5xx, connectionErrors, requests] = [ids.target5xx, ids.connectionErrors, ids.requests].map(
        (id) => fill(id).periods,
      );
      return (requests ?? []).map((period, index) => {
        const count = Math.round(period.value);
        const errors =
          Math.round(target5xx?.[index]?.value ?? 0) +
          (t.countConnectionErrors ? Math.round(connectionErrors?.[index]?.value ?? 0) : 0);
        return {
          requests: count,
          errors: Math.min(count, errors),
          judged: t.includeIncomplete || !period.incomplete,
        };
      });
    };
    const canaryMinutes = minutesOf(input.plan.canary);
    const stableMinutes = minutesOf(input.plan.stable);
    const minutes: MinuteCounts[] = canaryMinutes.flatMap((c, index) => {
      const s = stableMinutes[index];
      return c.judged && s
        ? [
            {
              canaryErrors: c.errors,
              canaryRequests: c.requests,
              stableErrors: s.errors,
              stableRequests: s.requests,
            },
          ]
        : [];
    });
    return sequentialVerdict(
      evaluateSequentialTest(minutes, { alpha: t.alpha, minRelativeEffect: t.minRelativeEffect }),
      { canary, stable, window, excludedMinutes, thresholds: t, now },
    );
  }
  const baseDetails = {
    test: 'one-sided Fisher exact test',
    canary,
    stable,
    window: windowJson(window),
    excludedIncompleteMinutes: excludedMinutes,
    thresholds: t,
  };
  const tally = canaryTally(canary, stable);
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

function canaryTally(canary: GroupCounts, stable: GroupCounts): string {
  const rate = (group: GroupCounts) => formatRate(group.requests > 0 ? group.errors / group.requests : 0);
  return `canary ${formatCount(canary.errors)}/${formatCount(canary.requests)} errors (${rate(canary)}) vs stable ${formatCount(stable.errors)}/${formatCount(stable.requests)} (${rate(stable)})`;
}

/** The `sequential` verdict: Failed once the e-value has reached 1/alpha, at any sample size. */
function sequentialVerdict(
  result: SequentialTestResult,
  context: {
    readonly canary: GroupCounts & Record<string, unknown>;
    readonly stable: GroupCounts & Record<string, unknown>;
    readonly window: CanaryPlan['evaluation'];
    readonly excludedMinutes: readonly string[];
    readonly thresholds: ValidCanaryThresholds;
    readonly now: Date;
  },
): Verdict {
  const { canary, stable, thresholds: t } = context;
  const details = {
    test: 'sequential mixture likelihood ratio (anytime-valid)',
    canary,
    stable,
    window: windowJson(context.window),
    excludedIncompleteMinutes: context.excludedMinutes,
    thresholds: t,
    eValue: result.eValue,
    maxEValue: result.maxEValue,
    eValueThreshold: result.eValueThreshold,
    pValue: result.pValue,
    nullRatio: result.nullRatio,
    canaryShare: result.canaryShare,
    minutes: result.minutes,
    canaryRate: canary.requests > 0 ? canary.errors / canary.requests : 0,
    stableRate: stable.requests > 0 ? stable.errors / stable.requests : 0,
  };
  const tolerated =
    result.nullRatio === 1 ? "the stable one's" : `${formatRatio(result.nullRatio)} the stable one's`;
  const evidence = `e-value ${formatEvidence(result.maxEValue)} ${result.rejected ? '≥' : '<'} ${formatEvidence(result.eValueThreshold)} (1/α) over ${result.minutes} minute${result.minutes === 1 ? '' : 's'} at a canary share of ${formatRate(result.canaryShare)}`;
  const tally = canaryTally(canary, stable);
  const verdict = (phase: Phase, reason: string): Verdict =>
    createVerdict(
      'canary',
      phase,
      { value: result.pValue, threshold: t.alpha, reason, details },
      context.now,
    );
  if (result.rejected) {
    return verdict('Failed', `${tally}: the canary's error rate is higher than ${tolerated} (${evidence}).`);
  }
  if (canary.requests < t.minCanaryRequests || stable.requests < t.minStableRequests) {
    const short =
      canary.requests < t.minCanaryRequests
        ? `the canary's ${formatCount(canary.requests)} requests are below the minimum of ${formatCount(t.minCanaryRequests)}`
        : `the stable group's ${formatCount(stable.requests)} requests are below the minimum of ${formatCount(t.minStableRequests)}`;
    return verdict('Inconclusive', `${tally}: ${short}, too few to compare (${evidence}).`);
  }
  return verdict(
    'Successful',
    `${tally}: no evidence yet that the canary's error rate is higher than ${tolerated} (${evidence}).`,
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
  /** `fisher`: the last `windowMinutes` complete minutes before now (incomplete ones come on top). Default 10. */
  readonly windowMinutes?: number;
  /**
   * `sequential`: when the canary started (the AnalysisRun's start). Every look judges all the minutes from
   * then, so it must be the same at every look. Required for `sequential`.
   */
  readonly since?: Date;
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
  const now = ports.clock.now();
  const plan = planCanaryQueries({
    loadBalancerArn: request.loadBalancerArn,
    canaryTargetGroupArn: request.canaryTargetGroupArn,
    stableTargetGroupArn: request.stableTargetGroupArn,
    window:
      thresholds.method === 'sequential'
        ? windowSince(requireSince(request.since, now), now)
        : judgedWindow(now, windowMinutes, thresholds),
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

/** The longest a sequential analysis may reach back: CloudWatch keeps 1-minute ALB datapoints for 15 days. */
const MAX_SEQUENTIAL_MINUTES = 15 * 24 * 60;

/** `since` as the start of a judged sequence of minutes: a valid time before `now`, within CloudWatch's 15 days. */
export function requireSince(since: unknown, now: Date): Date {
  if (since === undefined) {
    throw new InputError('request.since', "is required by the sequential method: the canary's start");
  }
  const start = requireDate('request.since', since);
  if (start.getTime() >= now.getTime()) {
    throw new InputError(
      'request.since',
      `must be before now (${now.toISOString()}), got ${start.toISOString()}`,
    );
  }
  if (now.getTime() - start.getTime() > MAX_SEQUENTIAL_MINUTES * 60_000) {
    throw new InputError('request.since', `must be within the last 15 days, got ${start.toISOString()}`);
  }
  return start;
}

/** Whole minutes from the one `since` falls in to the one `now` falls in. */
export function windowSince(since: Date, now: Date): MetricWindow {
  const periodMs = DEFAULT_PERIOD_SECONDS * 1000;
  const start = Math.floor(since.getTime() / periodMs) * periodMs;
  const end = Math.ceil(now.getTime() / periodMs) * periodMs;
  return {
    start: new Date(start),
    end: new Date(Math.max(end, start + periodMs)),
    periodSeconds: DEFAULT_PERIOD_SECONDS,
  };
}
