import type { RolloutActuator } from '@draingate/core';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeRolloutActuator } from './actuator.js';
import { DEFAULT_CALL_TIMEOUT_MS, KubeClients } from './client.js';
import { loadKubeConfig, type KubeConfigOptions } from './config.js';
import { KubeClusterReader, type KubeClusterPort } from './reader.js';

/** How to reach the cluster: a loaded KubeConfig, or where to load one from. */
export interface KubeAdapterOptions extends KubeConfigOptions {
  /** An already loaded config (tests, callers that build their own); wins over the file options. */
  readonly config?: KubeConfig;
  /** The deadline of each API call in milliseconds (default 10 000); a caller's AbortSignal can end it sooner. */
  readonly callTimeoutMs?: number;
}

/** The Kubernetes adapters of draingate's ports. */
export interface KubeAdapters {
  readonly cluster: KubeClusterPort;
  readonly actuator: RolloutActuator;
}

/**
 * Builds the cluster reader and the rollout actuator over one kubeconfig. Loading the config is the only thing
 * that can fail here (InputError); nothing is contacted until a port method is called.
 */
export function createKubeAdapters(options: KubeAdapterOptions = {}): KubeAdapters {
  const config = options.config ?? loadKubeConfig(options);
  const clients = new KubeClients(config, options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
  const cluster = new KubeClusterReader(clients);
  return { cluster, actuator: new KubeRolloutActuator(clients, cluster) };
}
