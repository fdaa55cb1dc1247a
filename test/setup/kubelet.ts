// A stand-in for a node: what the kubelet (and, for its one node, the scheduler) does to pods, so that
// Deployments and Rollouts rolled by the real controllers take the time their manifests say. No container
// runs; the pod's lifecycle is played on its status:
//
// - an unscheduled pod is bound to this node (the binding subresource, as the scheduler does);
// - `startSeconds` later it is Running with an IP, its containers ready; it is Ready when, in addition, every
//   readiness gate's condition is True — set by a test or by a controller, never by this stand-in;
// - when it is deleted (deletionTimestamp set), the preStop hook runs for its duration (native `sleep` or
//   `exec` of `sleep N`), then the containers stop, taking `draingate.io/shutdown-seconds` (default 0) but never
//   longer than the grace period the deletion allows counted from the start; then the pod is removed.
//
// Our own code, used only by the end-to-end tests (test/e2e/).

import {
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Pod,
  type V1PodCondition,
} from '@kubernetes/client-node';

export interface KubeletOptions {
  /** The node's name. */
  readonly nodeName?: string;
  /** Seconds from binding to Running and containers ready. Default 1. */
  readonly startSeconds?: number;
  /** How often the stand-in looks at pods. Default 250 ms. */
  readonly pollMs?: number;
  /** Pod IPs are handed out from 10.<octet>.0.0/16. Default 244. */
  readonly podNetworkOctet?: number;
  /** Called with a line for each thing it does (for a test's log). */
  readonly log?: (line: string) => void;
}

export interface RunningKubelet {
  readonly nodeName: string;
  stop(): Promise<void>;
}

interface Tracked {
  ip?: string;
  /** When the pod was bound (ms); it starts startSeconds later. */
  boundAt?: number;
  /** When deletion began (ms) and how long its preStop and shutdown take. */
  deleting?: { since: number; preStopMs: number; graceMs: number; shutdownMs: number; stopped: boolean };
}

/** The preStop duration of a container: native sleep, or `sleep N` in an exec hook; 0 when there is none. */
export function preStopSeconds(pod: V1Pod): number {
  let longest = 0;
  for (const container of pod.spec?.containers ?? []) {
    const hook = container.lifecycle?.preStop;
    const native = hook?.sleep?.seconds;
    const command = hook?.exec?.command?.join(' ') ?? '';
    const exec = /(?:^|\s)sleep\s+(\d+(?:\.\d+)?)/.exec(command)?.[1];
    longest = Math.max(longest, native ?? (exec === undefined ? 0 : Number(exec)));
  }
  return longest;
}

/** Whether a pod counts as Ready: its containers are, and every readiness gate's condition is True. */
export function isPodReady(pod: V1Pod, containersReady: boolean): boolean {
  if (!containersReady) return false;
  const conditions = pod.status?.conditions ?? [];
  return (pod.spec?.readinessGates ?? []).every(
    (gate) => conditions.find((c) => c.type === gate.conditionType)?.status === 'True',
  );
}

/** Registers a Ready node and starts playing it. */
export async function startKubelet(kc: KubeConfig, options: KubeletOptions = {}): Promise<RunningKubelet> {
  const nodeName = options.nodeName ?? 'draingate-node';
  const startMs = (options.startSeconds ?? 1) * 1000;
  const pollMs = options.pollMs ?? 250;
  const octet = options.podNetworkOctet ?? 244;
  const log = options.log ?? (() => undefined);
  const core = kc.makeApiClient(CoreV1Api);

  await core
    .createNode({
      body: {
        metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName } },
        status: {},
      },
    })
    .catch((error: unknown) => {
      if ((error as { code?: number }).code !== 409) throw error;
    });
  const nodeReady = async (): Promise<void> => {
    const now = new Date();
    await core.patchNodeStatus(
      {
        name: nodeName,
        body: {
          status: {
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'KubeletReady',
                lastHeartbeatTime: now,
                lastTransitionTime: now,
              },
            ],
            addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
            capacity: { cpu: '64', memory: '256Gi', pods: '500' },
            allocatable: { cpu: '64', memory: '256Gi', pods: '500' },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  };
  await nodeReady();

  const tracked = new Map<string, Tracked>();
  let nextIp = 1;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const setStatus = async (pod: V1Pod, status: Record<string, unknown>): Promise<void> => {
    await core.patchNamespacedPodStatus(
      { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '', body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  };

  const conditionsOf = (pod: V1Pod, containersReady: boolean, since: Date): V1PodCondition[] => {
    const keep = (pod.status?.conditions ?? []).filter(
      (c) => !['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].includes(c.type),
    );
    const ready = isPodReady(pod, containersReady);
    const old = (type: string): V1PodCondition | undefined =>
      pod.status?.conditions?.find((c) => c.type === type);
    const condition = (type: string, value: boolean): V1PodCondition => {
      const status = value ? 'True' : 'False';
      const previous = old(type);
      return {
        type,
        status,
        lastTransitionTime: previous?.status === status ? (previous.lastTransitionTime ?? since) : since,
      };
    };
    return [
      condition('PodScheduled', true),
      condition('Initialized', true),
      condition('ContainersReady', containersReady),
      condition('Ready', ready),
      ...keep,
    ];
  };

  const tick = async (): Promise<void> => {
    const { items } = await core.listPodForAllNamespaces({});
    const seen = new Set<string>();
    for (const pod of items) {
      const uid = pod.metadata?.uid ?? '';
      const name = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
      seen.add(uid);
      const state = tracked.get(uid) ?? {};
      tracked.set(uid, state);
      const now = Date.now();
      try {
        if (!pod.spec?.nodeName) {
          if (pod.metadata?.deletionTimestamp) continue;
          await core.createNamespacedPodBinding({
            name: pod.metadata?.name ?? '',
            namespace: pod.metadata?.namespace ?? '',
            body: {
              metadata: { name: pod.metadata?.name ?? '' },
              target: { kind: 'Node', name: nodeName, apiVersion: 'v1' },
            },
          });
          state.boundAt = now;
          log(`bound ${name}`);
          continue;
        }
        if (pod.spec.nodeName !== nodeName) continue;
        state.boundAt ??= now;
        if (pod.metadata?.deletionTimestamp) {
          if (!state.deleting) {
            const grace =
              pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
            const shutdown = Number(pod.metadata.annotations?.['draingate.io/shutdown-seconds'] ?? 0);
            state.deleting = {
              since: now,
              preStopMs: preStopSeconds(pod) * 1000,
              graceMs: grace * 1000,
              shutdownMs: (Number.isFinite(shutdown) ? shutdown : 0) * 1000,
              stopped: false,
            };
            log(`terminating ${name}: preStop ${preStopSeconds(pod)} s, grace ${grace} s`);
          }
          const d = state.deleting;
          const elapsed = now - d.since;
          const done = Math.min(d.graceMs, d.preStopMs + d.shutdownMs);
          if (!d.stopped && elapsed >= Math.min(d.graceMs, d.preStopMs)) {
            // preStop is over (or the grace period ran out): SIGTERM, the containers stop serving.
            d.stopped = true;
            await setStatus(pod, { conditions: conditionsOf(pod, false, new Date()) });
          }
          if (elapsed >= done) {
            await core.deleteNamespacedPod({
              name: pod.metadata.name ?? '',
              namespace: pod.metadata.namespace ?? '',
              gracePeriodSeconds: 0,
            });
            log(`removed ${name} after ${Math.round(elapsed / 100) / 10} s`);
          }
          continue;
        }
        if (now - state.boundAt < startMs) continue;
        state.ip ??= `10.${octet}.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;
        const ready = isPodReady(pod, true);
        const readyNow = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
        if (pod.status?.phase === 'Running' && ready === readyNow) continue;
        const since = new Date();
        await setStatus(pod, {
          phase: 'Running',
          hostIP: '127.0.0.1',
          podIP: state.ip,
          podIPs: [{ ip: state.ip }],
          startTime: pod.status?.startTime ?? since,
          conditions: conditionsOf(pod, true, since),
          containerStatuses: (pod.spec.containers ?? []).map((c) => ({
            name: c.name,
            image: c.image ?? '',
            imageID: '',
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt: since } },
          })),
        });
        if (ready !== readyNow)
          log(`${name} ${ready ? 'Ready' : 'not Ready (waiting for a readiness gate)'}`);
      } catch (error) {
        // A pod that went away or changed under us: look again on the next tick.
        const code = (error as { code?: number }).code;
        if (code !== 404 && code !== 409) log(`${name}: ${String(error)}`);
      }
    }
    for (const uid of tracked.keys()) if (!seen.has(uid)) tracked.delete(uid);
  };

  let heartbeats = 0;
  const loop = async (): Promise<void> => {
    if (stopped) return;
    try {
      await tick();
      if (++heartbeats % Math.max(1, Math.round(10_000 / pollMs)) === 0) await nodeReady();
    } catch (error) {
      log(`tick failed: ${String(error)}`);
    }
    if (!stopped) timer = setTimeout(() => void loop(), pollMs);
  };
  void loop();

  return {
    nodeName,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await core.deleteNode({ name: nodeName }).catch(() => undefined);
    },
  };
}
