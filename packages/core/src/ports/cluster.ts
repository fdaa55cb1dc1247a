import type { ObjectRef } from '../model/provenance.js';

/** The workload kinds draingate reads and acts on. */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Rollout';

export interface WorkloadRef {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
}

/** A slim projection of a Pod: what the checks need, nothing else. */
export interface PodInfo {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly ip?: string;
  readonly phase: string;
  /** The Ready condition is True. */
  readonly ready: boolean;
  /** A deletionTimestamp is set: the pod is terminating. */
  readonly terminating: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** Readiness gate conditions by type, `True` / `False` / `Unknown`. */
  readonly conditions: Readonly<Record<string, string>>;
  readonly ownerName?: string;
  readonly readySince?: Date;
  readonly createdAt?: Date;
  /**
   * When the ContainersReady condition last became True. With a readiness gate the pod is not Ready until its
   * target is healthy, but the controller registers the target once the containers are ready: this bounds how
   * long the target can have been registered.
   */
  readonly containersReadySince?: Date;
}

/** Rollout progress, the way `kubectl rollout status` (Deployments) or Argo (Rollouts) reports it. */
export interface RolloutStatus {
  readonly workload: WorkloadRef;
  readonly generation: number;
  readonly observedGeneration: number;
  readonly resourceVersion: string;
  readonly replicas: number;
  readonly updatedReplicas: number;
  readonly availableReplicas: number;
  readonly readyReplicas: number;
  /** Pods of old revisions still present (terminating included). */
  readonly oldReplicas: number;
  /** The revision being rolled out (`deployment.kubernetes.io/revision`, or the Rollout's current pod hash). */
  readonly revision: string;
  /** Argo's status.phase, or Progressing / Complete / Failed derived from Deployment conditions. */
  readonly phase: string;
  readonly message?: string;
  readonly progressDeadlineExceeded: boolean;
}

/** Plain Kubernetes objects read from a cluster, with apiVersion and kind set, as a manifest would hold them. */
export interface LiveObjects {
  readonly workload: unknown;
  /** The Deployment a Rollout's `spec.workloadRef` names, whose pod template the Rollout runs. */
  readonly referencedWorkload?: unknown;
  readonly namespace?: unknown;
  readonly services: readonly unknown[];
  readonly ingresses: readonly unknown[];
  readonly ingressClasses: readonly unknown[];
  readonly ingressClassParams: readonly unknown[];
  readonly targetGroupBindings: readonly unknown[];
  /** HorizontalPodAutoscalers and KEDA ScaledObjects of the namespace, when the reader lists them. */
  readonly autoscalers?: readonly unknown[];
  readonly pdbs: readonly unknown[];
}

/** Reads the objects around a workload from a cluster, once, before judging it. */
export interface LiveObjectsReader {
  readLiveObjects(workload: WorkloadRef, signal?: AbortSignal): Promise<LiveObjects>;
}

/** Reads the cluster: the objects around a workload, its pods and its rollout progress. */
export interface ClusterReader extends LiveObjectsReader {
  listPods(
    namespace: string,
    selector: Readonly<Record<string, string>>,
    signal?: AbortSignal,
  ): Promise<PodInfo[]>;
  readRolloutStatus(workload: WorkloadRef, signal?: AbortSignal): Promise<RolloutStatus>;
}

/** What the workload must still be for an action to go ahead: it must not have changed under us. */
export interface Preconditions {
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly revision?: string;
}

export interface ActionResult {
  readonly workload: ObjectRef;
  readonly action: 'rollback' | 'abort';
  readonly dryRun: boolean;
  /** What was (or would be) done, for the summary. */
  readonly description: string;
  readonly toRevision?: string;
}

/** Undoes or aborts a rollout, only if the preconditions still hold. */
export interface RolloutActuator {
  rollback(
    workload: WorkloadRef,
    preconditions: Preconditions,
    options: { dryRun: boolean; signal?: AbortSignal },
  ): Promise<ActionResult>;
  abort(
    workload: WorkloadRef,
    preconditions: Preconditions,
    options: { dryRun: boolean; undo?: boolean; signal?: AbortSignal },
  ): Promise<ActionResult>;
}
