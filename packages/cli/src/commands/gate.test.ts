import { Readable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import type { Clock, RolloutStatus } from '@draingate/core';
import { InputError, UpstreamError } from '@draingate/core';
import {
  ARNS,
  InMemoryCluster,
  InMemoryMetrics,
  InMemoryTargetHealth,
  RecordingActuator,
  WEB,
  aPod,
  aStatus,
  aTarget,
  CANARY_DIMENSION,
  minutes,
  putMinutes,
} from '@draingate/core/testing';
import type { CliIo } from '../io.js';
import { UsageError } from '../io.js';
import { registerGate } from './gate.js';
import type { LiveDeps } from './gate.js';
import type { LivePorts } from './gate-ports.js';
import { registerRollback } from './rollback.js';

/** A clock whose sleeps return at once, moving time forward: a whole gate runs in milliseconds. */
class JumpingClock implements Clock {
  time = Date.parse('2026-01-01T12:00:00Z');
  now(): Date {
    return new Date(this.time);
  }
  async sleep(ms: number): Promise<void> {
    this.time += ms;
  }
}

/** The world a test sets up: a status per poll, targets, pods, and the live objects the gate looks up first. */
function aWorld(statuses: (t: number) => RolloutStatus, options: { brokenTargets?: boolean } = {}) {
  const clock = new JumpingClock();
  const start = clock.time;
  const cluster = new InMemoryCluster();
  const targetHealth = new InMemoryTargetHealth();
  const metrics = new InMemoryMetrics();
  const actuator = new RecordingActuator();
  const ips = ['10.0.1.1', '10.0.1.2', '10.0.1.3'];
  cluster.setPods(ips.map((ip, i) => aPod(`web-${i}`, ip)));
  targetHealth.set(ARNS.stable, [
    ...ips.map((ip) => aTarget(ip, 'healthy')),
    ...(options.brokenTargets ? [aTarget('10.0.0.9', 'healthy')] : []),
  ]);
  const reader = {
    listPods: cluster.listPods.bind(cluster),
    readRolloutStatus: async (ref: Parameters<InMemoryCluster['readRolloutStatus']>[0]) => {
      cluster.setRolloutStatus(statuses((clock.time - start) / 1000));
      return cluster.readRolloutStatus(ref);
    },
    readLiveObjects: async () => ({
      workload: {
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } } },
        },
      },
      services: [{ metadata: { name: 'web' }, spec: { selector: { app: 'web' } } }],
      targetGroupBindings: [{ spec: { serviceRef: { name: 'web', port: 80 }, targetGroupARN: ARNS.stable } }],
      ingresses: [],
      ingressClasses: [],
      ingressClassParams: [],
      pdbs: [],
    }),
  };
  let closed = false;
  const ports: LivePorts = { cluster: reader, actuator, targetHealth, metrics, close: () => (closed = true) };
  const connected: unknown[] = [];
  const deps: LiveDeps = {
    clock,
    connect: (options) => {
      connected.push(options);
      if (options.kubeconfig === 'broken')
        throw new InputError('kubeconfig', 'broken is not a valid kubeconfig: nope');
      return ports;
    },
  };
  return { deps, actuator, metrics, connected, closed: () => closed };
}

async function cli(args: readonly string[], deps: LiveDeps, tty = false) {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: tty },
    stdin: Readable.from([]),
    env: {},
    cwd: '/',
  };
  const program = new Command('draingate')
    .exitOverride()
    .configureOutput({ writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) });
  registerGate(program, io, (next) => (code = next), deps);
  registerRollback(program, io, (next) => (code = next), deps);
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return { code: error.exitCode === 0 ? 0 : 2, stdout, stderr };
    if (error instanceof UsageError)
      return { code: 2, stdout, stderr: `${stderr}draingate: ${error.message}\n` };
    throw error;
  }
  return { code, stdout, stderr };
}

const progressing = (t: number): RolloutStatus =>
  t < 10 ? aStatus({ updatedReplicas: 1, replicas: 4, oldReplicas: 3, phase: 'Progressing' }) : aStatus();

describe('draingate gate', () => {
  it('follows a rollout to success with timestamped progress lines off a TTY, targets found through TargetGroupBindings', async () => {
    const world = aWorld(progressing);
    const run = await cli(
      ['gate', '-n', 'shop', 'deployment/web', '--settle', '10', '--poll-interval', '5'],
      world.deps,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /^2026-01-01T12:00:00\.000Z replicas 1 updated \/ 3 available of 4 \(3 old\) · targets 3\/3 healthy · Progressing · 0 s$/m,
    );
    expect(run.stderr).toMatch(
      /^2026-01-01T12:00:10\.000Z rollout-complete: rolled out \(3 updated, 3 available of 3\)/m,
    );
    expect(run.stdout).toMatch(/^draingate gate: SUCCESSFUL — Deployment shop\/web after 20 s/);
    expect(world.closed()).toBe(true);
  });

  it('draws one updating progress line on a TTY', async () => {
    const run = await cli(
      ['gate', '-n', 'shop', 'deployment/web', '--settle', '5'],
      aWorld(progressing).deps,
      true,
    );
    expect(run.stderr).toContain('\r\x1b[2Kreplicas 1 updated / 3 available of 4 (3 old)');
    expect(run.stderr).not.toMatch(/^2026-/m);
  });

  it('fails, rolls back with --on-failure rollback, and exits 1 with the reason; --dry-run is passed through', async () => {
    const world = aWorld(progressing, { brokenTargets: true });
    const run = await cli(
      ['gate', '-n', 'shop', 'deployment/web', '--on-failure', 'rollback', '--dry-run', '-o', 'json'],
      world.deps,
    );
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as { phase: string; reason: string; action: { status: string } };
    expect(result.phase).toBe('Failed');
    expect(result.reason).toMatch(/target 10\.0\.0\.9:8080 \(healthy\) belongs to no pod of the workload/);
    expect(result.action.status).toBe('dry-run');
    expect(world.actuator.calls[0]).toMatchObject({ action: 'rollback', workload: WEB, dryRun: true });
  });

  it("fails on the canary's 5xx against the stable group's with --canary-target-group, and says so in JSON", async () => {
    const world = aWorld(progressing);
    const start = new Date('2026-01-01T12:00:00Z');
    putMinutes(world.metrics, start, minutes(10, { requests: 10_000, target5xx: 1 }));
    putMinutes(world.metrics, start, minutes(10, { requests: 1_000, target5xx: 40 }), CANARY_DIMENSION);
    const run = await cli(
      [
        'gate',
        '-n',
        'shop',
        'deployment/web',
        '--settle',
        '300',
        '--load-balancer',
        ARNS.loadBalancer,
        '--canary-target-group',
        ARNS.canary,
        '--stable-target-group',
        ARNS.stable,
        '--latency-percentile',
        'p90',
        '-o',
        'json',
      ],
      world.deps,
    );
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as {
      reason: string;
      canary: { phase: string; threshold: number };
      latency: { phase: string; details: { percentile: string } };
      decisions: { kind: string; elapsedSeconds: number }[];
    };
    expect(result.reason).toMatch(/^Canary 5xx: canary 40\/1,000 errors \(4\.00%\) vs stable 1\/10,000/);
    expect(result.canary).toMatchObject({ phase: 'Failed', threshold: 0.05 });
    expect(result.latency.details.percentile).toBe('p90');
    expect(result.decisions.find((d) => d.kind === 'canary-failed')?.elapsedSeconds).toBe(180);
  });

  it.each([
    {
      name: 'a canary target group without the stable one',
      args: ['gate', 'deployment/web', '--canary-target-group', ARNS.canary],
      error:
        /stable-target-group: is required with the other: the canary is compared with the stable target group/,
    },
    {
      name: 'a canary without a load balancer',
      args: [
        'gate',
        'deployment/web',
        '--canary-target-group',
        ARNS.canary,
        '--stable-target-group',
        ARNS.stable,
      ],
      error: /canary: needs loadBalancerArn/,
    },
    {
      name: 'an unknown canary-checks',
      args: ['gate', 'deployment/web', '--canary-checks', 'cpu'],
      error: /canary-checks/,
    },
    {
      name: 'an unknown latency percentile',
      args: ['gate', 'deployment/web', '--latency-percentile', 'p75'],
      error: /latency-percentile/,
    },
    {
      name: 'an unknown kind',
      args: ['gate', 'replicaset/web'],
      error: /workload: must be deployment\/NAME/,
    },
    {
      name: 'a bad rate',
      args: ['gate', 'deployment/web', '--max-error-rate', '5 percent'],
      error:
        /option '--max-error-rate <rate>' argument '5 percent' is invalid\. must be a rate from 0 to 1 such as 1% or 0\.01, got "5 percent"/,
    },
    {
      name: 'a bad on-failure',
      args: ['gate', 'deployment/web', '--on-failure', 'panic'],
      error:
        /option '--on-failure <rollback\|abort\|none>' argument 'panic' is invalid\. must be one of rollback, abort, none/,
    },
    {
      name: 'a kubeconfig that does not load',
      args: ['gate', 'deployment/web', '--kubeconfig', 'broken'],
      error: /kubeconfig: broken is not a valid kubeconfig/,
    },
    {
      name: 'a bad target group',
      args: ['gate', 'deployment/web', '--target-group', 'tg-1'],
      error: /targetGroupArns\[0\]: must be a target group ARN/,
    },
  ])('$name → a usage error, exit 2', async ({ args, error }) => {
    const run = await cli(args, aWorld(progressing).deps);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(error);
  });
});

describe('draingate rollback', () => {
  it('rolls a Deployment back guarded by the generation and revision it just read', async () => {
    const world = aWorld(() => aStatus());
    const run = await cli(['rollback', '-n', 'shop', 'deployment/web', '--dry-run'], world.deps);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/would roll back Deployment shop\/web from revision 2 to revision 1/);
    expect(world.actuator.calls[0]).toMatchObject({
      preconditions: { generation: 2, revision: '2' },
      dryRun: true,
    });
  });

  it('says refused and exits 1 when the actuator refuses', async () => {
    const world = aWorld(() => aStatus());
    // The error class of the package the command imports (the test helpers' own copy would not be recognized).
    world.actuator.rollback = async () => {
      throw new UpstreamError(
        'kubernetes',
        'rollback',
        'conflict',
        'Deployment shop/web changed since it was watched (generation 2 → 9)',
      );
    };
    const run = await cli(['rollback', '-n', 'shop', 'deployment/web'], world.deps);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/draingate: refused: .*changed since it was watched \(generation 2 → 9\)/);
  });
});
