import { createAwsAdapters } from '@draingate/aws';
import type {
  Clock,
  ClusterReader,
  MetricsSource,
  RolloutActuator,
  TargetHealthSource,
} from '@draingate/core';
import { metricsRegionOf } from '@draingate/core';
import { systemClock } from '@draingate/core/node';
import { createKubeAdapters } from '@draingate/kube';
import type { ActionInputs } from './inputs.js';

/** The ports `gate` and `rollback` use. */
export interface ActionPorts {
  readonly clock: Clock;
  readonly cluster: ClusterReader;
  readonly actuator: RolloutActuator;
  readonly targetHealth: TargetHealthSource;
  readonly metrics: MetricsSource;
  close(): void;
}

/**
 * The real adapters: the kubeconfig input (else `$KUBECONFIG`, ~/.kube/config), AWS from the SDK's default
 * chain (the credentials aws-actions/configure-aws-credentials exported) in the given region, else the load
 * balancer's, else the SDK's default.
 * A kubeconfig that cannot be loaded is an InputError.
 */
export function connectActionPorts(inputs: ActionInputs): ActionPorts {
  const kube = createKubeAdapters({
    ...(inputs.kubeconfig !== undefined ? { kubeconfig: inputs.kubeconfig } : {}),
    ...(inputs.kubeContext !== undefined ? { context: inputs.kubeContext } : {}),
  });
  const region = metricsRegionOf(inputs);
  const aws = createAwsAdapters(region !== undefined ? { region } : {});
  return {
    clock: systemClock,
    cluster: kube.cluster,
    actuator: kube.actuator,
    targetHealth: aws.targetHealth,
    metrics: aws.metrics,
    close: () => aws.destroy(),
  };
}
