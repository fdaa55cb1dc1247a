import { UpstreamError } from '../ports/errors.js';
import type { Preconditions, RolloutActuator, WorkloadRef } from '../ports/cluster.js';
import type { GateAction, OnFailure } from './types.js';

/**
 * Undoes a failed rollout through the actuator: a Deployment is rolled back (`kubectl rollout undo`); a Rollout
 * is aborted, and with `rollback` also set back to its stable template. A refusal because the workload changed
 * under the gate (a `conflict`) and any other failure become data: the gate reports them, it does not throw.
 */
export async function actOnFailure(
  actuator: RolloutActuator,
  workload: WorkloadRef,
  onFailure: Exclude<OnFailure, 'none'>,
  preconditions: Preconditions,
  dryRun: boolean,
  signal?: AbortSignal,
): Promise<GateAction> {
  const kind = workload.kind === 'Rollout' ? 'abort' : 'rollback';
  const undo = workload.kind === 'Rollout' ? onFailure === 'rollback' : true;
  const base = { kind, undo, dryRun, preconditions } as const;
  if (workload.kind === 'StatefulSet' || workload.kind === 'DaemonSet') {
    return {
      ...base,
      status: 'failed',
      description: `${workload.kind} ${workload.namespace}/${workload.name} cannot be rolled back by draingate (no revision history to undo to); nothing was changed`,
    };
  }
  try {
    const result =
      kind === 'abort'
        ? await actuator.abort(workload, preconditions, { dryRun, undo, ...(signal ? { signal } : {}) })
        : await actuator.rollback(workload, preconditions, { dryRun, ...(signal ? { signal } : {}) });
    return {
      ...base,
      status: dryRun ? 'dry-run' : 'performed',
      description: result.description,
      ...(result.toRevision !== undefined ? { toRevision: result.toRevision } : {}),
    };
  } catch (error) {
    if (error instanceof UpstreamError) {
      return {
        ...base,
        status: error.failure === 'conflict' ? 'refused' : 'failed',
        description:
          error.failure === 'conflict'
            ? `refused to ${kind}: ${error.message}`
            : `could not ${kind} (${error.failure}): ${error.message}`,
      };
    }
    throw error;
  }
}

/** The preconditions of an action: the generation and revision the gate watched (see `watchRollout`). */
export function preconditionsOf(watched: { generation: number; revision: string }): Preconditions {
  return {
    generation: watched.generation,
    ...(watched.revision !== '' ? { revision: watched.revision } : {}),
  };
}
