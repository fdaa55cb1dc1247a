import { UpstreamError, escapeMarkdown, parseWorkloadRef, preconditionsOf } from '@draingate/core';
import type { ActionInputs } from './inputs.js';
import type { ActionOutcome } from './outcome.js';
import type { ActionPorts } from './ports.js';

/**
 * `rollback`: a Deployment back to its previous revision, an Argo Rollout aborted (and with on-failure
 * `rollback`, set back to its stable template), guarded by the generation and revision read just before.
 */
export async function runRollback(inputs: ActionInputs, ports: ActionPorts): Promise<ActionOutcome> {
  const workload = parseWorkloadRef(inputs.workload ?? '', inputs.namespace);
  const name = `${workload.kind} ${workload.namespace}/${workload.name}`;
  try {
    if (workload.kind !== 'Deployment' && workload.kind !== 'Rollout') {
      throw new UpstreamError(
        'kubernetes',
        'rollback',
        'invalid-request',
        `${name}: rollback works on Deployments and Argo Rollouts`,
      );
    }
    const status = await ports.cluster.readRolloutStatus(workload);
    const preconditions = preconditionsOf({ generation: status.generation, revision: status.revision });
    const result =
      workload.kind === 'Rollout'
        ? await ports.actuator.abort(workload, preconditions, {
            dryRun: inputs.dryRun,
            undo: inputs.onFailure !== 'abort',
          })
        : await ports.actuator.rollback(workload, preconditions, { dryRun: inputs.dryRun });
    return {
      outputs: { verdict: 'Successful', 'rolled-back': String(!inputs.dryRun) },
      annotations: [],
      logs: [result.description],
      summary: `## draingate ${result.action}\n\n${escapeMarkdown(result.description)}\n`,
      files: [],
    };
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    const what = error.failure === 'conflict' ? 'refused' : 'failed';
    return {
      outputs: { verdict: 'Failed', 'rolled-back': 'false' },
      annotations: [],
      logs: [],
      summary: `## draingate rollback ${what}\n\n${escapeMarkdown(error.message)}\n`,
      files: [],
      failure: `draingate rollback ${what}: ${error.message}`,
    };
  }
}
