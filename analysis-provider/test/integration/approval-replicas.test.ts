// Three provider processes behind one address, sharing their approval decisions through the real API server
// (etcd + kube-apiserver, as a ServiceAccount with the chart's Role), driven by signed deliveries and answering
// the GitHub stand-in: every deployment gets exactly one review whatever happens to the replicas or the API
// server in between.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server as TcpServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeLeaseStore } from '@draingate/kube';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  adminKubeConfig,
  awsClientConfig,
  hasPeer,
  kubeConfigForToken,
  kubeServer,
  mintServiceAccountToken,
  uniqueName,
} from '../../../test/peers/index.js';
import { REPO, createObject } from '../../../test/chart/chart.js';
import type { Manifest } from '../../../test/chart/chart.js';
import { decisionKeyOf, parseRecord, recordNameOf } from '../../src/approval/decision-record.js';
import type { DecisionRecord } from '../../src/approval/decision-record.js';
import { DECISION_LABEL } from '../../src/approval/lease-decision-store.js';
import { WEBHOOK_SECRET, aDelivery, aProtectionRuleEvent, appKeyPair } from '../../src/testing/github.js';
import { startFakeGitHub } from './fake-github.js';
import { createAlb } from './world.js';
import type { FakeGitHub } from './fake-github.js';
import { GitHubOpenApiJudge, loadGitHubOpenApi } from './github-openapi.js';

const APP_ID = 4321;
const REPO_ID = 1296269;
/** Short, so that a lost replica's decisions move on in seconds. */
const LEASE_SECONDS = 2;
const OBSERVE_SECONDS = 4;
// moto has no traffic for the load balancer: the elb-5xx check is Inconclusive, which `approve` approves and
// `reject` rejects — a known answer per environment, from the real AWS adapters.
const policyFor = (lbArn: string): string => `
environments:
  production:
    observeSeconds: ${OBSERVE_SECONDS}
    onInconclusive: approve
    checks: [ { check: elb-5xx, loadBalancerArn: "${lbArn}" } ]
  strict:
    observeSeconds: 0
    interimComments: false
    checks: [ { check: elb-5xx, loadBalancerArn: "${lbArn}" } ]
`;

/** A TCP relay in front of the API server that can refuse everything for a while (an outage). */
async function startRelay(
  target: URL,
): Promise<{ url: string; cut(): void; restore(): void; close(): void }> {
  const sockets = new Set<Socket>();
  let down = false;
  const server: TcpServer = createTcpServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut: () => {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => {
      down = false;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** One address for the replicas, like a Service: each request to the next replica that answers. */
async function startRoundRobin(targets: () => string[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const server: HttpServer = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const all = targets();
        for (let tried = 0; tried < all.length; tried += 1) {
          const base = all[next++ % all.length];
          try {
            const answer = await fetch(`${base}${req.url ?? '/'}`, {
              method: req.method ?? 'POST',
              headers: Object.fromEntries(
                Object.entries(req.headers).filter(
                  ([k]) => !['host', 'connection', 'content-length'].includes(k),
                ),
              ) as Record<string, string>,
              body: Buffer.concat(chunks),
            });
            res.writeHead(answer.status, {
              'content-type': answer.headers.get('content-type') ?? 'text/plain',
            });
            res.end(Buffer.from(await answer.arrayBuffer()));
            return;
          } catch {
            // Not listening (killed, restarting): the next one.
          }
        }
        res.writeHead(502).end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Replica {
  readonly id: string;
  readonly port: number;
  child: ChildProcess;
  readonly logs: string[];
}

describe.skipIf(!(hasPeer('kube') && hasPeer('aws')))(
  'the approval gate on three replicas sharing Leases',
  () => {
    const namespace = uniqueName('dg-approval');
    const dir = mkdtempSync(join(tmpdir(), 'draingate-replicas-'));
    const judge = new GitHubOpenApiJudge(loadGitHubOpenApi());
    let github: FakeGitHub;
    let relay: Awaited<ReturnType<typeof startRelay>>;
    let front: Awaited<ReturnType<typeof startRoundRobin>>;
    let leases: KubeLeaseStore;
    const replicas: Replica[] = [];
    let runId = 7000;
    let deploymentId = 90_000;
    let kubeconfig: string;
    let files: { key: string; secret: string; policy: string };

    async function freePort(): Promise<number> {
      const server = createTcpServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      await new Promise((resolve) => server.close(resolve));
      return port;
    }

    async function startReplica(id: string, port?: number, redriveMinutes = 0): Promise<Replica> {
      const replica: Replica = { id, port: port ?? (await freePort()), child: undefined as never, logs: [] };
      replica.child = spawn(
        process.execPath,
        [
          join(REPO, 'analysis-provider/dist/main.js'),
          ...['--host', '127.0.0.1', '--port', String(replica.port), '--insecure-no-auth'],
          ...['--shutdown-delay-seconds', '0', '--shutdown-timeout-seconds', '1', '--kube', 'off'],
          ...['--kubeconfig', kubeconfig, '--kube-timeout-ms', '2000'],
          ...['--github-app-id', String(APP_ID), '--github-api-url', github.url],
          ...['--github-private-key-file', files.key, '--github-webhook-secret-file', files.secret],
          ...['--approval-policy', files.policy, '--approval-state-namespace', namespace],
          ...['--approval-replica-id', id, '--approval-lease-seconds', String(LEASE_SECONDS)],
          ...['--approval-redrive-minutes', String(redriveMinutes), '--aws-region', awsClientConfig().region],
        ],
        { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      replica.child.stdout?.on('data', (c: Buffer) => replica.logs.push(c.toString()));
      replica.child.stderr?.on('data', (c: Buffer) => replica.logs.push(c.toString()));
      for (let attempt = 0; ; attempt += 1) {
        if (replica.child.exitCode !== null) throw new Error(`${id} exited:\n${replica.logs.join('')}`);
        const ready = await fetch(`http://127.0.0.1:${replica.port}/readyz`).catch(() => undefined);
        if (ready?.status === 200) break;
        if (attempt > 200) throw new Error(`${id} never became ready:\n${replica.logs.join('')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return replica;
    }

    async function stop(replica: Replica, signal: NodeJS.Signals): Promise<void> {
      if (replica.child.exitCode !== null || replica.child.signalCode !== null) return;
      const exited = new Promise((resolve) => replica.child.once('exit', resolve));
      replica.child.kill(signal);
      await exited;
    }

    function aRequest(environment: string, run = runId, deployment = deploymentId) {
      return aDelivery({
        ...aProtectionRuleEvent({ apiUrl: github.url, runId: run, repositoryId: REPO_ID, environment }),
        deployment: { id: deployment },
      });
    }

    async function post(delivery: { body: string; headers: Record<string, string> }): Promise<number> {
      const res = await fetch(`${front.url}/github/webhook`, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      });
      await res.arrayBuffer();
      return res.status;
    }

    function reviewsOf(run: number): { state: string; comment: string }[] {
      return github.reviews.filter((r) => r.runId === String(run));
    }

    async function until(
      what: string,
      done: () => boolean | Promise<boolean>,
      timeoutMs = 30_000,
    ): Promise<void> {
      const started = Date.now();
      while (!(await done())) {
        if (Date.now() - started > timeoutMs)
          throw new Error(
            `${what}: not within ${timeoutMs} ms\n${replicas.map((r) => r.logs.join('')).join('\n')}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    async function recordOf(
      environment: string,
      run: number,
      deployment: number,
    ): Promise<DecisionRecord | undefined> {
      const key = decisionKeyOf({
        target: { owner: 'shop', repo: 'web', runId: String(run), repositoryId: REPO_ID, installationId: 77 },
        environment,
        deploymentId: deployment,
      });
      const document = await leases.read(recordNameOf(key));
      return document ? parseRecord(document.text) : undefined;
    }

    beforeAll(async () => {
      const admin = adminKubeConfig();
      // The chart's Role for the decisions, bound to a ServiceAccount whose token the replicas use.
      const token = await mintServiceAccountToken(namespace, 'analysis-provider');
      await createObject(admin, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'approval-state', namespace },
        rules: [
          {
            apiGroups: ['coordination.k8s.io'],
            resources: ['leases'],
            verbs: ['get', 'list', 'create', 'update', 'delete'],
          },
        ],
      } as Manifest);
      await createObject(admin, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'approval-state', namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'approval-state' },
        subjects: [{ kind: 'ServiceAccount', name: 'analysis-provider', namespace }],
      } as Manifest);
      relay = await startRelay(new URL(kubeServer()));
      const config = kubeConfigForToken(token, 'analysis-provider');
      const cluster = config.getCurrentCluster();
      if (!cluster) throw new Error('no cluster');
      config.clusters = [{ ...cluster, server: relay.url }];
      kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, config.exportConfig());
      leases = new KubeLeaseStore(admin, namespace, DECISION_LABEL);
      files = {
        key: join(dir, 'app.pem'),
        secret: join(dir, 'secret'),
        policy: join(dir, 'policy.yaml'),
      };
      writeFileSync(files.key, appKeyPair().privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
      writeFileSync(files.secret, WEBHOOK_SECRET);
      const alb = await createAlb('dg-gate');
      writeFileSync(files.policy, policyFor(alb.lbArn));
      front = await startRoundRobin(() =>
        replicas
          .filter((r) => r.child.exitCode === null && r.child.signalCode === null)
          .map((r) => `http://127.0.0.1:${r.port}`),
      );
      github = await startFakeGitHub({
        judge,
        appId: APP_ID,
        appPublicKey: appKeyPair().publicKey,
        repositories: { 'shop/web': REPO_ID },
        basePath: '/api/v3',
        webhookUrl: () => `${front.url}/github/webhook`,
      });
      for (const id of ['replica-a', 'replica-b', 'replica-c']) replicas.push(await startReplica(id));
    }, 120_000);

    afterEach(() => {
      runId += 1;
      deploymentId += 1;
      expect(github.problems()).toEqual([]);
    });

    afterAll(async () => {
      await Promise.all(replicas.map((r) => stop(r, 'SIGKILL')));
      await front?.close();
      relay?.close();
      await github?.close();
    });

    it('a burst of redeliveries across the replicas → one record, one review', async () => {
      const delivery = aRequest('production');
      // GitHub's redeliveries keep the delivery id; a captured body replayed under new ids is the same deployment.
      const replayed = Array.from({ length: 5 }, () => ({
        body: delivery.body,
        headers: { ...delivery.headers, 'x-github-delivery': randomUUID() },
      }));
      const statuses = await Promise.all([
        ...Array.from({ length: 10 }, () => post(delivery)),
        ...replayed.map((d) => post(d)),
      ]);
      expect(statuses.filter((s) => s === 202)).toHaveLength(1);
      expect(statuses.filter((s) => s === 200)).toHaveLength(14);
      await until('the review', () => reviewsOf(runId).length === 1);
      await until(
        'the record closed',
        async () => (await recordOf('production', runId, deploymentId))?.phase === 'done',
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(reviewsOf(runId).map((r) => r.state)).toEqual(['approved']);
      const comments = github.comments.filter((c) => c.runId === String(runId));
      expect(comments).toHaveLength(1);
      expect(comments[0]?.comment).toContain(`measures elb-5xx at`);
      expect(await recordOf('production', runId, deploymentId)).toMatchObject({
        phase: 'done',
        outcome: 'approved',
      });
    });

    it('a re-run after a rejection (same run id, new deployment id) → a new decision, and the old one stays answered', async () => {
      expect(await post(aRequest('strict'))).toBe(202);
      await until('the rejection', () => reviewsOf(runId).length === 1);
      expect(reviewsOf(runId)[0]?.state).toBe('rejected');
      github.rerun(String(runId), 'strict');
      expect(await post(aRequest('strict'))).toBe(200);
      expect(await post(aRequest('strict', runId, deploymentId + 500))).toBe(202);
      await until('the re-run decision', () => reviewsOf(runId).length === 2);
      await until(
        'the record closed',
        async () => (await recordOf('strict', runId, deploymentId + 500))?.phase === 'done',
      );
      expect(await recordOf('strict', runId, deploymentId + 500)).toMatchObject({ outcome: 'rejected' });
    });

    it('the owning replica SIGKILLed mid-observation → another finishes after the lease and posts once', async () => {
      expect(await post(aRequest('production'))).toBe(202);
      const record = await recordOf('production', runId, deploymentId);
      const owner = replicas.find((r) => r.id === record?.owner);
      if (!owner) throw new Error(`no owner: ${JSON.stringify(record)}`);
      await stop(owner, 'SIGKILL');
      const killedAt = Date.now();
      await until('the review by another replica', () => reviewsOf(runId).length === 1);
      const took = Date.now() - killedAt;
      // The record is closed right after the post.
      await until(
        'the record closed',
        async () => (await recordOf('production', runId, deploymentId))?.phase === 'done',
      );
      const done = await recordOf('production', runId, deploymentId);
      expect(done).toMatchObject({ phase: 'done', outcome: 'approved', takeovers: 1 });
      expect(done?.owner).not.toBe(owner.id);
      // At most: the lease, a sweep (half a lease), the rest of the observation, and a margin for the machine.
      expect(took).toBeLessThan((LEASE_SECONDS * 1.5 + OBSERVE_SECONDS + 5) * 1000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(reviewsOf(runId)).toHaveLength(1);
      replicas[replicas.indexOf(owner)] = await startReplica(owner.id, owner.port);
    }, 60_000);

    it('a rolling restart during observation → every pending deployment answered exactly once', async () => {
      const runs = Array.from({ length: 6 }, (_, i) => runId * 10 + i);
      for (const run of runs) expect(await post(aRequest('production', run))).toBe(202);
      for (let i = 0; i < replicas.length; i += 1) {
        const old = replicas[i] as Replica;
        await stop(old, 'SIGTERM');
        replicas[i] = await startReplica(old.id, old.port);
      }
      await until('every review', () => runs.every((run) => reviewsOf(run).length === 1), 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(runs.map((run) => reviewsOf(run).map((r) => r.state))).toEqual(runs.map(() => ['approved']));
      const handedOver = replicas.flatMap((r) => r.logs).join('');
      expect(handedOver).not.toContain('"level":"error"');
    }, 90_000);

    it('the API server unavailable for a while → new deliveries refused (503), pending ones wait and resume, none lost', async () => {
      const runs = Array.from({ length: 3 }, (_, i) => runId * 10 + i);
      for (const run of runs) expect(await post(aRequest('production', run))).toBe(202);
      relay.cut();
      const during = aRequest('production', runId * 10 + 9);
      expect(await post(during)).toBe(503);
      // Longer than the observation and the lease: decisions are ready to post, and no lease is alive.
      await new Promise((resolve) => setTimeout(resolve, (OBSERVE_SECONDS + LEASE_SECONDS + 1) * 1000));
      expect(runs.map((run) => reviewsOf(run).length)).toEqual([0, 0, 0]);
      relay.restore();
      await until('the pending reviews', () => runs.every((run) => reviewsOf(run).length === 1), 30_000);
      // GitHub's redelivery of the refused one (same body and id) is taken now.
      expect(await post(during)).toBe(202);
      await until('the refused one', () => reviewsOf(runId * 10 + 9).length === 1, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect([...runs, runId * 10 + 9].map((run) => reviewsOf(run).length)).toEqual([1, 1, 1, 1]);
    }, 60_000);

    it('on start, a replica asks GitHub to redeliver what got no 2xx, and the redelivery is decided once', async () => {
      // A delivery that found every replica down: GitHub logged it as failed and does not retry by itself.
      const saved = replicas.splice(0);
      const missed = aRequest('production');
      expect(await github.deliver(missed)).toBe(502);
      const answered = aRequest('production', runId + 100_000);
      replicas.push(...saved);
      expect(await github.deliver(answered)).toBe(202);
      const extra = await startReplica('replica-d', undefined, 60);
      replicas.push(extra);
      await until('the redelivery', () => github.redelivered.length === 1);
      const [redelivered] = github.redelivered;
      expect(github.deliveries.find((d) => d.id === redelivered)?.guid).toBe(
        missed.headers['x-github-delivery'],
      );
      await until('the review of the missed one', () => reviewsOf(runId).length === 1, 30_000);
      expect(extra.logs.join('')).toContain('"redelivered":1');
    }, 60_000);
  },
);
