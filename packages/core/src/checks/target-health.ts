import type { Clock } from '../ports/clock.js';
import type { ClusterReader, PodInfo } from '../ports/cluster.js';
import type { LoadBalancerCatalog, TargetHealth, TargetHealthSource, TargetState } from '../ports/elb.js';
import { InputError } from '../ports/errors.js';
import type { Verdict } from '../ports/verdict.js';
import { ALB_DEFAULTS, ALLOWANCE_DEFAULTS } from '../timing/defaults.js';
import { optionalNumber, requireDate, requireString } from './params.js';
import { requireTargetGroupDimension } from './queries.js';
import {
  TARGET_HEALTH_DETECTORS,
  TARGET_STATES,
  describeStates,
  isIp,
  podName,
  podsByIp,
  targetKey,
} from './target-health-detectors.js';
import type { TargetGroupView, TargetStateSince } from './target-health-detectors.js';
import { createVerdict, withUpstreamErrors } from './verdict.js';

export { TARGET_STATES, targetKey } from './target-health-detectors.js';
export type { TargetProblem, TargetStateSince } from './target-health-detectors.js';

/**
 * R with the controller's defaults: controller latency + health check interval × healthy threshold
 * (5 s + 15 s × 2).
 */
export const DEFAULT_REGISTRATION_WINDOW_SECONDS =
  ALLOWANCE_DEFAULTS.controllerLatencySeconds +
  ALB_DEFAULTS.healthCheckIntervalSeconds * ALB_DEFAULTS.healthyThresholdCount;

/** How the `target-health` check judges. */
export interface TargetHealthThresholds {
  /** Fail when fewer targets are healthy. Default 1. */
  readonly minHealthy?: number;
  /** R: how long a target may stay `initial`/`unhealthy`, and a ready pod may wait to be a healthy target. */
  readonly registrationWindowSeconds?: number;
  /** Targets no pod owns: `fail` (default) or only `report` them (a target group shared on purpose). */
  readonly unownedTargets?: 'fail' | 'report';
}

/** One earlier reading of a target group's targets. */
export interface TargetObservation {
  readonly at: Date;
  readonly targets: readonly TargetHealth[];
}

/** What `evaluateTargetHealth` judges. */
export interface TargetHealthInput {
  readonly targetGroupArn: string;
  readonly targets: readonly TargetHealth[];
  readonly now: Date;
  /** The workload's pods (terminating ones included); without them, nothing is cross-referenced. */
  readonly pods?: readonly PodInfo[];
  /** Since when each target (by `targetKey`) has been in its state, e.g. from `trackTargetStates`. */
  readonly since?: ReadonlyMap<string, TargetStateSince>;
  /** Earlier readings, in any order; an alternative to `since` for one-shot callers that keep a history. */
  readonly history?: readonly TargetObservation[];
}

/**
 * Since when each current target has been in its current state, given what the previous poll knew: a target
 * whose state changed (or that is new) starts now; one that kept its state keeps its time. Pure, so a gate can
 * carry it between polls.
 */
export function trackTargetStates(
  previous: ReadonlyMap<string, TargetStateSince> | undefined,
  targets: readonly TargetHealth[],
  now: Date,
): Map<string, TargetStateSince> {
  const next = new Map<string, TargetStateSince>();
  for (const target of targets) {
    const key = targetKey(target);
    const known = previous?.get(key);
    next.set(key, known && known.state === target.state ? known : { state: target.state, since: now });
  }
  return next;
}

/** `trackTargetStates` folded over a history of readings, oldest first, then the current targets. */
export function statesSinceFromHistory(
  history: readonly TargetObservation[],
  targets: readonly TargetHealth[],
  now: Date,
): Map<string, TargetStateSince> {
  const ordered = [...history].sort((a, b) => a.at.getTime() - b.at.getTime());
  let since: Map<string, TargetStateSince> | undefined;
  for (const observation of ordered) since = trackTargetStates(since, observation.targets, observation.at);
  return trackTargetStates(since, targets, now);
}

/** Validates thresholds a user gave; an InputError names the bad one. */
export function normalizeTargetHealthThresholds(
  thresholds: TargetHealthThresholds = {},
  path = 'thresholds',
): Required<TargetHealthThresholds> {
  const unownedTargets = thresholds.unownedTargets ?? 'fail';
  if (unownedTargets !== 'fail' && unownedTargets !== 'report') {
    throw new InputError(`${path}.unownedTargets`, `must be fail or report, got ${String(unownedTargets)}`);
  }
  return {
    minHealthy: optionalNumber(`${path}.minHealthy`, thresholds.minHealthy, 1, { min: 0, integer: true }),
    registrationWindowSeconds: optionalNumber(
      `${path}.registrationWindowSeconds`,
      thresholds.registrationWindowSeconds,
      DEFAULT_REGISTRATION_WINDOW_SECONDS,
      { min: 0 },
    ),
    unownedTargets,
  };
}

/**
 * The `target-health` verdict. Pure. Failed when no target is healthy, fewer than `minHealthy` are, a target
 * has been `initial`/`unhealthy` longer than the registration window, or — with the workload's pods — a
 * draining target's pod is gone or no longer serving (reference 002), a ready pod has not become a healthy
 * target within the window, or a target belongs to no pod. value: healthy targets; threshold: `minHealthy`.
 */
export function evaluateTargetHealth(
  input: TargetHealthInput,
  thresholds: TargetHealthThresholds = {},
): Verdict {
  const t = normalizeTargetHealthThresholds(thresholds);
  const now = requireDate('now', input.now);
  const windowMs = t.registrationWindowSeconds * 1000;
  const targets = input.targets;
  const since =
    input.since ?? (input.history ? statesSinceFromHistory(input.history, targets, now) : undefined);

  const byState = Object.fromEntries(TARGET_STATES.map((state) => [state, 0])) as Record<TargetState, number>;
  const byReason: Record<string, number> = {};
  for (const target of targets) {
    byState[target.state] += 1;
    const reason = target.reason ?? target.state;
    byReason[reason] = (byReason[reason] ?? 0) + 1;
  }
  const healthy = byState.healthy;

  const pods = input.pods;
  const ipTargets = targets.every((target) => isIp(target.id));
  const view: TargetGroupView = {
    targets,
    byState,
    healthy,
    now,
    windowMs,
    thresholds: t,
    ...(since ? { since } : {}),
    ...(pods !== undefined && ipTargets ? { pods } : {}),
    podByIp: podsByIp(pods ?? []),
  };
  const crossReference = view.pods !== undefined;
  const found = TARGET_HEALTH_DETECTORS.map((detect) => detect(view));
  const problems = found.flatMap((detection) => detection.problems);
  const pending = found.flatMap((detection) => detection.pending ?? []);
  const ageUnknown = found.flatMap((detection) => detection.ageUnknown ?? []);
  const unowned = found.flatMap((detection) => detection.unowned ?? []);

  const details = {
    targetGroupArn: input.targetGroupArn,
    targets: targets.length,
    byState,
    byReason,
    healthy,
    minHealthy: t.minHealthy,
    registrationWindowSeconds: t.registrationWindowSeconds,
    podsCrossReferenced: crossReference,
    ...(pods !== undefined && !ipTargets
      ? { crossReferenceSkipped: 'instance targets cannot be matched to pods' }
      : {}),
    pods: (pods ?? []).map((pod) => ({
      name: podName(pod),
      ip: pod.ip ?? '',
      phase: pod.phase,
      ready: pod.ready,
      terminating: pod.terminating,
    })),
    problems,
    pending,
    ageUnknown,
    unownedTargets: unowned,
    targetList: targets.map((target) => ({
      target: targetKey(target),
      state: target.state,
      reason: target.reason ?? '',
      ...(since?.get(targetKey(target)) ? { since: since.get(targetKey(target))?.since.toISOString() } : {}),
    })),
  };
  const summary = `${healthy} of ${targets.length} target${targets.length === 1 ? '' : 's'} healthy (minimum ${t.minHealthy}; ${describeStates(byState)})`;
  if (problems.length > 0) {
    const shown = problems.slice(0, 3).map((problem) => problem.message);
    const more = problems.length > 3 ? `; and ${problems.length - 3} more` : '';
    return createVerdict(
      'target-health',
      'Failed',
      { value: healthy, threshold: t.minHealthy, reason: `${summary}: ${shown.join('; ')}${more}.`, details },
      now,
    );
  }
  const notes = [
    pending.length > 0 ? `${pending.length} still within the registration window` : '',
    unowned.length > 0
      ? `${unowned.length} target${unowned.length === 1 ? '' : 's'} no pod owns (reported only)`
      : '',
  ].filter((note) => note !== '');
  return createVerdict(
    'target-health',
    'Successful',
    {
      value: healthy,
      threshold: t.minHealthy,
      reason: `${summary}${notes.length > 0 ? `, ${notes.join(', ')}` : ''}.`,
      details,
    },
    now,
  );
}

/** What `runTargetHealth` needs. */
export interface TargetHealthRequest extends TargetHealthThresholds {
  readonly targetGroupArn: string;
  /** The workload's pods to cross-reference: its namespace and selector. */
  readonly pods?: { readonly namespace: string; readonly selector: Readonly<Record<string, string>> };
  readonly since?: ReadonlyMap<string, TargetStateSince>;
  readonly history?: readonly TargetObservation[];
}

/**
 * Reads a target group's targets (and the workload's pods, and — when no registration window is given — the
 * target group's health check settings to compute it) and evaluates them. An upstream failure becomes an
 * Error verdict; bad parameters throw an InputError.
 */
export async function runTargetHealth(
  ports: {
    readonly targetHealth: TargetHealthSource;
    readonly clock: Clock;
    readonly cluster?: ClusterReader;
    readonly catalog?: LoadBalancerCatalog;
  },
  request: TargetHealthRequest,
  signal?: AbortSignal,
): Promise<Verdict> {
  requireTargetGroupDimension('request.targetGroupArn', request.targetGroupArn);
  const thresholds = normalizeTargetHealthThresholds(request, 'request');
  if (request.pods) requireString('request.pods.namespace', request.pods.namespace);
  if (request.pods && !ports.cluster)
    throw new Error('runTargetHealth: pods asked for without a ClusterReader');
  return withUpstreamErrors(
    'target-health',
    thresholds.minHealthy,
    () => ports.clock.now(),
    async () => {
      const [targets, pods, registrationWindowSeconds] = await Promise.all([
        ports.targetHealth.describeTargetHealth(request.targetGroupArn, signal),
        request.pods && ports.cluster
          ? ports.cluster.listPods(request.pods.namespace, request.pods.selector, signal)
          : Promise.resolve(undefined),
        request.registrationWindowSeconds === undefined && ports.catalog
          ? registrationWindowOf(ports.catalog, request.targetGroupArn, signal)
          : Promise.resolve(thresholds.registrationWindowSeconds),
      ]);
      return evaluateTargetHealth(
        {
          targetGroupArn: request.targetGroupArn,
          targets,
          now: ports.clock.now(),
          ...(pods ? { pods } : {}),
          ...(request.since ? { since: request.since } : {}),
          ...(request.history ? { history: request.history } : {}),
        },
        { ...thresholds, registrationWindowSeconds },
      );
    },
  );
}

/** R from the target group's real health check settings, or the default when the group is not described. */
async function registrationWindowOf(
  catalog: LoadBalancerCatalog,
  arn: string,
  signal?: AbortSignal,
): Promise<number> {
  const [group] = await catalog.describeTargetGroups([arn], signal);
  if (!group) return DEFAULT_REGISTRATION_WINDOW_SECONDS;
  return (
    ALLOWANCE_DEFAULTS.controllerLatencySeconds +
    group.healthCheck.intervalSeconds * group.healthCheck.healthyThresholdCount
  );
}
