// The provider started the way the chart's pod starts it — the rendered ConfigMap as --config, the Deployment's
// DRAINGATE_* environment, the tokens Secret and the GitHub App Secret as mounted files, a token of the chart's
// ServiceAccount with the chart's RBAC for the Kubernetes API — answering a check, then draining on SIGTERM
// within the pod's grace period.

import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminKubeConfig,
  hasPeer,
  kubeConfigForToken,
  mintServiceAccountToken,
  uniqueName,
} from '../peers/index.js';
import { REPO, createObject, only, renderChart, type Manifest } from './chart.js';

interface Container {
  args: string[];
  env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  volumeMounts: { name: string; mountPath: string }[];
}

interface PodSpec {
  terminationGracePeriodSeconds: number;
  containers: (Container & { lifecycle: { preStop: { sleep: { seconds: number } } } })[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Writes what the kubelet would mount, at the chart's paths re-rooted under `root`. */
function mountVolumes(
  root: string,
  manifests: readonly Manifest[],
  githubFiles: Record<string, string>,
): void {
  const release = only(manifests, 'Deployment').metadata.name;
  for (const [name, dir] of [
    [release, 'etc/draingate'],
    [`${release}-approval-policy`, 'var/run/draingate/approval'],
  ] as const) {
    const configMap = only(manifests, 'ConfigMap', name) as unknown as { data: Record<string, string> };
    mkdirSync(join(root, dir), { recursive: true });
    for (const [key, value] of Object.entries(configMap.data)) writeFileSync(join(root, dir, key), value);
  }
  const secret = only(manifests, 'Secret') as unknown as { data: Record<string, string> };
  mkdirSync(join(root, 'var/run/draingate/tokens'), { recursive: true });
  for (const [key, value] of Object.entries(secret.data)) {
    writeFileSync(join(root, 'var/run/draingate/tokens', key), Buffer.from(value, 'base64'));
  }
  mkdirSync(join(root, 'var/run/draingate/github'), { recursive: true });
  for (const [key, value] of Object.entries(githubFiles)) {
    writeFileSync(join(root, 'var/run/draingate/github', key), value);
  }
}

describe.skipIf(!(hasPeer('kube') && hasPeer('helm') && hasPeer('aws')))(
  'the provider as the chart runs it',
  () => {
    const root = mkdtempSync(join(tmpdir(), 'draingate-pod-'));
    const release = uniqueName('dg');
    const home = uniqueName('dg-home');
    const app = uniqueName('dg-app');
    let admin: KubeConfig;
    let manifests: Manifest[];
    let child: ChildProcess;
    let base: string;
    let token: string;
    const logs: string[] = [];

    beforeAll(async () => {
      admin = adminKubeConfig();
      for (const name of [home, app]) {
        await createObject(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      }
      // ci/full-values.yaml, its allow-lists pointed at this test's namespace.
      ({ manifests } = await renderChart({
        release,
        namespace: home,
        values: ['full'],
        set: [`config.allow.namespaces={${app}}`, `config.clients.team-payments.allow.namespaces={${app}}`],
      }));
      for (const kind of ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']) {
        await createObject(admin, only(manifests, kind));
      }
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

      // The pod's view of the Kubernetes API: the chart's ServiceAccount, nothing more.
      const saToken = await mintServiceAccountToken(home, `${release}-analysis-provider`);
      const kubeconfig = join(root, 'kubeconfig');
      writeFileSync(kubeconfig, kubeConfigForToken(saToken, 'analysis-provider').exportConfig());

      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      mountVolumes(root, manifests, {
        'private-key.pem': privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
        'webhook-secret': randomBytes(24).toString('hex'),
      });
      const secret = only(manifests, 'Secret') as unknown as { data: Record<string, string> };
      token = Buffer.from(secret.data['team-payments'] ?? '', 'base64').toString();

      const pod = (only(manifests, 'Deployment') as unknown as { spec: { template: { spec: PodSpec } } }).spec
        .template.spec;
      const container = pod.containers[0];
      if (!container) throw new Error('no container');
      // What the downward API gives the pod.
      const downward = (field: string | undefined): string =>
        field === 'metadata.namespace' ? home : field === 'metadata.name' ? `${release}-pod-0` : '';
      const reroot = (value: string): string =>
        value.startsWith('/etc/draingate') || value.startsWith('/var/run/draingate')
          ? join(root, value)
          : value;
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      const env: Record<string, string> = {
        PATH: process.env['PATH'] ?? '',
        HOME: root,
        // The pod's environment, file paths re-rooted; only the provider's own variables (no proxy).
        ...Object.fromEntries(
          container.env
            .filter((e) => e.name.startsWith('DRAINGATE_'))
            .map((e) => [e.name, reroot(e.value ?? downward(e.valueFrom?.fieldRef?.fieldPath))]),
        ),
        DRAINGATE_PORT: String(port),
        DRAINGATE_HOST: '127.0.0.1',
        // No GitHub here to ask for missed deliveries (analysis-provider/test/integration/approval-replicas.test.ts does that).
        DRAINGATE_APPROVAL_REDRIVE_MINUTES: '0',
        KUBECONFIG: kubeconfig,
        // moto_server instead of AWS, as the setup exports it.
        AWS_ENDPOINT_URL: process.env['AWS_ENDPOINT_URL'] ?? '',
        AWS_ACCESS_KEY_ID: process.env['AWS_ACCESS_KEY_ID'] ?? '',
        AWS_SECRET_ACCESS_KEY: process.env['AWS_SECRET_ACCESS_KEY'] ?? '',
      };
      child = spawn(
        process.execPath,
        [join(REPO, 'analysis-provider/dist/main.js'), ...container.args.map(reroot)],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
      for (let attempt = 0; ; attempt += 1) {
        if (child.exitCode !== null)
          throw new Error(`the provider exited ${child.exitCode}:\n${logs.join('')}`);
        const ready = await fetch(`${base}/readyz`).catch(() => undefined);
        if (ready?.status === 200) break;
        if (attempt > 150) throw new Error(`the provider never became ready:\n${logs.join('')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });

    afterAll(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });

    it('starts with the rendered configuration, approval gate included, and says so in its log', () => {
      const text = logs.join('');
      expect(text).toContain('"listening"');
      expect(text).toContain(`"store":"leases in namespace ${home}"`);
      expect(text).not.toMatch(/"level":"(warn|error)"/);
      // A token is never logged.
      expect(text).not.toContain(token);
    });

    const drainTiming = (namespace: string): Promise<Response> =>
      fetch(`${base}/v1/checks/drain-timing`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ namespace, name: 'web', kind: 'Deployment' }),
      });

    it('measures a workload through the chart’s RBAC (no load balancer reaches it: Inconclusive)', async () => {
      const res = await drainTiming(app);
      const body = (await res.json()) as { phase: string; reason: string };
      expect({ status: res.status, phase: body.phase }).toEqual({ status: 200, phase: 'Inconclusive' });
      // It read the Deployment (get) and found no Service or Ingress routing to it (lists) — all allowed.
      expect(body.reason).toContain(`no load balancer reaches Deployment ${app}/web`);
    });

    it('refuses a namespace outside the configured allow-list before asking the cluster', async () => {
      const res = await drainTiming(home);
      expect(res.status).toBe(403);
      expect(JSON.stringify(await res.json())).toContain(home);
    });

    it('serves the approval gate’s webhook, which refuses an unsigned delivery', async () => {
      // Without the App's settings there is no such route (404): a 401 shows the gate was configured.
      const res = await fetch(`${base}/github/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'deployment_protection_rule' },
        body: '{}',
      });
      expect(res.status).toBe(401);
    });

    it('drains on SIGTERM and exits within the grace period left after preStop', async () => {
      const pod = (only(manifests, 'Deployment') as unknown as { spec: { template: { spec: PodSpec } } }).spec
        .template.spec;
      const preStop = pod.containers[0]?.lifecycle.preStop.sleep.seconds ?? 0;
      const budgetMs = (pod.terminationGracePeriodSeconds - preStop) * 1000;
      const started = performance.now();
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      // Readiness fails as soon as the signal is handled, while requests are still served, so the endpoint
      // leaves the Service before the listener closes.
      let readiness = 200;
      for (let attempt = 0; readiness === 200 && attempt < 50; attempt += 1) {
        readiness = (await fetch(`${base}/readyz`)).status;
        if (readiness === 200) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(readiness).toBe(503);
      expect(await exited).toBe(0);
      expect(performance.now() - started).toBeLessThan(budgetMs);
    }, 60_000);
  },
);
