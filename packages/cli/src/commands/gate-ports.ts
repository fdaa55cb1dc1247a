import { createAllowances } from '@draingate/core';
import { connect } from '../live.js';
import type { ClusterReader, MetricsSource, RolloutActuator, TargetHealthSource } from '@draingate/core';

/** Where the gate and rollback commands connect to. */
export interface ConnectOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly region?: string;
}

/** The ports the gate and rollback commands use, and how to close them. */
export interface LivePorts {
  readonly cluster: ClusterReader;
  readonly actuator: RolloutActuator;
  readonly targetHealth: TargetHealthSource;
  readonly metrics: MetricsSource;
  close(): void;
}

/**
 * The real adapters: Kubernetes from the kubeconfig (InputError when it cannot be loaded), AWS from the SDK's
 * default credential chain and the given or default region. Nothing is contacted until a port is called.
 */
export async function connectLive(options: ConnectOptions): Promise<LivePorts> {
  const live = await connect(options, createAllowances());
  const kube = live.kube();
  return {
    cluster: kube.cluster,
    actuator: kube.actuator,
    targetHealth: live.aws.targetHealth,
    metrics: live.aws.metrics,
    close: () => live.close(),
  };
}
