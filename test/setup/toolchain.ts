// Builds (or finds in the cache) every real peer the integration tests talk to: moto_server in a virtualenv,
// etcd, kube-apiserver, helm and Argo Rollouts' judge, all from the package registries (PyPI and the Go module
// proxy), plus the CRDs taken from the Argo Rollouts, AWS Load Balancer Controller and Gateway API module zips.
//
// This file imports nothing but node builtins and uses only erasable TypeScript, so Node 24 can run it
// directly (test/setup/peers-cli.mjs) as well as vitest (test/setup/global-setup.ts).

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every pinned version in one place; the cache is keyed by these. */
export const VERSIONS = {
  moto: '5.2.5',
  botocore: '1.44.5',
  boto3: '1.44.5',
  etcd: 'v3.6.16',
  // A version EKS supports in standard support.
  kubernetes: 'v1.34.4',
  helm: 'v3.22.0',
  argoRollouts: 'v1.10.1',
  // The controller tags v2.x.y/v3.x.y, but its module path has no major-version suffix, so the Go module proxy
  // can only serve it by pseudo-version. This is the commit of 2026-04-23 whose chart says appVersion v3.2.2.
  awsLoadBalancerController: 'v0.0.0-20260423195125-93ff3b5fdaad',
  // The Gateway API the controller above builds against (its go.mod): CRDs for GatewayClass, Gateway and routes.
  gatewayApi: 'v1.5.0',
  // The CNCF distribution registry, for pushing and installing the chart as an OCI artifact.
  distribution: 'v3.1.2',
  // Lints the repository's GitHub workflows.
  actionlint: 'v1.7.12',
} as const;

/** The oldest Go that builds all of the above (Argo Rollouts v1.10.1 declares go 1.26.1). */
export const MIN_GO = '1.26.1';
const MIN_PYTHON = '3.9';

export type PeerName = 'aws' | 'kube' | 'helm' | 'argo' | 'control' | 'registry' | 'actionlint';
export const PEER_NAMES: readonly PeerName[] = [
  'aws',
  'kube',
  'helm',
  'argo',
  'control',
  'registry',
  'actionlint',
];

export interface Toolchain {
  /** Absolute paths of the built binaries and CRD files, per peer; absent when that peer is unavailable. */
  motoServer?: string;
  etcd?: string;
  kubeApiserver?: string;
  /** kubectl, for what only its own code decides (strategic-merge patches of fix snippets). */
  kubectl?: string;
  helm?: string;
  argoJudge?: string;
  registry?: string;
  actionlint?: string;
  crdFiles?: string[];
  /** The `control` peer: controllers that make the API server behave like a cluster (started per test file). */
  kubeControllerManager?: string;
  rolloutsController?: string;
  /** The controller watches Experiments too, whose CRD the `kube` peer does not install. */
  experimentCrd?: string;
  /** Why a peer is unavailable (missing toolchain), with what to install. */
  missing: Partial<Record<PeerName, string>>;
}

export interface BuildOptions {
  /** Only these peers; default all. */
  only?: readonly PeerName[];
  /** Progress lines (a cold build takes minutes). */
  log?: (line: string) => void;
}

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const judgeSourceDir = join(repoRoot, 'test', 'conformance', 'argo');

export function cacheRoot(): string {
  if (process.env.DRAINGATE_CACHE) return resolve(process.env.DRAINGATE_CACHE);
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'draingate');
}

/** A build that ran and failed: always a failure, never a skip. */
export class PeerBuildError extends Error {
  override name = 'PeerBuildError';
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

async function runOrThrow(
  what: string,
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-40).join('\n');
    throw new PeerBuildError(`${what} failed (exit ${r.code}): ${cmd} ${args.join(' ')}\n${tail}`);
  }
  return r.stdout;
}

function versionAtLeast(have: string, want: string): boolean {
  const a = have.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const b = want.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** Checks `go`; returns a message saying what to install, or undefined when it is fine. */
export async function checkGo(): Promise<string | undefined> {
  const r = await run('go', ['env', 'GOVERSION']).catch(() => undefined);
  if (!r || r.code !== 0) {
    return `Go ${MIN_GO} or newer is not installed (no \`go\` on PATH). Install it from https://go.dev/dl/ and make sure the Go module proxy (GOPROXY) is reachable.`;
  }
  const have = r.stdout.trim().replace(/^go/, '');
  if (!versionAtLeast(have, MIN_GO)) {
    return `Go ${have} is too old: building the peers needs Go ${MIN_GO} or newer (https://go.dev/dl/).`;
  }
  return undefined;
}

export async function checkPython(): Promise<string | undefined> {
  const r = await run('python3', [
    '-c',
    'import sys, venv, ensurepip; print("%d.%d" % sys.version_info[:2])',
  ]).catch(() => undefined);
  if (!r || r.code !== 0) {
    return `Python ${MIN_PYTHON}+ with the venv and ensurepip modules is not available (\`python3 -c "import venv, ensurepip"\` failed). Install python3 and python3-venv (Debian/Ubuntu: apt-get install python3 python3-venv).`;
  }
  if (!versionAtLeast(r.stdout.trim(), MIN_PYTHON)) {
    return `Python ${r.stdout.trim()} is too old for moto ${VERSIONS.moto}: install Python ${MIN_PYTHON} or newer.`;
  }
  return undefined;
}

export async function checkOpenssl(): Promise<string | undefined> {
  const r = await run('openssl', ['version']).catch(() => undefined);
  if (!r || r.code !== 0) {
    return 'openssl is not installed; kube-apiserver needs it to generate its certificates (Debian/Ubuntu: apt-get install openssl).';
  }
  return undefined;
}

/** Prints a progress line now and every 30 s while `work` runs, then how long it took. */
async function withProgress<T>(
  log: (line: string) => void,
  what: string,
  work: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  log(`draingate peers: ${what} (cold build, once per version; cached under ${cacheRoot()})`);
  const timer = setInterval(() => {
    log(`draingate peers: … still ${what} (${Math.round((performance.now() - started) / 1000)} s)`);
  }, 30_000);
  try {
    const result = await work();
    log(`draingate peers: done ${what} in ${Math.round((performance.now() - started) / 1000)} s`);
    return result;
  } finally {
    clearInterval(timer);
  }
}

function goEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // GOTOOLCHAIN=local: never download a different Go behind the user's back; checkGo() reports a too-old one.
  // GOFLAGS is replaced so a developer's -mod=vendor or similar does not leak into the scratch modules.
  return { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0', ...extra };
}

/**
 * Serializes builds of one cache entry across processes (two `npm test` runs, or `npm run peers` beside one):
 * an atomic mkdir is the lock, holding the owner's pid so that a lock left by a killed process is taken over.
 */
async function withCacheLock<T>(name: string, work: () => Promise<T>): Promise<T> {
  const dir = join(cacheRoot(), 'locks', name);
  await mkdir(dirname(dir), { recursive: true });
  for (let waited = 0; ; waited++) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(await readFile(join(dir, 'pid'), 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && !isAlive(owner)) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      if (waited % 30 === 0)
        process.stderr.write(
          `draingate peers: waiting for another process building ${name} (pid ${owner})\n`,
        );
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  try {
    return await work();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Builds one binary into `bin/<name>-<version>/<name>` unless it is already there. The build writes into a
 * temporary directory that is renamed into place, so an interrupted build never leaves a half binary behind.
 */
async function cachedBinary(
  name: string,
  version: string,
  log: (line: string) => void,
  build: (outDir: string) => Promise<void>,
): Promise<string> {
  const dir = join(cacheRoot(), 'bin', `${name}-${version}`);
  const bin = join(dir, name);
  if (existsSync(bin)) return bin;
  return withCacheLock(`${name}-${version}`, async () => {
    if (existsSync(bin)) return bin;
    await buildInto(dir, name, version, log, build);
    return bin;
  });
}

async function buildInto(
  dir: string,
  name: string,
  version: string,
  log: (line: string) => void,
  build: (outDir: string) => Promise<void>,
): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await withProgress(log, `building ${name} ${version}`, () => build(tmp));
    if (!existsSync(join(tmp, name)))
      throw new PeerBuildError(`building ${name} produced no ${join(tmp, name)}`);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function goModDownload(modAtVersion: string): Promise<{ Dir: string; GoMod: string }> {
  const out = await runOrThrow('go mod download', 'go', ['mod', 'download', '-json', modAtVersion], {
    cwd: cacheRoot(),
    env: goEnv(),
  });
  const info = JSON.parse(out) as { Dir?: string; GoMod?: string; Error?: string };
  if (info.Error || !info.Dir || !info.GoMod) {
    throw new PeerBuildError(`go mod download ${modAtVersion}: ${info.Error ?? 'no Dir in the answer'}`);
  }
  return { Dir: info.Dir, GoMod: info.GoMod };
}

/** A throwaway module under the cache that requires `modules` and builds `pkg` with them. */
async function buildInScratchModule(opts: {
  name: string;
  goMod: string;
  pkg: string;
  version: string;
  out: string;
  ldflags?: string;
}): Promise<void> {
  const dir = join(cacheRoot(), 'build', opts.name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'go.mod'), opts.goMod);
  const env = goEnv();
  // `go get` of the main package at its version resolves exactly the module graph that package needs and fills go.sum.
  await runOrThrow(`resolving ${opts.pkg}`, 'go', ['get', `${opts.pkg}@${opts.version}`], { cwd: dir, env });
  const args = ['build', '-trimpath', '-o', opts.out];
  if (opts.ldflags) args.push(`-ldflags=${opts.ldflags}`);
  args.push(opts.pkg);
  await runOrThrow(`go build ${opts.pkg}`, 'go', args, { cwd: dir, env });
}

async function buildEtcd(log: (line: string) => void): Promise<string> {
  const v = VERSIONS.etcd;
  return cachedBinary('etcd', v, log, (out) =>
    buildInScratchModule({
      name: `etcd-${v}`,
      goMod: `module draingate.local/peers/etcd\n\ngo 1.26\n\nrequire go.etcd.io/etcd/server/v3 ${v}\n`,
      pkg: 'go.etcd.io/etcd/server/v3',
      version: v,
      out: join(out, 'etcd'),
    }),
  );
}

/**
 * kubernetes' own go.mod points every staging module (k8s.io/api, k8s.io/apiserver, …) at ./staging, which a
 * dependant cannot use; the staging modules are published as v0.<minor>.<patch>. Read the list from the
 * kubernetes go.mod in the module cache and pin each one, so the block follows the version instead of being
 * maintained by hand.
 */
export function generateStagingReplaces(kubernetesGoMod: string, kubernetesVersion: string): string {
  const staging = [...kubernetesGoMod.matchAll(/^\s*(k8s\.io\/[A-Za-z0-9._-]+)\s+=>\s+\.\/staging\//gm)].map(
    (m) => m[1] ?? '',
  );
  if (staging.length === 0)
    throw new PeerBuildError('found no ./staging replace directives in the kubernetes go.mod');
  const stagingVersion = kubernetesVersion.replace(/^v1\./, 'v0.');
  return `replace (\n${staging.map((mod) => `\t${mod} => ${mod} ${stagingVersion}`).join('\n')}\n)\n`;
}

/**
 * A command of the Kubernetes module (kube-apiserver, kube-controller-manager, kubectl), built with its release's
 * version flags and the same staging pins.
 */
async function buildKubernetesCommand(command: string, log: (line: string) => void): Promise<string> {
  const v = VERSIONS.kubernetes;
  return cachedBinary(command, v, log, async (out) => {
    const { GoMod } = await goModDownload(`k8s.io/kubernetes@${v}`);
    const replaces = generateStagingReplaces(await readFile(GoMod, 'utf8'), v);
    const [major, minor] = v.replace(/^v/, '').split('.');
    const versionVars = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']
      .flatMap((p) => [
        `-X ${p}.gitVersion=${v}`,
        `-X ${p}.gitMajor=${major}`,
        `-X ${p}.gitMinor=${minor}`,
        `-X ${p}.gitTreeState=clean`,
      ])
      .join(' ');
    await buildInScratchModule({
      name: `${command}-${v}`,
      goMod: `module draingate.local/peers/${command}\n\ngo 1.24\n\nrequire k8s.io/kubernetes ${v}\n\n${replaces}`,
      pkg: `k8s.io/kubernetes/cmd/${command}`,
      version: v,
      out: join(out, command),
      ldflags: `-s -w ${versionVars}`,
    });
  });
}

/**
 * A dependant ignores the replace directives of the modules it requires, so the ones argo-rollouts' go.mod
 * declares (its k8s.io staging pins, two forks) are read from that go.mod and repeated; local paths are skipped.
 */
export function dependencyReplaces(goMod: string): string {
  const block = /^replace \(\n([\s\S]*?)^\)/m.exec(goMod)?.[1] ?? '';
  const single = [...goMod.matchAll(/^replace (\S+ => \S+ \S+)$/gm)].map((m) => m[1] ?? '');
  const lines = [...block.split('\n'), ...single]
    .map((line) => line.trim())
    .filter((line) => /^\S+( \S+)? => \S+ v\S+$/.test(line));
  if (lines.length === 0) throw new PeerBuildError('found no replace directives to repeat in the go.mod');
  return `replace (\n${lines.map((line) => `\t${line}`).join('\n')}\n)\n`;
}

/**
 * Argo Rollouts' controller from its module at the pinned version. Its metrics and healthz servers listen on
 * a constant "0.0.0.0:%d" (controller/controller.go). The build copies the module from the module cache into
 * the scratch build directory under the cache, changes that one constant to "127.0.0.1:%d" so that nothing
 * listens beyond loopback, and builds through a `replace` to the copy (go's -overlay may not touch the module
 * cache). Nothing of it enters the repository.
 */
async function buildRolloutsController(log: (line: string) => void): Promise<string> {
  const v = VERSIONS.argoRollouts;
  return cachedBinary('rollouts-controller', `${v}-loopback`, log, async (out) => {
    const { Dir, GoMod } = await goModDownload(`github.com/argoproj/argo-rollouts@${v}`);
    const replaces = dependencyReplaces(await readFile(GoMod, 'utf8'));
    const dir = join(cacheRoot(), 'build', `rollouts-controller-${v}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const copy = join(dir, 'argo-rollouts');
    await cp(Dir, copy, { recursive: true });
    await runOrThrow('chmod', 'chmod', ['-R', 'u+w', copy]);
    const controllerGo = join(copy, 'controller', 'controller.go');
    const source = await readFile(controllerGo, 'utf8');
    if (!source.includes('listenAddr                         = "0.0.0.0:%d"'))
      throw new PeerBuildError(
        `controller/controller.go of argo-rollouts ${v} no longer declares listenAddr as expected; revisit the loopback change`,
      );
    await writeFile(controllerGo, source.replace('"0.0.0.0:%d"', '"127.0.0.1:%d"'));
    await writeFile(
      join(dir, 'go.mod'),
      `module draingate.local/peers/rollouts-controller\n\ngo 1.26.1\n\nrequire github.com/argoproj/argo-rollouts ${v}\n\n${replaces}\nreplace github.com/argoproj/argo-rollouts => ./argo-rollouts\n`,
    );
    const env = goEnv();
    const pkg = 'github.com/argoproj/argo-rollouts/cmd/rollouts-controller';
    await runOrThrow(`resolving ${pkg}`, 'go', ['get', pkg], { cwd: dir, env });
    await runOrThrow(
      `go build ${pkg}`,
      'go',
      [
        'build',
        '-trimpath',
        '-o',
        join(out, 'rollouts-controller'),
        `-ldflags=-s -w -X github.com/argoproj/argo-rollouts/utils/version.version=${v}`,
        pkg,
      ],
      { cwd: dir, env },
    );
    await rm(copy, { recursive: true, force: true });
  });
}

async function buildHelm(log: (line: string) => void): Promise<string> {
  const v = VERSIONS.helm;
  return cachedBinary('helm', v, log, async (out) => {
    // The same -X flags as helm's Makefile: without them `helm version` says "v3.22" and the default
    // .Capabilities.KubeVersion (used by `helm template` and `helm lint`) is v1.20.
    const { GoMod } = await goModDownload(`helm.sh/helm/v3@${v}`);
    const clientGoMinor = /k8s\.io\/client-go v0\.(\d+)\./.exec(await readFile(GoMod, 'utf8'))?.[1];
    if (!clientGoMinor) throw new PeerBuildError(`no k8s.io/client-go requirement in ${GoMod}`);
    const ldflags = [
      '-s -w',
      `-X helm.sh/helm/v3/internal/version.version=${v}`,
      '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
      ...['pkg/lint/rules', 'pkg/chartutil'].flatMap((p) => [
        `-X helm.sh/helm/v3/${p}.k8sVersionMajor=1`,
        `-X helm.sh/helm/v3/${p}.k8sVersionMinor=${clientGoMinor}`,
      ]),
    ].join(' ');
    await runOrThrow(
      'go install helm',
      'go',
      ['install', '-trimpath', `-ldflags=${ldflags}`, `helm.sh/helm/v3/cmd/helm@${v}`],
      {
        cwd: cacheRoot(),
        env: goEnv({ GOBIN: out }),
      },
    );
  });
}

/** `go install` of a main package at a pinned version into the cache (registry, actionlint). */
async function goInstall(
  name: string,
  pkg: string,
  version: string,
  log: (line: string) => void,
): Promise<string> {
  return cachedBinary(name, version, log, async (out) => {
    await runOrThrow(
      `go install ${name}`,
      'go',
      ['install', '-trimpath', '-ldflags=-s -w', `${pkg}@${version}`],
      {
        cwd: cacheRoot(),
        env: goEnv({ GOBIN: out }),
      },
    );
  });
}

function buildRegistry(log: (line: string) => void): Promise<string> {
  return goInstall(
    'registry',
    'github.com/distribution/distribution/v3/cmd/registry',
    VERSIONS.distribution,
    log,
  );
}

function buildActionlint(log: (line: string) => void): Promise<string> {
  return goInstall('actionlint', 'github.com/rhysd/actionlint/cmd/actionlint', VERSIONS.actionlint, log);
}

/** The judge is rebuilt whenever its source changes, so the key includes a hash of the committed files. */
export async function argoJudgeKey(): Promise<string> {
  const hash = createHash('sha256');
  const sources = (await readdir(judgeSourceDir)).filter((f) => f.endsWith('.go')).sort();
  for (const f of ['go.mod', 'go.sum', ...sources]) {
    hash.update(`${f}\0`);
    hash.update(await readFile(join(judgeSourceDir, f)));
  }
  return `${VERSIONS.argoRollouts}-${hash.digest('hex').slice(0, 12)}`;
}

async function buildArgoJudge(log: (line: string) => void): Promise<string> {
  const goMod = await readFile(join(judgeSourceDir, 'go.mod'), 'utf8');
  const pinned = /github\.com\/argoproj\/argo-rollouts (v\S+)/.exec(goMod)?.[1];
  if (pinned !== VERSIONS.argoRollouts) {
    throw new PeerBuildError(
      `test/conformance/argo/go.mod pins argo-rollouts ${pinned ?? '(none)'} but VERSIONS.argoRollouts is ${VERSIONS.argoRollouts}; keep them equal`,
    );
  }
  return cachedBinary('argo-judge', await argoJudgeKey(), log, async (out) => {
    await runOrThrow(
      'go build argo-judge',
      'go',
      ['build', '-mod=readonly', '-trimpath', '-o', join(out, 'argo-judge'), '.'],
      {
        cwd: judgeSourceDir,
        env: goEnv(),
      },
    );
  });
}

/** CRD files straight from the projects' module zips in the Go module cache (read-only, never copied into git). */
async function findCrdFiles(): Promise<string[]> {
  const argo = await goModDownload(`github.com/argoproj/argo-rollouts@${VERSIONS.argoRollouts}`);
  const lbc = await goModDownload(
    `sigs.k8s.io/aws-load-balancer-controller@${VERSIONS.awsLoadBalancerController}`,
  );
  const gatewayApi = await goModDownload(`sigs.k8s.io/gateway-api@${VERSIONS.gatewayApi}`);
  const gatewayCrd = (channel: 'standard' | 'experimental', plural: string): string =>
    join(gatewayApi.Dir, 'config', 'crd', channel, `gateway.networking.k8s.io_${plural}.yaml`);
  const wanted = [
    join(argo.Dir, 'manifests', 'crds', 'rollout-crd.yaml'),
    join(argo.Dir, 'manifests', 'crds', 'analysis-template-crd.yaml'),
    join(argo.Dir, 'manifests', 'crds', 'cluster-analysis-template-crd.yaml'),
    join(argo.Dir, 'manifests', 'crds', 'analysis-run-crd.yaml'),
    join(lbc.Dir, 'config', 'crd', 'bases', 'elbv2.k8s.aws_targetgroupbindings.yaml'),
    join(lbc.Dir, 'config', 'crd', 'bases', 'elbv2.k8s.aws_ingressclassparams.yaml'),
    // Gateway API: the standard channel, and the experimental one for the L4 routes it alone serves.
    ...[
      'gatewayclasses',
      'gateways',
      'listenersets',
      'httproutes',
      'grpcroutes',
      'tlsroutes',
      'referencegrants',
    ].map((plural) => gatewayCrd('standard', plural)),
    gatewayCrd('experimental', 'tcproutes'),
    gatewayCrd('experimental', 'udproutes'),
    join(lbc.Dir, 'config', 'crd', 'gateway', 'gateway.k8s.aws_targetgroupconfigurations.yaml'),
    join(lbc.Dir, 'config', 'crd', 'gateway', 'gateway.k8s.aws_loadbalancerconfigurations.yaml'),
  ];
  const absent = wanted.filter((f) => !existsSync(f));
  if (absent.length > 0) {
    const listing = await readdir(join(argo.Dir, 'manifests', 'crds')).catch(() => []);
    throw new PeerBuildError(
      `CRD files not found in the module zips: ${absent.join(', ')} (argo crds: ${listing.join(', ')})`,
    );
  }
  return wanted;
}

async function buildMotoVenv(log: (line: string) => void): Promise<string> {
  const key = `moto-${VERSIONS.moto}-botocore-${VERSIONS.botocore}`;
  const dir = join(cacheRoot(), 'venv', key);
  const server = join(dir, 'bin', 'moto_server');
  const done = join(dir, '.draingate-complete');
  if (existsSync(done) && existsSync(server)) return server;
  // A virtualenv cannot be moved after creation (its scripts hold absolute paths), so it is built in place,
  // under the lock, and marked complete at the end.
  await withCacheLock(key, async () => {
    if (existsSync(done) && existsSync(server)) return;
    await installMoto(dir, done, log);
  });
  return server;
}

async function installMoto(dir: string, done: string, log: (line: string) => void): Promise<void> {
  await withProgress(log, `installing moto[server] ${VERSIONS.moto} into a virtualenv`, async () => {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dirname(dir), { recursive: true });
    await runOrThrow('python3 -m venv', 'python3', ['-m', 'venv', dir]);
    const pip = join(dir, 'bin', 'pip');
    await runOrThrow('pip install', pip, [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `moto[server]==${VERSIONS.moto}`,
      `botocore==${VERSIONS.botocore}`,
      `boto3==${VERSIONS.boto3}`,
    ]);
    await writeFile(done, `${new Date().toISOString()}\n`);
  });
}

/**
 * Builds or reuses every requested peer. A missing toolchain is recorded in `missing` (the caller decides
 * between skip and fail); a build that fails throws PeerBuildError.
 */
export async function ensureToolchain(opts: BuildOptions = {}): Promise<Toolchain> {
  const only = new Set(opts.only ?? PEER_NAMES);
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  await mkdir(cacheRoot(), { recursive: true });
  const tc: Toolchain = { missing: {} };

  const needsGo = ['kube', 'helm', 'argo', 'control', 'registry', 'actionlint'].some((p) =>
    only.has(p as PeerName),
  );
  const goProblem = needsGo ? await checkGo() : undefined;
  const pyProblem = only.has('aws') ? await checkPython() : undefined;
  const sslProblem = only.has('kube') ? await checkOpenssl() : undefined;
  if (only.has('aws') && pyProblem) tc.missing.aws = pyProblem;
  if (only.has('kube') && (goProblem || sslProblem))
    tc.missing.kube = [goProblem, sslProblem].filter(Boolean).join(' ');
  if (only.has('helm') && goProblem) tc.missing.helm = goProblem;
  if (only.has('argo') && goProblem) tc.missing.argo = goProblem;
  if (only.has('control') && goProblem) tc.missing.control = goProblem;
  if (only.has('registry') && goProblem) tc.missing.registry = goProblem;
  if (only.has('actionlint') && goProblem) tc.missing.actionlint = goProblem;

  // pip is network-bound and Go is CPU-bound, so the virtualenv installs while Go builds; the Go builds run one
  // after another because each already uses every core.
  const python = only.has('aws') && !tc.missing.aws ? buildMotoVenv(log) : Promise.resolve(undefined);
  const goBuilds = (async () => {
    if (only.has('kube') && !tc.missing.kube) {
      tc.etcd = await buildEtcd(log);
      tc.kubeApiserver = await buildKubernetesCommand('kube-apiserver', log);
      tc.kubectl = await buildKubernetesCommand('kubectl', log);
      tc.crdFiles = await findCrdFiles();
    }
    if (only.has('helm') && !tc.missing.helm) tc.helm = await buildHelm(log);
    if (only.has('argo') && !tc.missing.argo) tc.argoJudge = await buildArgoJudge(log);
    if (only.has('control') && !tc.missing.control) {
      tc.kubeControllerManager = await buildKubernetesCommand('kube-controller-manager', log);
      tc.rolloutsController = await buildRolloutsController(log);
      const argo = await goModDownload(`github.com/argoproj/argo-rollouts@${VERSIONS.argoRollouts}`);
      tc.experimentCrd = join(argo.Dir, 'manifests', 'crds', 'experiment-crd.yaml');
    }
    if (only.has('registry') && !tc.missing.registry) tc.registry = await buildRegistry(log);
    if (only.has('actionlint') && !tc.missing.actionlint) tc.actionlint = await buildActionlint(log);
  })();
  const [motoServer] = await Promise.all([python, goBuilds]);
  if (motoServer) tc.motoServer = motoServer;
  return tc;
}

/** The CLI behind `npm run peers`: warms the cache so CI can build before `npm test`. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [command = 'build', ...rest] = argv;
  if (command === 'path') {
    process.stdout.write(`${cacheRoot()}\n`);
    return 0;
  }
  if (command !== 'build') {
    process.stderr.write(
      'usage: npm run peers -- [build [aws|kube|helm|argo|control|registry|actionlint …] | path]\n',
    );
    return 2;
  }
  const only = rest.filter((p): p is PeerName => (PEER_NAMES as readonly string[]).includes(p));
  const started = performance.now();
  try {
    const tc = await ensureToolchain({ only: only.length > 0 ? only : PEER_NAMES });
    const missing = Object.entries(tc.missing);
    for (const [peer, why] of missing) process.stderr.write(`draingate peers: ${peer}: ${why}\n`);
    const ready = [
      tc.motoServer,
      tc.etcd,
      tc.kubeApiserver,
      tc.kubectl,
      tc.helm,
      tc.argoJudge,
      tc.kubeControllerManager,
      tc.rolloutsController,
      tc.registry,
      tc.actionlint,
    ].filter(Boolean);
    for (const p of ready) process.stdout.write(`${p}\n`);
    process.stderr.write(`draingate peers: ready in ${Math.round((performance.now() - started) / 1000)} s\n`);
    return missing.length > 0 ? 1 : 0;
  } catch (err) {
    process.stderr.write(`draingate peers: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
