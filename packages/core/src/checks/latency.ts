import type { Clock } from '../ports/clock.js';
import type { LoadBalancerCatalog } from '../ports/elb.js';
import { InputError } from '../ports/errors.js';
import type { MetricPercentile, MetricSeries, MetricsSource } from '../ports/metrics.js';
import type { Phase, Verdict } from '../ports/verdict.js';
import { requireSince, windowSince } from './canary.js';
import { requireLoadBalancer } from './load-balancer.js';
import { optionalNumber, requireDate } from './params.js';
import { planLatencyQueries } from './queries.js';
import type { LatencyPlan } from './queries.js';
import { DEFAULT_INCOMPLETE_MINUTES, fillSeries, judgedWindow, windowJson } from './series.js';
import { evaluateSignTest } from './sign-test.js';
import { createVerdict, formatCount, formatEvidence, withUpstreamErrors } from './verdict.js';

/** The percentiles of TargetResponseTime the `latency` check compares. */
export const LATENCY_PERCENTILES: readonly MetricPercentile[] = ['p50', 'p90', 'p95', 'p99'];

/** Defaults of the `latency` check. */
export const LATENCY_DEFAULTS = {
  percentile: 'p99',
  alpha: 0.05,
  minRelativeEffect: 0.1,
  minRequestsPerMinute: 100,
  minMinutes: 5,
  windowMinutes: 10,
  incompleteMinutes: DEFAULT_INCOMPLETE_MINUTES,
} as const satisfies Record<string, unknown>;

/** How the `latency` check judges. */
export interface LatencyThresholds {
  /** Which percentile of TargetResponseTime, per minute. Default p99. */
  readonly percentile?: MetricPercentile;
  /** The chance that a canary no slower than the bound fails, however often it is asked. Default 0.05. */
  readonly alpha?: number;
  /**
   * The slowdown tolerated: a minute counts against the canary when its percentile exceeds (1 + this) × the
   * stable one's. Default 0.1: it also absorbs the noise of a percentile estimated from one minute's requests.
   */
  readonly minRelativeEffect?: number;
  /** A minute with fewer requests in either group is not judged: its percentile says little. Default 100. */
  readonly minRequestsPerMinute?: number;
  /** Fewer judged minutes, and not Failed, is Inconclusive. Default 5. */
  readonly minMinutes?: number;
  readonly incompleteMinutes?: number;
}

type ValidLatencyThresholds = Required<LatencyThresholds>;

/** Validates thresholds a user gave; an InputError names the bad one. */
export function normalizeLatencyThresholds(
  thresholds: LatencyThresholds = {},
  path = 'thresholds',
): ValidLatencyThresholds {
  const percentile = thresholds.percentile ?? LATENCY_DEFAULTS.percentile;
  if (!LATENCY_PERCENTILES.includes(percentile)) {
    throw new InputError(
      `${path}.percentile`,
      `must be one of ${LATENCY_PERCENTILES.join(', ')}, got ${JSON.stringify(percentile)}`,
    );
  }
  return {
    percentile,
    alpha: optionalNumber(`${path}.alpha`, thresholds.alpha, LATENCY_DEFAULTS.alpha, {
      min: 0,
      exclusiveMin: true,
      max: 0.5,
    }),
    minRelativeEffect: optionalNumber(
      `${path}.minRelativeEffect`,
      thresholds.minRelativeEffect,
      LATENCY_DEFAULTS.minRelativeEffect,
      { min: 0, max: 100 },
    ),
    minRequestsPerMinute: optionalNumber(
      `${path}.minRequestsPerMinute`,
      thresholds.minRequestsPerMinute,
      LATENCY_DEFAULTS.minRequestsPerMinute,
      { min: 1, integer: true },
    ),
    minMinutes: optionalNumber(`${path}.minMinutes`, thresholds.minMinutes, LATENCY_DEFAULTS.minMinutes, {
      min: 1,
      integer: true,
    }),
    incompleteMinutes: optionalNumber(
      `${path}.incompleteMinutes`,
      thresholds.incompleteMinutes,
      LATENCY_DEFAULTS.incompleteMinutes,
      { min: 0 },
    ),
  };
}

/** One minute as the `latency` check saw it. */
export interface LatencyMinute {
  readonly start: string;
  /** Seconds at the percentile; absent when the group published no datapoint that minute. */
  readonly canary?: number;
  readonly stable?: number;
  readonly canaryRequests: number;
  readonly stableRequests: number;
  /** canary / stable, when both are known and stable > 0. */
  readonly ratio?: number;
  /** Judged: true when the canary was slower than the bound; absent when the minute was not judged, and why. */
  readonly slower?: boolean;
  readonly skipped?: 'incomplete' | 'no datapoint' | 'too few requests';
}

/** What `evaluateLatency` reads. */
export interface LatencyInput {
  readonly plan: LatencyPlan;
  readonly series: readonly MetricSeries[];
  readonly now: Date;
}

/**
 * The `latency` verdict from the series of a plan: each complete minute in which both groups had at least
 * `minRequestsPerMinute` requests gives one sign (the canary's percentile above (1 + `minRelativeEffect`) × the
 * stable one's, or not), and the sequential sign test (sign-test.ts) over those signs is Failed once its e-value
 * reaches 1/alpha; otherwise Inconclusive below `minMinutes` judged minutes, else Successful. value: the
 * always-valid p-value; threshold: alpha. Pure.
 */
export function evaluateLatency(input: LatencyInput, thresholds: LatencyThresholds = {}): Verdict {
  const t = normalizeLatencyThresholds(thresholds);
  const now = requireDate('now', input.now);
  const byId = new Map(input.series.map((series) => [series.id, series]));
  const window = input.plan.evaluation;
  const fill = (id: string) =>
    fillSeries(byId.get(id), window, now, { incompleteMinutes: t.incompleteMinutes }).periods;
  const [canaryTime, stableTime, canaryRequests, stableRequests] = [
    input.plan.canary.responseTime,
    input.plan.stable.responseTime,
    input.plan.canary.requests,
    input.plan.stable.requests,
  ].map(fill);
  const bound = 1 + t.minRelativeEffect;
  const minutes: LatencyMinute[] = (canaryTime ?? []).map((period, index) => {
    const stable = stableTime?.[index];
    const counts = {
      canaryRequests: Math.round(canaryRequests?.[index]?.value ?? 0),
      stableRequests: Math.round(stableRequests?.[index]?.value ?? 0),
    };
    const values = {
      ...(period.published ? { canary: period.value } : {}),
      ...(stable?.published ? { stable: stable.value } : {}),
    };
    const minute = { start: period.start.toISOString(), ...values, ...counts };
    if (period.incomplete) return { ...minute, skipped: 'incomplete' as const };
    if (values.canary === undefined || values.stable === undefined)
      return { ...minute, skipped: 'no datapoint' as const };
    const ratio = values.stable > 0 ? values.canary / values.stable : undefined;
    const withRatio = { ...minute, ...(ratio === undefined ? {} : { ratio }) };
    if (counts.canaryRequests < t.minRequestsPerMinute || counts.stableRequests < t.minRequestsPerMinute)
      return { ...withRatio, skipped: 'too few requests' as const };
    return { ...withRatio, slower: values.canary > bound * values.stable };
  });
  const signs = minutes.flatMap((minute) => (minute.slower === undefined ? [] : [minute.slower]));
  const test = evaluateSignTest(signs, t.alpha);
  const ratios = minutes.flatMap((minute) =>
    minute.slower !== undefined && minute.ratio !== undefined ? [minute.ratio] : [],
  );
  const medianRatio = median(ratios);
  const details = {
    test: 'sequential sign test on per-minute percentiles (anytime-valid)',
    percentile: t.percentile,
    canaryTargetGroupArn: input.plan.canary.arn,
    stableTargetGroupArn: input.plan.stable.arn,
    window: windowJson(window),
    thresholds: t,
    judgedMinutes: test.minutes,
    slowerMinutes: test.slower,
    ...(medianRatio === undefined ? {} : { medianRatio }),
    eValue: test.eValue,
    maxEValue: test.maxEValue,
    eValueThreshold: test.eValueThreshold,
    pValue: test.pValue,
    minutes,
  };
  const p = t.percentile;
  const tally = `canary ${p} above ${formatRatio(bound)} the stable ${p} in ${test.slower} of ${test.minutes} judged minutes${medianRatio === undefined ? '' : ` (median ratio ${formatRatio(medianRatio)})`}`;
  const evidence = `e-value ${formatEvidence(test.maxEValue)}, ${test.rejected ? '≥' : '<'} ${formatEvidence(test.eValueThreshold)} = 1/α`;
  const verdict = (phase: Phase, reason: string): Verdict =>
    createVerdict('latency', phase, { value: test.pValue, threshold: t.alpha, reason, details }, now);
  if (test.rejected) return verdict('Failed', `${tally}: the canary is slower (${evidence}).`);
  if (test.minutes < t.minMinutes) {
    const skipped = minutes.filter((minute) => minute.skipped === 'too few requests').length;
    const why =
      skipped > 0
        ? `; ${skipped} had fewer than ${formatCount(t.minRequestsPerMinute)} requests in a group`
        : '';
    return verdict(
      'Inconclusive',
      `${tally}: fewer than the ${t.minMinutes} minutes needed to judge${why} (${evidence}).`,
    );
  }
  return verdict('Successful', `${tally}: no evidence that the canary is slower (${evidence}).`);
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function formatRatio(ratio: number): string {
  return `${Number(ratio.toPrecision(3))}×`;
}

/** What `runLatency` needs. */
export interface LatencyRequest extends LatencyThresholds {
  readonly loadBalancerArn: string;
  readonly canaryTargetGroupArn: string;
  readonly stableTargetGroupArn: string;
  /**
   * When the canary started: every look judges all the minutes since, and the test stays honest however often
   * it is asked. Without it, the last `windowMinutes` complete minutes (one look).
   */
  readonly since?: Date;
  /** Without `since`: how many complete minutes before now. Default 10. */
  readonly windowMinutes?: number;
}

/**
 * Reads both target groups' TargetResponseTime percentile and RequestCount in one call and compares them.
 * Upstream failures become an Error verdict; with a `catalog`, so does a load balancer that does not exist.
 */
export async function runLatency(
  ports: { readonly metrics: MetricsSource; readonly clock: Clock; readonly catalog?: LoadBalancerCatalog },
  request: LatencyRequest,
  signal?: AbortSignal,
): Promise<Verdict> {
  const thresholds = normalizeLatencyThresholds(request, 'request');
  const now = ports.clock.now();
  const windowMinutes = optionalNumber(
    'request.windowMinutes',
    request.windowMinutes,
    LATENCY_DEFAULTS.windowMinutes,
    { min: 1, integer: true, max: 1440 },
  );
  if (request.since !== undefined && request.windowMinutes !== undefined) {
    throw new InputError(
      'request.windowMinutes',
      'cannot be combined with since: every minute since is judged',
    );
  }
  const plan = planLatencyQueries({
    loadBalancerArn: request.loadBalancerArn,
    canaryTargetGroupArn: request.canaryTargetGroupArn,
    stableTargetGroupArn: request.stableTargetGroupArn,
    percentile: thresholds.percentile,
    window:
      request.since !== undefined
        ? windowSince(requireSince(request.since, now), now)
        : judgedWindow(now, windowMinutes, { ...thresholds, includeIncomplete: false }),
  });
  return withUpstreamErrors(
    'latency',
    thresholds.alpha,
    () => ports.clock.now(),
    async () => {
      const series = await ports.metrics.readMetrics(plan.queries, plan.window, signal);
      if (ports.catalog && series.every((s) => s.points.length === 0))
        await requireLoadBalancer(ports.catalog, request.loadBalancerArn, signal);
      return evaluateLatency({ plan, series, now: ports.clock.now() }, thresholds);
    },
  );
}
