/** What the Deployment controller knows when it syncs a rolling update. */
export interface RollingState {
  readonly replicas: number;
  readonly maxSurge: number;
  readonly maxUnavailable: number;
  /** Pods of the old ReplicaSet that are not terminating, and how many of them are available. */
  readonly oldPods: number;
  readonly oldAvailable: number;
  /** Pods of the new ReplicaSet that are not terminating, and how many of them are available. */
  readonly newPods: number;
  readonly newAvailable: number;
}

/** What one sync does: pods to create in the new ReplicaSet, and old pods to delete (unavailable ones first). */
export interface RollingStep {
  readonly create: number;
  readonly deleteUnavailable: number;
  readonly deleteAvailable: number;
}

/**
 * One sync of the Deployment controller's rolling update (`rolling.go`: reconcileNewReplicaSet, then
 * reconcileOldReplicaSets with cleanupUnhealthyReplicas and scaleDownOldReplicaSetsForRollingUpdate).
 * Terminating pods no longer count: they left their ReplicaSet when they were deleted.
 */
export function planRollingStep(state: RollingState): RollingStep {
  const { replicas, maxSurge, maxUnavailable } = state;
  const maxTotal = replicas + maxSurge;
  const create = Math.max(0, Math.min(replicas - state.newPods, maxTotal - state.oldPods - state.newPods));
  const newPods = state.newPods + create;
  const minAvailable = replicas - maxUnavailable;
  const newUnavailable = newPods - state.newAvailable;
  const allPods = state.oldPods + newPods;
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return { create, deleteUnavailable: 0, deleteAvailable: 0 };
  const deleteUnavailable = Math.min(maxScaledDown, state.oldPods - state.oldAvailable);
  const availableTotal = state.oldAvailable + state.newAvailable;
  const deleteAvailable = Math.max(0, Math.min(state.oldAvailable, availableTotal - minAvailable));
  return { create, deleteUnavailable, deleteAvailable };
}
