// The chart against the real kube-apiserver: every rendered object admitted by a server-side dry run with strict
// field validation, the pod admitted under the "restricted" Pod Security Standard, the RBAC created for real
// and exercised with a token of the chart's ServiceAccount, and the README's helm commands run as written.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeLeaseStore, createKubeAdapters } from '@draingate/kube';
import type { KubeConfig } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adminKubeConfig,
  hasPeer,
  kubeConfigForToken,
  mintServiceAccountToken,
  runHelm,
  uniqueName,
} from '../peers/index.js';
import {
  CHART,
  REPO,
  VALUES_FILES,
  createObject,
  dryRunCreate,
  kubeRequest,
  only,
  parseManifests,
  renderChart,
  type Manifest,
  type ValuesFile,
} from './chart.js';

const ready = hasPeer('kube') && hasPeer('helm');

/**
 * The ServiceMonitor CRD is not among the harness's CRDs; a minimal one (any spec) is installed so that the
 * ServiceMonitor of ci/full-values.yaml can be admitted at all. It checks apiVersion, kind and metadata only:
 * the Prometheus Operator's own schema is not vendored here.
 */
const SERVICE_MONITOR_CRD: Manifest = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'servicemonitors.monitoring.coreos.com' },
  spec: {
    group: 'monitoring.coreos.com',
    scope: 'Namespaced',
    names: {
      plural: 'servicemonitors',
      singular: 'servicemonitor',
      kind: 'ServiceMonitor',
      listKind: 'ServiceMonitorList',
    },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        },
      },
    ],
  },
};

async function waitEstablished(kc: KubeConfig, crd: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const res = await kubeRequest(
      kc,
      'GET',
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}`,
    );
    const conditions =
      (res.body as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`CRD ${crd} never became Established`);
}

async function createNamespace(
  kc: KubeConfig,
  name: string,
  labels: Record<string, string> = {},
): Promise<void> {
  await createObject(kc, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
}

describe.skipIf(!ready)('the Helm chart on the real API server', () => {
  let admin: KubeConfig;

  beforeAll(async () => {
    admin = adminKubeConfig();
    await createObject(admin, SERVICE_MONITOR_CRD);
    await waitEstablished(admin, SERVICE_MONITOR_CRD.metadata.name);
    // A new CRD briefly resets the other CRDs' watch caches ("storage is (re)initializing", 429). Wait it out
    // here (kubeRequest retries 429), so neither these tests nor the files after them meet it.
    for (const path of [
      '/apis/elbv2.k8s.aws/v1beta1/targetgroupbindings',
      '/apis/elbv2.k8s.aws/v1beta1/ingressclassparams',
      '/apis/argoproj.io/v1alpha1/rollouts',
      '/apis/argoproj.io/v1alpha1/analysistemplates',
      '/apis/argoproj.io/v1alpha1/clusteranalysistemplates',
      '/apis/argoproj.io/v1alpha1/analysisruns',
      '/apis/monitoring.coreos.com/v1/servicemonitors',
    ]) {
      expect((await kubeRequest(admin, 'GET', path)).status, path).toBe(200);
    }
  });

  it.each(['default', ...VALUES_FILES] as const)(
    'admits every object rendered with %s values (server-side dry run, strict field validation)',
    async (name) => {
      const namespace = uniqueName('dg-chart');
      await createNamespace(admin, namespace);
      const set: string[] = [];
      if (name === 'namespaced') {
        // The Roles go into the namespaces the values name: make those exist, under fresh names.
        const shop = uniqueName('dg-shop');
        const payments = uniqueName('dg-payments');
        await createNamespace(admin, shop);
        await createNamespace(admin, payments);
        set.push(`rbac.namespaces={${shop},${payments}}`, `config.allow.namespaces={${shop},${payments}}`);
      }
      const { manifests } = await renderChart({
        namespace,
        set,
        ...(name === 'default' ? {} : { values: [name as ValuesFile] }),
      });
      expect(manifests.length).toBeGreaterThan(8);
      for (const manifest of manifests) {
        const res = await dryRunCreate(admin, manifest);
        expect({
          object: `${manifest.kind}/${manifest.metadata.name}`,
          status: res.status,
          body: res.status < 300 ? 'ok' : res.body,
        }).toEqual({
          object: `${manifest.kind}/${manifest.metadata.name}`,
          status: 201,
          body: 'ok',
        });
        expect(res.warnings, `${manifest.kind}/${manifest.metadata.name}`).toEqual([]);
      }
    },
  );

  it('runs pods that the "restricted" Pod Security Standard admits', async () => {
    const namespace = uniqueName('dg-restricted');
    await createNamespace(admin, namespace, {
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
    });
    const { manifests } = await renderChart({ namespace, values: ['full'] });
    const template = (
      only(manifests, 'Deployment') as unknown as {
        spec: { template: { metadata: object; spec: Record<string, unknown> } };
      }
    ).spec.template;
    const pod: Manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...template.metadata, name: 'provider', namespace },
      spec: template.spec,
    };
    const admitted = await dryRunCreate(admin, pod);
    expect({ status: admitted.status, warnings: admitted.warnings }).toEqual({ status: 201, warnings: [] });

    // The control: the same pod without its securityContexts is refused, so the admission above means something.
    const spec = pod['spec'] as { securityContext?: unknown; containers: { securityContext?: unknown }[] };
    const loose: Manifest = {
      ...pod,
      spec: {
        ...spec,
        securityContext: undefined,
        containers: spec.containers.map((c) => ({ ...c, securityContext: undefined })),
      },
    };
    const refused = await dryRunCreate(admin, loose);
    expect(refused.status).toBe(403);
    expect((refused.body as { message: string }).message).toContain(
      'violates PodSecurity "restricted:latest"',
    );
  });

  describe("RBAC, created for real and used with a token of the chart's ServiceAccount", () => {
    const release = uniqueName('dg');
    const home = uniqueName('dg-home');
    const app = uniqueName('dg-app');
    let provider: KubeConfig;

    beforeAll(async () => {
      await createNamespace(admin, home);
      await createNamespace(admin, app);
      const { manifests } = await renderChart({ release, namespace: home });
      for (const kind of ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding']) {
        await createObject(admin, only(manifests, kind));
      }
      // Something to read, and something it must not read, in an application namespace.
      await createObject(admin, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: app },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'ghcr.io/example/web:1.2.3' }] },
          },
        },
      } as Manifest);
      await createObject(admin, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db-password', namespace: app },
        stringData: { password: 'hunter2' },
      } as Manifest);
      const token = await mintServiceAccountToken(home, `${release}-analysis-provider`);
      provider = kubeConfigForToken(token, 'analysis-provider');
    });

    it("is enough for the provider's own reads (packages/kube's reader, as the checks call it)", async () => {
      const { cluster } = createKubeAdapters({ config: provider });
      // drain-timing: the workload and everything around it, cluster-scoped reads included (no warnings).
      const live = await cluster.readLiveObjects({ kind: 'Deployment', namespace: app, name: 'web' });
      expect(live).toMatchObject({
        workload: { kind: 'Deployment', metadata: { name: 'web' } },
        namespace: { metadata: { name: app } },
        warnings: [],
      });
      // target-health: the pods it cross-references with the targets.
      expect(await cluster.listPods(app, { app: 'web' })).toEqual([]);
    });

    it.each<{ name: string; path: () => string; status: number }>([
      {
        name: 'get the Deployment a drain-timing check names',
        path: () => `/apis/apps/v1/namespaces/${app}/deployments/web`,
        status: 200,
      },
      {
        name: 'get a StatefulSet (absent: 404, not 403)',
        path: () => `/apis/apps/v1/namespaces/${app}/statefulsets/db`,
        status: 404,
      },
      {
        name: 'get a DaemonSet (absent: 404, not 403)',
        path: () => `/apis/apps/v1/namespaces/${app}/daemonsets/edge`,
        status: 404,
      },
      {
        name: 'get an Argo Rollout (absent: 404, not 403)',
        path: () => `/apis/argoproj.io/v1alpha1/namespaces/${app}/rollouts/web`,
        status: 404,
      },
      {
        name: 'list pods',
        path: () => `/api/v1/namespaces/${app}/pods?labelSelector=app%3Dweb`,
        status: 200,
      },
      { name: 'list services', path: () => `/api/v1/namespaces/${app}/services`, status: 200 },
      {
        name: 'list ingresses',
        path: () => `/apis/networking.k8s.io/v1/namespaces/${app}/ingresses`,
        status: 200,
      },
      {
        name: 'list targetgroupbindings',
        path: () => `/apis/elbv2.k8s.aws/v1beta1/namespaces/${app}/targetgroupbindings`,
        status: 200,
      },
      {
        name: 'list poddisruptionbudgets',
        path: () => `/apis/policy/v1/namespaces/${app}/poddisruptionbudgets`,
        status: 200,
      },
      {
        name: 'list horizontalpodautoscalers',
        path: () => `/apis/autoscaling/v2/namespaces/${app}/horizontalpodautoscalers`,
        status: 200,
      },
      { name: 'get the namespace', path: () => `/api/v1/namespaces/${app}`, status: 200 },
      { name: 'list ingressclasses', path: () => '/apis/networking.k8s.io/v1/ingressclasses', status: 200 },
      {
        name: 'list ingressclassparams',
        path: () => '/apis/elbv2.k8s.aws/v1beta1/ingressclassparams',
        status: 200,
      },
      {
        name: 'list gatewayclasses',
        path: () => '/apis/gateway.networking.k8s.io/v1/gatewayclasses',
        status: 200,
      },
      {
        name: 'list Gateways in every namespace (a shared Gateway)',
        path: () => '/apis/gateway.networking.k8s.io/v1/gateways',
        status: 200,
      },
      {
        name: 'list ListenerSets in every namespace (a team’s listeners on a shared Gateway)',
        path: () => '/apis/gateway.networking.k8s.io/v1/listenersets',
        status: 200,
      },
      {
        name: 'list httproutes',
        path: () => `/apis/gateway.networking.k8s.io/v1/namespaces/${app}/httproutes`,
        status: 200,
      },
      {
        name: 'list tcproutes (experimental channel)',
        path: () => '/apis/gateway.networking.k8s.io/v1alpha2/tcproutes',
        status: 200,
      },
      {
        name: 'list referencegrants',
        path: () => `/apis/gateway.networking.k8s.io/v1beta1/namespaces/${app}/referencegrants`,
        status: 200,
      },
      {
        name: 'list targetgroupconfigurations',
        path: () => '/apis/gateway.k8s.aws/v1beta1/targetgroupconfigurations',
        status: 200,
      },
      {
        name: 'list loadbalancerconfigurations',
        path: () => '/apis/gateway.k8s.aws/v1beta1/loadbalancerconfigurations',
        status: 200,
      },
      { name: 'NOT get a Secret', path: () => `/api/v1/namespaces/${app}/secrets/db-password`, status: 403 },
      { name: 'NOT list Secrets', path: () => `/api/v1/namespaces/${app}/secrets`, status: 403 },
      {
        name: 'NOT list its own tokens Secret',
        path: () => `/api/v1/namespaces/${home}/secrets`,
        status: 403,
      },
      { name: 'NOT list Secrets cluster-wide', path: () => '/api/v1/secrets', status: 403 },
      { name: 'NOT list ConfigMaps', path: () => `/api/v1/namespaces/${app}/configmaps`, status: 403 },
      {
        name: 'NOT list deployments (it gets the one it is asked about)',
        path: () => `/apis/apps/v1/namespaces/${app}/deployments`,
        status: 403,
      },
      {
        name: 'NOT list replicasets',
        path: () => `/apis/apps/v1/namespaces/${app}/replicasets`,
        status: 403,
      },
      { name: 'NOT get pods/log', path: () => `/api/v1/namespaces/${app}/pods/web-0/log`, status: 403 },
    ])('can $name', async ({ path, status }) => {
      const res = await kubeRequest(provider, 'GET', path());
      expect({ status: res.status, body: res.status === status ? 'as expected' : res.body }).toEqual({
        status,
        body: 'as expected',
      });
    });

    it.each<{ name: string; method: 'POST' | 'PATCH' | 'DELETE'; path: () => string; body?: unknown }>([
      {
        name: 'create a pod',
        method: 'POST',
        path: () => `/api/v1/namespaces/${app}/pods`,
        body: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'x' },
          spec: { containers: [{ name: 'x', image: 'x' }] },
        },
      },
      {
        name: 'patch the Deployment (a rollback)',
        method: 'PATCH',
        path: () => `/apis/apps/v1/namespaces/${app}/deployments/web`,
        body: { spec: { replicas: 0 } },
      },
      {
        name: 'delete the Deployment',
        method: 'DELETE',
        path: () => `/apis/apps/v1/namespaces/${app}/deployments/web`,
      },
      {
        name: 'abort a Rollout',
        method: 'PATCH',
        path: () => `/apis/argoproj.io/v1alpha1/namespaces/${app}/rollouts/web/status`,
        body: { status: { abort: true } },
      },
      {
        name: 'create a Secret',
        method: 'POST',
        path: () => `/api/v1/namespaces/${app}/secrets`,
        body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } },
      },
      { name: 'delete a pod', method: 'DELETE', path: () => `/api/v1/namespaces/${app}/pods/web-0` },
      {
        name: 'create a TargetGroupBinding',
        method: 'POST',
        path: () => `/apis/elbv2.k8s.aws/v1beta1/namespaces/${app}/targetgroupbindings`,
        body: { apiVersion: 'elbv2.k8s.aws/v1beta1', kind: 'TargetGroupBinding', metadata: { name: 'x' } },
      },
      {
        name: 'patch a TargetGroupConfiguration',
        method: 'PATCH',
        path: () => `/apis/gateway.k8s.aws/v1beta1/namespaces/${app}/targetgroupconfigurations/web`,
        body: { spec: { defaultConfiguration: { targetType: 'ip' } } },
      },
      {
        name: 'create an HTTPRoute',
        method: 'POST',
        path: () => `/apis/gateway.networking.k8s.io/v1/namespaces/${app}/httproutes`,
        body: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'x' } },
      },
      {
        name: 'bind itself more rights',
        method: 'POST',
        path: () => `/apis/rbac.authorization.k8s.io/v1/namespaces/${app}/rolebindings`,
        body: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'x' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
          subjects: [{ kind: 'ServiceAccount', name: `${release}-analysis-provider`, namespace: home }],
        },
      },
    ])('is refused when it tries to $name (403)', async ({ method, path, body }) => {
      const res = await kubeRequest(provider, method, path(), body);
      expect(res.status).toBe(403);
    });
  });

  describe("the approval gate's RBAC, created for real and used with a token of the chart's ServiceAccount", () => {
    const release = uniqueName('dg');
    const home = uniqueName('dg-home');
    const other = uniqueName('dg-other');
    let provider: KubeConfig;

    beforeAll(async () => {
      await createNamespace(admin, home);
      await createNamespace(admin, other);
      // The gate on and the checks' own reads off: only the decisions' Role is granted.
      const { manifests } = await renderChart({
        release,
        namespace: home,
        values: ['full'],
        set: ['config.kube=off'],
      });
      for (const kind of ['ServiceAccount', 'Role', 'RoleBinding']) {
        await createObject(admin, only(manifests, kind));
      }
      const token = await mintServiceAccountToken(home, `${release}-analysis-provider`);
      provider = kubeConfigForToken(token, 'analysis-provider');
    });

    it('is enough for every step of a decision: create if absent, read, list, replace and delete at a version', async () => {
      const store = new KubeLeaseStore(provider, home, 'app.kubernetes.io/component=approval-decision');
      const claim = { holder: 'pod-a', renewTime: new Date(), durationSeconds: 30 };
      const created = await store.create('dg-approval-rbac', '{"phase":"observing"}', claim);
      if (created === 'exists') throw new Error('the Lease existed already');
      expect(await store.create('dg-approval-rbac', '{}', claim)).toBe('exists');
      expect(await store.read('dg-approval-rbac')).toEqual(created);
      expect((await store.list()).map((d) => d.name)).toEqual(['dg-approval-rbac']);
      const replaced = await store.replace('dg-approval-rbac', '{"phase":"done"}', claim, created.version);
      if (replaced === 'conflict') throw new Error('the replace conflicted');
      // A writer holding the old version loses: the precondition is the API server's, not ours.
      expect(await store.replace('dg-approval-rbac', '{}', claim, created.version)).toBe('conflict');
      expect(await store.remove('dg-approval-rbac', created.version)).toBe(false);
      expect(await store.remove('dg-approval-rbac', replaced.version)).toBe(true);
      expect(await store.read('dg-approval-rbac')).toBeUndefined();
    });

    it.each<{ name: string; method: 'GET' | 'POST' | 'PATCH'; path: () => string; body?: unknown }>([
      {
        name: 'list Leases in another namespace',
        method: 'GET',
        path: () => `/apis/coordination.k8s.io/v1/namespaces/${other}/leases`,
      },
      {
        name: 'create a Lease in another namespace',
        method: 'POST',
        path: () => `/apis/coordination.k8s.io/v1/namespaces/${other}/leases`,
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'x' } },
      },
      {
        name: 'watch Leases',
        method: 'GET',
        path: () => `/apis/coordination.k8s.io/v1/namespaces/${home}/leases?watch=true&timeoutSeconds=1`,
      },
      {
        name: 'patch a Lease (every write carries a version: replace, never patch)',
        method: 'PATCH',
        path: () => `/apis/coordination.k8s.io/v1/namespaces/${home}/leases/dg-approval-x`,
        body: [{ op: 'add', path: '/metadata/labels', value: {} }],
      },
      {
        name: 'list ConfigMaps in its own namespace',
        method: 'GET',
        path: () => `/api/v1/namespaces/${home}/configmaps`,
      },
      {
        name: 'list Secrets in its own namespace',
        method: 'GET',
        path: () => `/api/v1/namespaces/${home}/secrets`,
      },
      { name: 'list Leases cluster-wide', method: 'GET', path: () => '/apis/coordination.k8s.io/v1/leases' },
    ])('is refused when it tries to $name (403)', async ({ method, path, body }) => {
      const res = await kubeRequest(provider, method, path(), body);
      expect(res.status).toBe(403);
    });
  });

  it('with namespaced RBAC, reads only the namespaces it was given', async () => {
    const release = uniqueName('dg');
    const home = uniqueName('dg-home');
    const granted = uniqueName('dg-granted');
    const other = uniqueName('dg-other');
    for (const ns of [home, granted, other]) await createNamespace(admin, ns);
    const { manifests } = await renderChart({
      release,
      namespace: home,
      set: ['rbac.scope=namespaced', `rbac.namespaces={${granted}}`],
    });
    for (const manifest of manifests.filter((m) =>
      ['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(m.kind),
    )) {
      await createObject(admin, manifest);
    }
    const provider = kubeConfigForToken(await mintServiceAccountToken(home, `${release}-analysis-provider`));
    const status = async (path: string): Promise<number> => (await kubeRequest(provider, 'GET', path)).status;
    expect(await status(`/api/v1/namespaces/${granted}/pods`)).toBe(200);
    expect(await status(`/api/v1/namespaces/${granted}`)).toBe(200);
    expect(await status('/apis/networking.k8s.io/v1/ingressclasses')).toBe(200);
    expect(await status(`/api/v1/namespaces/${other}/pods`)).toBe(403);
    expect(await status(`/api/v1/namespaces/${other}`)).toBe(403);
    expect(await status('/api/v1/pods')).toBe(403);
    expect(await status(`/api/v1/namespaces/${granted}/secrets`)).toBe(403);

    const { cluster } = createKubeAdapters({ config: provider });
    await createObject(admin, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: granted },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    } as Manifest);
    await createObject(admin, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: granted },
      spec: {
        serviceName: 'web',
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'ghcr.io/example/web:1.2.3' }] },
        },
      },
    } as Manifest);
    const live = await cluster.readLiveObjects({ kind: 'StatefulSet', namespace: granted, name: 'web' });
    // Gateway API objects are granted in the listed namespaces only: read there, and one warning says so.
    expect(live).toMatchObject({
      services: [{ metadata: { name: 'web' } }],
      warnings: [
        `GRPCRoute, Gateway, HTTPRoute, ListenerSet, LoadBalancerConfiguration, TCPRoute, TLSRoute, TargetGroupConfiguration, UDPRoute objects cluster-wide: access denied, read in ${granted} only (a shared Gateway, a route or a TargetGroupConfiguration in another namespace is not seen)`,
      ],
    });
    expect(await status(`/apis/gateway.networking.k8s.io/v1/namespaces/${granted}/httproutes`)).toBe(200);
    expect(await status(`/apis/gateway.networking.k8s.io/v1/namespaces/${other}/httproutes`)).toBe(403);
    expect(await status('/apis/gateway.networking.k8s.io/v1/gatewayclasses')).toBe(200);
    await expect(cluster.listPods(other, { app: 'web' })).rejects.toMatchObject({ failure: 'access-denied' });
  });

  it('keeps a generated token across helm upgrade (installed for real, upgraded with a server dry run)', async () => {
    const release = uniqueName('dg');
    const namespace = uniqueName('dg-release');
    const common = [CHART, '--namespace', namespace, '--set', `analysisTemplates.namePrefix=${release}-`];
    await runHelm(['install', release, ...common, '--create-namespace', '--wait=false']);
    const stored = await kubeRequest(
      admin,
      'GET',
      `/api/v1/namespaces/${namespace}/secrets/${release}-analysis-provider-tokens`,
    );
    const token = (stored.body as { data: Record<string, string> }).data['argo-rollouts'];
    expect(token).toMatch(/^[A-Za-z0-9+/]{64}$/);
    const { stdout } = await runHelm(['upgrade', release, ...common, '--dry-run=server']);
    const manifest = stdout.slice(stdout.indexOf('\n---'), stdout.indexOf('\nNOTES:'));
    const secret = only(parseManifests(manifest), 'Secret') as unknown as {
      data: Record<string, string>;
    };
    expect(secret.data['argo-rollouts']).toBe(token);
    const templates = await kubeRequest(
      admin,
      'GET',
      `/apis/argoproj.io/v1alpha1/clusteranalysistemplates/${release}-elb-5xx`,
    );
    expect(templates.status).toBe(200);
  });

  it('with autoscaling, an upgrade keeps the replicas the HPA set instead of dropping to one pod', async () => {
    const release = uniqueName('dg');
    const namespace = uniqueName('dg-release');
    const common = [
      CHART,
      '--namespace',
      namespace,
      '--set',
      `analysisTemplates.namePrefix=${release}-`,
      '--set',
      'autoscaling.enabled=true',
    ];
    await runHelm(['install', release, ...common, '--create-namespace', '--wait=false']);
    const path = `/apis/apps/v1/namespaces/${namespace}/deployments/${release}-analysis-provider`;
    expect(
      ((await kubeRequest(admin, 'GET', path)).body as { spec: { replicas: number } }).spec.replicas,
    ).toBe(2);
    // What the HPA does: scale through the scale subresource.
    const scaled = await kubeRequest(admin, 'PATCH', `${path}/scale`, { spec: { replicas: 5 } });
    expect(scaled.status).toBe(200);
    const { stdout } = await runHelm(['upgrade', release, ...common, '--dry-run=server']);
    const manifest = stdout.slice(stdout.indexOf('\n---'), stdout.indexOf('\nNOTES:'));
    const deployment = only(parseManifests(manifest), 'Deployment') as unknown as {
      spec: { replicas: number };
    };
    expect(deployment.spec.replicas).toBe(5);
  });

  it.each(['full', 'namespaced'] as const)(
    'prints NOTES for ci/%s-values.yaml (helm install --dry-run=server)',
    async (name) => {
      const { stdout } = await runHelm([
        'install',
        'draingate',
        CHART,
        '--namespace',
        'draingate',
        '--values',
        join(CHART, 'ci', `${name}-values.yaml`),
        '--dry-run=server',
      ]);
      const notes = stdout.slice(stdout.indexOf('NOTES:'));
      expect(notes).toContain('http://draingate-analysis-provider.draingate.svc:8080');
      if (name === 'full') {
        expect(notes).toContain('platform-draingate-elb-5xx');
        expect(notes).toContain("https://<the ALB's host>/github/webhook");
        expect(notes).toContain(
          'kubectl label namespace draingate elbv2.k8s.aws/pod-readiness-gate-inject=enabled',
        );
      } else {
        expect(notes).toContain('RBAC is namespaced: the provider can read workloads in shop, payments only');
      }
    },
  );

  describe.each([
    { doc: 'README.md', from: '## Install the analysis provider with Helm', until: '\n## ' },
    { doc: 'docs/install.md', from: '# Installing', until: '\n## Upgrade' },
  ])('the helm install commands of $doc, as written', ({ doc, from, until }) => {
    const text = readFileSync(join(REPO, doc), 'utf8');
    const section = text.slice(text.indexOf(from));
    const body = section.slice(0, section.indexOf(until, from.length));
    // The values file docs/install.md shows, saved where its command can find it.
    const valuesBlock = /```yaml\n(# draingate-values\.yaml\n[\s\S]*?)```/.exec(body)?.[1];
    // Every `helm install` in the shell blocks, with continuation lines joined.
    const commands = [...body.matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap((block) => (block[1] ?? '').replace(/\\\n\s*/g, '').split('\n'))
      .map((line) => line.trim())
      .filter((line) => line.startsWith('helm install'));

    it('has helm install commands to run', () => {
      expect(commands.length).toBeGreaterThan(0);
    });

    it.each(commands)('%s — works against the API server (--dry-run=server)', async (command) => {
      let args = command.split(/\s+/).slice(1);
      if (command.includes('draingate-values.yaml')) {
        if (!valuesBlock) throw new Error(`${doc} runs draingate-values.yaml but does not show it`);
        const dir = mkdtempSync(join(tmpdir(), 'draingate-chart-'));
        writeFileSync(join(dir, 'draingate-values.yaml'), valuesBlock);
        args = args.map((arg) => (arg === 'draingate-values.yaml' ? join(dir, arg) : arg));
      }
      const { stdout } = await runHelm([...args, '--dry-run=server']);
      expect(stdout).toContain('STATUS: pending-install');
      expect(stdout).toContain('kind: Deployment');
      expect(stdout).toContain('NOTES:');
    });
  });
});
