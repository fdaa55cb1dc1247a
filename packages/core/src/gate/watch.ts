import { evaluateElb5xx, normalizeElb5xxThresholds } from '../checks/elb-5xx.js';
import { optionalNumber } from '../checks/params.js';
import {
  planElb5xxQueries,
  requireLoadBalancerDimension,
  requireTargetGroupDimension,
} from '../checks/queries.js';
import {
  evaluateTargetHealth,
  normalizeTargetHealthThresholds,
  trackTargetStates,
} from '../checks/target-health.js';
import type { TargetStateSince } from '../checks/target-health.js';
import { formatRate } from '../checks/verdict.js';
import type { PodInfo, RolloutStatus } from '../ports/cluster.js';
import type { TargetHealth } from '../ports/elb.js';
import { InputError, UpstreamError } from '../ports/errors.js';
import type { Phase, Verdict } from '../ports/verdict.js';
import { actOnFailure, preconditionsOf } from './act.js';
import { elb5xxTotals, formatDuration, gateMetricWindow, targetTotals } from './evidence.js';
import { judgeRolloutProgress } from './progress.js';
import type {
  GateAction,
  GateDecision,
  GateEvent,
  GateOptions,
  GatePorts,
  GateResult,
  GateTimelinePoint,
  WatchedRevision,
} from './types.js';

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

type Read<T> = { ok: true; value: T } | { ok: false; error: UpstreamError };

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
 * `metricsIntervalSeconds`) fails at once; a `target-health` verdict that fails on `failAfterPolls` consecutive
 * polls fails (so a lasting failure is decided within that many poll intervals). After the rollout completes,
 * it keeps watching for `settleSeconds`, reads CloudWatch once more and succeeds. On failure, with `onFailure`,
 * it rolls back or aborts through the actuator with preconditions — the generation and the revision it watched,
 * so an edit made under it is refused. (The resourceVersion is reported but not a precondition: every status
 * write of the controller changes it during a rollout; the actuator guards its own write with the one it read.)
 * Read errors are retried until `errorLimit` consecutive polls fail (phase Error, no action). Time comes from
 * the clock; `signal` stops the watch (phase Inconclusive).
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
  const targetGroupArns = options.targetGroupArns ?? [];
  const elbThresholds = { ...options.elb5xx, includeIncomplete: options.elb5xx?.includeIncomplete ?? true };
  const started = clock.now();
  const startMs = started.getTime();
  const elapsed = (at: Date): number => Math.round((at.getTime() - startMs) / 100) / 10;

  const decisions: GateDecision[] = [];
  const timeline: GateTimelinePoint[] = [];
  const decide = (kind: GateDecision['kind'], message: string): void => {
    const at = clock.now();
    const decision = { at: at.toISOString(), elapsedSeconds: elapsed(at), kind, message };
    decisions.push(decision);
    emit({ type: 'decision', decision });
  };
  emit({ type: 'started', workload, at: started.toISOString() });

  let watched: WatchedRevision | undefined;
  let changeReported = false;
  let lastStatus: RolloutStatus | undefined;
  let targetVerdicts: Verdict[] = [];
  let elbVerdict: Verdict | undefined;
  const since = new Map<string, Map<string, TargetStateSince>>();
  let failingPolls = 0;
  let errorPolls = 0;
  let completeAtMs: number | undefined;
  let nextMetricsMs = startMs;
  let outcome: { phase: Phase; reason: string; act: boolean } | undefined;

  while (outcome === undefined) {
    const now = clock.now();
    const nowMs = now.getTime();
    const errors: string[] = [];

    const [statusRead, targetReads, podsRead] = await Promise.all([
      attempt(() => ports.cluster.readRolloutStatus(workload, signal)),
      Promise.all(
        targetGroupArns.map((arn) => attempt(() => ports.targetHealth.describeTargetHealth(arn, signal))),
      ),
      options.podSelector
        ? attempt(() => ports.cluster.listPods(workload.namespace, options.podSelector ?? {}, signal))
        : Promise.resolve(undefined),
    ]);

    // Rollout progress.
    let complete = false;
    if (statusRead.ok) {
      const status = statusRead.value;
      lastStatus = status;
      const observed = status.observedGeneration >= status.generation;
      if (!watched || watched.revision === '') {
        // Until the controller has observed the spec, follow it: its own writes (the revision annotation, which
        // bumps a Deployment's generation) are part of the rollout, not an edit under the gate.
        watched = {
          resourceVersion: status.resourceVersion,
          generation: status.generation,
          revision: observed ? status.revision : '',
        };
        if (observed) {
          decide(
            'rollout-observed',
            `watching revision ${status.revision || '(none)'} of generation ${status.generation}.`,
          );
        }
      } else if (status.generation !== watched.generation && !changeReported) {
        changeReported = true;
        decide(
          'rollout-changed',
          `${workload.kind} ${workload.namespace}/${workload.name} changed under the gate: generation ${watched.generation} → ${status.generation}; a rollback or abort would be refused.`,
        );
      }
      const progress = judgeRolloutProgress(status);
      if (progress.state === 'failed') {
        decide('rollout-failed', `the rollout failed: ${progress.reason}.`);
        outcome = { phase: 'Failed', reason: `The rollout failed: ${progress.reason}.`, act: true };
      } else if (progress.state === 'complete') {
        complete = true;
        if (completeAtMs === undefined) {
          completeAtMs = nowMs;
          decide(
            'rollout-complete',
            `${progress.reason}; watching ${formatDuration(resolved.settleSeconds)} more while old targets drain.`,
          );
        }
      } else {
        completeAtMs = undefined;
      }
    } else {
      errors.push(statusRead.error.message);
    }

    // Target health, cross-referenced with the workload's pods.
    let pods: PodInfo[] | undefined;
    if (podsRead?.ok) pods = podsRead.value;
    else if (podsRead) errors.push(podsRead.error.message);
    if (targetGroupArns.length > 0 && (!podsRead || podsRead.ok)) {
      const verdicts: Verdict[] = [];
      targetGroupArns.forEach((arn, index) => {
        const read = targetReads[index];
        if (!read) return;
        if (!read.ok) {
          errors.push(read.error.message);
          return;
        }
        const targets: TargetHealth[] = read.value;
        const states = trackTargetStates(since.get(arn), targets, now);
        since.set(arn, states);
        verdicts.push(
          evaluateTargetHealth(
            { targetGroupArn: arn, targets, now, since: states, ...(pods ? { pods } : {}) },
            options.targetHealth,
          ),
        );
      });
      if (verdicts.length === targetGroupArns.length) {
        targetVerdicts = verdicts;
        const failed = verdicts.filter((verdict) => verdict.phase === 'Failed');
        if (failed.length > 0) {
          failingPolls += 1;
          const why = failed.map((verdict) => verdict.reason).join(' ');
          if (failingPolls >= resolved.failAfterPolls) {
            decide(
              'target-health-failed',
              `target health failed on ${failingPolls} consecutive polls: ${why}`,
            );
            outcome ??= { phase: 'Failed', reason: `Target health failed: ${why}`, act: true };
          } else {
            decide(
              'target-health-failing',
              `target health failing (poll ${failingPolls} of ${resolved.failAfterPolls} before failing): ${why}`,
            );
          }
        } else {
          if (failingPolls > 0)
            decide(
              'target-health-recovered',
              `target health recovered: ${verdicts.map((v) => v.reason).join(' ')}`,
            );
          failingPolls = 0;
        }
      }
    }

    // ELB 5xx from CloudWatch: once per period, and once more before declaring success.
    const settled =
      completeAtMs !== undefined && complete && nowMs - completeAtMs >= resolved.settleSeconds * 1000;
    if (options.loadBalancerArn && outcome === undefined && (nowMs >= nextMetricsMs || settled)) {
      const plan = planElb5xxQueries({
        loadBalancerArn: options.loadBalancerArn,
        targetGroupArns,
        window: gateMetricWindow(started, now),
      });
      const read = await attempt(() => ports.metrics.readMetrics(plan.queries, plan.window, signal));
      if (read.ok) {
        elbVerdict = evaluateElb5xx({ plan, series: read.value, now }, elbThresholds);
        nextMetricsMs = nowMs + resolved.metricsIntervalSeconds * 1000;
        if (elbVerdict.phase === 'Failed') {
          decide('elb-5xx-failed', `the load balancer answered with 5xx: ${elbVerdict.reason}`);
          outcome = { phase: 'Failed', reason: `ELB 5xx: ${elbVerdict.reason}`, act: true };
        }
      } else {
        errors.push(read.error.message);
      }
    }

    // Read errors: retried, until too many polls in a row could not read.
    if (errors.length > 0) {
      errorPolls += 1;
      decide(
        'read-error',
        `could not read (${errorPolls} of ${resolved.errorLimit} polls in a row): ${errors.join('; ')}`,
      );
      if (errorPolls >= resolved.errorLimit && outcome === undefined) {
        outcome = {
          phase: 'Error',
          reason: `Could not measure: ${errorPolls} polls in a row failed to read (${errors.join('; ')}).`,
          act: false,
        };
      }
    } else {
      errorPolls = 0;
    }

    const point = pointOf(
      now,
      elapsed(now),
      lastStatus,
      targetVerdicts,
      elbVerdict,
      targetGroupArns.length > 0,
    );
    timeline.push(point);
    emit({ type: 'poll', point, ...(statusRead.ok ? { status: statusRead.value } : {}) });

    if (outcome === undefined && settled && failingPolls === 0 && errors.length === 0) {
      const totals = elb5xxTotals(elbVerdict);
      const health = targetTotals(targetVerdicts);
      const reason = [
        `Rolled out and settled for ${formatDuration(resolved.settleSeconds)}`,
        targetGroupArns.length > 0 ? `${health.healthy} of ${health.targets} targets healthy` : undefined,
        elbVerdict
          ? `${totals.errors} 5xx over ${totals.requests} requests (${formatRate(totals.rate)}, ${elbVerdict.phase === 'Successful' ? 'within' : 'not judged against'} ${formatRate(elbVerdict.threshold)})`
          : undefined,
      ]
        .filter((part) => part !== undefined)
        .join('; ');
      decide('settled', `${reason}.`);
      outcome = { phase: 'Successful', reason: `${reason}.`, act: false };
    } else if (
      outcome === undefined &&
      completeAtMs === undefined &&
      nowMs - startMs >= resolved.timeoutSeconds * 1000
    ) {
      const progress = lastStatus ? judgeRolloutProgress(lastStatus) : undefined;
      const why = progress?.reason ?? 'the rollout status could not be read';
      const within = `did not complete within ${formatDuration(resolved.timeoutSeconds)}: ${why}`;
      decide('timeout', `the rollout ${within}.`);
      // A Rollout paused on a step waits for a person (or an analysis) to promote it: running out of time is
      // not evidence of harm, so it is not aborted; the gate does not pass either.
      outcome =
        progress?.state === 'paused'
          ? {
              phase: 'Inconclusive',
              reason: `The rollout ${within}; a paused rollout is not aborted.`,
              act: false,
            }
          : { phase: 'Failed', reason: `The rollout ${within}.`, act: true };
    }

    if (outcome === undefined) {
      try {
        await clock.sleep(resolved.pollIntervalSeconds * 1000, signal);
      } catch {
        decide('stopped', 'stopped before a decision.');
        outcome = {
          phase: 'Inconclusive',
          reason: 'The gate was stopped before it could decide.',
          act: false,
        };
      }
    }
  }

  const watchedRevision = watched ?? { resourceVersion: '', generation: 0, revision: '' };
  let action: GateAction | undefined;
  if (
    outcome.phase === 'Failed' &&
    outcome.act &&
    resolved.onFailure !== 'none' &&
    ports.actuator &&
    watched
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
  const totals = elb5xxTotals(elbVerdict);
  const result: GateResult = {
    workload,
    phase: outcome.phase,
    pass: outcome.phase === 'Successful',
    reason: action ? `${outcome.reason} ${capitalize(action.description)}.` : outcome.reason,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    elapsedSeconds: elapsed(finished),
    watched: watchedRevision,
    ...(lastStatus ? { lastStatus } : {}),
    targetHealth: targetVerdicts,
    ...(elbVerdict ? { elb5xx: elbVerdict } : {}),
    errors5xx: totals.errors,
    errorRate: totals.rate,
    healthyTargets: targetTotals(targetVerdicts).healthy,
    decisions,
    timeline,
    ...(action ? { action } : {}),
    options: resolved,
  };
  emit({ type: 'finished', result });
  return result;
}

function pointOf(
  now: Date,
  elapsedSeconds: number,
  status: RolloutStatus | undefined,
  targetVerdicts: readonly Verdict[],
  elbVerdict: Verdict | undefined,
  targetsPolled: boolean,
): GateTimelinePoint {
  const health = targetTotals(targetVerdicts);
  const totals = elb5xxTotals(elbVerdict);
  return {
    at: now.toISOString(),
    elapsedSeconds,
    replicas: status?.replicas ?? 0,
    updatedReplicas: status?.updatedReplicas ?? 0,
    availableReplicas: status?.availableReplicas ?? 0,
    oldReplicas: status?.oldReplicas ?? 0,
    rolloutPhase: status?.phase ?? 'Unknown',
    ...(targetsPolled && targetVerdicts.length > 0
      ? { healthyTargets: health.healthy, targets: health.targets, drainingTargets: health.draining }
      : {}),
    ...(elbVerdict ? { errors5xx: totals.errors, requests: totals.requests, errorRate: totals.rate } : {}),
  };
}

function capitalize(text: string): string {
  const trimmed = text.replace(/\.$/, '');
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}
