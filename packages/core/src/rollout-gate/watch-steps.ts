import { evaluateCanary, windowSince } from '../checks/canary.js';
import { evaluateElb5xx } from '../checks/elb-5xx.js';
import type { Elb5xxThresholds } from '../checks/elb-5xx.js';
import { evaluateLatency, normalizeLatencyThresholds } from '../checks/latency.js';
import {
  mergeMetricPlans,
  planCanaryQueries,
  planElb5xxQueries,
  planLatencyQueries,
} from '../checks/queries.js';
import type { CanaryPlan, Elb5xxPlan, LatencyPlan, MetricPlan } from '../checks/queries.js';
import { evaluateTargetHealth, trackTargetStates } from '../checks/target-health.js';
import type { TargetStateSince } from '../checks/target-health.js';
import { formatRate } from '../checks/verdict.js';
import type { PodInfo, RolloutStatus } from '../ports/cluster.js';
import type { TargetHealth } from '../ports/elb.js';
import type { UpstreamError } from '../ports/errors.js';
import type { MetricSeries } from '../ports/metrics.js';
import type { Phase, Verdict } from '../ports/verdict.js';
import { elb5xxTotals, formatDuration, gateMetricWindow, targetTotals } from './evidence.js';
import { judgeRolloutProgress } from './progress.js';
import type { GateDecision, GateOptions, GateResult, GateTimelinePoint, WatchedRevision } from './types.js';

// The rollout gate's poll, as steps over one state value: observe progress, judge targets, judge metrics,
// count read errors, decide. Each step reads what the poll read and what earlier polls left in the state, may
// record a decision and may set the outcome; none does I/O, so each can be driven alone.

/** A read that worked, or the upstream error that stopped it. */
export type Read<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: UpstreamError };

/** How a watch ends: its phase, the reason, and whether the failure calls for `onFailure`. */
export interface WatchOutcome {
  readonly phase: Phase;
  readonly reason: string;
  readonly act: boolean;
}

/** What does not change during a watch. */
export interface WatchContext {
  readonly options: GateOptions;
  readonly resolved: GateResult['options'];
  readonly targetGroupArns: readonly string[];
  readonly elbThresholds: Elb5xxThresholds;
  readonly started: Date;
  /** Records a decision (with its time) in the state and tells whoever listens. */
  readonly decide: (state: WatchState, kind: GateDecision['kind'], message: string) => void;
}

/** What one poll carries to the next. */
export interface WatchState {
  /** The generation and revision the gate follows; the revision is '' until the controller observed the spec. */
  watched: WatchedRevision | undefined;
  changeReported: boolean;
  lastStatus: RolloutStatus | undefined;
  targetVerdicts: Verdict[];
  elbVerdict: Verdict | undefined;
  canaryVerdict: Verdict | undefined;
  latencyVerdict: Verdict | undefined;
  /** Since when each target of each target group has been in its state. */
  readonly since: Map<string, Map<string, TargetStateSince>>;
  failingPolls: number;
  errorPolls: number;
  /** When the rollout was first seen complete in the current run of complete polls. */
  completeAtMs: number | undefined;
  nextMetricsMs: number;
  outcome: WatchOutcome | undefined;
  readonly decisions: GateDecision[];
  readonly timeline: GateTimelinePoint[];
}

/** What one poll read, and what it found along the way. */
export interface Poll {
  readonly now: Date;
  readonly status: Read<RolloutStatus>;
  /** One read per target group, in the order of `targetGroupArns`. */
  readonly targets: readonly Read<TargetHealth[]>[];
  /** Absent when no pod selector was given. */
  readonly pods: Read<PodInfo[]> | undefined;
  /** Messages of the reads that failed during this poll. */
  readonly errors: string[];
  /** The rollout was complete at this poll. */
  complete: boolean;
}

/** The state before the first poll. */
export function createWatchState(started: Date): WatchState {
  return {
    watched: undefined,
    changeReported: false,
    lastStatus: undefined,
    targetVerdicts: [],
    elbVerdict: undefined,
    canaryVerdict: undefined,
    latencyVerdict: undefined,
    since: new Map(),
    failingPolls: 0,
    errorPolls: 0,
    completeAtMs: undefined,
    nextMetricsMs: started.getTime(),
    outcome: undefined,
    decisions: [],
    timeline: [],
  };
}

/**
 * Step 1: the rollout's progress. Captures the revision to watch once the controller observed the spec,
 * reports an edit under the gate once, fails on a failed rollout, and notes when it completed.
 */
export function observeProgress(state: WatchState, poll: Poll, context: WatchContext): void {
  if (!poll.status.ok) {
    poll.errors.push(poll.status.error.message);
    return;
  }
  const status = poll.status.value;
  const { workload } = context.options;
  state.lastStatus = status;
  const observed = status.observedGeneration >= status.generation;
  if (!state.watched || state.watched.revision === '') {
    // Until the controller has observed the spec, follow it: its own writes (the revision annotation, which
    // bumps a Deployment's generation) are part of the rollout, not an edit under the gate.
    state.watched = {
      resourceVersion: status.resourceVersion,
      generation: status.generation,
      revision: observed ? status.revision : '',
    };
    if (observed) {
      context.decide(
        state,
        'rollout-observed',
        `watching revision ${status.revision || '(none)'} of generation ${status.generation}.`,
      );
    }
  } else if (status.generation !== state.watched.generation && !state.changeReported) {
    state.changeReported = true;
    context.decide(
      state,
      'rollout-changed',
      `${workload.kind} ${workload.namespace}/${workload.name} changed under the gate: generation ${state.watched.generation} → ${status.generation}; a rollback or abort would be refused.`,
    );
  }
  const progress = judgeRolloutProgress(status);
  if (progress.state === 'failed') {
    context.decide(state, 'rollout-failed', `the rollout failed: ${progress.reason}.`);
    state.outcome = { phase: 'Failed', reason: `The rollout failed: ${progress.reason}.`, act: true };
  } else if (progress.state === 'complete') {
    poll.complete = true;
    if (state.completeAtMs === undefined) {
      state.completeAtMs = poll.now.getTime();
      context.decide(
        state,
        'rollout-complete',
        `${progress.reason}; watching ${formatDuration(context.resolved.settleSeconds)} more while old targets drain.`,
      );
    }
  } else {
    state.completeAtMs = undefined;
  }
}

/**
 * Step 2: target health, cross-referenced with the workload's pods. Judged only when every target group (and
 * the pods, when asked for) could be read; fails after `failAfterPolls` failing polls in a row.
 */
export function judgeTargets(state: WatchState, poll: Poll, context: WatchContext): void {
  const { targetGroupArns, resolved } = context;
  let pods: PodInfo[] | undefined;
  if (poll.pods?.ok) pods = poll.pods.value;
  else if (poll.pods) poll.errors.push(poll.pods.error.message);
  if (targetGroupArns.length === 0 || (poll.pods && !poll.pods.ok)) return;
  const verdicts: Verdict[] = [];
  targetGroupArns.forEach((arn, index) => {
    const read = poll.targets[index];
    if (!read) return;
    if (!read.ok) {
      poll.errors.push(read.error.message);
      return;
    }
    const targets = read.value;
    const states = trackTargetStates(state.since.get(arn), targets, poll.now);
    state.since.set(arn, states);
    verdicts.push(
      evaluateTargetHealth(
        { targetGroupArn: arn, targets, now: poll.now, since: states, ...(pods ? { pods } : {}) },
        context.options.targetHealth,
      ),
    );
  });
  if (verdicts.length !== targetGroupArns.length) return;
  state.targetVerdicts = verdicts;
  const failed = verdicts.filter((verdict) => verdict.phase === 'Failed');
  if (failed.length > 0) {
    state.failingPolls += 1;
    const why = failed.map((verdict) => verdict.reason).join(' ');
    if (state.failingPolls >= resolved.failAfterPolls) {
      context.decide(
        state,
        'target-health-failed',
        `target health failed on ${state.failingPolls} consecutive polls: ${why}`,
      );
      state.outcome ??= { phase: 'Failed', reason: `Target health failed: ${why}`, act: true };
    } else {
      context.decide(
        state,
        'target-health-failing',
        `target health failing (poll ${state.failingPolls} of ${resolved.failAfterPolls} before failing): ${why}`,
      );
    }
  } else {
    if (state.failingPolls > 0) {
      context.decide(
        state,
        'target-health-recovered',
        `target health recovered: ${verdicts.map((v) => v.reason).join(' ')}`,
      );
    }
    state.failingPolls = 0;
  }
}

/** The rollout completed and stayed complete for `settleSeconds`. */
export function isSettled(state: WatchState, poll: Poll, context: WatchContext): boolean {
  return (
    state.completeAtMs !== undefined &&
    poll.complete &&
    poll.now.getTime() - state.completeAtMs >= context.resolved.settleSeconds * 1000
  );
}

/** The CloudWatch reads of one metrics step: elb-5xx, and the canary comparisons when asked for, in one call. */
export interface GateMetricPlan extends MetricPlan {
  readonly elb5xx: Elb5xxPlan;
  readonly canary?: CanaryPlan;
  readonly latency?: LatencyPlan;
}

/**
 * The CloudWatch queries to read at this poll, or undefined: once per `metricsIntervalSeconds`, and once more
 * before declaring success; never after the outcome is known, nor without a load balancer. The canary
 * comparisons judge every minute since the gate started.
 */
export function metricsDue(state: WatchState, poll: Poll, context: WatchContext): GateMetricPlan | undefined {
  const { loadBalancerArn, canary } = context.options;
  if (!loadBalancerArn || state.outcome !== undefined) return undefined;
  if (poll.now.getTime() < state.nextMetricsMs && !isSettled(state, poll, context)) return undefined;
  const elb5xx = planElb5xxQueries({
    loadBalancerArn,
    targetGroupArns: context.targetGroupArns,
    window: gateMetricWindow(context.started, poll.now),
  });
  const groups = canary && {
    loadBalancerArn,
    canaryTargetGroupArn: canary.canaryTargetGroupArn,
    stableTargetGroupArn: canary.stableTargetGroupArn,
    window: windowSince(context.started, poll.now),
  };
  const canaryPlan = groups && canary.errors !== false ? planCanaryQueries(groups) : undefined;
  const latencyPlan =
    groups && canary.latency !== false
      ? planLatencyQueries({
          ...groups,
          percentile: normalizeLatencyThresholds(canary.latency || {}, 'canary.latency').percentile,
        })
      : undefined;
  const merged = mergeMetricPlans([
    elb5xx,
    ...(canaryPlan ? [canaryPlan] : []),
    ...(latencyPlan ? [latencyPlan] : []),
  ]);
  return {
    ...merged,
    elb5xx,
    ...(canaryPlan ? { canary: canaryPlan } : {}),
    ...(latencyPlan ? { latency: latencyPlan } : {}),
  };
}

/**
 * Step 3: the `elb-5xx` verdict, and the canary's `canary` (sequential) and `latency` verdicts, from what
 * CloudWatch answered; any of them failing fails the gate at once.
 */
export function judgeMetrics(
  state: WatchState,
  poll: Poll,
  context: WatchContext,
  plan: GateMetricPlan,
  read: Read<MetricSeries[]>,
): void {
  if (!read.ok) {
    poll.errors.push(read.error.message);
    return;
  }
  const evidence = { series: read.value, now: poll.now };
  const verdict = evaluateElb5xx({ plan: plan.elb5xx, ...evidence }, context.elbThresholds);
  state.elbVerdict = verdict;
  state.nextMetricsMs = poll.now.getTime() + context.resolved.metricsIntervalSeconds * 1000;
  if (verdict.phase === 'Failed') {
    context.decide(state, 'elb-5xx-failed', `the load balancer answered with 5xx: ${verdict.reason}`);
    state.outcome = { phase: 'Failed', reason: `ELB 5xx: ${verdict.reason}`, act: true };
  }
  const canary = context.options.canary;
  if (plan.canary && canary && canary.errors !== false) {
    const canaryVerdict = evaluateCanary(
      { plan: plan.canary, ...evidence },
      { ...canary.errors, method: 'sequential' },
    );
    state.canaryVerdict = canaryVerdict;
    if (canaryVerdict.phase === 'Failed') {
      context.decide(state, 'canary-failed', `canary 5xx against stable: ${canaryVerdict.reason}`);
      state.outcome ??= { phase: 'Failed', reason: `Canary 5xx: ${canaryVerdict.reason}`, act: true };
    }
  }
  if (plan.latency && canary && canary.latency !== false) {
    const latencyVerdict = evaluateLatency({ plan: plan.latency, ...evidence }, canary.latency ?? {});
    state.latencyVerdict = latencyVerdict;
    if (latencyVerdict.phase === 'Failed') {
      context.decide(state, 'latency-failed', `canary latency against stable: ${latencyVerdict.reason}`);
      state.outcome ??= { phase: 'Failed', reason: `Canary latency: ${latencyVerdict.reason}`, act: true };
    }
  }
}

/** Step 4: read errors are retried, until `errorLimit` polls in a row could not read (phase Error, no action). */
export function countReadErrors(state: WatchState, poll: Poll, context: WatchContext): void {
  if (poll.errors.length === 0) {
    state.errorPolls = 0;
    return;
  }
  state.errorPolls += 1;
  const { errorLimit } = context.resolved;
  context.decide(
    state,
    'read-error',
    `could not read (${state.errorPolls} of ${errorLimit} polls in a row): ${poll.errors.join('; ')}`,
  );
  if (state.errorPolls >= errorLimit && state.outcome === undefined) {
    state.outcome = {
      phase: 'Error',
      reason: `Could not measure: ${state.errorPolls} polls in a row failed to read (${poll.errors.join('; ')}).`,
      act: false,
    };
  }
}

/**
 * Step 5: with nothing decided yet, succeed once settled with nothing failing, or give up when the rollout has
 * not completed within the timeout (a Rollout paused on a step is left alone: Inconclusive).
 */
export function decideOutcome(state: WatchState, poll: Poll, context: WatchContext): void {
  if (state.outcome !== undefined) return;
  const { resolved, targetGroupArns } = context;
  if (isSettled(state, poll, context) && state.failingPolls === 0 && poll.errors.length === 0) {
    const totals = elb5xxTotals(state.elbVerdict);
    const health = targetTotals(state.targetVerdicts);
    const reason = [
      `Rolled out and settled for ${formatDuration(resolved.settleSeconds)}`,
      targetGroupArns.length > 0 ? `${health.healthy} of ${health.targets} targets healthy` : undefined,
      state.elbVerdict
        ? `${totals.errors} 5xx over ${totals.requests} requests (${formatRate(totals.rate)}, ${state.elbVerdict.phase === 'Successful' ? 'within' : 'not judged against'} ${formatRate(state.elbVerdict.threshold)})`
        : undefined,
      state.canaryVerdict ? `canary 5xx against stable: ${state.canaryVerdict.phase}` : undefined,
      state.latencyVerdict ? `canary latency against stable: ${state.latencyVerdict.phase}` : undefined,
    ]
      .filter((part) => part !== undefined)
      .join('; ');
    context.decide(state, 'settled', `${reason}.`);
    state.outcome = { phase: 'Successful', reason: `${reason}.`, act: false };
    return;
  }
  const timedOut = poll.now.getTime() - context.started.getTime() >= resolved.timeoutSeconds * 1000;
  if (state.completeAtMs !== undefined || !timedOut) return;
  const progress = state.lastStatus ? judgeRolloutProgress(state.lastStatus) : undefined;
  const why = progress?.reason ?? 'the rollout status could not be read';
  const within = `did not complete within ${formatDuration(resolved.timeoutSeconds)}: ${why}`;
  context.decide(state, 'timeout', `the rollout ${within}.`);
  // A Rollout paused on a step waits for a person (or an analysis) to promote it: running out of time is not
  // evidence of harm, so it is not aborted; the gate does not pass either.
  state.outcome =
    progress?.state === 'paused'
      ? {
          phase: 'Inconclusive',
          reason: `The rollout ${within}; a paused rollout is not aborted.`,
          act: false,
        }
      : { phase: 'Failed', reason: `The rollout ${within}.`, act: true };
}

/** The poll's numbers for charts and the summary table. */
export function timelinePointOf(
  state: WatchState,
  now: Date,
  elapsedSeconds: number,
  targetsPolled: boolean,
): GateTimelinePoint {
  const status = state.lastStatus;
  const health = targetTotals(state.targetVerdicts);
  const totals = elb5xxTotals(state.elbVerdict);
  return {
    at: now.toISOString(),
    elapsedSeconds,
    replicas: status?.replicas ?? 0,
    updatedReplicas: status?.updatedReplicas ?? 0,
    availableReplicas: status?.availableReplicas ?? 0,
    oldReplicas: status?.oldReplicas ?? 0,
    rolloutPhase: status?.phase ?? 'Unknown',
    ...(targetsPolled && state.targetVerdicts.length > 0
      ? { healthyTargets: health.healthy, targets: health.targets, drainingTargets: health.draining }
      : {}),
    ...(state.elbVerdict
      ? { errors5xx: totals.errors, requests: totals.requests, errorRate: totals.rate }
      : {}),
  };
}
