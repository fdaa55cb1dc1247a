// Pure derivations of rollout progress from the objects' JSON, with `kubectl rollout status` semantics
// (k8s.io/kubectl polymorphichelpers/rollout_status.go) for Deployments and StatefulSets, and Argo's own status
// fields for Rollouts.

import type { RolloutStatus, WorkloadRef } from '@draingate/core';
import { arrayAt, at, numberAt, stringAt } from './json.js';
import {
  DEPLOYMENT_HASH_LABEL,
  DEPLOYMENT_REVISION,
  isControlledBy,
  revisionOf,
  templatesEqualIgnoringHash,
} from './revisions.js';

/** The reason the Deployment controller puts on the Progressing condition when the deadline passes. */
export const PROGRESS_DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';

function condition(object: unknown, type: string): unknown {
  return arrayAt(object, 'status', 'conditions').find((c) => stringAt(c, 'type') === type);
}

function deadlineExceeded(object: unknown): boolean {
  return stringAt(condition(object, 'Progressing'), 'reason') === PROGRESS_DEADLINE_EXCEEDED;
}

/**
 * Pods of old revisions still present, from three sources, taking the largest so a gate never calls a rollout
 * done early: the ReplicaSets the Deployment controls other than the new one (their `replicas` plus
 * `terminatingReplicas`), the pods those ReplicaSets control (terminating ones included, which ReplicaSet
 * counts leave out), and the Deployment's own `replicas − updatedReplicas`.
 */
export function countOldReplicas(
  deployment: unknown,
  replicaSets: readonly unknown[],
  pods: readonly unknown[] = [],
): number {
  const uid = stringAt(deployment, 'metadata', 'uid') ?? '';
  const owned = replicaSets.filter((rs) => isControlledBy(rs, uid));
  const isNew = newReplicaSetMatcher(deployment, owned);
  const old = owned.filter((rs) => !isNew(rs));
  const fromReplicaSets = old.reduce<number>(
    (sum, rs) =>
      sum + (numberAt(rs, 'status', 'replicas') ?? 0) + (numberAt(rs, 'status', 'terminatingReplicas') ?? 0),
    0,
  );
  const oldUids = new Set(old.map((rs) => stringAt(rs, 'metadata', 'uid') ?? ''));
  const fromPods = pods.filter((pod) =>
    arrayAt(pod, 'metadata', 'ownerReferences').some(
      (ref) => at(ref, 'controller') === true && oldUids.has(stringAt(ref, 'uid') ?? ''),
    ),
  ).length;
  const fromStatus = Math.max(
    0,
    (numberAt(deployment, 'status', 'replicas') ?? 0) -
      (numberAt(deployment, 'status', 'updatedReplicas') ?? 0),
  );
  return Math.max(fromReplicaSets, fromPods, fromStatus);
}

/**
 * Which of the Deployment's ReplicaSets is the new one: the controller's rule (the template equal to the
 * Deployment's apart from the hash label), else the one carrying the Deployment's revision.
 */
export function newReplicaSetMatcher(
  deployment: unknown,
  owned: readonly unknown[],
): (rs: unknown) => boolean {
  const template = at(deployment, 'spec', 'template');
  const byTemplate = owned.find((rs) =>
    templatesEqualIgnoringHash(at(rs, 'spec', 'template'), template, DEPLOYMENT_HASH_LABEL),
  );
  if (byTemplate !== undefined) return (rs) => rs === byTemplate;
  const revision = revisionOf(deployment, DEPLOYMENT_REVISION);
  return (rs) => revision !== undefined && revisionOf(rs, DEPLOYMENT_REVISION) === revision;
}

/** A Deployment's progress, as `kubectl rollout status` judges it. */
export function deriveDeploymentStatus(
  ref: WorkloadRef,
  deployment: unknown,
  oldReplicas: number,
): RolloutStatus {
  const generation = numberAt(deployment, 'metadata', 'generation') ?? 0;
  const observedGeneration = numberAt(deployment, 'status', 'observedGeneration') ?? 0;
  const specReplicas = numberAt(deployment, 'spec', 'replicas') ?? 1;
  const replicas = numberAt(deployment, 'status', 'replicas') ?? 0;
  const updatedReplicas = numberAt(deployment, 'status', 'updatedReplicas') ?? 0;
  const availableReplicas = numberAt(deployment, 'status', 'availableReplicas') ?? 0;
  const readyReplicas = numberAt(deployment, 'status', 'readyReplicas') ?? 0;
  const name = ref.name;
  let phase = 'Progressing';
  let message: string;
  let progressDeadlineExceeded = false;
  if (generation > observedGeneration) {
    message = 'Waiting for deployment spec update to be observed...';
  } else if (deadlineExceeded(deployment)) {
    phase = 'Failed';
    progressDeadlineExceeded = true;
    const detail = stringAt(condition(deployment, 'Progressing'), 'message');
    message = `deployment "${name}" exceeded its progress deadline${detail ? `: ${detail}` : ''}`;
  } else if (updatedReplicas < specReplicas) {
    message = `Waiting for deployment "${name}" rollout to finish: ${updatedReplicas} out of ${specReplicas} new replicas have been updated...`;
  } else if (replicas > updatedReplicas) {
    message = `Waiting for deployment "${name}" rollout to finish: ${replicas - updatedReplicas} old replicas are pending termination...`;
  } else if (availableReplicas < updatedReplicas) {
    message = `Waiting for deployment "${name}" rollout to finish: ${availableReplicas} of ${updatedReplicas} updated replicas are available...`;
  } else if (oldReplicas > 0) {
    // kubectl stops here and says "successfully rolled out"; the pods of old ReplicaSets may still be
    // terminating (and serving from draining targets), which is what this gate is about.
    message = `Waiting for deployment "${name}" rollout to finish: ${oldReplicas} old pods are still terminating...`;
  } else {
    phase = 'Complete';
    message = `deployment "${name}" successfully rolled out`;
  }
  return {
    workload: ref,
    generation,
    observedGeneration,
    resourceVersion: stringAt(deployment, 'metadata', 'resourceVersion') ?? '',
    replicas,
    updatedReplicas,
    availableReplicas,
    readyReplicas,
    oldReplicas,
    revision: deploymentRevision(deployment),
    phase,
    message,
    progressDeadlineExceeded,
  };
}

/**
 * A DaemonSet's progress, as `kubectl rollout status` judges it (DaemonSetStatusViewer): a RollingUpdate
 * whose spec is observed is complete once every scheduled pod is updated and available. A DaemonSet has no
 * revision number of its own: its generation stands for one.
 */
export function deriveDaemonSetStatus(ref: WorkloadRef, daemonSet: unknown): RolloutStatus {
  const generation = numberAt(daemonSet, 'metadata', 'generation') ?? 0;
  const observedGeneration = numberAt(daemonSet, 'status', 'observedGeneration') ?? 0;
  const desired = numberAt(daemonSet, 'status', 'desiredNumberScheduled') ?? 0;
  const scheduled = numberAt(daemonSet, 'status', 'currentNumberScheduled') ?? desired;
  const updated = numberAt(daemonSet, 'status', 'updatedNumberScheduled') ?? 0;
  const available = numberAt(daemonSet, 'status', 'numberAvailable') ?? 0;
  const ready = numberAt(daemonSet, 'status', 'numberReady') ?? 0;
  const strategy = stringAt(daemonSet, 'spec', 'updateStrategy', 'type') ?? 'RollingUpdate';
  let phase = 'Progressing';
  let message: string;
  if (strategy !== 'RollingUpdate') {
    phase = 'Unknown';
    message = `rollout status is only available for RollingUpdate strategy type (this one is ${strategy})`;
  } else if (observedGeneration === 0 || generation > observedGeneration) {
    message = 'Waiting for daemon set spec update to be observed...';
  } else if (updated < desired) {
    message = `Waiting for daemon set "${ref.name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...`;
  } else if (available < desired) {
    message = `Waiting for daemon set "${ref.name}" rollout to finish: ${available} of ${desired} updated pods are available...`;
  } else {
    phase = 'Complete';
    message = `daemon set "${ref.name}" successfully rolled out`;
  }
  return {
    workload: ref,
    generation,
    observedGeneration,
    resourceVersion: stringAt(daemonSet, 'metadata', 'resourceVersion') ?? '',
    replicas: scheduled,
    updatedReplicas: updated,
    availableReplicas: available,
    readyReplicas: ready,
    oldReplicas: Math.max(0, scheduled - updated),
    revision: String(generation),
    phase,
    message,
    progressDeadlineExceeded: false,
  };
}

/** A StatefulSet's progress, as `kubectl rollout status` judges it. */
export function deriveStatefulSetStatus(ref: WorkloadRef, statefulSet: unknown): RolloutStatus {
  const generation = numberAt(statefulSet, 'metadata', 'generation') ?? 0;
  const observedGeneration = numberAt(statefulSet, 'status', 'observedGeneration') ?? 0;
  const specReplicas = numberAt(statefulSet, 'spec', 'replicas') ?? 1;
  const replicas = numberAt(statefulSet, 'status', 'replicas') ?? 0;
  const updatedReplicas = numberAt(statefulSet, 'status', 'updatedReplicas') ?? 0;
  const readyReplicas = numberAt(statefulSet, 'status', 'readyReplicas') ?? 0;
  const availableReplicas = numberAt(statefulSet, 'status', 'availableReplicas') ?? readyReplicas;
  const currentRevision = stringAt(statefulSet, 'status', 'currentRevision') ?? '';
  const updateRevision = stringAt(statefulSet, 'status', 'updateRevision') ?? '';
  const strategy = stringAt(statefulSet, 'spec', 'updateStrategy', 'type') ?? 'RollingUpdate';
  const partition = numberAt(statefulSet, 'spec', 'updateStrategy', 'rollingUpdate', 'partition');
  let phase = 'Progressing';
  let message: string;
  if (strategy !== 'RollingUpdate') {
    phase = 'Unknown';
    message = `rollout status is only available for RollingUpdate strategy type (this one is ${strategy})`;
  } else if (observedGeneration === 0 || generation > observedGeneration) {
    message = 'Waiting for statefulset spec update to be observed...';
  } else if (readyReplicas < specReplicas) {
    message = `Waiting for ${specReplicas - readyReplicas} pods to be ready...`;
  } else if (partition !== undefined) {
    if (updatedReplicas < specReplicas - partition) {
      message = `Waiting for partitioned roll out to finish: ${updatedReplicas} out of ${specReplicas - partition} new pods have been updated...`;
    } else {
      phase = 'Complete';
      message = `partitioned roll out complete: ${updatedReplicas} new pods have been updated...`;
    }
  } else if (updateRevision !== currentRevision) {
    message = `waiting for statefulset rolling update to complete ${updatedReplicas} pods at revision ${updateRevision}...`;
  } else {
    phase = 'Complete';
    message = `statefulset rolling update complete ${numberAt(statefulSet, 'status', 'currentReplicas') ?? replicas} pods at revision ${currentRevision}...`;
  }
  return {
    workload: ref,
    generation,
    observedGeneration,
    resourceVersion: stringAt(statefulSet, 'metadata', 'resourceVersion') ?? '',
    replicas,
    updatedReplicas,
    availableReplicas,
    readyReplicas,
    oldReplicas: updateRevision !== currentRevision ? Math.max(0, replicas - updatedReplicas) : 0,
    revision: updateRevision,
    phase,
    message,
    progressDeadlineExceeded: false,
  };
}

/** An Argo Rollout's progress from its status: phase, current pod hash, stable ReplicaSet. */
export function deriveArgoRolloutStatus(ref: WorkloadRef, rollout: unknown): RolloutStatus {
  const generation = numberAt(rollout, 'metadata', 'generation') ?? 0;
  // Argo writes observedGeneration as a string.
  const observedRaw = at(rollout, 'status', 'observedGeneration');
  const observedGeneration =
    typeof observedRaw === 'number'
      ? observedRaw
      : /^\d+$/.test(String(observedRaw))
        ? Number(observedRaw)
        : 0;
  const replicas = numberAt(rollout, 'status', 'replicas') ?? 0;
  const updatedReplicas = numberAt(rollout, 'status', 'updatedReplicas') ?? 0;
  const currentPodHash = stringAt(rollout, 'status', 'currentPodHash') ?? '';
  const stableRS = stringAt(rollout, 'status', 'stableRS') ?? '';
  const aborted = at(rollout, 'status', 'abort') === true;
  const progressDeadlineExceeded = deadlineExceeded(rollout);
  // Argo: "Clients should only rely on [phase] if status.observedGeneration equals metadata.generation".
  const observed = observedGeneration >= generation && observedGeneration > 0;
  const phase = observed ? (stringAt(rollout, 'status', 'phase') ?? 'Progressing') : 'Progressing';
  const parts = [
    observed ? stringAt(rollout, 'status', 'message') : 'Waiting for rollout spec update to be observed...',
    aborted ? 'aborted' : undefined,
    currentPodHash && stableRS && currentPodHash !== stableRS
      ? `stable ${stableRS}, updating to ${currentPodHash}`
      : undefined,
  ].filter((part): part is string => part !== undefined && part !== '');
  return {
    workload: ref,
    generation,
    observedGeneration,
    resourceVersion: stringAt(rollout, 'metadata', 'resourceVersion') ?? '',
    replicas,
    updatedReplicas,
    availableReplicas: numberAt(rollout, 'status', 'availableReplicas') ?? 0,
    readyReplicas: numberAt(rollout, 'status', 'readyReplicas') ?? 0,
    oldReplicas: Math.max(0, replicas - updatedReplicas),
    revision: currentPodHash,
    phase,
    ...(parts.length ? { message: parts.join('; ') } : {}),
    progressDeadlineExceeded,
  };
}

/** The revision draingate watches on a Rollout (its current pod hash); exported for the actuator. */
export function rolloutRevision(rollout: unknown): string {
  return stringAt(rollout, 'status', 'currentPodHash') ?? '';
}

/** The revision draingate watches on a Deployment: its `deployment.kubernetes.io/revision`, or ''. */
export function deploymentRevision(deployment: unknown): string {
  return stringAt(deployment, 'metadata', 'annotations', DEPLOYMENT_REVISION) ?? '';
}
