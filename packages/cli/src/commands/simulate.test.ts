import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../io.js';
import { UsageError } from '../io.js';
import { createManifestLoader, parseCanarySteps, parseSweep, registerSimulate } from './simulate.js';
import type { LoadScenarios } from './simulate.js';
import { withStrategy } from './simulate-flags.js';
import type { SimulateFlags } from './simulate-flags.js';
import { createCanaryStrategy, createScenario } from '@draingate/core';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `draingate simulate ARGS` in memory, with the exit codes of main(). */
async function simulate(
  args: readonly string[],
  options: { cwd?: string; load?: (io: CliIo) => LoadScenarios } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    stdin: Readable.from([]),
    env: {},
    cwd: options.cwd ?? tmpdir(),
  };
  const program = new Command('draingate')
    .exitOverride()
    .configureOutput({ writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) });
  registerSimulate(program, io, options.load?.(io));
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(['simulate', ...args], { from: 'user' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (error instanceof CommanderError) return { code: error.exitCode === 0 ? 0 : 2, stdout, stderr };
    if (error instanceof UsageError)
      return { code: 2, stdout, stderr: `${stderr}draingate: ${error.message}\n` };
    throw error;
  }
}

describe('draingate simulate', () => {
  it('prints a load tester report from flags, ending with the cause', async () => {
    const run = await simulate(['--replicas', '3', '--rps', '20']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Status Codes\s+\[code:count\]\s+200:\d+\s+502:\d+\s+504:\d+/m);
    expect(run.stdout).toMatch(
      /Cause: \d+ × 50[24]: .*preStop 0 s < controller latency 5 s \+ ALB propagation 15 s = 20 s/,
    );
  });

  it('--fix prints both configurations and the changes, and --chart writes an SVG', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'draingate-simulate-'));
    const run = await simulate(['--reference', '000', '--fix', '--chart', 'out.svg'], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('With the proposed fix');
    expect(run.stdout).toMatch(/\d+ → 0 failed requests/);
    expect(readFileSync(join(cwd, 'out.svg'), 'utf8')).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
  });

  it('--output json is the versioned document', async () => {
    const run = await simulate(['--output', 'json', '--rps', '5', '--prestop', '25', '--readiness-gate']);
    const document = JSON.parse(run.stdout) as { schema: string; result: { failures: number } };
    expect(document.schema).toBe('draingate.simulation/v1');
    expect(document.result.failures).toBe(0);
  });

  it('--runs reports the spread and --sweep a row per value', async () => {
    const runs = await simulate(['--runs', '3', '--arrivals', 'poisson', '--rps', '10']);
    expect(runs.stdout).toMatch(/^Runs\s+3$/m);
    const swept = await simulate(['--sweep', 'prestop=0..20', '--sweep-steps', '3', '--grace', '40']);
    const rows = swept.stdout.trim().split('\n');
    expect(rows).toHaveLength(5);
    expect(rows[4]).toMatch(
      /^traffic window \d+ s: until the slowest configuration's rollout could no longer hurt a request$/,
    );
  });

  it.each([
    {
      name: 'a negative rate',
      args: ['--rps', '-5'],
      message: /--rps <n>' argument '-5' is invalid\. expected a number ≥ 0/,
    },
    { name: '10^9 requests per second', args: ['--rps', '1e9'], message: /--rps .* expected at most 100000/ },
    {
      name: 'a reversed sweep',
      args: ['--sweep', 'prestop=40..0'],
      message: /the range 40\.\.0 is reversed; write 0\.\.40/,
    },
    {
      name: 'an unknown sweep parameter',
      args: ['--sweep', 'colour=1..2'],
      message: /cannot sweep "colour"/,
    },
    {
      name: 'a bad shutdown behaviour',
      args: ['--shutdown', 'politely'],
      message: /expected one of stop-accepting, drain, exit/,
    },
    {
      name: 'grace 0 with preStop 30',
      args: ['--grace', '0', '--prestop', '30'],
      message: /--prestop: a native preStop sleep of 30 s must be shorter/,
    },
    {
      name: 'an unknown reference',
      args: ['--reference', '999'],
      message: /--reference 999: no such reference case; one of 000, 001, 002/,
    },
    {
      name: 'an absurd run',
      args: ['--rps', '50000', '--event-budget', '10000'],
      message: /stopped after 10,000 events.*--event-budget/,
    },
    { name: 'manifests without a loader', args: ['k8s/'], message: /not available in this build/ },
  ])('$name → exit 2 with the flag, the value and why', async ({ args, message }) => {
    const run = await simulate(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('simulates what the loader gives for manifest paths, with flags on top', async () => {
    const load: LoadScenarios = async (paths, overrides) => {
      const { createScenario } = await import('@draingate/core');
      return paths.map((path) => ({ name: path, scenario: createScenario({ replicas: 2, ...overrides }) }));
    };
    const run = await simulate(['a.yaml', 'b.yaml', '--rps', '5'], { load: () => load });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('== a.yaml');
    expect(run.stdout).toContain('5 req/s constant');
  });
});

describe('draingate simulate with manifests', () => {
  const repo = join(import.meta.dirname, '../../../..');
  const manifests = (io: CliIo): LoadScenarios => createManifestLoader(io);

  it('predicts the example workload before and after the proposed fix', async () => {
    const run = await simulate(['examples/reference-002-draining-504/broken.yaml', '--fix'], {
      cwd: repo,
      load: manifests,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/preStop sleep 5 s, grace 30 s/);
    expect(run.stdout).toMatch(/\d+ → 0 failed requests/);
  });

  it('a missing file is a usage error', async () => {
    const run = await simulate(['examples/nope.yaml'], { cwd: repo, load: manifests });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nope.yaml');
  });
});

describe('flag parsers', () => {
  it('reads canary steps', () => {
    expect(parseCanarySteps('25,pause30,100')).toEqual([
      { kind: 'setWeight', weight: 25 },
      { kind: 'pause', seconds: 30 },
      { kind: 'setWeight', weight: 100 },
    ]);
    expect(() => parseCanarySteps('25,wait')).toThrow(/"wait" is neither/);
  });

  it('reads sweeps by flag name or field name', () => {
    expect(parseSweep('deregistration-delay=0..300')).toEqual({
      field: 'deregistrationDelaySeconds',
      from: 0,
      to: 300,
    });
    expect(parseSweep('propagationSeconds=5..30')).toEqual({ field: 'propagationSeconds', from: 5, to: 30 });
  });
});

describe('the strategy of a scenario from manifests', () => {
  const canary = createScenario({
    replicas: 4,
    strategy: createCanaryStrategy([{ kind: 'setWeight', weight: 25 }], 30),
  });

  it('an Argo canary stays a canary when no strategy flag is given', () => {
    expect(withStrategy(canary, {} as SimulateFlags).strategy).toEqual(canary.strategy);
  });

  it('--max-surge turns it into a rolling update with that budget', () => {
    expect(withStrategy(canary, { maxSurge: 1 } as SimulateFlags).strategy).toEqual({
      kind: 'rolling',
      maxSurge: 1,
      maxUnavailable: 1,
    });
  });
});
