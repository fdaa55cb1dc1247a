import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { CANARY_PARAMETERS, LATENCY_PARAMETERS } from '@draingate/core';
import type { CliIo } from '../io.js';
import { UsageError } from '../io.js';
import { parameterValues } from '../options.js';
import { canaryRequestFrom, latencyRequestFrom, registerCheck } from './check.js';

const ARNS = {
  loadBalancer: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/0123456789abcdef',
  canaryTargetGroup:
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-shop-webcanary-9f8e7d/00000000000000bb',
  stableTargetGroup:
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-shop-web-1a2b3c4d5e/00000000000000aa',
};
const TARGETS = ['--load-balancer', ARNS.loadBalancer];
const CANARY = [
  ...TARGETS,
  '--canary-target-group',
  ARNS.canaryTargetGroup,
  '--stable-target-group',
  ARNS.stableTargetGroup,
];

/** Parses `draingate check canary …` up to its action: the flags commander gives, or its error. */
function canaryFlags(args: readonly string[], name = 'canary'): Record<string, unknown> {
  let flags: Record<string, unknown> = {};
  const program = new Command('draingate').exitOverride().configureOutput({ writeErr: () => undefined });
  const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: '/' };
  registerCheck(program, io as unknown as CliIo, () => undefined);
  const canary = program.commands.find((c) => c.name() === 'check')?.commands.find((c) => c.name() === name);
  canary?.action((parsed: Record<string, unknown>) => {
    flags = parsed;
  });
  program.parse(['check', name, ...CANARY, ...args], { from: 'user' });
  return flags;
}

const request = (args: readonly string[]) =>
  canaryRequestFrom(
    {
      loadBalancer: ARNS.loadBalancer,
      canaryTargetGroup: ARNS.canaryTargetGroup,
      stableTargetGroup: ARNS.stableTargetGroup,
    },
    parameterValues(CANARY_PARAMETERS, canaryFlags(args)),
  );

const TABLE_DEFAULTS = {
  method: 'fisher',
  windowMinutes: 10,
  alpha: 0.05,
  minRelativeEffect: 0,
  minCanaryRequests: 50,
  minStableRequests: 100,
  minRateDifference: 0,
  confidence: 0.95,
  countConnectionErrors: true,
  incompleteMinutes: 2,
  includeIncomplete: false,
};

describe('check canary flags', () => {
  it.each([
    { name: 'no flags → the table’s defaults, which are the check’s', args: [], expected: {} },
    {
      name: '--method sequential --since --alpha --min-relative-effect → the sequential request',
      args: [
        '--method',
        'sequential',
        '--since',
        '2026-11-23T17:00:00Z',
        '--alpha',
        '0.01',
        '--min-relative-effect',
        '0.2',
      ],
      expected: {
        method: 'sequential',
        since: new Date('2026-11-23T17:00:00Z'),
        alpha: 0.01,
        minRelativeEffect: 0.2,
      },
    },
    {
      name: '--window 15m --min-canary-requests 20 → a 15-minute window',
      args: ['--window', '15m', '--min-canary-requests', '20'],
      expected: { windowMinutes: 15, minCanaryRequests: 20 },
    },
    {
      name: '--min-rate-difference 0.5% --no-count-connection-errors → a rate and a switched-off default',
      args: ['--min-rate-difference', '0.5%', '--no-count-connection-errors'],
      expected: { minRateDifference: 0.005, countConnectionErrors: false },
    },
  ])('$name', ({ args, expected }) => {
    expect(request(args)).toEqual({
      ...TABLE_DEFAULTS,
      ...expected,
      loadBalancerArn: ARNS.loadBalancer,
      canaryTargetGroupArn: ARNS.canaryTargetGroup,
      stableTargetGroupArn: ARNS.stableTargetGroup,
    });
  });

  it('--method sequential without --since → a usage error naming --since', () => {
    expect(() => request(['--method', 'sequential'])).toThrow(UsageError);
    expect(() => request(['--method', 'sequential'])).toThrow(/needs --since/);
  });

  it.each([
    {
      name: '--since that is not a time',
      args: ['--since', 'yesterday'],
      message:
        "error: option '--since <time>' argument 'yesterday' is invalid. must be a time with its offset such as 2026-11-23T17:00:00Z, got \"yesterday\".",
    },
    {
      name: '--alpha above 0.5',
      args: ['--alpha', '0.9'],
      message:
        "error: option '--alpha <number>' argument '0.9' is invalid. must be a number above 0 to 0.5, got \"0.9\".",
    },
    {
      name: '--window of seconds',
      args: ['--window', '90s'],
      message:
        "error: option '--window <duration>' argument '90s' is invalid. must be whole minutes (CloudWatch's periods), got \"90s\".",
    },
  ])('$name → commander’s usage error naming the flag', ({ args, message }) => {
    let error: unknown;
    try {
      canaryFlags(args);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).message).toBe(message);
  });
});

describe('check latency flags', () => {
  const latency = (args: readonly string[]) =>
    latencyRequestFrom(
      {
        loadBalancer: ARNS.loadBalancer,
        canaryTargetGroup: ARNS.canaryTargetGroup,
        stableTargetGroup: ARNS.stableTargetGroup,
      },
      parameterValues(LATENCY_PARAMETERS, canaryFlags(args, 'latency')),
    );
  const arns = {
    loadBalancerArn: ARNS.loadBalancer,
    canaryTargetGroupArn: ARNS.canaryTargetGroup,
    stableTargetGroupArn: ARNS.stableTargetGroup,
  };
  const defaults = {
    percentile: 'p99',
    alpha: 0.05,
    minRelativeEffect: 0.1,
    minRequestsPerMinute: 100,
    minMinutes: 5,
    incompleteMinutes: 2,
  };

  it.each([
    {
      name: 'only the target groups → the table defaults, the window left to the check',
      args: [],
      request: {},
    },
    {
      name: '--percentile p90 --since --min-relative-effect → since the canary started',
      args: ['--percentile', 'p90', '--since', '2026-11-23T17:00:00Z', '--min-relative-effect', '0.25'],
      request: { percentile: 'p90', since: new Date('2026-11-23T17:00:00Z'), minRelativeEffect: 0.25 },
    },
    {
      name: '--window 15m --min-requests-per-minute 50 --min-minutes 3 → a 15-minute window',
      args: ['--window', '15m', '--min-requests-per-minute', '50', '--min-minutes', '3'],
      request: { windowMinutes: 15, minRequestsPerMinute: 50, minMinutes: 3 },
    },
    {
      name: '--incomplete-minutes 0 → no newest minute left out as still filling',
      args: ['--incomplete-minutes', '0'],
      request: { incompleteMinutes: 0 },
    },
  ])('$name', ({ args, request }) => {
    expect(latency(args)).toEqual({ ...defaults, ...request, ...arns });
  });

  it('--since with --window → a usage error naming both', () => {
    const call = () => latency(['--since', '2026-11-23T17:00:00Z', '--window', '10m']);
    expect(call).toThrow(UsageError);
    expect(call).toThrow(
      'check latency takes --since or --window, not both: every minute since --since is judged',
    );
  });

  it('an unknown --percentile → commander’s usage error naming the flag', () => {
    expect(() => canaryFlags(['--percentile', 'p999'], 'latency')).toThrow(/--percentile.*'p999' is invalid/);
  });
});
