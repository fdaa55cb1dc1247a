import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../run-action.js';

const BROKEN = join(import.meta.dirname, '../../../examples/reference-002-draining-504/broken.yaml');
const ALL_RIGHT = join(import.meta.dirname, '../../../examples/all-right/shop.yaml');

let workspace: string;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'draingate-workspace-'));
  const broken = await readFile(BROKEN, 'utf8');
  await mkdir(join(workspace, 'k8s/many'), { recursive: true });
  await writeFile(join(workspace, 'k8s/broken.yaml'), broken);
  await writeFile(join(workspace, 'k8s/shop.yaml'), await readFile(ALL_RIGHT, 'utf8'));
  // Twelve broken workloads: 12 errors and 12 warnings, more than GitHub shows per step.
  for (let index = 1; index <= 12; index += 1) {
    await writeFile(
      join(workspace, `k8s/many/api-${index}.yaml`),
      broken.replaceAll('jiameng-api-dev', `api-${index}`),
    );
  }
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

describe('the bundled action: validate', () => {
  it('passes on a right configuration: outputs, summary, exit 0', async () => {
    const run = await runAction({ command: 'validate', manifests: 'k8s/shop.yaml' }, { cwd: workspace });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ verdict: 'Successful', 'findings-count': '0' });
    expect(run.summary).toContain('## draingate: drain-timing validation');
    expect(run.annotations).toEqual([]);
    expect(run.stderr).toBe('');
    // Nothing is exported to later steps or saved for a post step.
    expect(run.exportedEnv).toBe('');
    expect(run.state).toBe('');
  });

  it('annotates the offending manifest lines, writes SARIF and fails the step', async () => {
    const run = await runAction(
      { command: 'validate', manifests: 'k8s/broken.yaml', 'sarif-file': 'out/draingate.sarif' },
      { cwd: workspace },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({
      verdict: 'Failed',
      'findings-count': '2',
      'sarif-file': 'out/draingate.sarif',
    });
    const dg002 = run.annotations.find((a) => a.properties['title']?.startsWith('DG002'));
    expect(dg002).toMatchObject({ command: 'error', properties: { file: 'k8s/broken.yaml', line: '43' } });
    expect(dg002?.message).toMatch(
      /sleeps 5 s in preStop, but after the pod is deleted the ALB keeps routing/,
    );
    expect(run.stdout).toMatch(
      /^::error title=DG002 prestop-too-short,file=k8s\/broken\.yaml,line=43,col=13::/m,
    );
    expect(run.annotations.find((a) => a.properties['title']?.startsWith('DG005'))?.command).toBe('warning');
    const sarif = JSON.parse(await readFile(join(workspace, 'out/draingate.sarif'), 'utf8')) as {
      version: string;
      runs: {
        results: {
          ruleId: string;
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
        }[];
      }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]?.results.map((r) => r.ruleId).sort()).toEqual(['DG002', 'DG005']);
    expect(sarif.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(
      'k8s/broken.yaml',
    );
    expect(run.summary).toContain('DG002');
    // The last ::error:: is setFailed's.
    expect(run.annotations.at(-1)?.message).toMatch(/2 finding\(s\), at least one at or above fail-on=error/);
  });

  it('keeps within 10 annotations of each kind per step and summarizes the rest', async () => {
    const run = await runAction({ command: 'validate', manifests: 'k8s/many/*.yaml' }, { cwd: workspace });
    expect(run.exitCode).toBe(1);
    const located = run.annotations.filter((a) => a.properties['file'] !== undefined);
    expect(located.filter((a) => a.command === 'error')).toHaveLength(10);
    expect(located.filter((a) => a.command === 'warning')).toHaveLength(10);
    expect(run.outputs['findings-count']).toBe('24');
    expect(run.summary).toMatch(
      /2 error\(s\), 2 warning\(s\) and 0 notice\(s\) more are listed in the step log/,
    );
    expect(run.stdout.match(/^error: k8s\/many\/api-\d+\.yaml:43:13: DG002/gm)).toHaveLength(2);
  });

  it('respects fail-on never, and globs with exclusions', async () => {
    const run = await runAction(
      { command: 'validate', manifests: 'k8s/**/*.yaml\n!k8s/many/**', 'fail-on': 'never' },
      { cwd: workspace },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs['findings-count']).toBe('2');
  });
});

describe('the bundled action: validate on a repository as it is laid out', () => {
  it('reads a directory named in manifests, as the CLI walks it, and lists skipped files as notices', async () => {
    await mkdir(join(workspace, 'layout/overlays/prod'), { recursive: true });
    await writeFile(
      join(workspace, 'layout/overlays/prod/kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../../k8s]\n',
    );
    await writeFile(join(workspace, 'layout/broken.yaml'), await readFile(BROKEN, 'utf8'));
    const run = await runAction({ command: 'validate', manifests: 'layout/' }, { cwd: workspace });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['findings-count']).toBe('2');
    expect(run.summary).toContain(
      '- layout/overlays/prod/kustomization\\.yaml:1:1: skipped: holds no Kubernetes object',
    );
  });

  it('refuses a path outside the workspace with an input error', async () => {
    const run = await runAction(
      { command: 'validate', manifests: '../../etc/passwd,/etc/*.conf' },
      { cwd: workspace },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs['findings-count']).toBe('0');
    expect(run.annotations.at(-1)?.message).toMatch(
      /2 input problem\(s\): \.\.\/\.\.\/etc\/passwd:1:1: manifests pattern "\.\.\/\.\.\/etc\/passwd" names "\.\.\/\.\.\/etc\/passwd", outside the workspace/,
    );
  });

  it('refuses a link in a named directory that leads outside the workspace', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'draingate-outside-'));
    await writeFile(join(outside, 'secret.yaml'), await readFile(ALL_RIGHT, 'utf8'));
    await mkdir(join(workspace, 'linked'), { recursive: true });
    await symlink(join(outside, 'secret.yaml'), join(workspace, 'linked/secret.yaml'));
    const run = await runAction({ command: 'validate', manifests: 'linked/' }, { cwd: workspace });
    expect(run.exitCode).toBe(1);
    expect(run.annotations.at(-1)?.message).toBe(
      'draingate: 1 input problem(s): linked/secret.yaml:1:1: leads outside the directories that may be read (a symbolic link?): not read',
    );
    await rm(outside, { recursive: true, force: true });
  });

  it('reads rendered output under RUNNER_TEMP, and annotates it without a repository path', async () => {
    const temp = await mkdtemp(join(tmpdir(), 'draingate-runner-temp-'));
    await writeFile(join(temp, 'rendered.yaml'), await readFile(BROKEN, 'utf8'));
    const run = await runAction(
      { command: 'validate', manifests: join(temp, 'rendered.yaml'), 'sarif-file': 'temp.sarif' },
      { cwd: workspace, env: { RUNNER_TEMP: temp } },
    );
    expect(run.exitCode).toBe(1);
    const dg002 = run.annotations.find((a) => a.properties['title']?.startsWith('DG002'));
    expect(dg002?.properties['file']).toBeUndefined();
    expect(dg002?.message).toMatch(
      new RegExp(`^${join(temp, 'rendered.yaml')}:43:13: container api sleeps 5 s`),
    );
    const sarif = JSON.parse(await readFile(join(workspace, 'temp.sarif'), 'utf8')) as {
      runs: { results: { locations?: unknown; message: { text: string } }[] }[];
    };
    expect(sarif.runs[0]?.results.map((r) => r.locations)).toEqual([undefined, undefined]);
    await rm(temp, { recursive: true, force: true });
  });

  it('keeps the job summary under 1 MiB on 1,000 workloads, the worst first, and points at the SARIF file and the log', async () => {
    const broken = await readFile(BROKEN, 'utf8');
    await mkdir(join(workspace, 'big'), { recursive: true });
    // One Namespace, then 1,000 applications in it.
    const [namespace, ...application] = broken.split('\n---\n');
    const parts = [namespace!];
    for (let index = 1; index <= 1000; index += 1)
      parts.push(application.join('\n---\n').replaceAll('jiameng-api-dev', `api-${index}`));
    await writeFile(join(workspace, 'big/all.yaml'), parts.join('\n---\n'));
    const run = await runAction(
      { command: 'validate', manifests: 'big', 'sarif-file': 'big.sarif' },
      { cwd: workspace, timeoutMs: 120_000 },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs['findings-count']).toBe('2000');
    expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024);
    expect(run.summary).toMatch(
      /> This summary is cut to stay under GitHub's \d+ KiB limit: it shows \d+ of 2000 findings \(\d+ of 1000 workloads, the worst first\)\. Every finding is in the SARIF file \(big\.sarif\) and the step log\./,
    );
    expect(run.stdout.match(/^error: big\/all\.yaml:\d+:13: DG002/gm)).toHaveLength(1000);
    const sarif = JSON.parse(await readFile(join(workspace, 'big.sarif'), 'utf8')) as {
      runs: { results: unknown[] }[];
    };
    expect(sarif.runs[0]?.results).toHaveLength(2000);
  });
});
