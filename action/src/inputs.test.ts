import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InputError, gateCanaryOf } from '@draingate/core';
import { ACTION_INPUTS, actionInputDescription, parseInputs } from './inputs.js';

const reader =
  (inputs: Record<string, string>) =>
  (name: string): string =>
    inputs[name] ?? '';

const gate = (inputs: Record<string, string>) =>
  parseInputs(reader({ command: 'gate', workload: 'deployment/web', ...inputs }));

describe('action inputs', () => {
  it('action.yml declares exactly the parameter tables’ inputs, in order, with their defaults and descriptions', () => {
    const yml = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as {
      inputs: Record<string, { description: string; required: boolean; default: string }>;
    };
    expect(Object.keys(yml.inputs)).toEqual(ACTION_INPUTS.map((parameter) => parameter.name));
    for (const parameter of ACTION_INPUTS) {
      expect(
        yml.inputs[parameter.name],
        `${parameter.name} (node action/scripts/action-yml.mjs rewrites action.yml's inputs)`,
      ).toEqual({
        description: actionInputDescription(parameter),
        required: false,
        default: parameter.default ?? '',
      });
    }
  });

  it('README.md’s inputs table lists every input of action.yml, in order, with the commands that read it and its default', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Inputs'), readme.indexOf('## Outputs'));
    const rows = section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split('|').map((cell) => cell.trim()))
      .map(([, name, commands, fallback]) => ({ name: name?.replaceAll('`', ''), commands, fallback }));
    expect(rows.map((row) => row.name)).toEqual(ACTION_INPUTS.map((parameter) => parameter.name));
    for (const parameter of ACTION_INPUTS) {
      const row = rows.find((candidate) => candidate.name === parameter.name);
      // The gate's rows say which commands read them in action.yml's description ("gate, rollback: …").
      const scope = /^(gate, rollback|gate): /.exec(actionInputDescription(parameter))?.[1];
      if (scope) expect(row?.commands, parameter.name).toBe(scope);
      if (parameter.default) expect(row?.fallback, parameter.name).toBe(`\`${parameter.default}\``);
    }
  });

  it.each([
    { name: 'bare seconds', input: 'timeout', text: '90', field: 'timeoutSeconds', value: 90 },
    { name: 'seconds', input: 'timeout', text: '45s', field: 'timeoutSeconds', value: 45 },
    { name: 'minutes', input: 'timeout', text: '10m', field: 'timeoutSeconds', value: 600 },
    { name: 'hours', input: 'timeout', text: '1h', field: 'timeoutSeconds', value: 3600 },
    { name: 'minutes and seconds', input: 'timeout', text: '1m30s', field: 'timeoutSeconds', value: 90 },
    { name: 'a settle of 0', input: 'settle', text: '0', field: 'settleSeconds', value: 0 },
    { name: 'a percentage', input: 'max-error-rate', text: '0.5 %', field: 'maxErrorRate', value: 0.005 },
    { name: 'a fraction', input: 'max-error-rate', text: '0.02', field: 'maxErrorRate', value: 0.02 },
    {
      name: 'the registration window',
      input: 'registration-window',
      text: '2m',
      field: 'registrationWindowSeconds',
      value: 120,
    },
    { name: 'fail-after-polls', input: 'fail-after-polls', text: '3', field: 'failAfterPolls', value: 3 },
  ])('$name: $input $text → $field $value', ({ input, text, field, value }) => {
    expect((gate({ [input]: text }) as unknown as Record<string, unknown>)[field]).toBeCloseTo(value);
  });

  it.each([
    {
      input: 'timeout',
      text: 'ten',
      message: 'timeout: must be a duration such as 90s, 10m or 1h, got "ten"',
    },
    { input: 'timeout', text: '25h', message: 'timeout: must be at most 24h, got "25h"' },
    { input: 'timeout', text: '0', message: 'timeout: must be longer than 0, got "0"' },
    {
      input: 'timeout',
      text: '1m1m',
      message: 'timeout: must be a duration such as 90s, 10m or 1h, got "1m1m"',
    },
    {
      input: 'max-error-rate',
      text: '150%',
      message: 'max-error-rate: must be a rate from 0 to 1 such as 1% or 0.01, got "150%"',
    },
    {
      input: 'min-healthy',
      text: '1.5',
      message: 'min-healthy: must be a whole number from 0 to 10000, got "1.5"',
    },
    {
      input: 'fail-after-polls',
      text: '0',
      message: 'fail-after-polls: must be a whole number from 1 to 1000, got "0"',
    },
    { input: 'dry-run', text: 'maybe', message: 'dry-run: must be true or false, got "maybe"' },
    {
      input: 'on-failure',
      text: 'undo',
      message: 'on-failure: must be one of rollback, abort, none, got "undo"',
    },
  ])('$input $text is an InputError naming the input', ({ input, text, message }) => {
    expect(() => gate({ [input]: text })).toThrow(InputError);
    expect(() => gate({ [input]: text })).toThrow(message);
  });

  it('lists take lines and commas, and drop blanks and comments', () => {
    expect(
      parseInputs(reader({ manifests: 'k8s/*.yaml, charts/out.yaml\n\n# generated\n!k8s/skip.yaml\n' }))
        .manifests,
    ).toEqual(['k8s/*.yaml', 'charts/out.yaml', '!k8s/skip.yaml']);
  });

  it('applies defaults and validates the workload before anything connects', () => {
    const inputs = parseInputs(reader({ command: 'gate', workload: 'deploy/web', namespace: 'shop' }));
    expect(inputs).toMatchObject({
      command: 'gate',
      workload: 'deploy/web',
      namespace: 'shop',
      maxErrorRate: 0.01,
      minRequests: 100,
      minHealthy: 1,
      timeoutSeconds: 600,
      pollIntervalSeconds: 5,
      metricsIntervalSeconds: 60,
      settleSeconds: 60,
      failAfterPolls: 2,
      onFailure: 'none',
      dryRun: false,
      targetGroups: [],
    });
    expect(inputs.registrationWindowSeconds).toBeUndefined();
    expect(() => parseInputs(reader({ command: 'gate', workload: 'pod/web' }))).toThrow(
      /^workload: must be deployment\/NAME/,
    );
    expect(() => parseInputs(reader({ command: 'gate', workload: 'deployment/Web_1' }))).toThrow(
      /not a valid Kubernetes name/,
    );
  });

  it('a canary: both target groups, both comparisons and p99 by default; what it names is checked', () => {
    const gate = { command: 'gate', workload: 'deployment/web' };
    const tg = (name: string) =>
      `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/0123456789abcdef`;
    const both = { 'canary-target-group': tg('canary'), 'stable-target-group': tg('stable') };
    expect(gateCanaryOf(parseInputs(reader({ ...gate, ...both })))).toEqual({
      canaryTargetGroupArn: tg('canary'),
      stableTargetGroupArn: tg('stable'),
      errors: {},
      latency: { percentile: 'p99' },
    });
    expect(
      gateCanaryOf(
        parseInputs(reader({ ...gate, ...both, 'canary-checks': 'latency', 'latency-percentile': 'p90' })),
      ),
    ).toMatchObject({ errors: false, latency: { percentile: 'p90' } });
    expect(gateCanaryOf(parseInputs(reader(gate)))).toBeUndefined();
    expect(() => parseInputs(reader({ ...gate, 'canary-target-group': tg('canary') }))).toThrow(
      'stable-target-group: is required with the other: the canary is compared with the stable target group',
    );
    expect(() => parseInputs(reader({ ...gate, ...both, 'canary-checks': 'cpu' }))).toThrow(
      /^canary-checks: /,
    );
    expect(() => parseInputs(reader({ ...gate, ...both, 'latency-percentile': '99' }))).toThrow(
      /^latency-percentile: /,
    );
  });
});
