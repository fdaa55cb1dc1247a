// The read side of @draingate/kube against the real kube-apiserver: live objects, pods, rollout status.

import { buildLiveFacts, createAllowances, UpstreamError, type WorkloadRef } from '@draingate/core';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminKubeConfig, hasPeer } from '../../../../test/peers/index.js';
import { KubeClients } from '../../src/client.js';
import { createKubeAdapters, KubeClusterReader, type KubeAdapters } from '../../src/index.js';
import {
  admin,
  createDeployment,
  createPod,
  createRollout,
  createRolloutReplicaSet,
  createWorkloadRefRollout,
  freshNamespace,
  recordRevision,
  scaleReplicaSet,
  setDeploymentStatus,
  setImage,
  setRolloutStatus,
  terminatePod,
  TGBS,
  type Admin,
} from '../../../../test/peers/cluster.js';

const TG_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/k8s-shop-web-0a1b2c3d4e/0123456789abcdef';

describe.skipIf(!hasPeer('kube'))('KubeClusterReader against kube-apiserver', () => {
  let a: Admin;
  let kube: KubeAdapters;

  beforeAll(() => {
    a = admin();
    kube = createKubeAdapters({ config: adminKubeConfig() });
  });

  describe('readLiveObjects', () => {
    it('reads a Deployment with its Service, Ingress, TargetGroupBinding, PDB, IngressClass and labelled Namespace', async () => {
      const ns = await freshNamespace(a, 'live', { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' });
      await createDeployment(a, ns, 'web', 'shop/web:1');
      await a.core.createNamespacedService({
        namespace: ns,
        body: {
          metadata: {
            name: 'web',
            annotations: { 'alb.ingress.kubernetes.io/healthcheck-path': '/healthz' },
          },
          spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
        },
      });
      const className = `alb-${ns}`;
      await a.custom.createClusterCustomObject({
        group: 'elbv2.k8s.aws',
        version: 'v1beta1',
        plural: 'ingressclassparams',
        body: {
          apiVersion: 'elbv2.k8s.aws/v1beta1',
          kind: 'IngressClassParams',
          metadata: { name: className },
          spec: { group: { name: 'shop' } },
        },
      });
      await a.custom.createClusterCustomObject({
        group: 'networking.k8s.io',
        version: 'v1',
        plural: 'ingressclasses',
        body: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'IngressClass',
          metadata: { name: className },
          spec: {
            controller: 'ingress.k8s.aws/alb',
            parameters: { apiGroup: 'elbv2.k8s.aws', kind: 'IngressClassParams', name: className },
          },
        },
      });
      await a.custom.createNamespacedCustomObject({
        group: 'networking.k8s.io',
        version: 'v1',
        plural: 'ingresses',
        namespace: ns,
        body: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: {
            name: 'web',
            annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
          },
          spec: {
            ingressClassName: className,
            rules: [
              {
                http: {
                  paths: [
                    {
                      path: '/',
                      pathType: 'Prefix',
                      backend: { service: { name: 'web', port: { number: 80 } } },
                    },
                  ],
                },
              },
            ],
          },
        },
      });
      await a.custom.createNamespacedCustomObject({
        ...TGBS,
        namespace: ns,
        body: {
          apiVersion: 'elbv2.k8s.aws/v1beta1',
          kind: 'TargetGroupBinding',
          metadata: { name: 'k8s-shop-web-0a1b2c3d4e' },
          spec: { serviceRef: { name: 'web', port: 80 }, targetGroupARN: TG_ARN, targetType: 'ip' },
        },
      });
      await a.custom.createNamespacedCustomObject({
        group: 'policy',
        version: 'v1',
        plural: 'poddisruptionbudgets',
        namespace: ns,
        body: {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: 'web' },
          spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } },
        },
      });

      const live = await kube.cluster.readLiveObjects({ kind: 'Deployment', namespace: ns, name: 'web' });

      expect(live.workload).toMatchObject({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: ns },
        spec: {
          template: { spec: { containers: [{ lifecycle: { preStop: { sleep: { seconds: 20 } } } }] } },
        },
      });
      expect(live.workload.metadata['managedFields']).toBeUndefined();
      expect(live.namespace).toMatchObject({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } },
      });
      // Plain JSON: timestamps as strings, as in `kubectl get -o json`.
      expect(typeof live.namespace?.metadata['creationTimestamp']).toBe('string');
      expect(live.services).toHaveLength(1);
      expect(live.services[0]).toMatchObject({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', annotations: { 'alb.ingress.kubernetes.io/healthcheck-path': '/healthz' } },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
      });
      expect(live.ingresses).toEqual([
        expect.objectContaining({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: expect.objectContaining({ name: 'web' }),
        }),
      ]);
      expect(live.targetGroupBindings).toEqual([
        expect.objectContaining({
          apiVersion: 'elbv2.k8s.aws/v1beta1',
          kind: 'TargetGroupBinding',
          spec: expect.objectContaining({ targetGroupARN: TG_ARN, serviceRef: { name: 'web', port: 80 } }),
        }),
      ]);
      expect(live.pdbs).toEqual([
        expect.objectContaining({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' }),
      ]);
      expect(live.ingressClasses.map((c) => [c.apiVersion, c.kind, c.metadata.name])).toContainEqual([
        'networking.k8s.io/v1',
        'IngressClass',
        className,
      ]);
      expect(live.ingressClassParams.map((c) => [c.apiVersion, c.kind, c.metadata.name])).toContainEqual([
        'elbv2.k8s.aws/v1beta1',
        'IngressClassParams',
        className,
      ]);
      expect(live.warnings).toEqual([]);
    });

    it('reads an Argo Rollout (a CRD) with apiVersion and kind', async () => {
      const ns = await freshNamespace(a, 'live-ro');
      await createRollout(a, ns, 'web', 'shop/web:1');
      const live = await kube.cluster.readLiveObjects({ kind: 'Rollout', namespace: ns, name: 'web' });
      expect(live.workload).toMatchObject({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        spec: { strategy: { canary: { trafficRouting: { alb: { ingress: 'web', servicePort: 80 } } } } },
      });
    });

    it('a Rollout with a workloadRef → the Deployment it names is read too, and its template judged', async () => {
      const ns = await freshNamespace(a, 'live-wref');
      await createDeployment(a, ns, 'web', 'shop/web:1', 0);
      await createWorkloadRefRollout(a, ns, 'web-rollout', 'web', 3);
      const ref = { kind: 'Rollout', namespace: ns, name: 'web-rollout' } as const;
      const live = await kube.cluster.readLiveObjects(ref);
      expect(live.referencedWorkload).toMatchObject({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
      });
      const built = buildLiveFacts(live, ref, createAllowances());
      expect(built.problems).toEqual([]);
      expect(built.facts?.workload.replicas.value).toBe(3);
      expect(built.facts?.workload.containers.map((container) => container.name)).toEqual(['web']);
      expect(built.facts?.workload.template?.ref).toMatchObject({ kind: 'Deployment', name: 'web' });
    });

    it('a Rollout whose workloadRef names a missing Deployment → a warning naming it, the rest still read', async () => {
      const ns = await freshNamespace(a, 'live-wref-missing');
      await createWorkloadRefRollout(a, ns, 'web-rollout', 'gone');
      const live = await kube.cluster.readLiveObjects({
        kind: 'Rollout',
        namespace: ns,
        name: 'web-rollout',
      });
      expect(live.workload.metadata.name).toBe('web-rollout');
      expect(live.referencedWorkload).toBeUndefined();
      expect(live.warnings).toContain(
        `Deployment ${ns}/gone (the workloadRef of Rollout ${ns}/web-rollout): not found, its pod template left out`,
      );
    });

    it('a Service with no TargetGroupBinding → an empty list, no error', async () => {
      const ns = await freshNamespace(a, 'live-notgb');
      await createDeployment(a, ns, 'web', 'shop/web:1');
      await a.core.createNamespacedService({
        namespace: ns,
        body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
      });
      const live = await kube.cluster.readLiveObjects({ kind: 'Deployment', namespace: ns, name: 'web' });
      expect(live.services).toHaveLength(1);
      expect(live.targetGroupBindings).toEqual([]);
      expect(live.ingresses).toEqual([]);
    });

    it('follows continue tokens: every Service and TargetGroupBinding, two per page', async () => {
      const ns = await freshNamespace(a, 'live-pages');
      await createDeployment(a, ns, 'web', 'shop/web:1');
      for (let i = 0; i < 5; i++) {
        await a.core.createNamespacedService({
          namespace: ns,
          body: { metadata: { name: `svc-${i}` }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
        });
        await a.custom.createNamespacedCustomObject({
          ...TGBS,
          namespace: ns,
          body: {
            apiVersion: 'elbv2.k8s.aws/v1beta1',
            kind: 'TargetGroupBinding',
            metadata: { name: `tgb-${i}` },
            spec: { serviceRef: { name: `svc-${i}`, port: 80 }, targetGroupARN: TG_ARN, targetType: 'ip' },
          },
        });
      }
      const reader = new KubeClusterReader(new KubeClients(adminKubeConfig(), 10_000, 2));
      const live = await reader.readLiveObjects({ kind: 'Deployment', namespace: ns, name: 'web' });
      expect(live.services.map((s) => s.metadata.name).sort()).toEqual([
        'svc-0',
        'svc-1',
        'svc-2',
        'svc-3',
        'svc-4',
      ]);
      expect(live.targetGroupBindings.map((t) => t.metadata.name).sort()).toEqual([
        'tgb-0',
        'tgb-1',
        'tgb-2',
        'tgb-3',
        'tgb-4',
      ]);
    });

    it.each<{ name: string; ref: (ns: string) => WorkloadRef; says: RegExp }>([
      {
        name: 'a Deployment that does not exist → not-found naming it',
        ref: (ns) => ({ kind: 'Deployment', namespace: ns, name: 'ghost' }),
        says: /Deployment .*\/ghost not found/,
      },
      {
        name: 'a Rollout that does not exist → not-found naming it',
        ref: (ns) => ({ kind: 'Rollout', namespace: ns, name: 'ghost' }),
        says: /Rollout .*\/ghost not found/,
      },
      {
        name: 'a StatefulSet that does not exist → not-found naming it',
        ref: (ns) => ({ kind: 'StatefulSet', namespace: ns, name: 'ghost' }),
        says: /StatefulSet .*\/ghost not found/,
      },
    ])('$name', async ({ ref, says }) => {
      const ns = await freshNamespace(a, 'live-ghost');
      const err = await kube.cluster.readLiveObjects(ref(ns)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect(err).toMatchObject({
        service: 'kubernetes',
        operation: 'readLiveObjects',
        failure: 'not-found',
      });
      expect((err as Error).message).toMatch(says);
      expect((err as Error).message).not.toMatch(/HTTP-Code|Headers/);
    });
  });

  describe('listPods', () => {
    it('projects pods: ip, phase, Ready, terminating, readiness-gate conditions, owner, timestamps', async () => {
      const ns = await freshNamespace(a, 'pods');
      await createDeployment(a, ns, 'web', 'shop/web:1');
      const rs = await recordRevision(a, ns, 'web', 1, 2);
      await createPod(a, ns, 'web-a', rs, { ip: '10.0.0.11', ready: true, gate: 'True' });
      await createPod(a, ns, 'web-b', rs, { ip: '10.0.0.12', ready: false, gate: 'False', finalizer: true });
      await terminatePod(a, ns, 'web-b');
      await a.core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name: 'other', labels: { app: 'other' } },
          spec: { containers: [{ name: 'c', image: 'x' }] },
        },
      });

      const pods = await kube.cluster.listPods(ns, { app: 'web' });
      const byName = new Map(pods.map((p) => [p.name, p]));
      expect([...byName.keys()].sort()).toEqual(['web-a', 'web-b']);
      const gate = 'target-health.elbv2.k8s.aws/k8s-web';
      expect(byName.get('web-a')).toMatchObject({
        namespace: ns,
        ip: '10.0.0.11',
        phase: 'Running',
        ready: true,
        terminating: false,
        conditions: { [gate]: 'True' },
        ownerName: rs.metadata!.name,
        labels: { app: 'web' },
      });
      expect(byName.get('web-a')?.readySince).toBeInstanceOf(Date);
      expect(byName.get('web-a')?.createdAt).toBeInstanceOf(Date);
      expect(byName.get('web-a')?.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(byName.get('web-b')).toMatchObject({
        ready: false,
        terminating: true,
        conditions: { [gate]: 'False' },
      });
      expect(byName.get('web-b')?.readySince).toBeUndefined();
    });

    it('a selector that matches nothing → an empty list', async () => {
      const ns = await freshNamespace(a, 'pods-none');
      expect(await kube.cluster.listPods(ns, { app: 'nothing' })).toEqual([]);
    });
  });

  describe('readRolloutStatus (Deployment, as kubectl rollout status)', () => {
    async function rolloutInFlight(prefix: string): Promise<{ ns: string; ref: WorkloadRef }> {
      const ns = await freshNamespace(a, prefix);
      await createDeployment(a, ns, 'web', 'shop/web:1');
      await recordRevision(a, ns, 'web', 1, 2);
      await setImage(a, ns, 'web', 'shop/web:2');
      await recordRevision(a, ns, 'web', 2, 1);
      return { ns, ref: { kind: 'Deployment', namespace: ns, name: 'web' } };
    }

    it('spec not yet observed → Progressing', async () => {
      const { ns, ref } = await rolloutInFlight('st-observe');
      await setDeploymentStatus(a, ns, 'web', { observed: false, replicas: 2, updated: 0, available: 2 });
      const status = await kube.cluster.readRolloutStatus(ref);
      const generation = (await a.apps.readNamespacedDeployment({ name: 'web', namespace: ns })).metadata!
        .generation!;
      expect(status).toMatchObject({
        phase: 'Progressing',
        generation,
        observedGeneration: generation - 1,
        revision: '2',
      });
      expect(status.message).toMatch(/spec update to be observed/);
    });

    it('new replicas being created → Progressing with updated/available and old replicas', async () => {
      const { ns, ref } = await rolloutInFlight('st-progress');
      await setDeploymentStatus(a, ns, 'web', { replicas: 3, updated: 1, available: 2 });
      const status = await kube.cluster.readRolloutStatus(ref);
      const generation = (await a.apps.readNamespacedDeployment({ name: 'web', namespace: ns })).metadata!
        .generation!;
      expect(status).toMatchObject({
        phase: 'Progressing',
        generation,
        observedGeneration: generation,
        replicas: 3,
        updatedReplicas: 1,
        availableReplicas: 2,
        oldReplicas: 2,
        revision: '2',
        progressDeadlineExceeded: false,
      });
      expect(status.message).toMatch(/1 out of 2 new replicas have been updated/);
      expect(status.resourceVersion).toMatch(/^\d+$/);
    });

    it('all updated, but an old pod still terminating → Progressing, oldReplicas counts it', async () => {
      const { ns, ref } = await rolloutInFlight('st-terminating');
      const replicaSets = await a.apps.listNamespacedReplicaSet({ namespace: ns });
      const old = replicaSets.items.find(
        (rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1',
      )!;
      await createPod(a, ns, 'web-old', old, { ip: '10.0.0.21', ready: true, finalizer: true });
      await terminatePod(a, ns, 'web-old');
      // The controller has scaled the old ReplicaSet to 0 and counts only the new pods.
      await scaleReplicaSet(a, ns, old.metadata!.name!, 0);
      await setDeploymentStatus(a, ns, 'web', { replicas: 2, updated: 2, available: 2 });
      const status = await kube.cluster.readRolloutStatus(ref);
      expect(status).toMatchObject({
        phase: 'Progressing',
        updatedReplicas: 2,
        availableReplicas: 2,
        oldReplicas: 1,
      });
      expect(status.message).toMatch(/1 old pods are still terminating/);
    });

    it('old replicas gone and all available → Complete', async () => {
      const { ns, ref } = await rolloutInFlight('st-complete');
      const replicaSets = await a.apps.listNamespacedReplicaSet({ namespace: ns });
      const old = replicaSets.items.find(
        (rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1',
      )!;
      await scaleReplicaSet(a, ns, old.metadata!.name!, 0);
      await setDeploymentStatus(a, ns, 'web', { replicas: 2, updated: 2, available: 2 });
      const status = await kube.cluster.readRolloutStatus(ref);
      expect(status).toMatchObject({
        phase: 'Complete',
        oldReplicas: 0,
        revision: '2',
        progressDeadlineExceeded: false,
      });
      expect(status.message).toBe('deployment "web" successfully rolled out');
    });

    it('ProgressDeadlineExceeded on the Progressing condition → Failed', async () => {
      const { ns, ref } = await rolloutInFlight('st-deadline');
      await setDeploymentStatus(a, ns, 'web', {
        replicas: 3,
        updated: 1,
        available: 2,
        deadlineExceeded: true,
      });
      const status = await kube.cluster.readRolloutStatus(ref);
      expect(status).toMatchObject({ phase: 'Failed', progressDeadlineExceeded: true });
      expect(status.message).toMatch(/exceeded its progress deadline/);
    });
  });

  describe('readRolloutStatus (StatefulSet and Rollout)', () => {
    it('a StatefulSet mid-update → Progressing at its updateRevision', async () => {
      const ns = await freshNamespace(a, 'st-sts');
      await a.apps.createNamespacedStatefulSet({
        namespace: ns,
        body: {
          metadata: { name: 'db' },
          spec: {
            replicas: 3,
            serviceName: 'db',
            selector: { matchLabels: { app: 'db' } },
            template: {
              metadata: { labels: { app: 'db' } },
              spec: { containers: [{ name: 'db', image: 'db:1' }] },
            },
          },
        },
      });
      await a.apps.patchNamespacedStatefulSetStatus(
        {
          name: 'db',
          namespace: ns,
          body: {
            status: {
              observedGeneration: 1,
              replicas: 3,
              readyReplicas: 3,
              availableReplicas: 3,
              updatedReplicas: 1,
              currentReplicas: 2,
              currentRevision: 'db-111',
              updateRevision: 'db-222',
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const status = await kube.cluster.readRolloutStatus({ kind: 'StatefulSet', namespace: ns, name: 'db' });
      expect(status).toMatchObject({
        phase: 'Progressing',
        revision: 'db-222',
        updatedReplicas: 1,
        oldReplicas: 2,
      });
    });

    it('an Argo Rollout reports its phase, current pod hash and stable ReplicaSet', async () => {
      const ns = await freshNamespace(a, 'st-ro');
      const rollout = await createRollout(a, ns, 'web', 'shop/web:2');
      await createRolloutReplicaSet(a, ns, rollout, 'stable1', 'shop/web:1', 1);
      await setRolloutStatus(a, ns, 'web', {
        observedGeneration: '1',
        phase: 'Paused',
        message: 'CanaryPauseStep',
        currentPodHash: 'canary2',
        stableRS: 'stable1',
        replicas: 4,
        updatedReplicas: 1,
        readyReplicas: 4,
        availableReplicas: 4,
      });
      const status = await kube.cluster.readRolloutStatus({ kind: 'Rollout', namespace: ns, name: 'web' });
      expect(status).toMatchObject({
        phase: 'Paused',
        revision: 'canary2',
        generation: 1,
        observedGeneration: 1,
        replicas: 4,
        updatedReplicas: 1,
        oldReplicas: 3,
        progressDeadlineExceeded: false,
      });
      expect(status.message).toMatch(/CanaryPauseStep.*stable stable1, updating to canary2/);
    });
  });
});
