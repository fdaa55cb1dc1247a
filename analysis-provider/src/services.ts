import { createAwsAdapters } from '@draingate/aws';
import { createAllowances, createLiveFactsReader, UpstreamError } from '@draingate/core';
import type { Clock, ClusterReader, LiveObjectsReader } from '@draingate/core';
import { createKubeAdapters } from '@draingate/kube';
import type { CheckPorts } from './api/run-check.js';
import type { ProviderConfig } from './config.js';
import type { Logger } from './logger.js';
import type { Telemetry } from './telemetry.js';
import { createBatchingMetricsSource } from './upstream/batching-metrics.js';
import { cacheCatalog, cacheCluster, cacheTargetHealth } from './upstream/cached-ports.js';

/** The real clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(signal.reason as Error);
        },
        { once: true },
      );
    }),
};

/** Counts each Kubernetes API call like the AWS adapters' onCall hook does. */
function instrumentCluster(
  cluster: ClusterReader & LiveObjectsReader,
  telemetry: Telemetry,
): ClusterReader & LiveObjectsReader {
  const timed =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        const result = await call(...args);
        telemetry.observeUpstream('kubernetes', operation, 'ok', performance.now() - started);
        return result;
      } catch (error) {
        const outcome = error instanceof UpstreamError ? error.failure : 'unknown';
        telemetry.observeUpstream('kubernetes', operation, outcome, performance.now() - started);
        throw error;
      }
    };
  return {
    listPods: timed('listPods', (namespace, selector, signal) =>
      cluster.listPods(namespace, selector, signal),
    ),
    readRolloutStatus: timed('readRolloutStatus', (workload, signal) =>
      cluster.readRolloutStatus(workload, signal),
    ),
    readLiveObjects: timed('readLiveObjects', (workload, signal) =>
      cluster.readLiveObjects(workload, signal),
    ),
  };
}

/** The ports the checks use, wired from the configuration, and how to release them. */
export interface ProviderServices {
  readonly ports: CheckPorts;
  close(): void;
}

/**
 * Builds the AWS and (when configured) Kubernetes adapters behind the provider's caches: metric reads batched
 * and cached for a CloudWatch period, target health and settings coalesced and briefly cached.
 */
export function createServices(
  config: ProviderConfig,
  telemetry: Telemetry,
  logger: Logger,
  clock: Clock = systemClock,
): ProviderServices {
  const aws = createAwsAdapters({
    ...(config.awsRegion ? { region: config.awsRegion } : {}),
    ...(config.awsEndpoint ? { endpoint: config.awsEndpoint } : {}),
    timeoutMs: config.awsTimeoutMs,
    maxAttempts: config.awsMaxAttempts,
    onCall: (service, operation, outcome, ms) => telemetry.observeUpstream(service, operation, outcome, ms),
  });
  const onEvent = telemetry.observeCache.bind(telemetry);
  const metrics = createBatchingMetricsSource(aws.metrics, {
    ttlMs: config.metricsCacheSeconds * 1000,
    batchWindowMs: config.batchWindowMs,
    onCacheEvent: onEvent,
    onBatch: (queries) => telemetry.observeBatch(queries),
  });
  const targetHealth = cacheTargetHealth(aws.targetHealth, config.targetHealthCacheSeconds * 1000, onEvent);
  const catalog = cacheCatalog(aws.catalog, config.catalogCacheSeconds * 1000, onEvent);
  let cluster: (ClusterReader & LiveObjectsReader) | undefined;
  if (config.kube !== 'off') {
    try {
      const kube = createKubeAdapters({
        ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {}),
        ...(config.kubeContext ? { context: config.kubeContext } : {}),
        callTimeoutMs: config.kubeTimeoutMs,
      });
      cluster = cacheCluster(
        instrumentCluster(kube.cluster, telemetry),
        config.clusterCacheSeconds * 1000,
        onEvent,
      );
    } catch (error) {
      if (config.kube === 'on') throw error;
      logger.warn('no Kubernetes API: drain-timing and pod cross-references are off', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const facts = cluster
    ? createLiveFactsReader({ objects: cluster, catalog, allowances: createAllowances() })
    : undefined;
  return {
    ports: {
      clock,
      metrics,
      targetHealth,
      catalog,
      ...(cluster ? { cluster } : {}),
      ...(facts ? { facts } : {}),
    },
    close: () => aws.destroy(),
  };
}
