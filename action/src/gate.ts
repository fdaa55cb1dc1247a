import {
  UpstreamError,
  formatGateEvent,
  parseWorkloadRef,
  prepareGate,
  renderGateMarkdown,
  renderGateText,
  watchRollout,
} from '@draingate/core';
import type { GateResult } from '@draingate/core';
import type { ActionInputs } from './inputs.js';
import type { ActionOutcome } from './outcome.js';
import type { ActionPorts } from './ports.js';

/** The outputs of a gate result. */
export function gateOutputs(result: GateResult): Record<string, string> {
  return {
    verdict: result.phase,
    // A fraction rounded to 6 decimals (0.012346, not 0.012345679012345678): enough for a million requests.
    'error-rate': String(Math.round(result.errorRate * 1e6) / 1e6),
    'healthy-targets': String(result.healthyTargets),
    'errors-5xx': String(result.errors5xx),
    'rolled-back': String(result.action?.status === 'performed'),
    ...(result.canary ? { 'canary-verdict': result.canary.phase } : {}),
    ...(result.latency ? { 'latency-verdict': result.latency.phase } : {}),
  };
}

/**
 * `gate`: follows the rollout while watching the ALB, printing progress through `log`; fails the step when the
 * gate does not pass, with the reason (and what was rolled back, or why not).
 */
export async function runGate(
  inputs: ActionInputs,
  ports: ActionPorts,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<ActionOutcome> {
  let prepared;
  try {
    prepared = await prepareGate(ports.cluster, { ...inputs, workload: inputs.workload ?? '' }, signal);
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    const workload = parseWorkloadRef(inputs.workload ?? '', inputs.namespace);
    const failure = `draingate: cannot read ${workload.kind} ${workload.namespace}/${workload.name}: ${error.message}`;
    return {
      outputs: { verdict: 'Error', 'rolled-back': 'false' },
      annotations: [],
      logs: [],
      summary: '',
      files: [],
      failure,
    };
  }
  const { options, notices } = prepared;
  for (const notice of notices) log(notice);
  const result = await watchRollout(ports, options, {
    onEvent: (event) => {
      const line = formatGateEvent(event);
      if (line !== undefined) log(`${ports.clock.now().toISOString()} ${line}`);
    },
    ...(signal ? { signal } : {}),
  });
  return {
    outputs: gateOutputs(result),
    annotations: [],
    logs: renderGateText(result).trimEnd().split('\n'),
    summary: renderGateMarkdown(result),
    files: [],
    ...(result.pass ? {} : { failure: `draingate gate ${result.phase}: ${result.reason}` }),
  };
}
