import { createAwsAdapters } from '@draingate/aws';
import type {
  Clock,
  ClusterReader,
  MetricsSource,
  RolloutActuator,
  TargetHealthSource,
  WorkloadRef,
} from '@draingate/core';
import { systemClock } from '@draingate/core/node';
import { createKubeAdapters } from '@draingate/kube';
import type { ActionInputs } from './inputs.js';

/** The live objects the gate looks up once: the workload, and what routes to it. */
export interface WorkloadObjects {
  readonly workload: unknown;
  readonly services: readonly unknown[];
  readonly targetGroupBindings: readonly unknown[];
}

/** The ports `gate` and `rollback` use. */
export interface ActionPorts {
  readonly clock: Clock;
  readonly cluster: ClusterReader & {
    readLiveObjects(ref: WorkloadRef, signal?: AbortSignal): Promise<WorkloadObjects>;
  };
  readonly actuator: RolloutActuator;
  readonly targetHealth: TargetHealthSource;
  readonly metrics: MetricsSource;
  close(): void;
}

/**
 * The real adapters: the kubeconfig input (else `$KUBECONFIG`, ~/.kube/config), AWS from the SDK's default
 * chain (the credentials aws-actions/configure-aws-credentials exported) in the given or default region.
 * A kubeconfig that cannot be loaded is an InputError.
 */
export function connectActionPorts(inputs: ActionInputs): ActionPorts {
  const kube = createKubeAdapters({
    ...(inputs.kubeconfig !== undefined ? { kubeconfig: inputs.kubeconfig } : {}),
    ...(inputs.kubeContext !== undefined ? { context: inputs.kubeContext } : {}),
  });
  const aws = createAwsAdapters(inputs.awsRegion !== undefined ? { region: inputs.awsRegion } : {});
  return {
    clock: systemClock,
    cluster: kube.cluster,
    actuator: kube.actuator,
    targetHealth: aws.targetHealth,
    metrics: aws.metrics,
    close: () => aws.destroy(),
  };
}
