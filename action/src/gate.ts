import {
  UpstreamError,
  formatGateEvent,
  parseWorkloadRef,
  podSelectorOf,
  renderGateMarkdown,
  renderGateText,
  targetGroupArnsFor,
  watchRollout,
} from '@draingate/core';
import type { GateOptions, GateResult } from '@draingate/core';
import type { ActionInputs } from './inputs.js';
import type { ActionOutcome } from './outcome.js';
import type { ActionPorts } from './ports.js';

/** The gate's options from the action's inputs and the workload's live objects. */
export function gateOptionsFrom(
  inputs: ActionInputs,
  workload: GateOptions['workload'],
  live: { workload: unknown; services: readonly unknown[]; targetGroupBindings: readonly unknown[] },
): GateOptions {
  const podSelector = podSelectorOf(live.workload);
  return {
    workload,
    targetGroupArns:
      inputs.targetGroups.length > 0
        ? inputs.targetGroups
        : targetGroupArnsFor(live.workload, live.services, live.targetGroupBindings),
    ...(inputs.loadBalancer !== undefined ? { loadBalancerArn: inputs.loadBalancer } : {}),
    ...(podSelector ? { podSelector } : {}),
    ...(inputs.canary
      ? {
          canary: {
            canaryTargetGroupArn: inputs.canary.canaryTargetGroup,
            stableTargetGroupArn: inputs.canary.stableTargetGroup,
            errors: inputs.canary.checks.includes('errors') ? {} : false,
            latency: inputs.canary.checks.includes('latency')
              ? { percentile: inputs.canary.latencyPercentile }
              : false,
          },
        }
      : {}),
    timeoutSeconds: inputs.timeoutSeconds,
    pollIntervalSeconds: inputs.pollIntervalSeconds,
    metricsIntervalSeconds: inputs.metricsIntervalSeconds,
    settleSeconds: inputs.settleSeconds,
    targetHealth: { minHealthy: inputs.minHealthy },
    elb5xx: {
      maxRate: inputs.maxErrorRate,
      minRequests: inputs.minRequests,
      ...(inputs.max5xx !== undefined ? { maxCount: inputs.max5xx } : {}),
    },
    onFailure: inputs.onFailure,
    dryRun: inputs.dryRun,
  };
}

/** The outputs of a gate result. */
export function gateOutputs(result: GateResult): Record<string, string> {
  return {
    verdict: result.phase,
    'error-rate': String(result.errorRate),
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
  const workload = parseWorkloadRef(inputs.workload ?? '', inputs.namespace);
  let live;
  try {
    live = await ports.cluster.readLiveObjects(workload, signal);
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
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
  const options = gateOptionsFrom(inputs, workload, live);
  if ((options.targetGroupArns ?? []).length === 0) {
    log(
      'no target-groups given and no TargetGroupBinding found for the workload: target health is not judged',
    );
  }
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
