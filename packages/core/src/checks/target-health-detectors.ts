import type { PodInfo } from '../ports/cluster.js';
import type { TargetHealth, TargetState } from '../ports/elb.js';

// The detectors of the `target-health` check: each looks at one reading of a target group (and the workload's
// pods) for one kind of harm and returns what it found. `evaluateTargetHealth` runs them in order and joins
// their findings, so a new kind of harm is one more function in `TARGET_HEALTH_DETECTORS`.

/** Every state ELBv2 reports, in the order reports list them. */
export const TARGET_STATES: readonly TargetState[] = [
  'healthy',
  'initial',
  'unhealthy',
  'draining',
  'unused',
  'unavailable',
];

/** A target's state and since when it has been in it, carried from one poll to the next. */
export interface TargetStateSince {
  readonly state: TargetState;
  readonly since: Date;
}

/** What went wrong with one target or pod. */
export interface TargetProblem {
  readonly kind:
    | 'no-healthy-target'
    | 'below-minimum-healthy'
    | 'stuck'
    | 'draining-without-pod'
    | 'ready-pod-not-healthy'
    | 'unowned-target';
  readonly message: string;
  readonly target?: string;
  readonly state?: TargetState;
  readonly reason?: string;
  readonly pod?: string;
  readonly podIp?: string;
  readonly ageSeconds?: number;
}

/** A target or ready pod still within the registration window. */
export interface PendingTarget {
  readonly target?: string;
  readonly pod?: string;
  readonly state: string;
  readonly ageSeconds?: number;
}

/** One reading of a target group, prepared once for every detector. */
export interface TargetGroupView {
  readonly targets: readonly TargetHealth[];
  readonly byState: Readonly<Record<TargetState, number>>;
  readonly healthy: number;
  readonly now: Date;
  /** R in milliseconds. */
  readonly windowMs: number;
  readonly thresholds: {
    readonly minHealthy: number;
    readonly registrationWindowSeconds: number;
    readonly unownedTargets: 'fail' | 'report';
  };
  readonly since?: ReadonlyMap<string, TargetStateSince>;
  /** The workload's pods when targets can be cross-referenced with them (ip targets); absent otherwise. */
  readonly pods?: readonly PodInfo[];
  /** The pod that owns each IP (the running one when an IP is reused). */
  readonly podByIp: ReadonlyMap<string, PodInfo>;
}

/** What one detector found: problems fail the check; the rest is reported. */
export interface Detection {
  readonly problems: readonly TargetProblem[];
  readonly pending?: readonly PendingTarget[];
  /** Targets or pods whose age is unknown, so the window could not be applied. */
  readonly ageUnknown?: readonly string[];
  /** Targets no pod owns. */
  readonly unowned?: readonly string[];
}

export type TargetHealthDetector = (view: TargetGroupView) => Detection;

/** A target's identity within a target group: its id and port. */
export function targetKey(target: Pick<TargetHealth, 'id' | 'port'>): string {
  return target.port === undefined ? target.id : `${target.id}:${target.port}`;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Whether a target id is an IP (ip targets), not an instance id. */
export function isIp(id: string): boolean {
  return IPV4.test(id) || (id.includes(':') && /^[0-9a-fA-F:.]+$/.test(id));
}

export function podName(pod: PodInfo): string {
  return `${pod.namespace}/${pod.name}`;
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function rank(pod: PodInfo): number {
  if (pod.phase === 'Succeeded' || pod.phase === 'Failed') return 0;
  return pod.terminating ? 1 : 2;
}

/** Pods by IP. IPs are reused: prefer the pod that is running and not terminating when several share one. */
export function podsByIp(pods: readonly PodInfo[]): Map<string, PodInfo> {
  const podByIp = new Map<string, PodInfo>();
  for (const pod of pods) {
    if (!pod.ip) continue;
    const known = podByIp.get(pod.ip);
    if (!known || rank(pod) > rank(known)) podByIp.set(pod.ip, pod);
  }
  return podByIp;
}

export function describeStates(byState: Readonly<Record<TargetState, number>>): string {
  const parts = TARGET_STATES.filter((state) => byState[state] > 0).map(
    (state) => `${byState[state]} ${state}`,
  );
  return parts.length > 0 ? parts.join(', ') : 'no targets';
}

/** No healthy target at all, or fewer than `minHealthy`. */
export function detectTooFewHealthy({ targets, byState, healthy, thresholds }: TargetGroupView): Detection {
  if (healthy === 0) {
    return {
      problems: [
        {
          kind: 'no-healthy-target',
          message:
            targets.length === 0
              ? 'the target group has no targets at all'
              : `none of the ${targets.length} targets is healthy (${describeStates(byState)})`,
        },
      ],
    };
  }
  if (healthy < thresholds.minHealthy) {
    return {
      problems: [
        {
          kind: 'below-minimum-healthy',
          message: `${healthy} healthy target${healthy === 1 ? '' : 's'}, below the minimum of ${thresholds.minHealthy}`,
        },
      ],
    };
  }
  return { problems: [] };
}

/** Targets `initial` or `unhealthy` for longer than the registration window. */
export function detectStuckTargets(view: TargetGroupView): Detection {
  const problems: TargetProblem[] = [];
  const pending: PendingTarget[] = [];
  const ageUnknown: string[] = [];
  for (const target of view.targets) {
    if (target.state !== 'initial' && target.state !== 'unhealthy') continue;
    const key = targetKey(target);
    const pod = view.podByIp.get(target.id);
    const known = view.since?.get(key);
    // Without a history, a pod's ContainersReady time bounds the target's age: the controller registers it
    // no earlier, and R already allows for the controller's latency.
    const from =
      known && known.state === target.state
        ? known.since
        : target.state === 'initial'
          ? (pod?.containersReadySince ?? undefined)
          : undefined;
    if (!from) {
      ageUnknown.push(key);
      continue;
    }
    const ageMs = view.now.getTime() - from.getTime();
    if (ageMs > view.windowMs) {
      problems.push({
        kind: 'stuck',
        message: `target ${key} has been ${target.state}${target.reason ? ` (${target.reason})` : ''} for ${seconds(ageMs)} s, longer than the registration window of ${view.thresholds.registrationWindowSeconds} s`,
        target: key,
        state: target.state,
        ...(target.reason ? { reason: target.reason } : {}),
        ...(pod ? { pod: podName(pod) } : {}),
        ageSeconds: seconds(ageMs),
      });
    } else {
      pending.push({ target: key, state: target.state, ageSeconds: seconds(ageMs) });
    }
  }
  return { problems, pending, ageUnknown };
}

/**
 * With the pods: a draining target whose pod is gone or terminating and no longer ready (the root cause in
 * reference 002), and a target no pod owns (a problem unless `unownedTargets` is `report`). One pass in target
 * order, so the reason lists them as the target group does.
 */
export function detectTargetsWithoutServingPod(view: TargetGroupView): Detection {
  if (!view.pods) return { problems: [] };
  const problems: TargetProblem[] = [];
  const unowned: string[] = [];
  for (const target of view.targets) {
    const key = targetKey(target);
    const pod = view.podByIp.get(target.id);
    if (target.state === 'draining') {
      const gone = !pod || pod.phase === 'Succeeded' || pod.phase === 'Failed';
      const notServing = pod !== undefined && !gone && pod.terminating && !pod.ready;
      if (gone || notServing) {
        problems.push({
          kind: 'draining-without-pod',
          message: gone
            ? `draining target ${key} still takes traffic but its pod is gone${pod ? ` (${podName(pod)} is ${pod.phase})` : ''}`
            : `draining target ${key} still takes traffic but its pod ${podName(pod)} is terminating and no longer ready`,
          target: key,
          state: target.state,
          ...(target.reason ? { reason: target.reason } : {}),
          ...(pod ? { pod: podName(pod) } : {}),
          podIp: target.id,
        });
      }
    } else if (target.state !== 'unused' && !pod) {
      unowned.push(key);
      if (view.thresholds.unownedTargets === 'fail') {
        problems.push({
          kind: 'unowned-target',
          message: `target ${key} (${target.state}) belongs to no pod of the workload`,
          target: key,
          state: target.state,
          podIp: target.id,
        });
      }
    }
  }
  return { problems, unowned };
}

/** With the pods: a ready pod whose target has not become healthy within the registration window. */
export function detectReadyPodsNotHealthy(view: TargetGroupView): Detection {
  if (!view.pods) return { problems: [] };
  const problems: TargetProblem[] = [];
  const pending: PendingTarget[] = [];
  const ageUnknown: string[] = [];
  const healthyIps = new Set(
    view.targets.filter((target) => target.state === 'healthy').map((target) => target.id),
  );
  for (const pod of view.pods) {
    if (!pod.ready || pod.terminating || !pod.ip || healthyIps.has(pod.ip)) continue;
    const target = view.targets.find((candidate) => candidate.id === pod.ip);
    const state = target ? target.state : 'not registered';
    if (!pod.readySince) {
      ageUnknown.push(podName(pod));
      continue;
    }
    const ageMs = view.now.getTime() - pod.readySince.getTime();
    if (ageMs > view.windowMs) {
      problems.push({
        kind: 'ready-pod-not-healthy',
        message: `pod ${podName(pod)} (${pod.ip}) has been ready for ${seconds(ageMs)} s but its target is ${state}, past the registration window of ${view.thresholds.registrationWindowSeconds} s`,
        pod: podName(pod),
        podIp: pod.ip,
        ...(target ? { target: targetKey(target), state: target.state } : {}),
        ...(target?.reason ? { reason: target.reason } : {}),
        ageSeconds: seconds(ageMs),
      });
    } else {
      pending.push({ pod: podName(pod), state, ageSeconds: seconds(ageMs) });
    }
  }
  return { problems, pending, ageUnknown };
}

/** The detectors `evaluateTargetHealth` runs, in the order their problems are reported. */
export const TARGET_HEALTH_DETECTORS: readonly TargetHealthDetector[] = [
  detectTooFewHealthy,
  detectStuckTargets,
  detectTargetsWithoutServingPod,
  detectReadyPodsNotHealthy,
];
