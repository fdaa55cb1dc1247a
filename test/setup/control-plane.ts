// Starts, for one test file, what turns the shared API server into a cluster that rolls workloads:
// kube-controller-manager (Deployments get ReplicaSets and pods, garbage collection, namespaces, endpoint
// slices), the Argo Rollouts controller (Rollouts, AnalysisRuns) and the kubelet stand-in (test/setup/kubelet.ts)
// that binds and runs pods. Per file, not per run: with them running, every other test would see its
// Deployments grow pods. Integration files run one at a time, so a file's control plane is the only one.
//
// Every process listens on 127.0.0.1 only (kube-controller-manager serves nothing: --secure-port=0).

import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  loadAllYaml,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { startKubelet, type KubeletOptions, type RunningKubelet } from './kubelet.js';
import type { PeersInfo } from './peers-info.js';

export interface ControlPlane {
  readonly kubelet: RunningKubelet;
  /** Where the controllers' logs are (kept after stop). */
  readonly logDir: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function startProcess(logDir: string, name: string, bin: string, args: readonly string[]): ChildProcess {
  const out = openSync(join(logDir, `${name}.log`), 'a');
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  return child;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function installCrd(kc: KubeConfig, file: string): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  for (const doc of loadAllYaml(readFileSync(file, 'utf8')) as V1CustomResourceDefinition[]) {
    await api.createCustomResourceDefinition({ body: doc }).catch((error: unknown) => {
      if ((error as { code?: number }).code !== 409) throw error;
    });
    await waitFor(
      `CRD ${doc.metadata?.name}`,
      async () => {
        const crd = await api.readCustomResourceDefinition({ name: doc.metadata?.name ?? '' });
        return (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
      },
      30_000,
    );
  }
}

/** Starts kube-controller-manager, the Argo Rollouts controller and the kubelet stand-in. */
export async function startControlPlane(
  peers: PeersInfo,
  kc: KubeConfig,
  options: { kubelet?: KubeletOptions } = {},
): Promise<ControlPlane> {
  const control = peers.control;
  const kube = peers.kube;
  if (!control || !kube) throw new Error('the control and kube peers are needed');
  const started = performance.now();
  const logDir = await mkdtemp(join(tmpdir(), 'draingate-control-plane-'));
  const children: ChildProcess[] = [];
  const killAll = (): void => {
    for (const child of children) killGroup(child, 'SIGKILL');
  };
  process.once('exit', killAll);
  try {
    await installCrd(kc, control.experimentCrd);
    children.push(
      startProcess(logDir, 'kube-controller-manager', control.kubeControllerManager, [
        `--kubeconfig=${kube.kubeconfig}`,
        '--leader-elect=false',
        '--secure-port=0',
        // What a rollout needs; not the node lifecycle controller, which would evict the stand-in's pods.
        '--controllers=deployment-controller,replicaset-controller,garbage-collector-controller,namespace-controller,endpointslice-controller,disruption-controller',
        '--kube-api-qps=200',
        '--kube-api-burst=400',
        '--concurrent-deployment-syncs=10',
        '--concurrent-replicaset-syncs=10',
      ]),
    );
    const healthz = await freePort();
    const metrics = await freePort();
    children.push(
      startProcess(logDir, 'rollouts-controller', control.rolloutsController, [
        `--kubeconfig=${kube.kubeconfig}`,
        '--leader-elect=false',
        `--healthzPort=${healthz}`,
        `--metricsPort=${metrics}`,
        '--loglevel=info',
        '--qps=200',
        '--burst=400',
      ]),
    );
    await waitFor(
      'the Argo Rollouts controller',
      async () => (await fetch(`http://127.0.0.1:${healthz}/healthz`)).ok,
      60_000,
    );
    for (const child of children) {
      if (child.exitCode !== null)
        throw new Error(`${child.spawnfile} exited with ${child.exitCode}; logs in ${logDir}`);
    }
    const kubelet = await startKubelet(kc, options.kubelet);
    process.stderr.write(
      `draingate control plane: kube-controller-manager, rollouts-controller and the kubelet stand-in ready in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return {
      kubelet,
      logDir,
      stop: async () => {
        await kubelet.stop();
        for (const child of children) killGroup(child, 'SIGTERM');
        await Promise.all(
          children.map(
            (child) =>
              new Promise<void>((resolve) => {
                if (child.exitCode !== null || child.signalCode !== null) return resolve();
                const timer = setTimeout(() => {
                  killGroup(child, 'SIGKILL');
                  resolve();
                }, 3000);
                child.once('exit', () => {
                  clearTimeout(timer);
                  resolve();
                });
              }),
          ),
        );
        process.removeListener('exit', killAll);
      },
    };
  } catch (error) {
    killAll();
    process.removeListener('exit', killAll);
    throw new Error(`starting the control plane failed (logs in ${logDir}): ${String(error)}`, {
      cause: error,
    });
  }
}
