import type {
  ClusterReader,
  MetricsSource,
  RolloutActuator,
  TargetHealthSource,
  WorkloadRef,
} from '@draingate/core';

/** Where the gate and rollback commands connect to. */
export interface ConnectOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly region?: string;
}

/** The live objects the gate looks up once at start: the workload, and what routes to it. */
export interface WorkloadObjects {
  readonly workload: unknown;
  readonly services: readonly unknown[];
  readonly targetGroupBindings: readonly unknown[];
}

/** The ports the gate and rollback commands use, and how to close them. */
export interface LivePorts {
  readonly cluster: ClusterReader & {
    readLiveObjects(ref: WorkloadRef, signal?: AbortSignal): Promise<WorkloadObjects>;
  };
  readonly actuator: RolloutActuator;
  readonly targetHealth: TargetHealthSource;
  readonly metrics: MetricsSource;
  close(): void;
}

/**
 * The real adapters: Kubernetes from the kubeconfig (InputError when it cannot be loaded), AWS from the SDK's
 * default credential chain and the given or default region. Nothing is contacted until a port is called. The
 * SDKs are imported here, not at start-up, so that offline commands start fast.
 */
export async function connectLive(options: ConnectOptions): Promise<LivePorts> {
  const [{ createAwsAdapters }, { createKubeAdapters }] = await Promise.all([import('@draingate/aws'), import('@draingate/kube')]);
  const kube = createKubeAdapters({
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
  });
  const aws = createAwsAdapters(options.region !== undefined ? { region: options.region } : {});
  return {
    cluster: kube.cluster,
    actuator: kube.actuator,
    targetHealth: aws.targetHealth,
    metrics: aws.metrics,
    close: () => aws.destroy(),
  };
}
