import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './run.js';

describe('the quick start (npm start) on the bundled examples', () => {
  it('validates and simulates every example, and ends with the before/after table', async () => {
    const child = spawn(process.execPath, [join(REPO, 'scripts/quickstart.mjs')], { cwd: REPO });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => out.push(chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const text = Buffer.concat(out).toString('utf8');
    expect(code).toBe(0);
    const table = text.slice(text.lastIndexOf('Summary:'));
    // The broken configurations lose requests as configured and none with draingate's fix; the right ones none.
    expect(table).toMatch(/reference-000-preset\/broken\.yaml\s+1 \/ 3 \/ 0\s+8\d\.\d\d %\s+100\.00 %/);
    expect(table).toMatch(/reference-001-2048\/broken\.yaml\s+2 \/ 4 \/ 0\s+\d\d\.\d\d %\s+100\.00 %/);
    expect(table).toMatch(/reference-002-draining-504\/broken\.yaml\s+1 \/ 1 \/ 0\s+9\d\.\d\d %\s+100\.00 %/);
    expect(table).toMatch(/reference-002-draining-504\/fixed\.yaml\s+0 \/ 0 \/ 0\s+100\.00 %\s+100\.00 %/);
    expect(table).toMatch(/all-right\/shop\.yaml\s+0 \/ 0 \/ 0\s+100\.00 %\s+100\.00 %/);
    expect(table).toContain('npm run --silent draingate -- validate k8s/');
  }, 120_000);

  it('the command it suggests runs draingate, with paths relative to where it is typed', async () => {
    const child = spawn('npm', ['run', '--silent', 'draingate', '--', 'validate', 'all-right/shop.yaml'], {
      cwd: join(REPO, 'examples'),
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => out.push(chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(Buffer.concat(out).toString('utf8')).toContain('1 load-balanced workload checked in 1 file');
    expect(code).toBe(0);
  }, 60_000);
});
