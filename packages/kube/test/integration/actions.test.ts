// The write side of @draingate/kube against the real kube-apiserver: rollback a Deployment, abort a Rollout,
// dry runs, and refusing to act on something that changed under the caller.

import { UpstreamError, type Preconditions, type WorkloadRef } from '@draingate/core';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminKubeConfig, hasPeer } from '../../../../test/peers/index.js';
import { KubeClients } from '../../src/client.js';
import {
  buildRollbackPatch,
  createKubeAdapters,
  KubeClusterReader,
  KubeRolloutActuator,
  type KubeAdapters,
} from '../../src/index.js';
import {
  admin,
  createDeployment,
  createRollout,
  createRolloutReplicaSet,
  freshNamespace,
  readRollout,
  recordRevision,
  ROLLOUTS,
  setDeploymentStatus,
  setImage,
  setRolloutStatus,
  type Admin,
} from '../../../../test/peers/cluster.js';

function imageOf(template: { spec?: { containers?: { image?: string }[] } } | undefined): string | undefined {
  return template?.spec?.containers?.[0]?.image;
}

describe.skipIf(!hasPeer('kube'))('KubeRolloutActuator against kube-apiserver', () => {
  let a: Admin;
  let kube: KubeAdapters;

  beforeAll(() => {
    a = admin();
    kube = createKubeAdapters({ config: adminKubeConfig() });
  });

  /** Revisions 1 (web:1), 2 (web:2) and 3 (web:3, being rolled out) of Deployment web. */
  async function threeRevisions(
    prefix: string,
  ): Promise<{ ns: string; ref: WorkloadRef; watched: Preconditions }> {
    const ns = await freshNamespace(a, prefix);
    await createDeployment(a, ns, 'web', 'shop/web:1');
    await recordRevision(a, ns, 'web', 1, 0);
    await setImage(a, ns, 'web', 'shop/web:2');
    await recordRevision(a, ns, 'web', 2, 2, { 'kubernetes.io/change-cause': 'release 2' });
    await setImage(a, ns, 'web', 'shop/web:3');
    await recordRevision(a, ns, 'web', 3, 1, { 'kubernetes.io/change-cause': 'release 3' });
    await setDeploymentStatus(a, ns, 'web', { replicas: 3, updated: 1, available: 2 });
    const ref: WorkloadRef = { kind: 'Deployment', namespace: ns, name: 'web' };
    const status = await kube.cluster.readRolloutStatus(ref);
    return {
      ns,
      ref,
      watched: {
        resourceVersion: status.resourceVersion,
        generation: status.generation,
        revision: status.revision,
      },
    };
  }

  describe('rollback (Deployment, as kubectl rollout undo)', () => {
    it('restores the previous revision’s template, without the pod-template-hash label, and its annotations', async () => {
      const { ns, ref, watched } = await threeRevisions('rb');
      expect(watched.revision).toBe('3');
      const result = await kube.actuator.rollback(ref, watched, { dryRun: false });
      expect(result).toMatchObject({
        action: 'rollback',
        dryRun: false,
        toRevision: '2',
        workload: { kind: 'Deployment', namespace: ns, name: 'web' },
      });
      expect(result.description).toMatch(
        /rolled back Deployment .*\/web from revision 3 to revision 2 \(web: shop\/web:3 → shop\/web:2\)/,
      );

      const after = await a.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      expect(imageOf(after.spec?.template)).toBe('shop/web:2');
      expect(after.spec?.template.metadata?.labels).toEqual({ app: 'web' });
      expect(after.metadata?.generation).toBeGreaterThan(watched.generation!);
      // kubectl keeps the Deployment's own revision annotation and takes the rest from the ReplicaSet.
      expect(after.metadata?.annotations).toMatchObject({
        'deployment.kubernetes.io/revision': '3',
        'kubernetes.io/change-cause': 'release 2',
      });
    });

    it('dry run → the server accepts it, nothing changes (resourceVersion unchanged)', async () => {
      const { ns, ref, watched } = await threeRevisions('rb-dry');
      const result = await kube.actuator.rollback(ref, watched, { dryRun: true });
      expect(result).toMatchObject({ action: 'rollback', dryRun: true, toRevision: '2' });
      expect(result.description).toMatch(
        /^would roll back .* from revision 3 to revision 2 .*nothing was changed/,
      );
      const after = await a.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      expect(after.metadata?.resourceVersion).toBe(watched.resourceVersion);
      expect(imageOf(after.spec?.template)).toBe('shop/web:3');
    });

    it.each<{ name: string; edit: (a: Admin, ns: string) => Promise<void>; says: RegExp }>([
      {
        name: 'the template edited under the caller → refused with generation and revision, nothing changed',
        edit: async (admin, ns) => {
          await setImage(admin, ns, 'web', 'shop/web:4');
          await recordRevision(admin, ns, 'web', 4, 1);
        },
        says: /changed since it was watched \(generation \d+ → \d+, revision 3 → 4, resourceVersion \d+ → \d+\); refusing to rollback( \(dry run\))?, nothing was changed/,
      },
      {
        name: 'only a label edited under the caller → refused on resourceVersion',
        edit: async (admin, ns) => {
          await admin.apps.patchNamespacedDeployment(
            { name: 'web', namespace: ns, body: { metadata: { labels: { 'team.example/owner': 'me' } } } },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
        },
        says: /changed since it was watched \(resourceVersion \d+ → \d+\)/,
      },
    ])('$name', async ({ edit, says }) => {
      const { ns, ref, watched } = await threeRevisions('rb-edit');
      await edit(a, ns);
      const before = await a.apps.readNamespacedDeployment({ name: 'web', namespace: ns });

      for (const dryRun of [false, true]) {
        const err = await kube.actuator.rollback(ref, watched, { dryRun }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UpstreamError);
        expect(err).toMatchObject({
          service: 'kubernetes',
          operation: 'rollback',
          failure: 'conflict',
          retryable: false,
        });
        expect((err as Error).message).toMatch(says);
      }
      const after = await a.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
      expect(imageOf(after.spec?.template)).toBe(imageOf(before.spec?.template));
    });

    it('a stale resourceVersion in the rollback patch → 409 Conflict from the API server, nothing written', async () => {
      // The guard the actuator puts in every write, checked on its own: the server applies the patch to the
      // stored object, then refuses the result because its resourceVersion is not the stored one.
      const { ns, ref } = await threeRevisions('rb-guard');
      const stale = (await a.apps.readNamespacedDeployment({ name: 'web', namespace: ns })).metadata!
        .resourceVersion!;
      await setDeploymentStatus(a, ns, 'web', { replicas: 3, updated: 2, available: 2 }); // a controller's write
      const before = await a.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      const template = { ...before.spec!.template, metadata: { labels: { app: 'web', x: 'y' } } };
      const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

      const conflict = await a.apps
        .patchNamespacedDeployment(
          { name: ref.name, namespace: ns, body: buildRollbackPatch(stale, template, {}) },
          jsonPatch,
        )
        .catch((e: unknown) => e);
      expect(conflict).toMatchObject({ code: 409 });
      expect(String((conflict as { body?: unknown }).body)).toMatch(/the object has been modified/);

      // A JSON-patch `test` of the resourceVersion is honoured as well, but answers a bare 422 "Invalid" that
      // says nothing about why: that is why the actuator does not use it.
      const tested = await a.apps
        .patchNamespacedDeployment(
          {
            name: ref.name,
            namespace: ns,
            body: [
              { op: 'test', path: '/metadata/resourceVersion', value: stale },
              { op: 'replace', path: '/spec/template', value: template },
            ],
          },
          jsonPatch,
        )
        .catch((e: unknown) => e);
      expect(tested).toMatchObject({ code: 422 });

      const after = await a.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    });

    it('rolls back although the controller wrote status after the caller read it, when only generation and revision are pinned', async () => {
      const { ns, ref, watched } = await threeRevisions('rb-status');
      await setDeploymentStatus(a, ns, 'web', { replicas: 3, updated: 2, available: 3 });
      const result = await kube.actuator.rollback(
        ref,
        { generation: watched.generation, revision: watched.revision },
        { dryRun: false },
      );
      expect(result.toRevision).toBe('2');
      const after = await a.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      expect(imageOf(after.spec?.template)).toBe('shop/web:2');
    });

    it('no older revision → not-found "no rollout history", nothing changed', async () => {
      const ns = await freshNamespace(a, 'rb-nohist');
      await createDeployment(a, ns, 'web', 'shop/web:1');
      await recordRevision(a, ns, 'web', 1, 2);
      const err = await kube.actuator
        .rollback({ kind: 'Deployment', namespace: ns, name: 'web' }, {}, { dryRun: false })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ failure: 'not-found' });
      expect((err as Error).message).toMatch(/no rollout history found/);
    });

    it('a Deployment that does not exist → not-found naming it', async () => {
      const ns = await freshNamespace(a, 'rb-ghost');
      const err = await kube.actuator
        .rollback({ kind: 'Deployment', namespace: ns, name: 'ghost' }, {}, { dryRun: false })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ failure: 'not-found', operation: 'rollback' });
      expect((err as Error).message).toMatch(new RegExp(`Deployment ${ns}/ghost not found`));
    });
  });

  describe('abort (Argo Rollout, as kubectl argo rollouts abort)', () => {
    async function pausedCanary(
      prefix: string,
    ): Promise<{ ns: string; ref: WorkloadRef; watched: Preconditions }> {
      const ns = await freshNamespace(a, prefix);
      const rollout = await createRollout(a, ns, 'web', 'shop/web:2');
      await createRolloutReplicaSet(a, ns, rollout, 'stable1', 'shop/web:1', 1);
      await createRolloutReplicaSet(a, ns, rollout, 'canary2', 'shop/web:2', 2);
      await setRolloutStatus(a, ns, 'web', {
        observedGeneration: '1',
        phase: 'Paused',
        currentPodHash: 'canary2',
        stableRS: 'stable1',
        replicas: 4,
        updatedReplicas: 1,
      });
      const ref: WorkloadRef = { kind: 'Rollout', namespace: ns, name: 'web' };
      const status = await kube.cluster.readRolloutStatus(ref);
      return {
        ns,
        ref,
        watched: {
          resourceVersion: status.resourceVersion,
          generation: status.generation,
          revision: status.revision,
        },
      };
    }

    it('sets status.abort through the status subresource and leaves spec alone', async () => {
      const { ns, ref, watched } = await pausedCanary('ab');
      const result = await kube.actuator.abort(ref, watched, { dryRun: false });
      expect(result).toMatchObject({
        action: 'abort',
        dryRun: false,
        workload: { kind: 'Rollout', namespace: ns, name: 'web' },
      });
      expect(result.description).toMatch(/aborted Rollout .*\/web \(status.abort: true\)/);
      const after = (await readRollout(a, ns, 'web')) as {
        metadata: { generation: number };
        status: { abort?: boolean; phase?: string };
        spec: { template: { spec: { containers: { image: string }[] } } };
      };
      expect(after.status.abort).toBe(true);
      expect(after.status.phase).toBe('Paused');
      expect(after.metadata.generation).toBe(watched.generation);
      expect(after.spec.template.spec.containers[0]?.image).toBe('shop/web:2');
    });

    it('dry run → status.abort stays unset, resourceVersion unchanged', async () => {
      const { ns, ref, watched } = await pausedCanary('ab-dry');
      const result = await kube.actuator.abort(ref, watched, { dryRun: true });
      expect(result).toMatchObject({ action: 'abort', dryRun: true });
      expect(result.description).toMatch(/^would abort .*nothing was changed/);
      const after = (await readRollout(a, ns, 'web')) as {
        metadata: { resourceVersion: string };
        status: { abort?: boolean };
      };
      expect(after.status.abort).toBeUndefined();
      expect(after.metadata.resourceVersion).toBe(watched.resourceVersion);
    });

    it('with undo → aborted and spec.template set back to the stable ReplicaSet’s, without Argo’s hash label', async () => {
      const { ns, ref, watched } = await pausedCanary('ab-undo');
      const result = await kube.actuator.abort(ref, watched, { dryRun: false, undo: true });
      expect(result.toRevision).toBe('stable1');
      expect(result.description).toMatch(
        /spec.template set back to the stable ReplicaSet stable1 \(web: shop\/web:2 → shop\/web:1\)/,
      );
      const after = (await readRollout(a, ns, 'web')) as {
        status: { abort?: boolean };
        spec: {
          template: {
            metadata: { labels: Record<string, string> };
            spec: { containers: { image: string }[] };
          };
        };
      };
      expect(after.status.abort).toBe(true);
      expect(after.spec.template.spec.containers[0]?.image).toBe('shop/web:1');
      expect(after.spec.template.metadata.labels).toEqual({ app: 'web' });
    });

    it.each<{ name: string; meddle: (ns: string) => Promise<void>; outcome: 'undone' | RegExp }>([
      {
        name: 'with undo, the controller writing status right after the abort → the undo retries and lands',
        meddle: (ns) => setRolloutStatus(a, ns, 'web', { phase: 'Degraded', message: 'RolloutAborted' }),
        outcome: 'undone',
      },
      {
        name: 'with undo, someone editing the spec right after the abort → aborted, undo refused, says so',
        meddle: async (ns) => {
          await a.custom.patchNamespacedCustomObject(
            { ...ROLLOUTS, namespace: ns, name: 'web', body: { spec: { replicas: 7 } } },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
        },
        outcome:
          /was aborted, but setting spec.template back failed: .*spec changed \(generation 1 → 2\) while undoing/,
      },
    ])('$name', async ({ meddle, outcome }) => {
      const { ns, ref, watched } = await pausedCanary('ab-race');
      // Plays the Argo controller (or a person) between the abort and the undo.
      class Meddling extends KubeClients {
        override async patchObject(...args: Parameters<KubeClients['patchObject']>): Promise<unknown> {
          const result = await super.patchObject(...args);
          if (args[4].subresource === 'status') await meddle(ns);
          return result;
        }
      }
      const clients = new Meddling(adminKubeConfig());
      const actuator = new KubeRolloutActuator(clients, new KubeClusterReader(clients));
      const result = await actuator
        .abort(ref, watched, { dryRun: false, undo: true })
        .catch((e: unknown) => e);
      const after = (await readRollout(a, ns, 'web')) as {
        status: { abort?: boolean };
        spec: { template: { spec: { containers: { image: string }[] } } };
      };
      expect(after.status.abort).toBe(true);
      if (outcome === 'undone') {
        expect(result).toMatchObject({ action: 'abort', toRevision: 'stable1' });
        expect(after.spec.template.spec.containers[0]?.image).toBe('shop/web:1');
      } else {
        expect(result).toBeInstanceOf(UpstreamError);
        expect(result).toMatchObject({ failure: 'conflict', retryable: false });
        expect((result as Error).message).toMatch(outcome);
        expect(after.spec.template.spec.containers[0]?.image).toBe('shop/web:2');
      }
    });

    it('with undo, dry run → nothing changed', async () => {
      const { ns, ref, watched } = await pausedCanary('ab-undo-dry');
      const result = await kube.actuator.abort(ref, watched, { dryRun: true, undo: true });
      expect(result).toMatchObject({ dryRun: true, toRevision: 'stable1' });
      const after = (await readRollout(a, ns, 'web')) as { metadata: { resourceVersion: string } };
      expect(after.metadata.resourceVersion).toBe(watched.resourceVersion);
    });

    it('the Rollout edited under the caller → refused with the reason, nothing changed', async () => {
      const { ns, ref, watched } = await pausedCanary('ab-edit');
      await a.custom.patchNamespacedCustomObject(
        { ...ROLLOUTS, namespace: ns, name: 'web', body: { spec: { replicas: 5 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const before = (await readRollout(a, ns, 'web')) as { metadata: { resourceVersion: string } };
      const err = await kube.actuator.abort(ref, watched, { dryRun: false }).catch((e: unknown) => e);
      expect(err).toMatchObject({ failure: 'conflict', operation: 'abort' });
      expect((err as Error).message).toMatch(
        /changed since it was watched \(generation 1 → 2, resourceVersion \d+ → \d+\)/,
      );
      const after = (await readRollout(a, ns, 'web')) as {
        metadata: { resourceVersion: string };
        status: { abort?: boolean };
      };
      expect(after.status.abort).toBeUndefined();
      expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    });

    it('the abort patch’s resourceVersion guard holds on the status subresource: stale → 409, nothing written', async () => {
      const { ns, watched } = await pausedCanary('ab-guard');
      await setRolloutStatus(a, ns, 'web', { message: 'the controller wrote' });
      const before = (await readRollout(a, ns, 'web')) as { metadata: { resourceVersion: string } };
      const err = await a.custom
        .patchNamespacedCustomObjectStatus(
          {
            ...ROLLOUTS,
            namespace: ns,
            name: 'web',
            body: { metadata: { resourceVersion: watched.resourceVersion }, status: { abort: true } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        )
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 409 });
      const after = (await readRollout(a, ns, 'web')) as {
        metadata: { resourceVersion: string };
        status: { abort?: boolean };
      };
      expect(after.status.abort).toBeUndefined();
      expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    });

    it('a Rollout whose canary moved on (new pod hash) → refused on revision', async () => {
      const { ns, ref, watched } = await pausedCanary('ab-rev');
      await setRolloutStatus(a, ns, 'web', { currentPodHash: 'canary3' });
      const err = await kube.actuator
        .abort(ref, { revision: watched.revision, generation: watched.generation }, { dryRun: false })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ failure: 'conflict' });
      expect((err as Error).message).toMatch(/revision canary2 → canary3/);
    });
  });
});
