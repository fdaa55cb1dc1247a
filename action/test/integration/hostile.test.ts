import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../run-action.js';

let workspace: string;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'draingate-hostile-'));
  await writeFile(
    join(workspace, 'bad.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: [unclosed\n',
  );
  await writeFile(join(workspace, 'kubeconfig'), 'this: is: not: [a kubeconfig\n');
  await writeFile(join(workspace, 'empty-kubeconfig'), 'apiVersion: v1\nkind: Config\n');
  await writeFile(
    join(workspace, 'one-context'),
    'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: dev, context: {cluster: c, user: u}}]\ncurrent-context: dev\n',
  );
  await mkdir(join(workspace, 'reports'));
  await writeFile(join(workspace, 'ok.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
  // Sparse: 33 MiB on paper, nothing on disk; the reader refuses it by size without reading it.
  await writeFile(join(workspace, 'huge.yaml'), '');
  await truncate(join(workspace, 'huge.yaml'), 33 * 1024 * 1024);
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

/** Every case must fail the step with one clear ::error:: and no stack trace. */
const CASES: { name: string; inputs: Record<string, string>; error: RegExp }[] = [
  {
    name: 'an unknown command',
    inputs: { command: 'deploy' },
    error: /input command: must be one of validate, gate, rollback, got "deploy"/,
  },
  {
    name: 'validate without manifests',
    inputs: { command: 'validate' },
    error: /input manifests: is required for command validate/,
  },
  {
    name: 'a glob that matches nothing',
    inputs: { manifests: 'k8s/**/*.yaml' },
    error: /manifests pattern "k8s\/\*\*\/\*\.yaml" matched no \.yaml, \.yml or \.json file/,
  },
  {
    name: 'a bad glob',
    inputs: { manifests: '[unclosed' },
    error: /manifests pattern "\[unclosed" matched no/,
  },
  {
    name: 'a missing file',
    inputs: { manifests: 'missing.yaml' },
    error: /manifests pattern "missing\.yaml" matched no/,
  },
  {
    name: 'malformed YAML',
    inputs: { manifests: 'bad.yaml' },
    error: /input problem\(s\): bad\.yaml:\d+:\d+: invalid YAML/,
  },
  {
    name: 'an unknown fail-on',
    inputs: { manifests: 'bad.yaml', 'fail-on': 'sometimes' },
    error: /input fail-on: must be one of error, warning, info, never/,
  },
  {
    name: 'a malformed duration',
    inputs: { command: 'gate', workload: 'deployment/web', timeout: 'ten minutes' },
    error: /input timeout: must be a duration such as 90s, 10m or 1h, got "ten minutes"/,
  },
  {
    name: 'a zero poll interval',
    inputs: { command: 'gate', workload: 'deployment/web', 'poll-interval': '0s' },
    error: /input poll-interval: must be longer than 0/,
  },
  {
    name: 'a malformed threshold',
    inputs: { command: 'gate', workload: 'deployment/web', 'max-error-rate': '150%' },
    error: /input max-error-rate: must be a rate from 0 to 1 such as 1% or 0\.01, got "150%"/,
  },
  {
    name: 'a non-numeric count',
    inputs: { command: 'gate', workload: 'deployment/web', 'min-healthy': '-1' },
    error: /input min-healthy: must be a whole number/,
  },
  {
    name: 'a bad dry-run',
    inputs: { command: 'gate', workload: 'deployment/web', 'dry-run': 'maybe' },
    error: /input dry-run: must be true or false/,
  },
  {
    name: 'gate without a workload',
    inputs: { command: 'gate' },
    error: /input workload: is required for command gate/,
  },
  {
    name: 'an unknown workload kind',
    inputs: { command: 'gate', workload: 'replicaset/web', kubeconfig: 'empty-kubeconfig' },
    error:
      /input workload: must be deployment\/NAME, rollout\/NAME, statefulset\/NAME or daemonset\/NAME, got "replicaset\/web"/,
  },
  {
    name: 'a kubeconfig that does not parse',
    inputs: { command: 'gate', workload: 'deployment/web', kubeconfig: 'kubeconfig' },
    error: /input kubeconfig: kubeconfig is not a valid kubeconfig/,
  },
  {
    name: 'a kubeconfig that does not exist',
    inputs: { command: 'rollback', workload: 'deployment/web', kubeconfig: 'nowhere' },
    error: /input kubeconfig: cannot read nowhere: no such file/,
  },
  {
    name: 'a directory as sarif-file (names the input, no EISDIR)',
    inputs: { manifests: 'ok.yaml', 'sarif-file': 'reports' },
    error:
      /^draingate: input sarif-file: reports is a directory: name a file, such as reports\/draingate\.sarif$/,
  },
  {
    name: 'an unknown kube-context (named as the input, not as the CLI flag)',
    inputs: {
      command: 'gate',
      workload: 'deployment/web',
      kubeconfig: 'one-context',
      'kube-context': 'prod',
    },
    error: /^draingate: input kube-context: no context "prod" in one-context \(it has "dev"\)$/,
  },
  {
    name: 'a manifest over the size limit (no CLI flag named)',
    inputs: { manifests: 'huge.yaml' },
    error: /huge\.yaml:1:1: file is 33\.0 MiB, over the 32\.0 MiB limit$/m,
  },
  {
    name: 'a shell metacharacter in an input stays data',
    inputs: { command: 'rollback', workload: 'deployment/web;touch pwned', kubeconfig: 'empty-kubeconfig' },
    error: /input (workload|kubeconfig):/,
  },
];

describe('the bundled action: hostile inputs', () => {
  it.each(CASES)('$name → a clear ::error:: and a failed step', async ({ inputs, error }) => {
    const run = await runAction(inputs, { cwd: workspace });
    expect(run.exitCode).toBe(1);
    const errors = run.annotations.filter((a) => a.command === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((a) => a.message).join('\n')).toMatch(error);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
    expect(run.stdout + run.stderr).not.toMatch(/internal error/);
  });

  it('never runs an input through a shell', async () => {
    await runAction({ command: 'validate', manifests: '$(touch pwned).yaml' }, { cwd: workspace });
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(workspace, 'pwned'))).toBe(false);
  });
});
