import type { WorkloadRef } from '@draingate/core';
import { describe, expect, it } from 'vitest';
import {
  countOldReplicas,
  deriveArgoRolloutStatus,
  deriveDeploymentStatus,
  deriveDaemonSetStatus,
  deriveStatefulSetStatus,
} from './status.js';

const ref: WorkloadRef = { kind: 'Deployment', namespace: 'shop', name: 'web' };

interface DeploymentArgs {
  generation?: number;
  observedGeneration?: number;
  specReplicas?: number;
  replicas?: number;
  updated?: number;
  available?: number;
  progressingReason?: string;
  image?: string;
}

function aDeployment(args: DeploymentArgs = {}) {
  const generation = args.generation ?? 2;
  return {
    metadata: {
      uid: 'dep',
      generation,
      resourceVersion: '77',
      annotations: { 'deployment.kubernetes.io/revision': '2' },
    },
    spec: {
      replicas: args.specReplicas ?? 3,
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: args.image ?? 'web:2' }] },
      },
    },
    status: {
      observedGeneration: args.observedGeneration ?? generation,
      replicas: args.replicas ?? 3,
      updatedReplicas: args.updated ?? 3,
      availableReplicas: args.available ?? 3,
      readyReplicas: args.available ?? 3,
      conditions: [
        { type: 'Available', status: 'True' },
        {
          type: 'Progressing',
          status: 'True',
          reason: args.progressingReason ?? 'NewReplicaSetAvailable',
          message: 'rs progressed',
        },
      ],
    },
  };
}

function aReplicaSet(uid: string, image: string, replicas: number, revision: string, owner = 'dep') {
  return {
    metadata: {
      uid,
      annotations: { 'deployment.kubernetes.io/revision': revision },
      ownerReferences: [{ uid: owner, controller: true }],
    },
    spec: {
      template: {
        metadata: { labels: { app: 'web', 'pod-template-hash': uid } },
        spec: { containers: [{ name: 'web', image }] },
      },
    },
    status: { replicas },
  };
}

function aPod(owner: string, terminating = false) {
  return {
    metadata: {
      ownerReferences: [{ uid: owner, controller: true }],
      ...(terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
  };
}

describe('deriveDeploymentStatus (kubectl rollout status)', () => {
  it.each([
    {
      name: 'generation not yet observed → Progressing, waiting for the spec update',
      deployment: aDeployment({ generation: 3, observedGeneration: 2 }),
      old: 0,
      phase: 'Progressing',
      message: /Waiting for deployment spec update to be observed/,
    },
    {
      name: 'deadline exceeded → Failed',
      deployment: aDeployment({ updated: 1, progressingReason: 'ProgressDeadlineExceeded' }),
      old: 2,
      phase: 'Failed',
      message: /exceeded its progress deadline: rs progressed/,
    },
    {
      name: 'fewer updated than desired → Progressing',
      deployment: aDeployment({ replicas: 4, updated: 1 }),
      old: 3,
      phase: 'Progressing',
      message: /1 out of 3 new replicas have been updated/,
    },
    {
      name: 'old replicas pending termination (status) → Progressing',
      deployment: aDeployment({ replicas: 4, updated: 3 }),
      old: 1,
      phase: 'Progressing',
      message: /1 old replicas are pending termination/,
    },
    {
      name: 'updated but not all available → Progressing',
      deployment: aDeployment({ available: 2 }),
      old: 0,
      phase: 'Progressing',
      message: /2 of 3 updated replicas are available/,
    },
    {
      name: 'kubectl would say done but old pods still terminate → Progressing',
      deployment: aDeployment(),
      old: 2,
      phase: 'Progressing',
      message: /2 old pods are still terminating/,
    },
    {
      name: 'all updated, available, no old pods → Complete',
      deployment: aDeployment(),
      old: 0,
      phase: 'Complete',
      message: /^deployment "web" successfully rolled out$/,
    },
  ])('$name', ({ deployment, old, phase, message }) => {
    const status = deriveDeploymentStatus(ref, deployment, old);
    expect(status.phase).toBe(phase);
    expect(status.message).toMatch(message);
    expect(status.progressDeadlineExceeded).toBe(phase === 'Failed');
    expect(status).toMatchObject({ revision: '2', resourceVersion: '77', oldReplicas: old });
  });

  it('a deadline passed on an older generation is not reported until the new one is observed', () => {
    const status = deriveDeploymentStatus(
      ref,
      aDeployment({ generation: 3, observedGeneration: 2, progressingReason: 'ProgressDeadlineExceeded' }),
      0,
    );
    expect(status).toMatchObject({ phase: 'Progressing', progressDeadlineExceeded: false });
  });
});

describe('countOldReplicas', () => {
  const deployment = aDeployment({ image: 'web:2', replicas: 3, updated: 3 });
  const current = aReplicaSet('rs2', 'web:2', 3, '2');
  it.each([
    { name: 'only the new ReplicaSet → 0', sets: [current], pods: [], expected: 0 },
    {
      name: 'an old ReplicaSet with 2 replicas → 2',
      sets: [current, aReplicaSet('rs1', 'web:1', 2, '1')],
      pods: [],
      expected: 2,
    },
    {
      name: 'an old ReplicaSet scaled to 0 whose pod is still terminating → 1',
      sets: [current, aReplicaSet('rs1', 'web:1', 0, '1')],
      pods: [aPod('rs1', true), aPod('rs2'), aPod('rs2')],
      expected: 1,
    },
    {
      name: 'a ReplicaSet another Deployment controls is not counted',
      sets: [current, aReplicaSet('rsX', 'web:1', 5, '1', 'someone-else')],
      pods: [aPod('rsX')],
      expected: 0,
    },
  ])('$name', ({ sets, pods, expected }) => {
    expect(countOldReplicas(deployment, sets, pods)).toBe(expected);
  });

  it('falls back to replicas − updatedReplicas when no ReplicaSet can be read', () => {
    expect(countOldReplicas(aDeployment({ replicas: 5, updated: 3 }), [])).toBe(2);
  });

  it('finds the new ReplicaSet by revision when no template matches', () => {
    const sets = [aReplicaSet('rs2', 'web:other', 3, '2'), aReplicaSet('rs1', 'web:1', 1, '1')];
    expect(countOldReplicas(deployment, sets)).toBe(1);
  });
});

describe('deriveDaemonSetStatus', () => {
  const ds = (status: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({
    metadata: { generation: 4, resourceVersion: '11' },
    spec,
    status: {
      observedGeneration: 4,
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      updatedNumberScheduled: 3,
      numberAvailable: 3,
      numberReady: 3,
      ...status,
    },
  });
  it.each([
    {
      name: 'not observed → Progressing',
      object: ds({ observedGeneration: 3 }),
      phase: 'Progressing',
      message: /spec update to be observed/,
      old: 0,
    },
    {
      name: 'some nodes not updated → Progressing, the rest counted as old',
      object: ds({ updatedNumberScheduled: 1 }),
      phase: 'Progressing',
      message: /1 out of 3 new pods have been updated/,
      old: 2,
    },
    {
      name: 'updated but not all available → Progressing',
      object: ds({ numberAvailable: 2 }),
      phase: 'Progressing',
      message: /2 of 3 updated pods are available/,
      old: 0,
    },
    {
      name: 'every node updated and available → Complete',
      object: ds({}),
      phase: 'Complete',
      message: /daemon set "edge" successfully rolled out/,
      old: 0,
    },
    {
      name: 'OnDelete → Unknown',
      object: ds({}, { updateStrategy: { type: 'OnDelete' } }),
      phase: 'Unknown',
      message: /only available for RollingUpdate/,
      old: 0,
    },
  ])('$name', ({ object, phase, message, old }) => {
    const status = deriveDaemonSetStatus({ kind: 'DaemonSet', namespace: 'ingress', name: 'edge' }, object);
    expect(status.phase).toBe(phase);
    expect(status.message).toMatch(message);
    expect(status.oldReplicas).toBe(old);
    expect(status.revision).toBe('4');
  });
});

describe('deriveStatefulSetStatus', () => {
  const sts = (status: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({
    metadata: { generation: 2, resourceVersion: '9' },
    spec: { replicas: 3, ...spec },
    status: {
      observedGeneration: 2,
      replicas: 3,
      readyReplicas: 3,
      currentRevision: 'r1',
      updateRevision: 'r1',
      currentReplicas: 3,
      updatedReplicas: 3,
      ...status,
    },
  });
  it.each([
    {
      name: 'not observed → Progressing',
      object: sts({ observedGeneration: 1 }),
      phase: 'Progressing',
      message: /spec update to be observed/,
    },
    {
      name: 'pods not ready → Progressing',
      object: sts({ readyReplicas: 2 }),
      phase: 'Progressing',
      message: /Waiting for 1 pods to be ready/,
    },
    {
      name: 'revisions differ → Progressing',
      object: sts({ updateRevision: 'r2', updatedReplicas: 1 }),
      phase: 'Progressing',
      message: /1 pods at revision r2/,
    },
    {
      name: 'revisions equal → Complete',
      object: sts({}),
      phase: 'Complete',
      message: /rolling update complete 3 pods at revision r1/,
    },
    {
      name: 'partitioned and the partition reached → Complete',
      object: sts(
        { updateRevision: 'r2', updatedReplicas: 1 },
        { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } },
      ),
      phase: 'Complete',
      message: /partitioned roll out complete/,
    },
    {
      name: 'OnDelete → Unknown',
      object: sts({}, { updateStrategy: { type: 'OnDelete' } }),
      phase: 'Unknown',
      message: /only available for RollingUpdate/,
    },
  ])('$name', ({ object, phase, message }) => {
    const status = deriveStatefulSetStatus({ kind: 'StatefulSet', namespace: 'db', name: 'db' }, object);
    expect(status.phase).toBe(phase);
    expect(status.message).toMatch(message);
  });
});

describe('deriveArgoRolloutStatus', () => {
  const rollout = (status: Record<string, unknown>, generation = 3) => ({
    metadata: { generation, resourceVersion: '5' },
    status,
  });
  const ro: WorkloadRef = { kind: 'Rollout', namespace: 'shop', name: 'web' };
  it('takes phase, pod hash and counts from status; observedGeneration from Argo’s string', () => {
    const status = deriveArgoRolloutStatus(
      ro,
      rollout({
        observedGeneration: '3',
        phase: 'Paused',
        message: 'CanaryPauseStep',
        currentPodHash: 'c2',
        stableRS: 's1',
        replicas: 5,
        updatedReplicas: 1,
        availableReplicas: 5,
        readyReplicas: 5,
      }),
    );
    expect(status).toMatchObject({
      phase: 'Paused',
      revision: 'c2',
      observedGeneration: 3,
      oldReplicas: 4,
      availableReplicas: 5,
    });
    expect(status.message).toBe('CanaryPauseStep; stable s1, updating to c2');
  });
  it('a phase from an older generation is not trusted → Progressing', () => {
    expect(deriveArgoRolloutStatus(ro, rollout({ observedGeneration: '2', phase: 'Healthy' })).phase).toBe(
      'Progressing',
    );
  });
  it('ProgressDeadlineExceeded and abort are reported', () => {
    const status = deriveArgoRolloutStatus(
      ro,
      rollout({
        observedGeneration: '3',
        phase: 'Degraded',
        abort: true,
        conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }],
      }),
    );
    expect(status).toMatchObject({ phase: 'Degraded', progressDeadlineExceeded: true });
    expect(status.message).toMatch(/aborted/);
  });
});
