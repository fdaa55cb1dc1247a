// The npm packages as a user gets them: `npm pack` every published workspace, install the tarballs into an empty
// directory outside the repository (dependencies from the npm registry), then run the installed `draingate` on
// the Node the packages' `engines` declare (the test's own Node 24 and the lower bound, 24.0.0): validate an
// example, list the rules, and serve until /readyz. The install, validate, rules and serve commands are the
// README's (Install), with the tarballs in place of the registry's packages and, for serve, a loopback address
// and a free port.
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installTarballs,
  packAll,
  PUBLISHED,
  readmeCliCommands,
  repoRoot,
  run,
  userEnv,
  type Packed,
} from './packages.js';

const INSTALL_TIMEOUT = 600_000;
const olderNode = findOlderNode();

let work: string;
let packed: Packed[];
let userDir: string;
let installOutput: { stdout: string; stderr: string; code: number | null };
const readme = await readmeCliCommands();
const readmeCommand = (words: string[]): string[] => {
  const found = readme.find((c) => words.every((w, i) => c[i] === w));
  if (!found) throw new Error(`README.md's Install section has no \`${words.join(' ')} …\``);
  return found;
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'draingate-pack-'));
  packed = await packAll(join(work, 'tarballs'));
  const { dir, result } = await installTarballs(
    readmeCommand(['npm', 'install']),
    packed.map((p) => p.tarball),
  );
  userDir = dir;
  installOutput = result;
  if (result.code !== 0)
    throw new Error(`npm install of the tarballs failed (${result.code}):\n${result.stderr}`);
  await cp(join(repoRoot, 'examples/reference-002-draining-504'), join(userDir, 'k8s'), { recursive: true });
}, INSTALL_TIMEOUT);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  if (userDir) await rm(userDir, { recursive: true, force: true });
});

const npx = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run('npx', ['--no-install', ...args], { cwd: userDir, env: userEnv(env), timeoutMs: 60_000 });

describe('npm pack', () => {
  it.each(PUBLISHED)(
    '%s ships its build, README and LICENSE, and no sources, tests, maps or test helpers',
    (dir) => {
      const files = packed.find((p) => p.dir === dir)?.files ?? [];
      expect(files).toEqual(
        expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js']),
      );
      expect(files).toContain('dist/index.d.ts');
      const unwanted = files.filter(
        (f) =>
          f.startsWith('src/') ||
          f.startsWith('test/') ||
          /\.test\.|\.map$|\.tsbuildinfo$|(^|\/)testing\//.test(f) ||
          (f.endsWith('.ts') && !f.endsWith('.d.ts')),
      );
      expect(unwanted).toEqual([]);
    },
  );

  it('the CLI package carries its bundled command and the notices of what the bundle contains', () => {
    const cli = packed.find((p) => p.dir === 'packages/cli');
    expect(cli?.files).toEqual(expect.arrayContaining(['dist/draingate.js', 'THIRD-PARTY-NOTICES.txt']));
  });
});

describe('installed from the tarballs, outside the repository', () => {
  it('installs quietly: no engine, peer or deprecation warning', () => {
    expect(installOutput.stderr).not.toMatch(/EBADENGINE|ERESOLVE|deprecated/);
  });

  it('runs on a Node that the engines allow', async () => {
    const pkg = JSON.parse(
      await readFile(join(userDir, 'node_modules/@draingate/cli/package.json'), 'utf8'),
    ) as { engines: { node: string } };
    const min = Number(/^>=(\d+)$/.exec(pkg.engines.node)?.[1]);
    expect(Number.parseInt(process.versions.node, 10)).toBeGreaterThanOrEqual(min);
    const r = await npx(['draingate', '--version']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(packed.find((p) => p.dir === 'packages/cli')?.version);
  });

  it('resolves the packages from the user directory, not from the repository', async () => {
    const r = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "console.log(import.meta.resolve('@draingate/cli'), import.meta.resolve('@draingate/core'))",
      ],
      { cwd: userDir },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split(' ')).toEqual([
      pathToFileURL(join(userDir, 'node_modules/@draingate/cli/dist/index.js')).href,
      pathToFileURL(join(userDir, 'node_modules/@draingate/core/dist/index.js')).href,
    ]);
  });

  it("the README's npx draingate validate finds the broken example's drain-timing errors and exits 1", async () => {
    const [cmd = '', ...args] = readmeCommand(['npx', 'draingate', 'validate']);
    const r = await run(cmd, args, { cwd: userDir, env: userEnv(), timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('DG002 prestop-too-short  k8s/broken.yaml:43:13');
    expect(r.code).toBe(1);
  });

  it('npx draingate validate passes the fixed example and exits 0', async () => {
    const r = await npx(['draingate', 'validate', 'k8s/fixed.yaml']);
    expect(r.code).toBe(0);
  });

  it("the README's npx draingate rules lists every rule", async () => {
    const [cmd = '', ...args] = readmeCommand(['npx', 'draingate', 'rules']);
    const r = await run(cmd, args, { cwd: userDir, env: userEnv(), timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const ids = r.stdout.split('\n').flatMap((line) => /^(DG\d{3})\s/.exec(line)?.[1] ?? []);
    expect(ids.length).toBeGreaterThanOrEqual(18);
    expect(ids).toEqual(expect.arrayContaining(['DG001', 'DG004', 'DG018']));
  });

  it('the library entry points import', async () => {
    const r = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        [
          "const core = await import('@draingate/core');",
          "const cli = await import('@draingate/cli');",
          "await import('@draingate/aws'); await import('@draingate/kube'); await import('@draingate/analysis-provider');",
          'console.log(Object.keys(core).length > 10, typeof cli.main);',
        ].join(' '),
      ],
      { cwd: userDir },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('true function');
  });

  it("the README's npx draingate serve answers /readyz and stops cleanly on SIGTERM", async () => {
    await writeFile(join(userDir, 'tokens'), 'argo-rollouts 7c1f0e2d9a8b4c6e5f3a2b1c0d9e8f7a\n', {
      mode: 0o600,
    });
    const [cmd = '', ...args] = readmeCommand(['npx', 'draingate', 'serve']);
    // Loopback and a free port instead of 0.0.0.0:8080; no cluster and a region for the AWS SDK.
    const testOnly = ['--host', '127.0.0.1', '--port', '0', '--kube', 'off', '--aws-region', 'eu-west-1'];
    const drainFast = ['--shutdown-delay-seconds', '0', '--shutdown-timeout-seconds', '2'];
    // A process group of its own, signalled as a terminal signals its foreground job: npm and the server both.
    const child = spawn(cmd, [...args, ...testOnly, ...drainFast], {
      cwd: userDir,
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 30_000);
        const onData = (): void => {
          const m = /"msg":"listening","url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
          if (m?.[1]) {
            clearTimeout(timer);
            resolveUrl(m[1]);
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        void exited.then((code) => reject(new Error(`serve exited (${code}) before listening:\n${out}`)));
      });
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      const check = await fetch(`${url}/v1/checks/elb-5xx`);
      expect(check.status).toBe(401);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
    // npm itself dies of the signal; the server drains, says so, and exits.
    await exited;
    expect(out).toMatch(/"msg":"stopped","reason":"SIGTERM"/);
    expect(await groupGone(child.pid!, 5_000)).toBe(true);
  });

  // Many machines still have an older system Node; where there is none, there is nothing to try.
  it.skipIf(!olderNode)('an older Node gets a plain message instead of a stack trace', async () => {
    const older = olderNode!;
    const r = await run(
      older.path,
      [join(userDir, 'node_modules/@draingate/cli/dist/draingate.js'), 'rules'],
      {
        cwd: userDir,
      },
    );
    expect(r.stderr.trim()).toBe(`draingate needs Node.js 24 or later; this is Node.js ${older.version}.`);
    expect(r.code).toBe(2);
  });
});

describe('on the oldest Node the engines allow', () => {
  let floorEnv: NodeJS.ProcessEnv;
  let floor: string;
  let nodeDir: string;

  // The Node of the engines' lower bound, from the npm registry's per-platform node packages.
  beforeAll(async () => {
    const pkg = JSON.parse(
      await readFile(join(userDir, 'node_modules/@draingate/cli/package.json'), 'utf8'),
    ) as { engines: { node: string } };
    const m = /^>=(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(pkg.engines.node);
    if (!m) throw new Error(`engines.node is not a lower bound: ${pkg.engines.node}`);
    floor = `${m[1]}.${m[2] ?? 0}.${m[3] ?? 0}`;
    nodeDir = await mkdtemp(join(tmpdir(), 'draingate-node-'));
    await writeFile(join(nodeDir, 'package.json'), '{"private":true}\n');
    const name = `node-${process.platform}-${process.arch}`;
    const r = await run('npm', ['install', `${name}@${floor}`], { cwd: nodeDir, timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`npm install ${name}@${floor} failed:\n${r.stderr}`);
    const bin = join(nodeDir, 'node_modules', name, 'bin');
    floorEnv = userEnv({ PATH: [bin, userEnv().PATH].join(delimiter) });
  }, 300_000);

  afterAll(async () => {
    if (nodeDir) await rm(nodeDir, { recursive: true, force: true });
  });

  it("runs the README's validate and rules, and serve until /readyz", async () => {
    const version = await run('node', ['-p', 'process.versions.node'], { cwd: userDir, env: floorEnv });
    expect(version.stdout.trim()).toBe(floor);
    const [vCmd = '', ...vArgs] = readmeCommand(['npx', 'draingate', 'validate']);
    const validate = await run(vCmd, vArgs, { cwd: userDir, env: floorEnv, timeoutMs: 60_000 });
    expect(validate.stdout).toContain('DG002 prestop-too-short  k8s/broken.yaml:43:13');
    expect(validate.code).toBe(1);
    const [rCmd = '', ...rArgs] = readmeCommand(['npx', 'draingate', 'rules']);
    const rules = await run(rCmd, rArgs, { cwd: userDir, env: floorEnv, timeoutMs: 60_000 });
    expect(rules.stdout).toContain('DG018');
    expect(rules.code).toBe(0);
    const server = spawn(
      'node',
      [
        join(userDir, 'node_modules/@draingate/cli/dist/draingate.js'),
        'serve',
        '--insecure-no-auth',
        ...['--host', '127.0.0.1', '--port', '0', '--kube', 'off', '--aws-region', 'eu-west-1'],
        ...['--shutdown-delay-seconds', '0', '--shutdown-timeout-seconds', '2'],
      ],
      { cwd: userDir, env: floorEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    server.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    server.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => server.on('close', (code) => r(code)));
    try {
      const deadline = performance.now() + 30_000;
      let url: string | undefined;
      while (!url) {
        url = /"msg":"listening","url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1];
        if (server.exitCode !== null || performance.now() > deadline)
          throw new Error(`serve did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);
});

/** A `node` on PATH whose major version is below 24, if there is one. */
function findOlderNode(): { path: string; version: string } | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !d.startsWith(repoRoot));
  for (const dir of [...dirs, '/usr/bin', '/usr/local/bin']) {
    const r = spawnSync(join(dir, 'node'), ['-p', 'process.versions.node'], { encoding: 'utf8' });
    const version = r.status === 0 ? r.stdout.trim() : undefined;
    if (version && Number.parseInt(version, 10) < 24) return { path: join(dir, 'node'), version };
  }
  return undefined;
}

/** Waits until no process of the group is left; false if one still runs after `ms`. */
async function groupGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
