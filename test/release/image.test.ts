// The container image without a container engine (none runs here): what can be checked is checked for real.
// - The build context: Dockerfile.dockerignore applied with Docker's own matching rules to the working tree.
// - The Dockerfile: stages, base, user, what the runtime stage holds, the entrypoint's form.
// - The build stage's bundle step, run on a copy of exactly the context (dependencies from this checkout's
//   install of the same lockfile stand in for its `npm ci`).
// - The runtime stage's files, laid out as its COPY lines say, read-only and root-owned, and its entrypoint run
//   as the chart runs it: as uid 1000, with the chart's args, environment, config file and token Secret, only the
//   chart's /tmp writable; its probes answered, a SIGTERM drained.
// Not covered (see docs/decisions.md): the base image itself (Alpine, musl), `npm ci` inside it, the other
// architecture, and the kernel-enforced read-only root filesystem.
import { spawn } from 'node:child_process';
import {
  chmod,
  chown,
  cp,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import dockerignoreModule from '@balena/dockerignore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { only, parseManifests, type Manifest } from '../chart/chart.js';
import { hasPeer, peers, runHelm } from '../peers/index.js';
import { copyArgs, envPairs, execForm, parseDockerfile, type Stage } from './dockerfile.js';
import { PUBLISHED, repoRoot, run } from './packages.js';

const DOCKERFILE = 'analysis-provider/Dockerfile';
const dockerfile = parseDockerfile(await readFile(join(repoRoot, DOCKERFILE), 'utf8'));
// A CommonJS module: Node's default import is module.exports, whose `default` is the same function.
const dockerignore = dockerignoreModule.default;
const ignore = dockerignore().add(await readFile(join(repoRoot, `${DOCKERFILE}.dockerignore`), 'utf8'));
const [buildStage, runtimeStage] = dockerfile.stages as [Stage, Stage];

/** Directories whose whole content must stay out of the context; the walk checks that and does not descend. */
const NEVER_SENT = ['.git', 'node_modules', 'dist', '.turbo'];

/** What `docker build` would send: every file of the working tree that the ignore file lets through. */
async function contextFiles(dir = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(repoRoot, dir), { withFileTypes: true })) {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (NEVER_SENT.includes(entry.name)) {
        if (!ignore.ignores(`${path}/any/file.js`)) throw new Error(`${path} would be sent to the builder`);
        continue;
      }
      files.push(...(await contextFiles(path)));
    } else if (!ignore.ignores(path)) {
      files.push(path);
    }
  }
  return files.sort();
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('the build context (Dockerfile.dockerignore, matched as Docker matches it)', () => {
  let context: string[];
  beforeAll(async () => {
    context = await contextFiles();
  });

  it('sends the lockfile, every workspace manifest, the sources the command is bundled from and the licences', () => {
    expect(context).toEqual(
      expect.arrayContaining([
        'package.json',
        'package-lock.json',
        '.npmrc',
        'LICENSE',
        'NOTICE',
        'packages/cli/build.mjs',
        'packages/cli/THIRD-PARTY-NOTICES.txt',
        'packages/cli/src/bin.ts',
        'packages/core/src/index.ts',
        'analysis-provider/src/index.ts',
        'action/package.json',
        ...PUBLISHED.map((dir) => `${dir}/package.json`),
      ]),
    );
  });

  it('sends nothing else: no tests, test helpers, docs, examples, charts, benchmarks or action sources', () => {
    const outside = context.filter(
      (f) =>
        !/^(package\.json|package-lock\.json|\.npmrc|tsconfig\.base\.json|LICENSE|NOTICE)$/.test(f) &&
        !/^(packages\/[^/]+|analysis-provider)\/(package\.json|tsconfig\.json|src\/.*)$/.test(f) &&
        !/^packages\/cli\/(build\.mjs|THIRD-PARTY-NOTICES\.txt)$/.test(f) &&
        f !== 'action/package.json',
    );
    expect(outside).toEqual([]);
    expect(context.filter((f) => /\.test\.ts$|\/testing\//.test(f))).toEqual([]);
  });

  it.each([
    '.git/config',
    '.env',
    'id_rsa',
    'node_modules/express/index.js',
    'packages/core/node_modules/x/index.js',
    'packages/cli/dist/draingate.js',
    'packages/core/src/rules/dg001.test.ts',
    'analysis-provider/src/testing/fake-aws.ts',
    'action/src/main.ts',
    'test/README.md',
    'charts/draingate/values.yaml',
  ])('%s is not sent', (path) => {
    expect(ignore.ignores(path)).toBe(true);
  });
});

describe('the Dockerfile', () => {
  it('has a build stage and a runtime stage, both from the one NODE_IMAGE argument', () => {
    expect(dockerfile.stages.map((s) => s.from)).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
    expect(buildStage.name).toBe('build');
    expect(dockerfile.globalArgs.NODE_IMAGE).toMatch(
      /^docker\.io\/library\/node:24-alpine(@sha256:[0-9a-f]{64})?$/,
    );
  });

  it('copies nothing into the runtime stage but from the build stage', () => {
    const copies = runtimeStage.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copyArgs(copy).from).toBe('build');
  });

  it("runs as the image's unprivileged user, the uid the chart's securityContext names", () => {
    const users = runtimeStage.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users).toEqual(['node']); // uid 1000 in the node images
  });

  it('removes the package managers from the runtime stage and starts `draingate serve` in exec form', () => {
    const runs = runtimeStage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.join(' ')).toMatch(/rm -rf .*\/usr\/local\/bin\/npm .*\/usr\/local\/bin\/npx/);
    const entrypoint = runtimeStage.instructions.find((i) => i.keyword === 'ENTRYPOINT');
    expect(entrypoint && execForm(entrypoint)).toEqual(['node', '/app/dist/draingate.js', 'serve']);
  });
});

describe.skipIf(!hasPeer('helm') || !hasPeer('kube'))('the runtime stage, run as the chart runs it', () => {
  let work: string;
  let src: string;
  let root: string;
  let deployment: Manifest;
  let container: {
    args: string[];
    env: { name: string; value?: string }[];
    securityContext: { runAsUser: number; runAsGroup: number; readOnlyRootFilesystem: boolean };
    volumeMounts: { name: string; mountPath: string }[];
    readinessProbe: { httpGet: { path: string } };
    livenessProbe: { httpGet: { path: string } };
  };
  let token: string;
  const mounts: string[] = [];

  /** The image's absolute paths, inside the directory that stands for its root filesystem. */
  const inImage = (value: string): string =>
    ['/app', ...mounts].some((p) => value === p || value.startsWith(`${p}/`)) ? join(root, value) : value;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'draingate-image-'));
    await chmod(work, 0o755); // the unprivileged user must reach the image's files
    src = join(work, 'src');
    root = join(work, 'root');

    // The build stage: the context, its dependencies (this checkout's, from the same lockfile, with the
    // workspace packages pointing into the copy), then its RUN line after `npm ci`.
    for (const file of await contextFiles()) {
      await mkdir(dirname(join(src, file)), { recursive: true });
      await cp(join(repoRoot, file), join(src, file));
    }
    await mkdir(join(src, 'node_modules', '@draingate'), { recursive: true });
    for (const entry of await readdir(join(repoRoot, 'node_modules'))) {
      if (entry === '@draingate' || entry === '.bin' || entry.startsWith('.package-lock')) continue;
      await symlink(join(repoRoot, 'node_modules', entry), join(src, 'node_modules', entry));
    }
    for (const dir of [...PUBLISHED, 'action']) {
      const { name } = JSON.parse(await readFile(join(src, dir, 'package.json'), 'utf8')) as { name: string };
      await symlink(join(src, dir), join(src, 'node_modules', name));
      // A workspace's own node_modules holds the versions that differ from the root's (core's js-yaml).
      const own = join(repoRoot, dir, 'node_modules');
      if (await stat(own).catch(() => undefined)) await symlink(own, join(src, dir, 'node_modules'));
    }
    const steps = buildStage.instructions
      .filter((i) => i.keyword === 'RUN')
      .flatMap((i) => i.args.split('&&').map((s) => s.trim()))
      .filter((s) => !s.startsWith('npm ci'));
    for (const step of steps) {
      const [cmd, ...args] = step.split(' ');
      expect(cmd, `a build step this test knows how to run: ${step}`).toBe('node');
      const r = await run(process.execPath, args, { cwd: src });
      if (r.code !== 0) throw new Error(`${step} failed in the build context:\n${r.stderr}`);
    }

    // The runtime stage: its COPY lines, into a root-owned, read-only tree.
    const workdir = runtimeStage.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args ?? '/';
    for (const copy of runtimeStage.instructions.filter((i) => i.keyword === 'COPY')) {
      const { sources, dest } = copyArgs(copy);
      const target = join(root, isAbsolute(dest) ? dest : join(workdir, dest));
      for (const source of sources) {
        const from = join(src, relative('/src', source));
        const isDir = (await stat(from)).isDirectory();
        const to =
          dest.endsWith('/') || sources.length > 1
            ? join(target, isDir ? '' : source.split('/').pop()!)
            : target;
        await mkdir(isDir ? to : dirname(to), { recursive: true });
        await cp(from, to, { recursive: true });
      }
    }

    // The chart's pod: its container, config file, token Secret and volumes. An offline render generates no
    // token (it would rotate on every render), so the client's token is given as a user of `helm template` would.
    const { stdout } = await runHelm([
      'template',
      'draingate',
      join(repoRoot, 'charts/draingate'),
      '--namespace',
      'draingate',
      '--set',
      'tokens.clients.argo-rollouts=image-test-token-0123456789abcdef',
    ]);
    const manifests = parseManifests(stdout);
    deployment = only(manifests, 'Deployment');
    const pod = (
      deployment as unknown as { spec: { template: { spec: { containers: (typeof container)[] } } } }
    ).spec.template.spec;
    container = pod.containers[0]!;
    const configMap = only(manifests, 'ConfigMap') as unknown as { data: Record<string, string> };
    const secret = only(manifests, 'Secret') as unknown as { data: Record<string, string> };
    for (const mount of container.volumeMounts) mounts.push(mount.mountPath);
    const volume = (path: string): string => join(root, path);
    const config = container.volumeMounts.find((m) => m.name === 'config')!.mountPath;
    await mkdir(volume(config), { recursive: true });
    for (const [key, value] of Object.entries(configMap.data))
      await writeFile(join(volume(config), key), value);
    const tokens = container.volumeMounts.find((m) => m.name === 'tokens')!.mountPath;
    await mkdir(volume(tokens), { recursive: true });
    for (const [key, value] of Object.entries(secret.data)) {
      const file = join(volume(tokens), key);
      await writeFile(file, Buffer.from(value, 'base64'));
      token = Buffer.from(value, 'base64').toString('utf8').trim();
      // defaultMode 0440 with the pod's fsGroup as group, as the kubelet mounts it.
      await chmod(file, 0o440);
      if (process.getuid?.() === 0) await chown(file, 0, container.securityContext.runAsGroup);
    }
    // The in-cluster credentials live at a fixed path that cannot be provided here: the provider reaches the
    // test API server through KUBECONFIG instead (a kubeconfig the unprivileged user can read).
    const kube = peers().kube!;
    await mkdir(join(root, 'var/run/kube'), { recursive: true });
    await writeFile(
      join(root, 'var/run/kube/config'),
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: test, cluster: {server: "' +
          kube.server +
          '", certificate-authority-data: "' +
          (await readFile(kube.caFile)).toString('base64') +
          '"}}]',
        'users: [{name: admin, user: {token: "' + kube.adminToken + '"}}]',
        'contexts: [{name: test, context: {cluster: test, user: admin}}]',
        'current-context: test',
        '',
      ].join('\n'),
    );
    // Read-only everywhere; the chart's emptyDir at /tmp is the one writable place.
    const emptyDir = volume(container.volumeMounts.find((m) => m.name === 'tmp')!.mountPath);
    await mkdir(emptyDir, { recursive: true });
    await makeReadOnly(root);
    await chmod(emptyDir, 0o1777);
  }, 120_000);

  afterAll(async () => {
    if (work) {
      await makeWritable(work);
      await rm(work, { recursive: true, force: true });
    }
  });

  async function start(extraEnv: Record<string, string> = {}): Promise<{
    url: string;
    exited: Promise<number | null>;
    stop: () => void;
    output: () => string;
  }> {
    const imageEnv = Object.assign(
      {},
      ...runtimeStage.instructions.filter((i) => i.keyword === 'ENV').map((i) => envPairs(i)),
    ) as Record<string, string>;
    const chartEnv = Object.fromEntries(
      container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]),
    );
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: '/usr/bin:/bin',
      HOME: '/nonexistent',
      ...Object.fromEntries(Object.entries({ ...imageEnv, ...chartEnv }).map(([k, v]) => [k, inImage(v)])),
      // The chart's port is 8080 on the pod's own address; here a free port on 127.0.0.1.
      DRAINGATE_PORT: String(port),
      DRAINGATE_HOST: '127.0.0.1',
      KUBECONFIG: join(root, 'var/run/kube/config'),
      TMPDIR: join(root, '/tmp'),
      ...extraEnv,
    };
    const entrypoint = execForm(runtimeStage.instructions.find((i) => i.keyword === 'ENTRYPOINT')!);
    expect(entrypoint[0]).toBe('node');
    const args = [...entrypoint.slice(1), ...container.args].map(inImage);
    const asRoot = process.getuid?.() === 0;
    const child = spawn(process.execPath, args, {
      cwd: join(root, 'app'),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asRoot
        ? { uid: container.securityContext.runAsUser, gid: container.securityContext.runAsGroup }
        : {}),
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const url = `http://127.0.0.1:${port}`;
    const deadline = performance.now() + 30_000;
    for (;;) {
      if (/"msg":"listening"/.test(out)) break;
      if (child.exitCode !== null || performance.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the entrypoint did not start:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return { url, exited, stop: () => child.kill('SIGTERM'), output: () => out };
  }

  it('the chart runs the image as a non-root user on a read-only root filesystem', () => {
    expect(container.securityContext).toMatchObject({
      runAsUser: 1000,
      runAsGroup: 1000,
      readOnlyRootFilesystem: true,
    });
  });

  it("as uid 1000 with only the chart's volumes, it answers the probes, loads the token Secret and drains on SIGTERM", async () => {
    const before = await listTree(root, join(root, 'tmp'));
    const grace = (
      deployment as unknown as { spec: { template: { spec: { terminationGracePeriodSeconds: number } } } }
    ).spec.template.spec.terminationGracePeriodSeconds;
    const server = await start();
    try {
      expect((await fetch(`${server.url}${container.readinessProbe.httpGet.path}`)).status).toBe(200);
      expect((await fetch(`${server.url}${container.livenessProbe.httpGet.path}`)).status).toBe(200);
      expect((await fetch(`${server.url}/v1/checks/target-health`)).status).toBe(401);
      const withToken = await fetch(`${server.url}/v1/checks/target-health`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(withToken.status).toBe(400); // authenticated; the request names no target group
    } finally {
      server.stop();
    }
    const started = performance.now();
    expect(await server.exited).toBe(0);
    expect(performance.now() - started).toBeLessThan(grace * 1000);
    expect(server.output()).not.toMatch(/EACCES|EROFS|"level":"error"/);
    expect(await listTree(root, join(root, 'tmp'))).toEqual(before);
  }, 60_000);

  it('with no writable /tmp either (docker run --read-only), it still starts and serves', async () => {
    const server = await start({ TMPDIR: join(root, 'app') });
    try {
      expect((await fetch(`${server.url}${container.readinessProbe.httpGet.path}`)).status).toBe(200);
    } finally {
      server.stop();
    }
    expect(await server.exited).toBe(0);
  }, 60_000);
});

async function listTree(dir: string, skip: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (path === skip) continue;
    out.push(path);
    if (entry.isDirectory()) out.push(...(await listTree(path, skip)));
  }
  return out.sort();
}

async function makeReadOnly(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeReadOnly(path);
    else await chmod(path, (await stat(path)).mode & 0o7555); // no write bit; a Secret's 0440 stays 0440
  }
  await chmod(dir, 0o555);
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else await chmod(path, 0o644);
  }
}
