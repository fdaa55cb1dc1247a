// Faults and bad input: each a typed, precise error, quickly, never a raw client exception or a hang.

import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, UpstreamError } from '@draingate/core';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminKubeConfig,
  hasPeer,
  kubeConfigForToken,
  kubeconfigPath,
  mintServiceAccountToken,
} from '../../../../test/peers/index.js';
import { createKubeAdapters, loadKubeConfig } from '../../src/index.js';
import { admin, createDeployment, freshNamespace } from '../../../../test/peers/cluster.js';

/** A KubeConfig for `server` with a token; TLS is never reached for a closed port or a silent socket. */
function configFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'x' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

describe.skipIf(!hasPeer('kube'))('faults against kube-apiserver', () => {
  it('a ServiceAccount token without permission → access-denied (403) naming the object', async () => {
    const a = admin();
    const ns = await freshNamespace(a, 'deny');
    await createDeployment(a, ns, 'web', 'shop/web:1');
    const token = await mintServiceAccountToken(ns, 'nobody');
    const kube = createKubeAdapters({ config: kubeConfigForToken(token) });
    const ref = { kind: 'Deployment', namespace: ns, name: 'web' } as const;

    const status = await kube.cluster.readRolloutStatus(ref).catch((e: unknown) => e);
    expect(status).toBeInstanceOf(UpstreamError);
    expect(status).toMatchObject({
      service: 'kubernetes',
      operation: 'readRolloutStatus',
      failure: 'access-denied',
      retryable: false,
    });
    expect((status as Error).message).toMatch(
      new RegExp(`access denied \\(403\\) to Deployment ${ns}/web: .*forbidden`),
    );

    const pods = await kube.cluster.listPods(ns, { app: 'web' }).catch((e: unknown) => e);
    expect(pods).toMatchObject({ failure: 'access-denied', operation: 'listPods' });

    const rollback = await kube.actuator.rollback(ref, {}, { dryRun: true }).catch((e: unknown) => e);
    expect(rollback).toMatchObject({ failure: 'access-denied', operation: 'rollback' });
  });

  it('a token the API server does not know → access-denied (401)', async () => {
    const kube = createKubeAdapters({ config: kubeConfigForToken('not-a-real-token') });
    const err = await kube.cluster.listPods('default', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ failure: 'access-denied' });
    expect((err as Error).message).toMatch(/did not accept the credentials \(401\)/);
  });

  it('an API server that is down (closed port) → unavailable, quickly', async () => {
    const port = await closedPort();
    const kube = createKubeAdapters({ config: configFor(`https://127.0.0.1:${port}`), callTimeoutMs: 5_000 });
    const started = performance.now();
    const err = await kube.cluster
      .readRolloutStatus({ kind: 'Deployment', namespace: 'shop', name: 'web' })
      .catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ failure: 'unavailable', retryable: true });
    expect((err as Error).message).toMatch(
      /Deployment shop\/web: cannot reach the API server \(ECONNREFUSED\)/,
    );
  });

  describe('an API server that answers with errors', () => {
    let server: HttpServer;
    let port: number;
    beforeAll(async () => {
      // Answers like an overloaded or broken API server: the status code from the path's last segment.
      server = createHttpServer((req, res) => {
        const code = Number(/\/(\d{3})$/.exec(req.url ?? '')?.[1] ?? 500);
        res.writeHead(code, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            message: `synthetic ${code}`,
            code,
          }),
        );
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => {
      server.close();
    });

    it.each([
      { code: 429, failure: 'throttled', retryable: true },
      { code: 503, failure: 'unavailable', retryable: true },
      { code: 500, failure: 'unavailable', retryable: true },
      { code: 504, failure: 'timeout', retryable: true },
    ])('$code → $failure', async ({ code, failure, retryable }) => {
      const kube = createKubeAdapters({ config: configFor(`http://127.0.0.1:${port}`) });
      const err = await kube.cluster
        .readRolloutStatus({ kind: 'Deployment', namespace: 'shop', name: String(code) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect(err).toMatchObject({
        service: 'kubernetes',
        operation: 'readRolloutStatus',
        failure,
        retryable,
      });
      expect((err as Error).message).toBe(
        `kubernetes readRolloutStatus: Deployment shop/${code}: the API server answered ${code}: synthetic ${code}`,
      );
    });
  });

  describe('an API server that accepts connections and never answers', () => {
    let silent: Server;
    let port: number;
    const held: Socket[] = [];
    beforeAll(async () => {
      // Holds every socket and says nothing.
      silent = createServer((socket) => held.push(socket));
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
      port = (silent.address() as { port: number }).port;
    });
    afterAll(() => {
      for (const socket of held) socket.destroy();
      silent.close();
    });

    it('→ timeout at the per-call deadline', async () => {
      const kube = createKubeAdapters({ config: configFor(`https://127.0.0.1:${port}`), callTimeoutMs: 300 });
      const started = performance.now();
      const err = await kube.cluster.listPods('shop', { app: 'web' }).catch((e: unknown) => e);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(2_000);
      expect(err).toMatchObject({ failure: 'timeout', operation: 'listPods', retryable: true });
      expect((err as Error).message).toMatch(
        /Pods in shop matching app=web: the API server did not answer within 300 ms/,
      );
    });

    it('→ the caller’s AbortSignal ends the call sooner', async () => {
      const kube = createKubeAdapters({
        config: configFor(`https://127.0.0.1:${port}`),
        callTimeoutMs: 10_000,
      });
      const started = performance.now();
      const err = await kube.cluster
        .readLiveObjects({ kind: 'Deployment', namespace: 'shop', name: 'web' }, AbortSignal.timeout(200))
        .catch((e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(err).toMatchObject({ failure: 'timeout', retryable: false });
      expect((err as Error).message).toMatch(
        /Deployment shop\/web: cancelled by the caller: its deadline passed/,
      );
    });
  });

  describe('kubeconfig (the rest is in src/config.test.ts)', () => {
    it('the harness kubeconfig loads and reaches the API server', async () => {
      const kube = createKubeAdapters({ kubeconfig: kubeconfigPath() });
      const ns = await freshNamespace(admin(), 'cfg');
      await expect(kube.cluster.listPods(ns, {})).resolves.toEqual([]);
    });

    it('a kubeconfig that does not parse → InputError from createKubeAdapters, before any call', () => {
      const file = join(mkdtempSync(join(tmpdir(), 'draingate-kube-')), 'bad.yaml');
      writeFileSync(file, 'apiVersion: v1\nclusters: [\n  - name: {');
      expect(() => createKubeAdapters({ kubeconfig: file })).toThrow(InputError);
      expect(() => createKubeAdapters({ kubeconfig: file })).toThrow(
        /^kubeconfig: .*bad.yaml is not a valid kubeconfig: [^\n]+$/,
      );
    });

    it('a context the harness kubeconfig does not have → InputError naming the ones it has', () => {
      const contexts = adminKubeConfig()
        .getContexts()
        .map((c) => `"${c.name}"`);
      expect(() => loadKubeConfig({ kubeconfig: kubeconfigPath(), context: 'prod' })).toThrow(
        `context: no context "prod" in ${kubeconfigPath()} (it has ${contexts.join(', ')})`,
      );
    });
  });
});
