// Runs the bundled action (action/dist/index.js) the way the GitHub runner does: Node 24 (this process's
// node), every input as an INPUT_<NAME> environment variable (upper case, spaces → underscores, hyphens kept),
// the defaults of action.yml filled in for inputs not given, and real GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
// GITHUB_ENV and GITHUB_STATE files in a temporary directory.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
export const ACTION_DIR = join(here, '..');
export const BUNDLE = join(ACTION_DIR, 'dist', 'index.js');

/** One annotation as the runner reads it from stdout: `::error file=…,line=…::message`. */
export interface ParsedCommand {
  readonly command: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly message: string;
}

/** What a run left behind. */
export interface ActionRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly exportedEnv: string;
  readonly state: string;
  readonly commands: readonly ParsedCommand[];
  /** `::error`, `::warning` and `::notice` commands only. */
  readonly annotations: readonly ParsedCommand[];
  readonly durationMs: number;
}

/** The inputs of action.yml with their defaults. */
export async function actionDefaults(): Promise<Record<string, string>> {
  const manifest = parse(await readFile(join(ACTION_DIR, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: unknown }>;
  };
  return Object.fromEntries(
    Object.entries(manifest.inputs).map(([name, input]) => [
      name,
      input.default === undefined ? '' : String(input.default),
    ]),
  );
}

/** The runner's name for an input's environment variable. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

function unescapeData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeProperty(text: string): string {
  return unescapeData(text).replace(/%3A/g, ':').replace(/%2C/g, ',');
}

/** Workflow commands (`::name key=value,…::message`) in a stdout. */
export function parseCommands(stdout: string): ParsedCommand[] {
  const out: ParsedCommand[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line.replace(/\r$/, ''));
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(',')) {
      const at = pair.indexOf('=');
      if (at > 0) properties[pair.slice(0, at)] = unescapeProperty(pair.slice(at + 1));
    }
    out.push({ command: match[1] ?? '', properties, message: unescapeData(match[3] ?? '') });
  }
  return out;
}

/** `name<<DELIMITER\nvalue\nDELIMITER` entries of a GITHUB_OUTPUT file (and `name=value` lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter = ''] = heredoc;
      const value: string[] = [];
      for (index += 1; index < lines.length && lines[index] !== delimiter; index += 1)
        value.push(lines[index] ?? '');
      out[name] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

/**
 * Runs the bundle with `inputs` (action.yml defaults for the rest) in `cwd` (the workspace), with only the
 * environment a runner gives plus `env`. Resolves when the process exits or `timeoutMs` passes (then killed).
 */
export async function runAction(
  inputs: Readonly<Record<string, string>>,
  options: {
    cwd?: string;
    env?: Readonly<Record<string, string | undefined>>;
    timeoutMs?: number;
    onStdout?: (chunk: string) => void;
  } = {},
): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'draingate-runner-'));
  try {
    const files = {
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      GITHUB_ENV: join(dir, 'env'),
      GITHUB_STATE: join(dir, 'state'),
    };
    await Promise.all(Object.values(files).map((file) => writeFile(file, '')));
    const merged = { ...(await actionDefaults()), ...inputs };
    const cwd = options.cwd ?? dir;
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? dir,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: cwd,
      RUNNER_TEMP: dir,
      ...files,
    };
    for (const [name, value] of Object.entries(merged)) env[inputVariable(name)] = value;
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const started = performance.now();
    const child = spawn(process.execPath, [BUNDLE], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    const exitCode = await new Promise<number | null>((resolve) =>
      child.on('close', (code) => resolve(code)),
    );
    clearTimeout(timer);
    const durationMs = performance.now() - started;
    const commands = parseCommands(stdout);
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseOutputFile(await readFile(files.GITHUB_OUTPUT, 'utf8')),
      summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
      exportedEnv: await readFile(files.GITHUB_ENV, 'utf8'),
      state: await readFile(files.GITHUB_STATE, 'utf8'),
      commands,
      annotations: commands.filter((c) => ['error', 'warning', 'notice'].includes(c.command)),
      durationMs,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
