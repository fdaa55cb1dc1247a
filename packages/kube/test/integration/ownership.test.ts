// What the cluster says about load-balancer ownership, read live against the real kube-apiserver: the
// default IngressClass, autoscalers, and the cluster facts only a declaration can give.

import { buildLiveFacts, createAllowances, type WorkloadRef } from '@draingate/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminKubeConfig, hasPeer } from '../../../../test/peers/index.js';
import { createKubeAdapters, type KubeAdapters } from '../../src/index.js';
import { admin, createDeployment, freshNamespace, type Admin } from '../../../../test/peers/cluster.js';

const INGRESS_CLASSES = { group: 'networking.k8s.io', version: 'v1', plural: 'ingressclasses' } as const;

async function createWebBehindIngress(a: Admin, ns: string, ingressClassName?: string): Promise<void> {
  await createDeployment(a, ns, 'web', 'shop/web:1', 4);
  await a.core.createNamespacedService({
    namespace: ns,
    body: {
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
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
      metadata: { name: 'web', annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' } },
      spec: {
        ...(ingressClassName ? { ingressClassName } : {}),
        defaultBackend: { service: { name: 'web', port: { number: 80 } } },
      },
    },
  });
}

describe.skipIf(!hasPeer('kube'))('load-balancer ownership read live', () => {
  let a: Admin;
  let kube: KubeAdapters;

  beforeAll(() => {
    a = admin();
    kube = createKubeAdapters({ config: adminKubeConfig() });
  });

  it('an Ingress without a class is the controller’s once the cluster’s default IngressClass says so', async () => {
    const ns = await freshNamespace(a, 'own-default');
    await createWebBehindIngress(a, ns);
    const ref: WorkloadRef = { kind: 'Deployment', namespace: ns, name: 'web' };

    const before = await kube.cluster.readLiveObjects(ref);
    const undecided = buildLiveFacts(before, ref, createAllowances()).facts;
    expect(undecided?.backends).toEqual([]);
    expect(undecided?.unresolved).toEqual([expect.stringContaining(`Ingress ${ns}/web: it names no class`)]);

    const className = `default-${ns}`;
    await a.custom.createClusterCustomObject({
      ...INGRESS_CLASSES,
      body: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: className, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
        spec: { controller: 'ingress.k8s.aws/alb' },
      },
    });
    try {
      const after = await kube.cluster.readLiveObjects(ref);
      // Auto Mode's IngressClassParams CRD is not installed here: that is none, not a warning.
      expect(after.warnings).toEqual([]);
      const judged = buildLiveFacts(after, ref, createAllowances()).facts;
      expect(judged?.unresolved).toBeUndefined();
      expect(judged?.backends.map((b) => [b.loadBalancer, b.settings.targetType.value])).toEqual([
        ['alb', 'ip'],
      ]);
    } finally {
      // Cluster-scoped, and a second default class would make every class-less Ingress ambiguous.
      await a.custom.deleteClusterCustomObject({ ...INGRESS_CLASSES, name: className });
    }
  });

  it('an IngressClass the cluster does not have is resolved by a declared cluster fact', async () => {
    const ns = await freshNamespace(a, 'own-declared');
    await createWebBehindIngress(a, ns, `internal-${ns}`);
    const ref: WorkloadRef = { kind: 'Deployment', namespace: ns, name: 'web' };
    const live = await kube.cluster.readLiveObjects(ref);
    expect(buildLiveFacts(live, ref, createAllowances()).facts?.backends).toEqual([]);
    const declared = buildLiveFacts(live, ref, createAllowances(), { albIngressClasses: [`internal-${ns}`] });
    expect(declared.facts?.backends).toHaveLength(1);
  });

  it('a HorizontalPodAutoscaler of the workload is read, and its minReplicas is what a rollout starts from', async () => {
    const ns = await freshNamespace(a, 'own-hpa');
    await createWebBehindIngress(a, ns, 'alb');
    await a.custom.createNamespacedCustomObject({
      group: 'autoscaling',
      version: 'v2',
      plural: 'horizontalpodautoscalers',
      namespace: ns,
      body: {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
          minReplicas: 2,
          maxReplicas: 10,
        },
      },
    });
    const ref: WorkloadRef = { kind: 'Deployment', namespace: ns, name: 'web' };
    const live = await kube.cluster.readLiveObjects(ref);
    expect(live.autoscalers.map((o) => [o.apiVersion, o.kind, o.metadata.name])).toEqual([
      ['autoscaling/v2', 'HorizontalPodAutoscaler', 'web'],
    ]);
    // KEDA is not installed here: its ScaledObjects are none, not a warning.
    expect(live.warnings).toEqual([]);
    expect(buildLiveFacts(live, ref, createAllowances()).facts?.workload.replicas.value).toBe(2);
  });
});

describe.skipIf(!hasPeer('kube'))('a DaemonSet read live', () => {
  it('is read with its NLB Service, judged like a manifest, and its rollout status derived as kubectl does', async () => {
    const a = admin();
    const kube = createKubeAdapters({ config: adminKubeConfig() });
    const ns = await freshNamespace(a, 'own-ds');
    await a.apps.createNamespacedDaemonSet({
      namespace: ns,
      body: {
        metadata: { name: 'edge' },
        spec: {
          selector: { matchLabels: { app: 'edge' } },
          template: {
            metadata: { labels: { app: 'edge' } },
            spec: {
              containers: [
                { name: 'proxy', image: 'edge:1', ports: [{ name: 'http', containerPort: 8080 }] },
              ],
            },
          },
        },
      },
    });
    await a.core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: {
          name: 'edge',
          annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external' },
        },
        spec: { type: 'LoadBalancer', selector: { app: 'edge' }, ports: [{ port: 80, targetPort: 'http' }] },
      },
    });
    const ref: WorkloadRef = { kind: 'DaemonSet', namespace: ns, name: 'edge' };
    const live = await kube.cluster.readLiveObjects(ref);
    expect(live.workload).toMatchObject({ apiVersion: 'apps/v1', kind: 'DaemonSet' });
    const facts = buildLiveFacts(live, ref, createAllowances()).facts;
    expect(facts?.workload.strategy).toMatchObject({ type: 'RollingUpdate', maxUnavailable: { value: 1 } });
    expect(facts?.backends.map((b) => b.loadBalancer)).toEqual(['nlb']);
    // No controller runs here: the spec is never observed.
    await expect(kube.cluster.readRolloutStatus(ref)).resolves.toMatchObject({
      phase: 'Progressing',
      message: 'Waiting for daemon set spec update to be observed...',
    });
  });
});
