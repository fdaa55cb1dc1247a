// What the adapters need and no more: the namespaced Role the README documents is enough for every port
// method; cluster-scoped objects it does not grant are left out with a warning, not an error. And a CRD that is
// not installed reads as none.

import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adminKubeConfig,
  hasPeer,
  kubeConfigForToken,
  mintServiceAccountToken,
} from '../../../../test/peers/index.js';
import { createKubeAdapters, KubeClusterReader, type KubeAdapters } from '../../src/index.js';
import { KubeClients, type ResourceType } from '../../src/client.js';
import {
  admin,
  createDeployment,
  createRollout,
  createRolloutReplicaSet,
  createWorkloadRefRollout,
  freshNamespace,
  recordRevision,
  setDeploymentStatus,
  setImage,
  setRolloutStatus,
  type Admin,
} from '../../../../test/peers/cluster.js';

/** The namespaced rules in packages/kube/README.md. */
const DEPLOYER_RULES = [
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['get'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] },
  { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] },
  { apiGroups: [''], resources: ['pods', 'services'], verbs: ['list'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['list'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['list'] },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['list'] },
  { apiGroups: ['keda.sh'], resources: ['scaledobjects'], verbs: ['list'] },
  { apiGroups: ['elbv2.k8s.aws'], resources: ['targetgroupbindings'], verbs: ['list'] },
  {
    apiGroups: ['gateway.networking.k8s.io'],
    resources: [
      'gateways',
      'listenersets',
      'httproutes',
      'grpcroutes',
      'tcproutes',
      'udproutes',
      'tlsroutes',
      'referencegrants',
    ],
    verbs: ['list'],
  },
  {
    apiGroups: ['gateway.k8s.aws'],
    resources: ['targetgroupconfigurations', 'loadbalancerconfigurations'],
    verbs: ['list'],
  },
  { apiGroups: ['argoproj.io'], resources: ['rollouts'], verbs: ['get', 'patch'] },
  { apiGroups: ['argoproj.io'], resources: ['rollouts/status'], verbs: ['patch'] },
];

describe.skipIf(!hasPeer('kube'))('permissions and missing CRDs', () => {
  let a: Admin;
  beforeAll(() => {
    a = admin();
  });

  it('the documented namespaced Role is enough; cluster-scoped reads it lacks become warnings', async () => {
    const ns = await freshNamespace(a, 'rbac', { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' });
    await createDeployment(a, ns, 'web', 'shop/web:1');
    await recordRevision(a, ns, 'web', 1, 0);
    await setImage(a, ns, 'web', 'shop/web:2');
    await recordRevision(a, ns, 'web', 2, 2);
    await setDeploymentStatus(a, ns, 'web', { replicas: 2, updated: 2, available: 2 });
    const rollout = await createRollout(a, ns, 'canary', 'shop/web:2');
    await createRolloutReplicaSet(a, ns, rollout, 'stable1', 'shop/web:1', 1);
    await setRolloutStatus(a, ns, 'canary', {
      observedGeneration: '1',
      phase: 'Paused',
      currentPodHash: 'c2',
      stableRS: 'stable1',
    });

    const rbac = adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns,
      body: { metadata: { name: 'draingate' }, rules: DEPLOYER_RULES },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'draingate' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'draingate' },
        subjects: [{ kind: 'ServiceAccount', name: 'draingate', namespace: ns }],
      },
    });
    const token = await mintServiceAccountToken(ns, 'draingate');
    const kube: KubeAdapters = createKubeAdapters({ config: kubeConfigForToken(token) });
    const deployment = { kind: 'Deployment', namespace: ns, name: 'web' } as const;

    // The RBAC authorizer reads from an informer: wait until the binding is seen.
    await expect
      .poll(
        () =>
          kube.cluster.readRolloutStatus(deployment).then(
            (s) => s.phase,
            (e: Error) => e.message,
          ),
        { timeout: 10_000 },
      )
      .toBe('Complete');

    const live = await kube.cluster.readLiveObjects(deployment);
    expect(live.workload.metadata.name).toBe('web');
    expect(live.namespace).toBeUndefined();
    expect(live.ingressClasses).toEqual([]);
    expect(live.warnings).toEqual([
      'EKS Auto Mode IngressClassParams objects: access denied, left out',
      `GRPCRoute, Gateway, HTTPRoute, ListenerSet, LoadBalancerConfiguration, TCPRoute, TLSRoute, TargetGroupConfiguration, UDPRoute objects cluster-wide: access denied, read in ${ns} only (a shared Gateway, a route or a TargetGroupConfiguration in another namespace is not seen)`,
      'GatewayClass objects: access denied, left out',
      'IngressClass objects: access denied, left out',
      'IngressClassParams objects: access denied, left out',
      `Namespace ${ns}: access denied, left out`,
    ]);
    await expect(kube.cluster.listPods(ns, { app: 'web' })).resolves.toEqual([]);
    await expect(kube.actuator.rollback(deployment, {}, { dryRun: true })).resolves.toMatchObject({
      toRevision: '1',
    });
    await expect(kube.actuator.rollback(deployment, {}, { dryRun: false })).resolves.toMatchObject({
      toRevision: '1',
    });
    await expect(
      kube.actuator.abort(
        { kind: 'Rollout', namespace: ns, name: 'canary' },
        {},
        { dryRun: false, undo: true },
      ),
    ).resolves.toMatchObject({ action: 'abort', toRevision: 'stable1' });
  });

  it('a Role that may not read Deployments: a Rollout’s workloadRef template is left out with a warning', async () => {
    const ns = await freshNamespace(a, 'rbac-wref');
    await createDeployment(a, ns, 'web', 'shop/web:1', 0);
    await createWorkloadRefRollout(a, ns, 'web-rollout', 'web');
    const rbac = adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'rollouts-only' },
        rules: DEPLOYER_RULES.filter((rule) => !rule.apiGroups.includes('apps')),
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'rollouts-only' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'rollouts-only' },
        subjects: [{ kind: 'ServiceAccount', name: 'draingate', namespace: ns }],
      },
    });
    const token = await mintServiceAccountToken(ns, 'draingate');
    const kube: KubeAdapters = createKubeAdapters({ config: kubeConfigForToken(token) });
    const rollout = { kind: 'Rollout', namespace: ns, name: 'web-rollout' } as const;
    // The RBAC authorizer reads from an informer: wait until the binding is seen.
    await expect
      .poll(
        () =>
          kube.cluster.readLiveObjects(rollout).then(
            (live) => live.warnings,
            (e: Error) => e.message,
          ),
        { timeout: 10_000 },
      )
      .toContain(
        `Deployment ${ns}/web (the workloadRef of Rollout ${ns}/web-rollout): access denied, its pod template left out`,
      );
  });

  it('a CRD that is not installed (404 on the resource type) reads as none, not an error', async () => {
    const ns = await freshNamespace(a, 'nocrd');
    await createDeployment(a, ns, 'web', 'shop/web:1');
    // The same reader, but TargetGroupBindings and IngressClassParams live in a group this server does not serve.
    class WithoutAwsCrds extends KubeClients {
      override listObjects(
        type: ResourceType,
        ...rest: Parameters<KubeClients['listObjects']> extends [unknown, ...infer R] ? R : never
      ) {
        const moved = type.group === 'elbv2.k8s.aws' ? { ...type, group: 'elbv2.absent.example.com' } : type;
        return super.listObjects(moved, ...rest);
      }
    }
    const reader = new KubeClusterReader(new WithoutAwsCrds(adminKubeConfig()));
    const live = await reader.readLiveObjects({ kind: 'Deployment', namespace: ns, name: 'web' });
    expect(live.targetGroupBindings).toEqual([]);
    expect(live.ingressClassParams).toEqual([]);
    expect(live.warnings).toEqual([]);
  });
});
