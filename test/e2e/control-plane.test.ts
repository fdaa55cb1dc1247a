// The control plane the end-to-end tests run on: the real Deployment controller rolls pods that the kubelet
// stand-in runs, honouring readiness gates and taking the preStop and grace period the manifest says.

import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminKubeConfig, hasPeer, uniqueName } from '../peers/index.js';
import { startControlPlane, type ControlPlane } from '../setup/control-plane.js';
import { isPodReady, preStopSeconds } from '../setup/kubelet.js';

function aPod(
  spec: Partial<NonNullable<V1Pod['spec']>>,
  conditions: { type: string; status: string }[] = [],
): V1Pod {
  return { spec: { containers: [], ...spec }, status: { conditions } } as V1Pod;
}

describe('the kubelet stand-in, its decisions', () => {
  it.each([
    {
      name: 'native sleep',
      pod: aPod({ containers: [{ name: 'a', lifecycle: { preStop: { sleep: { seconds: 20 } } } }] }),
      seconds: 20,
    },
    {
      name: 'exec sleep in a shell',
      pod: aPod({
        containers: [
          { name: 'a', lifecycle: { preStop: { exec: { command: ['/bin/sh', '-c', 'sleep 15'] } } } },
        ],
      }),
      seconds: 15,
    },
    { name: 'no hook', pod: aPod({ containers: [{ name: 'a' }] }), seconds: 0 },
    {
      name: 'the longest of two containers',
      pod: aPod({
        containers: [
          { name: 'a', lifecycle: { preStop: { sleep: { seconds: 5 } } } },
          { name: 'b', lifecycle: { preStop: { sleep: { seconds: 8 } } } },
        ],
      }),
      seconds: 8,
    },
  ])('preStop: $name → $seconds s', ({ pod, seconds }) => {
    expect(preStopSeconds(pod)).toBe(seconds);
  });

  it.each([
    { name: 'no gate, containers ready → Ready', gates: [], conditions: [], containers: true, ready: true },
    { name: 'containers not ready → not Ready', gates: [], conditions: [], containers: false, ready: false },
    {
      name: 'a gate without its condition → not Ready',
      gates: ['target-health.elbv2.k8s.aws/web'],
      conditions: [],
      containers: true,
      ready: false,
    },
    {
      name: 'a gate whose condition is True → Ready',
      gates: ['target-health.elbv2.k8s.aws/web'],
      conditions: [{ type: 'target-health.elbv2.k8s.aws/web', status: 'True' }],
      containers: true,
      ready: true,
    },
    {
      name: 'one of two gates False → not Ready',
      gates: ['a/x', 'b/y'],
      conditions: [
        { type: 'a/x', status: 'True' },
        { type: 'b/y', status: 'False' },
      ],
      containers: true,
      ready: false,
    },
  ])('readiness: $name', ({ gates, conditions, containers, ready }) => {
    const pod = aPod({ readinessGates: gates.map((conditionType) => ({ conditionType })) }, conditions);
    expect(isPodReady(pod, containers)).toBe(ready);
  });
});

describe.skipIf(!hasPeer('control'))('the control plane: Deployment controller and kubelet stand-in', () => {
  let kc: KubeConfig;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let control: ControlPlane;
  let namespace: string;

  const pods = async (app: string): Promise<V1Pod[]> =>
    (await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items;

  async function until<T>(what: string, timeoutMs: number, read: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const deployment = (name: string, spec: Record<string, unknown> = {}) => ({
    metadata: { name, namespace },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 10,
          containers: [
            {
              name: 'web',
              image: 'ghcr.io/example/web:1',
              lifecycle: { preStop: { sleep: { seconds: 3 } } },
            },
          ],
          ...spec,
        },
      },
    },
  });

  beforeAll(async () => {
    kc = adminKubeConfig();
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    control = await startControlPlane(inject('peers'), kc, { kubelet: { startSeconds: 1 } });
    namespace = uniqueName('e2e-control');
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  }, 120_000);
  afterAll(async () => control?.stop());

  it('a Deployment gets a ReplicaSet and pods that become Running and Ready', async () => {
    await apps.createNamespacedDeployment({ namespace, body: deployment('plain') });
    const ready = await until('two ready pods', 60_000, async () => {
      const list = await pods('plain');
      const readyPods = list.filter((p) =>
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return readyPods.length === 2 ? readyPods : undefined;
    });
    expect(ready.every((p) => p.status?.phase === 'Running' && p.status.podIP?.startsWith('10.244.'))).toBe(
      true,
    );
    expect(ready.every((p) => p.metadata?.ownerReferences?.[0]?.kind === 'ReplicaSet')).toBe(true);
    const status = await until('the Deployment available', 30_000, async () => {
      const d = await apps.readNamespacedDeployment({ name: 'plain', namespace });
      return d.status?.availableReplicas === 2 ? d.status : undefined;
    });
    expect(status.readyReplicas).toBe(2);
  }, 120_000);

  it('a pod with a readiness gate stays not Ready until its condition is True', async () => {
    const gate = 'target-health.elbv2.k8s.aws/k8s-e2e-web-0123456789';
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment('gated', { readinessGates: [{ conditionType: gate }] }),
    });
    const running = await until('two running pods', 60_000, async () => {
      const list = await pods('gated');
      return list.length === 2 && list.every((p) => p.status?.phase === 'Running') ? list : undefined;
    });
    await new Promise((r) => setTimeout(r, 1500));
    for (const pod of await pods('gated'))
      expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, pod.metadata?.name).toBe(
        'False',
      );
    // What the AWS Load Balancer Controller does once the target is healthy.
    const first = running[0]?.metadata?.name ?? '';
    await core.patchNamespacedPodStatus(
      {
        name: first,
        namespace,
        body: { status: { conditions: [{ type: gate, status: 'True', lastTransitionTime: new Date() }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await until('the gated pod Ready', 10_000, async () => {
      const pod = await core.readNamespacedPod({ name: first, namespace });
      return pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? true : undefined;
    });
    const other = (await pods('gated')).find((p) => p.metadata?.name !== first);
    expect(other?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
  }, 120_000);

  it('a deleted pod runs its preStop before it goes, and never outlives its grace period', async () => {
    await until('plain pods ready', 30_000, async () =>
      (await pods('plain')).length === 2 ? true : undefined,
    );
    const [victim] = await pods('plain');
    const name = victim?.metadata?.name ?? '';
    const started = Date.now();
    await core.deleteNamespacedPod({ name, namespace });
    await until('the pod removed', 30_000, async () =>
      (await pods('plain')).some((p) => p.metadata?.name === name) ? undefined : true,
    );
    const seconds = (Date.now() - started) / 1000;
    // preStop sleeps 3 s; grace is 10 s.
    expect(seconds).toBeGreaterThanOrEqual(3);
    expect(seconds).toBeLessThan(10);
    // The ReplicaSet replaces it.
    await until('two pods again', 30_000, async () =>
      (await pods('plain')).length === 2 ? true : undefined,
    );
  }, 120_000);

  it('a rolling update replaces every pod and takes at least the preStop of each old one', async () => {
    const started = Date.now();
    await apps.patchNamespacedDeployment(
      {
        name: 'plain',
        namespace,
        body: [
          { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'ghcr.io/example/web:2' },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    await until('the rollout complete', 90_000, async () => {
      const d = await apps.readNamespacedDeployment({ name: 'plain', namespace });
      const s = d.status;
      const done =
        (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        s?.updatedReplicas === 2 &&
        s.availableReplicas === 2 &&
        (s.replicas ?? 0) === 2;
      const list = await pods('plain');
      return done &&
        list.length === 2 &&
        list.every((p) => p.spec?.containers[0]?.image === 'ghcr.io/example/web:2')
        ? true
        : undefined;
    });
    expect((Date.now() - started) / 1000).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
