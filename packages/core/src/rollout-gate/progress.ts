import type { RolloutStatus } from '../ports/cluster.js';

/** Where a rollout stands. */
export type ProgressState = 'waiting' | 'progressing' | 'paused' | 'complete' | 'failed';

/** A rollout's state and the sentence that explains it. */
export interface RolloutProgress {
  readonly state: ProgressState;
  readonly reason: string;
}

/**
 * Judges a rollout status the way `kubectl rollout status` does for Deployments and StatefulSets (the spec is
 * observed, no progress deadline exceeded, the adapter's phase says Complete) — and, stricter than kubectl, a
 * Deployment is complete only once no pod of an old revision is left, since a terminating old pod can still be
 * a draining target. Argo Rollouts by status phase: Healthy is complete, Degraded failed, Paused paused. Pure.
 */
export function judgeRolloutProgress(status: RolloutStatus): RolloutProgress {
  const counts = `${status.updatedReplicas} updated, ${status.availableReplicas} available of ${status.replicas}${status.oldReplicas > 0 ? `, ${status.oldReplicas} old` : ''}`;
  const said = status.message ? `: ${status.message}` : '';
  if (status.observedGeneration < status.generation) {
    return {
      state: 'waiting',
      reason: `the controller has not yet observed generation ${status.generation} (observed ${status.observedGeneration})`,
    };
  }
  if (status.progressDeadlineExceeded) {
    return { state: 'failed', reason: `progress deadline exceeded (${counts})${said}` };
  }
  if (status.workload.kind === 'Rollout') {
    switch (status.phase) {
      case 'Healthy':
        return { state: 'complete', reason: `Rollout is Healthy (${counts})` };
      case 'Degraded':
        return { state: 'failed', reason: `Rollout is Degraded (${counts})${said}` };
      case 'Paused':
        return { state: 'paused', reason: `Rollout is Paused (${counts})${said}` };
      default:
        return { state: 'progressing', reason: `Rollout is ${status.phase} (${counts})${said}` };
    }
  }
  if (status.phase === 'Failed') return { state: 'failed', reason: `rollout failed (${counts})${said}` };
  if (status.phase === 'Complete') {
    if (status.oldReplicas > 0) {
      return {
        state: 'progressing',
        reason: `${status.oldReplicas} pod${status.oldReplicas === 1 ? '' : 's'} of old revisions still terminating (${counts})`,
      };
    }
    if (status.availableReplicas < status.updatedReplicas) {
      return { state: 'progressing', reason: `not every updated replica is available yet (${counts})` };
    }
    return { state: 'complete', reason: `rolled out (${counts})` };
  }
  return { state: 'progressing', reason: `${status.phase} (${counts})${said}` };
}
