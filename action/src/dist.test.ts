import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('action/dist', () => {
  // CI fails when the committed bundle is not what the sources build to: rebuild into a temporary directory
  // and compare bytes, file by file (build.mjs --check); and when it contains a package licenses.txt omits.
  it('is up to date with action/src and the packages it bundles', async () => {
    const result = await run(process.execPath, [
      join(import.meta.dirname, '..', 'build.mjs'),
      '--check',
    ]).catch((error: { stderr?: string; code?: number }) => ({
      stdout: '',
      stderr: error.stderr ?? '',
      code: error.code,
    }));
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^action\/dist is up to date \(\d+ files; every bundled package has its notice; no AWS or Kubernetes client at start\)\.$/m,
    );
  }, 120_000);
});
