// The release workflow and the workflows users copy, through actionlint (built from its Go module): syntax,
// expressions, job outputs and needs, permissions, runner labels. Shell scripts are not passed to shellcheck,
// which is not among the peers, so that the result does not depend on what the machine has installed.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasPeer, peers } from '../peers/index.js';
import { repoRoot } from './packages.js';

interface LintError {
  message: string;
  filepath: string;
  line: number;
  kind: string;
}

function actionlint(files: readonly string[]): Promise<LintError[]> {
  const bin = peers().actionlint?.bin ?? '';
  return new Promise((resolveLint, reject) => {
    execFile(
      bin,
      ['-format', '{{json .}}', '-shellcheck=', '-pyflakes=', ...files],
      { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', HOME: tmpdir() } },
      (err, stdout, stderr) => {
        // Exit 1 means "found problems"; anything else is actionlint failing to run.
        if (err && err.code !== 1) {
          reject(new Error(`actionlint failed: ${stderr}`, { cause: err }));
          return;
        }
        resolveLint(stdout.trim() === '' ? [] : (JSON.parse(stdout) as LintError[]));
      },
    );
  });
}

async function workflows(dir: string): Promise<string[]> {
  const names = await readdir(join(repoRoot, dir));
  return names.filter((n) => /\.ya?ml$/.test(n)).map((n) => join(dir, n));
}

describe.skipIf(!hasPeer('actionlint'))('GitHub workflows', () => {
  it('the release workflow and the example workflows pass actionlint', async () => {
    const files = [...(await workflows('.github/workflows')), ...(await workflows('examples/workflows'))];
    expect(files).toContain('.github/workflows/release.yml');
    const problems = await actionlint(files);
    expect(problems.map((p) => `${p.filepath}:${p.line} ${p.kind}: ${p.message}`)).toEqual([]);
  });

  it('actionlint reports a job output that does not exist (the check can fail)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'draingate-actionlint-'));
    try {
      const file = join(dir, 'broken.yml');
      await writeFile(
        file,
        [
          'on: push',
          'jobs:',
          '  a:',
          '    runs-on: ubuntu-24.04',
          '    steps: [{ run: echo }]',
          '  b:',
          '    needs: a',
          '    runs-on: ubuntu-24.04',
          '    steps: [{ run: "echo ${{ needs.a.outputs.version }}" }]',
          '',
        ].join('\n'),
      );
      const problems = await actionlint([file]);
      expect(problems.map((p) => p.kind)).toContain('expression');
      expect(problems.map((p) => p.message).join('\n')).toContain('version');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the release workflow pins every action by commit SHA and grants nothing by default', async () => {
    const text = await readFile(join(repoRoot, '.github/workflows/release.yml'), 'utf8');
    const uses = [...text.matchAll(/^\s*(?:- )?uses:\s*(\S+)/gm)].map((m) => m[1] ?? '');
    expect(uses.length).toBeGreaterThan(5);
    expect(uses.filter((u) => !/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(u))).toEqual([]);
    expect(text).toMatch(/^permissions: \{\}$/m);
  });
});

describe('the workflows users copy', () => {
  // The majors current when written: actions/checkout v5 and codeql-action v4 run on node24.
  const CURRENT: Readonly<Record<string, string>> = {
    'actions/checkout': 'v5',
    'github/codeql-action/upload-sarif': 'v4',
    'aws-actions/configure-aws-credentials': 'v6',
  };

  it('use the current major of every third-party action they name', async () => {
    const files = [...(await workflows('examples/workflows')), 'examples/approval/workflow.yml'];
    const uses: string[] = [];
    for (const file of files) {
      const text = await readFile(join(repoRoot, file), 'utf8');
      uses.push(...[...text.matchAll(/^\s*(?:- )?uses:\s*(\S+)/gm)].map((m) => `${file} ${m[1] ?? ''}`));
    }
    const stale = uses.filter((line) => {
      const [action, ref] = (line.split(' ')[1] ?? '').split('@');
      return action !== undefined && action in CURRENT && ref !== CURRENT[action];
    });
    expect(uses.some((line) => line.endsWith('actions/checkout@v5'))).toBe(true);
    expect(stale).toEqual([]);
  });

  it('upload SARIF only from pull requests of the repository itself: a fork gets a read-only token', async () => {
    const text = await readFile(join(repoRoot, 'examples/workflows/pull-request.yml'), 'utf8');
    const upload = /- name: Upload findings to code scanning\n\s+if: >-\n([\s\S]*?)\n\s+uses: (\S+)/.exec(
      text,
    );
    expect(upload?.[2]).toBe('github/codeql-action/upload-sarif@v4');
    expect(upload?.[1]?.replace(/\s+/g, ' ')).toContain(
      'github.event.pull_request.head.repo.full_name == github.repository',
    );
  });
});
