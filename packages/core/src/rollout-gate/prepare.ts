import type { GrammarValue } from '../params/grammar.js';
import { InputError } from '../ports/errors.js';
import type { MetricPercentile } from '../ports/metrics.js';
import type { LiveObjectsReader, WorkloadRef } from '../ports/cluster.js';
import { regionOfArn } from '../ports/elb.js';
import type { GateCanaryOptions, GateOptions, OnFailure } from './types.js';
import { parseWorkloadRef, podSelectorOf, targetGroupArnsFor } from './workload-ref.js';

/**
 * The rollout gate's settings as every front end reads them from GATE_PARAMETERS (keys are its `field`s):
 * durations in seconds, rates in [0, 1].
 */
export interface GateSettings {
  readonly workload: string;
  readonly namespace: string;
  readonly targetGroups?: readonly string[];
  readonly loadBalancer?: string;
  readonly canaryTargetGroup?: string;
  readonly stableTargetGroup?: string;
  readonly canaryChecks: 'both' | 'errors' | 'latency';
  readonly latencyPercentile: MetricPercentile;
  readonly kubeconfig?: string;
  readonly kubeContext?: string;
  readonly awsRegion?: string;
  readonly timeoutSeconds: number;
  readonly pollIntervalSeconds: number;
  readonly metricsIntervalSeconds: number;
  readonly settleSeconds: number;
  readonly maxErrorRate: number;
  readonly max5xx?: number;
  readonly minRequests: number;
  readonly minHealthy: number;
  readonly registrationWindowSeconds?: number;
  readonly failAfterPolls: number;
  readonly onFailure: OnFailure;
  readonly dryRun: boolean;
}

/** The values `readParameters(GATE_PARAMETERS, …)` gave, as settings (the table guarantees each type). */
export function gateSettingsFrom(values: Readonly<Record<string, GrammarValue>>): GateSettings {
  return values as unknown as GateSettings;
}

/**
 * The region CloudWatch is read in: the one given, else the load balancer's own (its metrics live there), so that
 * a runner without AWS_REGION is not found out four polls in, when the first GetMetricData fails.
 */
export function metricsRegionOf(
  settings: Pick<GateSettings, 'awsRegion' | 'loadBalancer'>,
): string | undefined {
  return settings.awsRegion ?? (settings.loadBalancer ? regionOfArn(settings.loadBalancer) : undefined);
}

/** A gate ready to run: its options, and what a user should know before it starts. */
export interface PreparedGate {
  readonly workload: WorkloadRef;
  readonly options: GateOptions;
  readonly notices: readonly string[];
}

/**
 * Reads the workload's objects once and turns the settings into the gate's options: the target groups given,
 * else those whose TargetGroupBinding points at a Service of the workload; its pod selector, to cross-reference
 * targets with pods. A bad workload is an InputError naming `workload`; a failed read is the UpstreamError.
 */
export async function prepareGate(
  cluster: LiveObjectsReader,
  settings: GateSettings,
  signal?: AbortSignal,
): Promise<PreparedGate> {
  const workload = parseWorkloadRef(settings.workload, settings.namespace);
  const canary = gateCanaryOf(settings);
  const live = await cluster.readLiveObjects(workload, signal);
  const given = settings.targetGroups ?? [];
  const targetGroupArns =
    given.length > 0 ? given : targetGroupArnsFor(live.workload, live.services, live.targetGroupBindings);
  const podSelector = podSelectorOf(live.workload);
  const options: GateOptions = {
    workload,
    targetGroupArns,
    ...(settings.loadBalancer !== undefined ? { loadBalancerArn: settings.loadBalancer } : {}),
    ...(podSelector ? { podSelector } : {}),
    ...(canary ? { canary } : {}),
    timeoutSeconds: settings.timeoutSeconds,
    pollIntervalSeconds: settings.pollIntervalSeconds,
    metricsIntervalSeconds: settings.metricsIntervalSeconds,
    settleSeconds: settings.settleSeconds,
    failAfterPolls: settings.failAfterPolls,
    targetHealth: {
      minHealthy: settings.minHealthy,
      ...(settings.registrationWindowSeconds !== undefined
        ? { registrationWindowSeconds: settings.registrationWindowSeconds }
        : {}),
    },
    elb5xx: {
      maxRate: settings.maxErrorRate,
      minRequests: settings.minRequests,
      ...(settings.max5xx !== undefined ? { maxCount: settings.max5xx } : {}),
    },
    onFailure: settings.onFailure,
    dryRun: settings.dryRun,
  };
  const notices =
    targetGroupArns.length === 0
      ? ['no target group given and none found through TargetGroupBindings: target health is not judged']
      : [];
  return { workload, options, notices };
}

/** The canary comparisons of the settings: both target groups or neither (an InputError naming the missing one). */
export function gateCanaryOf(
  settings: Pick<
    GateSettings,
    'canaryTargetGroup' | 'stableTargetGroup' | 'canaryChecks' | 'latencyPercentile'
  >,
): GateCanaryOptions | undefined {
  const { canaryTargetGroup, stableTargetGroup } = settings;
  if (canaryTargetGroup === undefined && stableTargetGroup === undefined) return undefined;
  if (canaryTargetGroup === undefined || stableTargetGroup === undefined) {
    throw new InputError(
      canaryTargetGroup === undefined ? 'canary-target-group' : 'stable-target-group',
      'is required with the other: the canary is compared with the stable target group',
    );
  }
  const checks = settings.canaryChecks ?? 'both';
  return {
    canaryTargetGroupArn: canaryTargetGroup,
    stableTargetGroupArn: stableTargetGroup,
    errors: checks === 'latency' ? false : {},
    latency: checks === 'errors' ? false : { percentile: settings.latencyPercentile ?? 'p99' },
  };
}
