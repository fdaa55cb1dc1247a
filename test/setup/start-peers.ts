// Starts the peers built by toolchain.ts on 127.0.0.1, once per test run, and stops them again.
//
// Every server runs in its own process group (detached) so that a stop can take its whole tree down, and a
// small watchdog process kills the groups if this process disappears without running its teardown (SIGKILL,
// a crash). Nothing binds beyond 127.0.0.1.

import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  KubeConfig,
  loadAllYaml,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import type { PeersInfo } from './peers-info.js';
import { VERSIONS, type Toolchain } from './toolchain.js';

const HOST = '127.0.0.1';

export interface RunningPeers {
  info: PeersInfo;
  /** Graceful: SIGTERM, wait, SIGKILL after 3 s; removes the run directory. */
  stop: () => Promise<void>;
  /** Synchronous, for signal handlers: SIGKILL everything now and remove the run directory. */
  killNow: () => void;
}

interface Managed {
  name: string;
  child: ChildProcess;
  logFile: string;
}

// Runs detached (its own process group, so a Ctrl-C aimed at the test runner does not reach it) with a pipe
// from this process on stdin. Each line is a process-group id to guard; "clear" forgets them. When the pipe
// closes without "clear" — this process died without tearing down, however it died — it SIGKILLs every group.
const WATCHDOG = `
let groups = new Set();
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i).trim();
    buf = buf.slice(i + 1);
    if (line === 'clear') groups = new Set();
    else if (/^[0-9]+$/.test(line)) groups.add(Number(line));
  }
});
process.stdin.on('close', () => {
  for (const g of groups) { try { process.kill(-g, 'SIGKILL'); } catch {} }
  process.exit(0);
});
`;

class ProcessSet {
  private readonly procs: Managed[] = [];
  private readonly onExit = (): void => this.killAllNow();
  private readonly watchdog: ChildProcess;

  constructor(readonly runDir: string) {
    process.once('exit', this.onExit);
    this.watchdog = spawn(process.execPath, ['-e', WATCHDOG], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    this.watchdog.unref();
    // The pipe must not keep the test runner alive either.
    const pipe = this.watchdog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
    pipe?.unref?.();
  }

  start(name: string, cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Managed {
    const logFile = join(this.runDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env });
    closeSync(fd);
    const managed = { name, child, logFile };
    this.procs.push(managed);
    if (child.pid !== undefined) this.watchdog.stdin?.write(`${child.pid}\n`);
    return managed;
  }

  /** The last lines of a server's log, for error messages. */
  logTail(m: Managed, lines = 30): string {
    try {
      return readFileSync(m.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /**
   * SIGTERM each group, newest first (kube-apiserver before the etcd it writes to), and SIGKILL what has not
   * exited after `graceMs`.
   */
  async stopAll(graceMs = 3_000): Promise<void> {
    for (const { child } of [...this.procs].reverse()) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
      const pid = child.pid;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // The server may have left children of its own in the group.
      signalGroup(pid, 'SIGKILL');
    }
    this.procs.length = 0;
    this.releaseWatchdog();
  }

  /** Synchronous, for exit and signal handlers: SIGKILL every group now. */
  killAllNow(): void {
    for (const { child } of this.procs) if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    this.procs.length = 0;
    this.releaseWatchdog();
  }

  private releaseWatchdog(): void {
    process.removeListener('exit', this.onExit);
    if (this.watchdog.stdin?.writable) this.watchdog.stdin.end('clear\n');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === 'object' && addr ? resolvePort(addr.port) : reject(new Error('no port')),
      );
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(
  what: string,
  m: Managed,
  procs: ProcessSet,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (m.child.exitCode !== null || m.child.signalCode !== null) {
      throw new Error(
        `${what} exited (${m.child.exitCode ?? m.child.signalCode}) while starting:\n${procs.logTail(m)}`,
      );
    }
    if (await probe().catch(() => false)) return;
    if (performance.now() > deadline) {
      throw new Error(`${what} was not ready after ${timeoutMs / 1000} s:\n${procs.logTail(m)}`);
    }
    await sleep(150);
  }
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  return res.ok;
}

function httpsGet(url: string, ca: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 2_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function startMoto(procs: ProcessSet, motoServer: string): Promise<NonNullable<PeersInfo['aws']>> {
  const port = await freePort();
  const m = procs.start('moto', motoServer, ['-H', HOST, '-p', String(port)], {
    ...process.env,
    PYTHONUNBUFFERED: '1',
  });
  const endpoint = `http://${HOST}:${port}`;
  await waitFor('moto_server', m, procs, () => httpOk(`${endpoint}/moto-api/data.json`), 60_000);
  return { endpoint, region: 'us-east-1', accessKeyId: 'testing', secretAccessKey: 'testing' };
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  await new Promise<void>((resolveRun, reject) => {
    const child = spawn('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolveRun() : reject(new Error(`openssl ${args.join(' ')} failed: ${err}`)),
    );
  });
}

/** A throwaway CA, a serving certificate for 127.0.0.1 signed by it, and a service-account signing key. */
async function generateCertificates(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '7',
      '-subj',
      '/CN=draingate-test-ca',
    ],
    dir,
  );
  await writeFile(
    join(dir, 'serving.ext'),
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc',
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  await openssl(
    ['req', ...ec, '-keyout', 'apiserver.key', '-out', 'apiserver.csr', '-subj', '/CN=kube-apiserver'],
    dir,
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      'apiserver.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'apiserver.crt',
      '-days',
      '7',
      '-extfile',
      'serving.ext',
    ],
    dir,
  );
  const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writeFile(join(dir, 'sa.key'), sa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(join(dir, 'sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }));
}

function kubeconfigYaml(server: string, ca: string, token: string): string {
  // JSON is valid YAML, and avoids hand-rolling YAML quoting.
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'draingate-test',
          cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') },
        },
      ],
      users: [{ name: 'draingate-admin', user: { token } }],
      contexts: [
        {
          name: 'draingate-test',
          context: { cluster: 'draingate-test', user: 'draingate-admin', namespace: 'default' },
        },
      ],
      'current-context': 'draingate-test',
    },
    null,
    2,
  );
}

async function startKube(
  procs: ProcessSet,
  tc: Toolchain,
  runDir: string,
): Promise<NonNullable<PeersInfo['kube']>> {
  if (!tc.etcd || !tc.kubeApiserver || !tc.crdFiles) throw new Error('kube peers were not built');
  const certs = join(runDir, 'pki');
  await generateCertificates(certs);

  const [clientPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://${HOST}:${clientPort}`;
  const peerUrl = `http://${HOST}:${peerPort}`;
  const etcd = procs.start('etcd', tc.etcd, [
    '--name=draingate',
    `--data-dir=${join(runDir, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=draingate=${peerUrl}`,
    // Test data is thrown away at the end; fsync only slows every write.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  await waitFor('etcd', etcd, procs, () => httpOk(`${etcdUrl}/health`), 30_000);

  const adminToken = randomBytes(24).toString('hex');
  await writeFile(
    join(certs, 'tokens.csv'),
    `${adminToken},draingate-admin,draingate-admin,"system:masters"\n`,
  );
  const server = `https://${HOST}:${apiPort}`;
  const api = procs.start('kube-apiserver', tc.kubeApiserver, [
    `--etcd-servers=${etcdUrl}`,
    `--bind-address=${HOST}`,
    `--advertise-address=${HOST}`,
    `--secure-port=${apiPort}`,
    `--tls-cert-file=${join(certs, 'apiserver.crt')}`,
    `--tls-private-key-file=${join(certs, 'apiserver.key')}`,
    `--token-auth-file=${join(certs, 'tokens.csv')}`,
    '--anonymous-auth=false',
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${join(certs, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(certs, 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    // No controller-manager runs, so no "default" ServiceAccount appears in new namespaces; without this,
    // admission would refuse every Pod created directly by a test.
    '--disable-admission-plugins=ServiceAccount',
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    `--cert-dir=${certs}`,
  ]);
  const ca = await readFile(join(certs, 'ca.crt'), 'utf8');
  await waitFor(
    'kube-apiserver',
    api,
    procs,
    async () => (await httpsGet(`${server}/readyz`, ca, adminToken)).status === 200,
    60_000,
  );

  const kubeconfig = join(runDir, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigYaml(server, ca, adminToken), { mode: 0o600 });
  await installCrds(kubeconfig, tc.crdFiles);
  return {
    server,
    kubeconfig,
    caFile: join(certs, 'ca.crt'),
    adminToken,
    version: VERSIONS.kubernetes,
    ...(tc.kubectl ? { kubectl: tc.kubectl } : {}),
  };
}

async function installCrds(kubeconfig: string, files: readonly string[]): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const crds = files.flatMap((f) => loadAllYaml(readFileSync(f, 'utf8')) as V1CustomResourceDefinition[]);
  await Promise.all(crds.map((body) => api.createCustomResourceDefinition({ body })));
  const deadline = performance.now() + 30_000;
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    for (;;) {
      const got = await api.readCustomResourceDefinition({ name });
      if (got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (performance.now() > deadline) throw new Error(`CRD ${name} was not Established after 30 s`);
      await sleep(100);
    }
  }
}

/** Starts every peer the toolchain has, in parallel where they are independent. */
export async function startPeers(tc: Toolchain): Promise<RunningPeers> {
  const runDir = await mkdtemp(join(tmpdir(), 'draingate-peers-'));
  const procs = new ProcessSet(runDir);
  const info: PeersInfo = { missing: { ...tc.missing } };
  const stop = async (): Promise<void> => {
    await procs.stopAll();
    if (!process.env.DRAINGATE_KEEP_PEER_LOGS) await rm(runDir, { recursive: true, force: true });
  };
  const killNow = (): void => {
    procs.killAllNow();
    if (!process.env.DRAINGATE_KEEP_PEER_LOGS) rmSync(runDir, { recursive: true, force: true });
  };
  try {
    const [aws, kube] = await Promise.all([
      tc.motoServer ? startMoto(procs, tc.motoServer) : undefined,
      tc.kubeApiserver ? startKube(procs, tc, runDir) : undefined,
    ]);
    if (aws) info.aws = aws;
    if (kube) info.kube = kube;
    if (tc.helm) info.helm = { bin: tc.helm, version: VERSIONS.helm };
    if (tc.argoJudge) info.argo = { judge: tc.argoJudge, version: VERSIONS.argoRollouts };
    // Started by the tests that need one, each with its own storage.
    if (tc.registry) info.registry = { bin: tc.registry, version: VERSIONS.distribution };
    if (tc.actionlint) info.actionlint = { bin: tc.actionlint, version: VERSIONS.actionlint };
    if (tc.kubeControllerManager && tc.rolloutsController && tc.experimentCrd && kube) {
      info.control = {
        kubeControllerManager: tc.kubeControllerManager,
        rolloutsController: tc.rolloutsController,
        experimentCrd: tc.experimentCrd,
        kubernetesVersion: VERSIONS.kubernetes,
        argoRolloutsVersion: VERSIONS.argoRollouts,
      };
    }
    return { info, stop, killNow };
  } catch (err) {
    procs.killAllNow();
    throw new Error(
      `starting the test peers failed (logs in ${runDir}): ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  }
}
