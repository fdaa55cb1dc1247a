import type { AwsAdapters } from '@draingate/aws';
import { createLiveFactsReader } from '@draingate/core';
import type { Allowances, WorkloadFacts, WorkloadKind, WorkloadRef } from '@draingate/core';
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
export async function connect(flags: ConnectionFlags, allowances: Allowances): Promise<LiveConnection> {
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
      }).readWorkloadFacts(workload, signal),
    close: () => aws.destroy(),
  };
}

const KINDS: Readonly<Record<string, WorkloadKind>> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  'deployment.apps': 'Deployment',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  sts: 'StatefulSet',
  rollout: 'Rollout',
  rollouts: 'Rollout',
  ro: 'Rollout',
};

/** `deployment/web` (kubectl's form) → a workload reference in `namespace`. */
export function parseWorkloadRef(text: string, namespace: string): WorkloadRef {
  const match = /^([a-z.]+)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(text.trim());
  const kind = match ? KINDS[match[1]!.toLowerCase()] : undefined;
  if (!match || !kind) {
    throw new UsageError(
      `workload ${JSON.stringify(text)}: expected deployment/NAME, statefulset/NAME or rollout/NAME`,
    );
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63) {
    throw new UsageError(`--namespace ${JSON.stringify(namespace)}: not a valid namespace name`);
  }
  return { kind, namespace, name: match[2]! };
}
