// The done-when of "one vocabulary": every parameter that more than one front end offers is read the same way
// by each. A value is given as a user would type it — a CLI flag, an Action input, a query parameter and a
// string in a JSON body — and each front end must accept it with the same value or refuse it with the same
// reason, in its own terms (flag, input, field). The reason is also core's, the single grammar they share.
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  CANARY_PARAMETERS,
  LATENCY_PARAMETERS,
  ELB_5XX_PARAMETERS,
  GATE_PARAMETERS,
  InputError,
  ParameterValueError,
  TARGET_HEALTH_PARAMETERS,
  offeredOn,
  parseParameterText,
} from '@draingate/core';
import type { Parameter } from '@draingate/core';
import { parseInputs } from '../../action/src/inputs.js';
import { ApiError } from '../../analysis-provider/src/api/errors.js';
import { coerceBody, parseCheckInput, queryToBody } from '../../analysis-provider/src/api/parse-input.js';
import type { CheckName } from '../../analysis-provider/src/api/schemas.js';
import type { CliIo } from '../../packages/cli/src/io.js';
import { createProgram } from '../../packages/cli/src/main.js';
import { parameterValues } from '../../packages/cli/src/options.js';

const NOW = new Date('2026-12-06T12:00:00Z');
const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/0123456789abcdef';
const TG =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-shop-web-1a2b3c4d5e/00000000000000aa';
const TG2 =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-shop-webcanary-9f8e7d/00000000000000bb';

/** What a front end made of a value: the value (normalized for comparison) or the reason it refused it. */
type Reading = { accepted: unknown } | { refused: string };

const normalized = (value: unknown): unknown => (value instanceof Date ? value.toISOString() : value);

/** The CLI: `draingate <command…> <args> --flag value`, parsed by commander up to the command's action. */
function readCli(
  command: readonly string[],
  args: readonly string[],
  table: readonly Parameter[],
  parameter: Parameter,
): Reading {
  const io = {
    stdout: { write: () => true },
    stderr: { write: () => true },
    env: {},
    cwd: '/',
  } as unknown as CliIo;
  const program = createProgram(io, () => undefined);
  let leaf: Command = program;
  for (const name of command) leaf = leaf.commands.find((c) => c.name() === name) ?? leaf;
  let flags: Record<string, unknown> = {};
  leaf.action((...received: unknown[]) => {
    flags = received.find((r) => typeof r === 'object' && r !== null && !(r instanceof Command)) as Record<
      string,
      unknown
    >;
  });
  try {
    program.parse([...command, ...args], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const reason = /is invalid\. (.*)\.$/.exec(error.message)?.[1];
    if (reason === undefined) throw error;
    return { refused: reason };
  }
  return { accepted: normalized(parameterValues(table, flags)[parameter.field]) };
}

/** The Action: `command: gate` with the input set. */
function readAction(parameter: Parameter, text: string): Reading {
  const inputs: Record<string, string> = {
    command: 'gate',
    workload: 'deployment/web',
    [parameter.name]: text,
  };
  try {
    return {
      accepted: normalized(
        (parseInputs((name) => inputs[name] ?? '') as unknown as Record<string, unknown>)[parameter.field],
      ),
    };
  } catch (error) {
    if (!(error instanceof InputError) || error.path !== parameter.name) throw error;
    return { refused: error.message.slice(parameter.name.length + 2) };
  }
}

const PROVIDER_TARGETS: Readonly<Record<string, Record<string, string>>> = {
  // deployedAt: a baseline needs one, and the cross-field rule is not what this test is about.
  'elb-5xx': { loadBalancerArn: LB, deployedAt: '2026-12-06T11:00:00Z' },
  'target-health': { targetGroupArn: TG },
  canary: { loadBalancerArn: LB, canaryTargetGroupArn: TG, stableTargetGroupArn: TG2 },
  latency: { loadBalancerArn: LB, canaryTargetGroupArn: TG, stableTargetGroupArn: TG2 },
};

/** The provider: GET with a query parameter, or POST with the value as a string (as Argo's args are). */
function readProvider(check: CheckName, parameter: Parameter, text: string, method: 'GET' | 'POST'): Reading {
  const raw = { ...PROVIDER_TARGETS[check], [parameter.field]: text };
  try {
    const body = method === 'GET' ? queryToBody(check, raw) : coerceBody(check, raw);
    const input = parseCheckInput(check, body, NOW);
    const value = (input.body as Record<string, unknown>)[parameter.field];
    return { accepted: parameter.grammar.kind === 'time' ? new Date(String(value)).toISOString() : value };
  } catch (error) {
    if (!(error instanceof ApiError) || error.extra.field !== parameter.field) throw error;
    expect(error.status).toBe(400);
    return { refused: error.message };
  }
}

/** Core's own reading: what every front end must agree with. */
function readCore(parameter: Parameter, text: string): Reading {
  try {
    return { accepted: normalized(parseParameterText(parameter, text)) };
  } catch (error) {
    if (!(error instanceof ParameterValueError)) throw error;
    return { refused: error.message };
  }
}

/** Values a user might type, good and bad, for each kind of grammar. */
const SAMPLES: Readonly<Record<string, readonly string[]>> = {
  duration: ['90', '90s', '2m', '10m', '1h', '1m30s', '0', '0.5', 'ten', '-5s', '25h', '1m1m', '5d', ''],
  rate: ['1%', '0.5%', '0.005', '0', '100%', '150%', '2', '-1%', 'lots', '1e-3'],
  count: ['0', '1', '100', '1.5', '-1', 'x', '1e3', '5000000000', '99999999999999'],
  number: ['0', '0.05', '0.5', '0.95', '2', '-1', 'x'],
  time: ['2026-12-06T10:00:00Z', '2026-12-06T10:00:00+01:00', 'yesterday', '2026-12-06 10:00'],
};
const samplesOf = (parameter: Parameter): readonly string[] =>
  parameter.grammar.kind === 'choice'
    ? [...parameter.grammar.choices, 'nope']
    : (SAMPLES[parameter.grammar.kind] ?? []).filter((text) => text !== '');

/** A shared parameter: where each front end offers it. */
interface Shared {
  readonly name: string;
  readonly core: Parameter;
  readonly cli: readonly {
    readonly command: readonly string[];
    readonly args: readonly string[];
    readonly table: readonly Parameter[];
    readonly parameter: Parameter;
  }[];
  readonly action?: Parameter;
  readonly provider?: { readonly check: CheckName; readonly parameter: Parameter };
}

const CHECKS = [
  { check: 'elb-5xx', command: ['check', 'elb-5xx'], args: [], table: ELB_5XX_PARAMETERS },
  { check: 'target-health', command: ['check', 'target-health'], args: [], table: TARGET_HEALTH_PARAMETERS },
  {
    check: 'canary',
    command: ['check', 'canary'],
    args: ['--load-balancer', LB, '--canary-target-group', TG, '--stable-target-group', TG2],
    table: CANARY_PARAMETERS,
  },
  {
    check: 'latency',
    command: ['check', 'latency'],
    args: ['--load-balancer', LB, '--canary-target-group', TG, '--stable-target-group', TG2],
    table: LATENCY_PARAMETERS,
  },
] as const;

const isValueParameter = (parameter: Parameter): boolean =>
  !['text', 'list', 'boolean'].includes(parameter.grammar.kind);

const SHARED: Shared[] = [
  ...CHECKS.flatMap(({ check, command, args, table }) =>
    table.filter(isValueParameter).map((parameter) => {
      const inGate = GATE_PARAMETERS.find(
        (g) => g.grammar === parameter.grammar && g.description === parameter.description,
      );
      return {
        name: `${command.join(' ')} ${parameter.name}`,
        core: parameter,
        cli: [
          { command, args, table, parameter },
          ...(inGate
            ? [{ command: ['gate'], args: ['deployment/web'], table: GATE_PARAMETERS, parameter: inGate }]
            : []),
        ],
        ...(inGate ? { action: inGate } : {}),
        ...(offeredOn(parameter, 'provider') ? { provider: { check: check as CheckName, parameter } } : {}),
      };
    }),
  ),
  ...GATE_PARAMETERS.filter(isValueParameter)
    .filter(
      (g) =>
        !CHECKS.some(({ table }) =>
          table.some((p) => p.grammar === g.grammar && p.description === g.description),
        ),
    )
    .map((parameter) => ({
      name: `gate ${parameter.name}`,
      core: parameter,
      cli: [{ command: ['gate'], args: ['deployment/web'], table: GATE_PARAMETERS, parameter }],
      action: parameter,
    })),
];

describe('one value, one reading, on every front end', () => {
  it('covers every parameter of every table that takes a value, and the ones the gate shares with the checks', () => {
    const names = SHARED.map((s) => s.name);
    expect(names).toContain('check elb-5xx max-rate');
    expect(SHARED.find((s) => s.name === 'check elb-5xx max-rate')?.cli.map((c) => c.parameter.name)).toEqual(
      ['max-rate', 'max-error-rate'],
    );
    expect(
      SHARED.filter((s) => s.action && s.provider && s.cli.length === 2)
        .map((s) => s.name)
        .sort(),
    ).toEqual([
      'check elb-5xx max-count',
      'check elb-5xx max-rate',
      'check elb-5xx min-requests',
      'check latency percentile',
      'check target-health min-healthy',
      'check target-health registration-window',
    ]);
    expect(
      SHARED.filter((s) => s.name.startsWith('check latency ')).map((s) => [
        s.name,
        s.cli.map((c) => c.command.join(' ')),
        s.action?.name,
        s.provider?.parameter.field,
      ]),
    ).toEqual([
      ['check latency percentile', ['check latency', 'gate'], 'latency-percentile', 'percentile'],
      ['check latency since', ['check latency'], undefined, 'since'],
      ['check latency window', ['check latency'], undefined, 'windowMinutes'],
      ['check latency alpha', ['check latency'], undefined, 'alpha'],
      ['check latency min-relative-effect', ['check latency'], undefined, 'minRelativeEffect'],
      ['check latency min-requests-per-minute', ['check latency'], undefined, 'minRequestsPerMinute'],
      ['check latency min-minutes', ['check latency'], undefined, 'minMinutes'],
      ['check latency incomplete-minutes', ['check latency'], undefined, 'incompleteMinutes'],
    ]);
    expect(SHARED.filter((s) => s.name.startsWith('gate ')).map((s) => s.name)).toEqual([
      'gate canary-checks',
      'gate timeout',
      'gate poll-interval',
      'gate metrics-interval',
      'gate settle',
      'gate fail-after-polls',
      'gate on-failure',
    ]);
  });

  const rows = SHARED.flatMap((shared) => samplesOf(shared.core).map((text) => ({ ...shared, text })));

  it.each(rows)('$name $text', ({ core, cli, action, provider, text }) => {
    const expected = readCore(core, text);
    for (const surface of cli) {
      const flag = `--${(surface.parameter.flag ?? surface.parameter.name).replace(/^-\w, --/, '')}`;
      expect(
        readCli(surface.command, [...surface.args, flag, text], surface.table, surface.parameter),
        `draingate ${surface.command.join(' ')} ${flag}`,
      ).toEqual(expected);
    }
    if (action) expect(readAction(action, text), `Action input ${action.name}`).toEqual(expected);
    if (provider) {
      for (const method of ['GET', 'POST'] as const)
        expect(
          readProvider(provider.check, provider.parameter, text, method),
          `${method} ${provider.check} ${provider.parameter.field}`,
        ).toEqual(expected);
    }
  });

  it.each([
    {
      name: 'a rate as a percentage',
      cli: ['check', 'elb-5xx', '--max-rate', '1%'],
      field: 'maxRate',
      value: 0.01,
    },
    {
      name: 'a gate timeout in minutes',
      cli: ['gate', 'deployment/web', '--timeout', '10m'],
      field: 'timeoutSeconds',
      value: 600,
    },
    {
      name: 'a window in hours',
      cli: ['check', 'elb-5xx', '--window', '1h'],
      field: 'windowMinutes',
      value: 60,
    },
  ])('the issue’s examples: $name', ({ cli, field, value }) => {
    const command = cli[0] === 'check' ? cli.slice(0, 2) : cli.slice(0, 1);
    const table = cli[0] === 'check' ? ELB_5XX_PARAMETERS : GATE_PARAMETERS;
    const parameter = table.find((p) => p.field === field) as Parameter;
    expect(readCli(command, cli.slice(command.length), table, parameter)).toEqual({ accepted: value });
  });

  it('the same refusal reads in each front end’s own terms', () => {
    const rate = ELB_5XX_PARAMETERS.find((p) => p.name === 'max-rate') as Parameter;
    const reason = 'must be a rate from 0 to 1 such as 1% or 0.01, got "150%"';
    let cli = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (cli += text) },
      env: {},
      cwd: '/',
    } as unknown as CliIo;
    expect(() =>
      createProgram(io, () => undefined).parse(['check', 'elb-5xx', '--max-rate', '150%'], { from: 'user' }),
    ).toThrow(CommanderError);
    expect(cli).toBe(
      `error: option '--max-rate <rate>' argument '150%' is invalid. ${reason}.\n(add --help for usage)\n`,
    );
    expect(() =>
      parseInputs(
        (name) => ({ command: 'gate', workload: 'deployment/web', 'max-error-rate': '150%' })[name] ?? '',
      ),
    ).toThrow(`max-error-rate: ${reason}`);
    const error = (() => {
      try {
        parseCheckInput('elb-5xx', queryToBody('elb-5xx', { loadBalancerArn: LB, maxRate: '150%' }), NOW);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })() as ApiError;
    expect([error.status, error.extra.field, error.message]).toEqual([400, 'maxRate', reason]);
    expect(readCore(rate, '150%')).toEqual({ refused: reason });
  });
});
