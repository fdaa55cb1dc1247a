// Packs the published workspaces with `npm pack` and installs the tarballs the way a user installs them: into an
// empty directory outside the repository, dependencies from the npm registry, nothing else from this checkout.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The workspaces published to npm, in dependency order. */
export const PUBLISHED = [
  'packages/core',
  'packages/aws',
  'packages/kube',
  'analysis-provider',
  'packages/cli',
] as const;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user's shell: no npm_* variables of the `npm test` that runs us (they would point npm
 * at this repository's configuration), no NODE_PATH, and the Node under test first on PATH.
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'NODE_PATH' || key === 'NODE_OPTIONS' || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  const path = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.startsWith(repoRoot))
    .join(delimiter);
  env.PATH = [dirname(process.execPath), path].join(delimiter);
  // No update notices or funding lines in the output the tests read.
  env.NO_UPDATE_NOTIFIER = '1';
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  return { ...env, ...extra };
}

export function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr });
    });
  });
}

export interface Packed {
  dir: (typeof PUBLISHED)[number];
  name: string;
  version: string;
  tarball: string;
  files: string[];
}

/** `npm pack` of every published workspace (built beforehand by `npm test`'s build step) into `dest`. */
export async function packAll(dest: string): Promise<Packed[]> {
  await mkdir(dest, { recursive: true });
  const packed: Packed[] = [];
  for (const dir of PUBLISHED) {
    const r = await run('npm', ['pack', '--json', '--pack-destination', dest], { cwd: join(repoRoot, dir) });
    if (r.code !== 0) throw new Error(`npm pack in ${dir} failed (${r.code}): ${r.stderr}`);
    const [info] = JSON.parse(r.stdout) as {
      name: string;
      version: string;
      filename: string;
      files: { path: string }[];
    }[];
    if (!info) throw new Error(`npm pack in ${dir} printed no result`);
    packed.push({
      dir,
      name: info.name,
      version: info.version,
      tarball: join(dest, info.filename),
      files: info.files.map((f) => f.path).sort(),
    });
  }
  return packed;
}

/**
 * The commands of the README's Install section for the CLI: the first `sh` block after "**The command**", one
 * command per line, comments dropped.
 */
export async function readmeCliCommands(): Promise<string[][]> {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const from = readme.indexOf('**The command**');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from))?.[1];
  if (from === -1 || !block) throw new Error("README.md's Install section has no command block for the CLI");
  return block
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .map((line) => line.split(/\s+/));
}

/**
 * An empty project outside the repository with `install` run in it: the README's `npm install …` words, the
 * package names replaced by the tarballs (all of them, so that no @draingate package comes from the registry).
 */
export async function installTarballs(
  install: readonly string[],
  tarballs: readonly string[],
): Promise<{ dir: string; result: RunResult }> {
  const dir = await mkdtemp(join(tmpdir(), 'draingate-user-'));
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'draingate-user', private: true }, null, 2)}\n`,
  );
  const [cmd, ...args] = install;
  if (cmd !== 'npm') throw new Error(`not an npm command: ${install.join(' ')}`);
  const withTarballs = args.flatMap((a) => (a.startsWith('@draingate/') ? [...tarballs] : [a]));
  const result = await run('npm', withTarballs, { cwd: dir, timeoutMs: 600_000 });
  return { dir, result };
}
