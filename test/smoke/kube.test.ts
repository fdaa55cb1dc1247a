// Proves the real kube-apiserver (with etcd, RBAC and the Argo Rollouts and AWS Load Balancer Controller CRDs)
// serves what the Kubernetes adapter needs, through @kubernetes/client-node.
//
// No controller-manager or scheduler runs: a Deployment never gets Pods and namespaces are never finalized, so
// tests create Pods themselves and use a fresh namespace each.

import {
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adminKubeConfig,
  hasPeer,
  kubeConfigForToken,
  mintServiceAccountToken,
  uniqueName,
} from '../peers/index.js';

function aDeployment(name: string): V1Deployment {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 30,
          containers: [
            { name: 'web', image: 'registry.example/web:1.0.0', ports: [{ containerPort: 8080 }] },
          ],
        },
      },
    },
  };
}

function aPod(name: string, labels: Record<string, string>): V1Pod {
  return {
    metadata: { name, labels },
    spec: { containers: [{ name: 'web', image: 'registry.example/web:1.0.0' }] },
  };
}

function statusCode(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

describe.skipIf(!hasPeer('kube'))('Kubernetes API against kube-apiserver', () => {
  let ns: string;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    const kc = adminKubeConfig();
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    ns = uniqueName('smoke');
    await core.createNamespace({ body: { metadata: { name: ns } } });
  });

  it('serves the CRDs the product reads, Established', async () => {
    const crds = await adminKubeConfig().makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    const established = crds.items
      .filter((c) =>
        c.status?.conditions?.some((cond) => cond.type === 'Established' && cond.status === 'True'),
      )
      .map((c) => c.metadata?.name);
    expect(established).toEqual(
      expect.arrayContaining([
        'analysisruns.argoproj.io',
        'analysistemplates.argoproj.io',
        'clusteranalysistemplates.argoproj.io',
        'ingressclassparams.elbv2.k8s.aws',
        'rollouts.argoproj.io',
        'targetgroupbindings.elbv2.k8s.aws',
      ]),
    );
  });

  it('creates a Deployment and JSON-patches it', async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: aDeployment('web') });
    const patched = await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        body: [
          { op: 'replace', path: '/spec/replicas', value: 3 },
          { op: 'replace', path: '/spec/template/spec/terminationGracePeriodSeconds', value: 60 },
          { op: 'add', path: '/metadata/annotations', value: { 'draingate.io/checked': 'true' } },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(patched.spec?.replicas).toBe(3);
    expect(patched.spec?.template.spec?.terminationGracePeriodSeconds).toBe(60);
    expect(patched.metadata?.generation).toBe(2);

    const read = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
    expect(read.metadata?.annotations).toEqual({ 'draingate.io/checked': 'true' });
  });

  it('lists pods by label selector', async () => {
    await core.createNamespacedPod({ namespace: ns, body: aPod('web-1', { app: 'web', track: 'stable' }) });
    await core.createNamespacedPod({ namespace: ns, body: aPod('web-2', { app: 'web', track: 'canary' }) });
    await core.createNamespacedPod({ namespace: ns, body: aPod('db-1', { app: 'db' }) });

    const web = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' });
    expect(web.items.map((p) => p.metadata?.name).sort()).toEqual(['web-1', 'web-2']);
    const canary = await core.listNamespacedPod({
      namespace: ns,
      labelSelector: 'app=web,track in (canary)',
    });
    expect(canary.items.map((p) => p.metadata?.name)).toEqual(['web-2']);
  });

  it('stores a TargetGroupBinding (AWS Load Balancer Controller CRD)', async () => {
    const tgb = {
      apiVersion: 'elbv2.k8s.aws/v1beta1',
      kind: 'TargetGroupBinding',
      metadata: { name: 'web' },
      spec: {
        serviceRef: { name: 'web', port: 80 },
        targetGroupARN:
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/k8s-shop-web/0123456789abcdef',
        targetType: 'ip',
      },
    };
    await custom.createNamespacedCustomObject({
      group: 'elbv2.k8s.aws',
      version: 'v1beta1',
      namespace: ns,
      plural: 'targetgroupbindings',
      body: tgb,
    });
    const read = (await custom.getNamespacedCustomObject({
      group: 'elbv2.k8s.aws',
      version: 'v1beta1',
      namespace: ns,
      plural: 'targetgroupbindings',
      name: 'web',
    })) as typeof tgb;
    expect(read.spec.targetGroupARN).toBe(tgb.spec.targetGroupARN);

    // The CRD's schema is enforced: targetType must be instance or ip.
    const bad = { ...tgb, metadata: { name: 'bad' }, spec: { ...tgb.spec, targetType: 'pod' } };
    const refused = await custom
      .createNamespacedCustomObject({
        group: 'elbv2.k8s.aws',
        version: 'v1beta1',
        namespace: ns,
        plural: 'targetgroupbindings',
        body: bad,
      })
      .then(() => undefined, statusCode);
    expect(refused).toBe(422);
  });

  it('creates a Rollout and merge-patches its status subresource', async () => {
    const rollouts = {
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'rollouts',
    } as const;
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: aDeployment('web').spec?.template,
        strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
      },
    };
    await custom.createNamespacedCustomObject({ ...rollouts, body: rollout });

    // A merge patch of the main resource does not touch status: the subresource is separate.
    await custom.patchNamespacedCustomObject(
      { ...rollouts, name: 'web', body: { status: { phase: 'Degraded' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const unchanged = (await custom.getNamespacedCustomObjectStatus({ ...rollouts, name: 'web' })) as {
      status?: { phase?: string };
    };
    expect(unchanged.status?.phase).toBeUndefined();

    await custom.patchNamespacedCustomObjectStatus(
      { ...rollouts, name: 'web', body: { status: { phase: 'Paused', currentStepIndex: 1, abort: false } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const read = (await custom.getNamespacedCustomObject({ ...rollouts, name: 'web' })) as {
      spec: { replicas: number };
      status?: { phase?: string; currentStepIndex?: number };
    };
    expect(read.status).toMatchObject({ phase: 'Paused', currentStepIndex: 1 });
    expect(read.spec.replicas).toBe(2);
  });

  it('refuses a ServiceAccount token without permission (403) and accepts it once a Role is bound', async () => {
    const token = await mintServiceAccountToken(ns, 'reader');
    const asReader = kubeConfigForToken(token).makeApiClient(CoreV1Api);

    const denied = await asReader.listNamespacedPod({ namespace: ns }).then(() => undefined, statusCode);
    expect(denied).toBe(403);

    const rbac = adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'pod-reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'reader-reads-pods' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }],
      },
    });
    // The RBAC authorizer reads from an informer; give it a moment to see the binding.
    await expect
      .poll(() => asReader.listNamespacedPod({ namespace: ns }).then(() => 200, statusCode), {
        timeout: 10_000,
      })
      .toBe(200);
    // Still only what the Role grants.
    const otherNs = await asReader
      .listNamespacedPod({ namespace: 'default' })
      .then(() => undefined, statusCode);
    expect(otherNs).toBe(403);
  });
});
