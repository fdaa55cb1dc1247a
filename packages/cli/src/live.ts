import type { AwsAdapters } from '@draingate/aws';
import { createLiveFactsReader, InputError, parseWorkloadRef as parseCoreWorkloadRef } from '@draingate/core';
import type { Allowances, ClusterFacts, WorkloadFacts, WorkloadRef } from '@draingate/core';
import type { KubeAdapters } from '@draingate/kube';
import { UsageError } from './io.js';

/** Flags shared by every command that talks to a cluster or to AWS. */
export interface ConnectionFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly region?: string;
}

/** The real adapters, built lazily: a command that needs only AWS never loads a kubeconfig. */
export interface LiveConnection {
  readonly aws: AwsAdapters;
  kube(): KubeAdapters;
  /** Live facts of a workload: cluster objects, with AWS's target group settings in place of annotations. */
  readWorkloadFacts(workload: WorkloadRef, signal?: AbortSignal): Promise<WorkloadFacts>;
  close(): void;
}

/**
 * Connects to AWS (and, on first use, the cluster). The SDKs are imported here, not at start-up, so that
 * offline commands such as `validate` and `simulate` start in tens of milliseconds.
 */
export async function connect(
  flags: ConnectionFlags,
  allowances: Allowances,
  cluster?: ClusterFacts,
): Promise<LiveConnection> {
  const [{ createAwsAdapters }, { createKubeAdapters }] = await Promise.all([
    import('@draingate/aws'),
    import('@draingate/kube'),
  ]);
  const aws = createAwsAdapters(flags.region !== undefined ? { region: flags.region } : {});
  let kube: KubeAdapters | undefined;
  const kubeAdapters = (): KubeAdapters =>
    (kube ??= createKubeAdapters({
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.context !== undefined ? { context: flags.context } : {}),
    }));
  return {
    aws,
    kube: kubeAdapters,
    readWorkloadFacts: (workload, signal) =>
      createLiveFactsReader({
        objects: kubeAdapters().cluster,
        catalog: aws.catalog,
        allowances,
        ...(cluster ? { cluster } : {}),
      }).readWorkloadFacts(workload, signal),
    close: () => aws.destroy(),
  };
}

/** `deployment/web` (kubectl's form) → a workload reference in `namespace`; a mistake is a usage error. */
export function parseWorkloadRef(text: string, namespace: string): WorkloadRef {
  try {
    return parseCoreWorkloadRef(text, namespace);
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(error.message);
    throw error;
  }
}
