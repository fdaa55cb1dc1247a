import { normalizeCanaryThresholds } from '../checks/canary.js';
import { normalizeElb5xxThresholds } from '../checks/elb-5xx.js';
import { normalizeLatencyThresholds } from '../checks/latency.js';
import { optionalNumber } from '../checks/params.js';
import { requireLoadBalancerDimension, requireTargetGroupDimension } from '../checks/queries.js';
import { normalizeTargetHealthThresholds } from '../checks/target-health.js';
import { InputError, UpstreamError } from '../ports/errors.js';
import { actOnFailure, preconditionsOf } from './act.js';
import { elb5xxTotals, targetTotals } from './evidence.js';
import type { GateAction, GateEvent, GateOptions, GatePorts, GateResult } from './types.js';
import {
  countReadErrors,
  createWatchState,
  decideOutcome,
  judgeMetrics,
  judgeTargets,
  metricsDue,
  observeProgress,
  timelinePointOf,
} from './watch-steps.js';
import type { Poll, Read, WatchContext } from './watch-steps.js';

/** Defaults of the rollout gate (seconds). */
export const GATE_DEFAULTS = {
  timeoutSeconds: 600,
  pollIntervalSeconds: 5,
  metricsIntervalSeconds: 60,
  settleSeconds: 60,
  failAfterPolls: 2,
  errorLimit: 4,
} as const;

/** Options with defaults applied, validated. */
export type ResolvedGateOptions = GateResult['options'];

/** Validates a gate's options; an InputError names the bad one. */
export function resolveGateOptions(options: GateOptions): ResolvedGateOptions {
  const n = (
    name: keyof typeof GATE_DEFAULTS,
    bounds: { min: number; integer?: boolean; exclusiveMin?: boolean },
  ) => optionalNumber(name, options[name], GATE_DEFAULTS[name], bounds);
  const onFailure = options.onFailure ?? 'none';
  if (!['rollback', 'abort', 'none'].includes(onFailure)) {
    throw new InputError('onFailure', `must be rollback, abort or none, got ${JSON.stringify(onFailure)}`);
  }
  options.targetGroupArns?.forEach((arn, index) =>
    requireTargetGroupDimension(`targetGroupArns[${index}]`, arn),
  );
  if (options.loadBalancerArn !== undefined)
    requireLoadBalancerDimension('loadBalancerArn', options.loadBalancerArn);
  normalizeTargetHealthThresholds(options.targetHealth, 'targetHealth');
  normalizeElb5xxThresholds(options.elb5xx, 'elb5xx');
  const canary = options.canary;
  if (canary) {
    if (options.loadBalancerArn === undefined)
      throw new InputError('canary', 'needs loadBalancerArn: both target groups are compared on one ALB');
    const canaryDimension = requireTargetGroupDimension(
      'canary.canaryTargetGroupArn',
      canary.canaryTargetGroupArn,
    );
    if (
      requireTargetGroupDimension('canary.stableTargetGroupArn', canary.stableTargetGroupArn) ===
      canaryDimension
    )
      throw new InputError('canary.stableTargetGroupArn', 'must differ from canaryTargetGroupArn');
    if (canary.errors !== false)
      normalizeCanaryThresholds({ ...canary.errors, method: 'sequential' }, 'canary.errors');
    if (canary.latency !== false) normalizeLatencyThresholds(canary.latency, 'canary.latency');
  }
  return {
    timeoutSeconds: n('timeoutSeconds', { min: 0, exclusiveMin: true }),
    pollIntervalSeconds: n('pollIntervalSeconds', { min: 0, exclusiveMin: true }),
    metricsIntervalSeconds: n('metricsIntervalSeconds', { min: 0, exclusiveMin: true }),
    settleSeconds: n('settleSeconds', { min: 0 }),
    failAfterPolls: n('failAfterPolls', { min: 1, integer: true }),
    errorLimit: n('errorLimit', { min: 1, integer: true }),
    onFailure,
    dryRun: options.dryRun ?? false,
  };
}

/** Runs a read; an UpstreamError becomes data, anything else (a bug, an abort) propagates. */
async function attempt<T>(read: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    if (error instanceof UpstreamError) return { ok: false, error };
    throw error;
  }
}

/**
 * Follows a rollout to completion while watching the load balancer, and decides as soon as the evidence allows:
 * the rollout failing (progress deadline, Degraded) fails at once; an `elb-5xx` verdict that fails (read every
 * `metricsIntervalSeconds`) fails at once, and so do, with `canary`, the sequential canary test of the canary's 5xx
 * and the latency comparison (every minute since the gate started, anytime-valid however often read); a `target-health` verdict that fails on `failAfterPolls` consecutive
 * polls fails (so a lasting failure is decided within that many poll intervals). After the rollout completes,
 * it keeps watching for `settleSeconds`, reads CloudWatch once more and succeeds. On failure, with `onFailure`,
 * it rolls back or aborts through the actuator with preconditions — the generation and the revision it watched,
 * so an edit made under it is refused. (The resourceVersion is reported but not a precondition: every status
 * write of the controller changes it during a rollout; the actuator guards its own write with the one it read.)
 * Read errors are retried until `errorLimit` consecutive polls fail (phase Error, no action). Time comes from
 * the clock; `signal` stops the watch (phase Inconclusive). Each poll reads, then runs the steps of
 * `watch-steps.ts` over one state value.
 */
export async function watchRollout(
  ports: GatePorts,
  options: GateOptions,
  hooks: { readonly onEvent?: (event: GateEvent) => void; readonly signal?: AbortSignal } = {},
): Promise<GateResult> {
  const resolved = resolveGateOptions(options);
  if (resolved.onFailure !== 'none' && !ports.actuator) {
    throw new Error(`watchRollout: onFailure ${resolved.onFailure} needs an actuator`);
  }
  const { clock } = ports;
  const { signal } = hooks;
  const emit = (event: GateEvent): void => hooks.onEvent?.(event);
  const workload = options.workload;
  const started = clock.now();
  const elapsed = (at: Date): number => Math.round((at.getTime() - started.getTime()) / 100) / 10;
  const context: WatchContext = {
    options,
    resolved,
    targetGroupArns: options.targetGroupArns ?? [],
    elbThresholds: { ...options.elb5xx, includeIncomplete: options.elb5xx?.includeIncomplete ?? true },
    started,
    decide: (state, kind, message) => {
      const at = clock.now();
      const decision = { at: at.toISOString(), elapsedSeconds: elapsed(at), kind, message };
      state.decisions.push(decision);
      emit({ type: 'decision', decision });
    },
  };
  const state = createWatchState(started);
  emit({ type: 'started', workload, at: started.toISOString() });

  while (state.outcome === undefined) {
    const poll = await readPoll(ports, context, clock.now(), signal);
    observeProgress(state, poll, context);
    judgeTargets(state, poll, context);
    const plan = metricsDue(state, poll, context);
    if (plan) {
      const read = await attempt(() => ports.metrics.readMetrics(plan.queries, plan.window, signal));
      judgeMetrics(state, poll, context, plan, read);
    }
    countReadErrors(state, poll, context);
    const point = timelinePointOf(state, poll.now, elapsed(poll.now), context.targetGroupArns.length > 0);
    state.timeline.push(point);
    emit({ type: 'poll', point, ...(poll.status.ok ? { status: poll.status.value } : {}) });
    decideOutcome(state, poll, context);

    if (state.outcome === undefined) {
      try {
        await clock.sleep(resolved.pollIntervalSeconds * 1000, signal);
      } catch {
        context.decide(state, 'stopped', 'stopped before a decision.');
        state.outcome = {
          phase: 'Inconclusive',
          reason: 'The gate was stopped before it could decide.',
          act: false,
        };
      }
    }
  }
  const outcome = state.outcome;

  const watchedRevision = state.watched ?? { resourceVersion: '', generation: 0, revision: '' };
  let action: GateAction | undefined;
  if (
    outcome.phase === 'Failed' &&
    outcome.act &&
    resolved.onFailure !== 'none' &&
    ports.actuator &&
    state.watched
  ) {
    action = await actOnFailure(
      ports.actuator,
      workload,
      resolved.onFailure,
      preconditionsOf(watchedRevision),
      resolved.dryRun,
      signal,
    );
    emit({ type: 'action', action });
  }

  const finished = clock.now();
  const totals = elb5xxTotals(state.elbVerdict);
  const result: GateResult = {
    workload,
    phase: outcome.phase,
    pass: outcome.phase === 'Successful',
    reason: action ? `${outcome.reason} ${capitalize(action.description)}.` : outcome.reason,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    elapsedSeconds: elapsed(finished),
    watched: watchedRevision,
    ...(state.lastStatus ? { lastStatus: state.lastStatus } : {}),
    targetHealth: state.targetVerdicts,
    ...(state.elbVerdict ? { elb5xx: state.elbVerdict } : {}),
    ...(state.canaryVerdict ? { canary: state.canaryVerdict } : {}),
    ...(state.latencyVerdict ? { latency: state.latencyVerdict } : {}),
    errors5xx: totals.errors,
    errorRate: totals.rate,
    healthyTargets: targetTotals(state.targetVerdicts).healthy,
    decisions: state.decisions,
    timeline: state.timeline,
    ...(action ? { action } : {}),
    options: resolved,
  };
  emit({ type: 'finished', result });
  return result;
}

/** One poll's reads, side by side: rollout status, each target group's targets, and the workload's pods. */
async function readPoll(
  ports: GatePorts,
  context: WatchContext,
  now: Date,
  signal: AbortSignal | undefined,
): Promise<Poll> {
  const { workload, podSelector } = context.options;
  const [status, targets, pods] = await Promise.all([
    attempt(() => ports.cluster.readRolloutStatus(workload, signal)),
    Promise.all(
      context.targetGroupArns.map((arn) =>
        attempt(() => ports.targetHealth.describeTargetHealth(arn, signal)),
      ),
    ),
    podSelector
      ? attempt(() => ports.cluster.listPods(workload.namespace, podSelector, signal))
      : Promise.resolve(undefined),
  ]);
  return { now, status, targets, pods, errors: [], complete: false };
}

function capitalize(text: string): string {
  const trimmed = text.replace(/\.$/, '');
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}
