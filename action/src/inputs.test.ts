import { describe, expect, it } from 'vitest';
import { InputError } from '@draingate/core';
import { parseDuration, parseInputs, parseList, parseRate } from './inputs.js';

const reader =
  (inputs: Record<string, string>) =>
  (name: string): string =>
    inputs[name] ?? '';

describe('action inputs', () => {
  it.each([
    { name: 'bare seconds', text: '90', seconds: 90 },
    { name: 'seconds', text: '45s', seconds: 45 },
    { name: 'minutes', text: '10m', seconds: 600 },
    { name: 'hours', text: '1h', seconds: 3600 },
    { name: 'minutes and seconds', text: '1m30s', seconds: 90 },
    { name: 'fractions', text: '0.5s', seconds: 0.5 },
  ])('duration $name: $text → $seconds s', ({ text, seconds }) => {
    expect(parseDuration('timeout', text)).toBe(seconds);
  });

  it.each(['', 'ten', '10 minutes', '-5s', '5d', '25h', '1m1m'])(
    'duration %j is an InputError naming the input',
    (text) => {
      expect(() => parseDuration('timeout', text)).toThrow(InputError);
      expect(() => parseDuration('timeout', text)).toThrow(/^timeout: /);
    },
  );

  it.each([
    ['1%', 0.01],
    ['0.5 %', 0.005],
    ['0.02', 0.02],
    ['0', 0],
  ])('rate %j → %d', (text, rate) => {
    expect(parseRate('max-error-rate', text)).toBeCloseTo(rate);
  });

  it.each(['150%', '-1%', 'lots', '2'])('rate %j is refused', (text) => {
    expect(() => parseRate('max-error-rate', text)).toThrow(/max-error-rate: must be a rate/);
  });

  it('lists take lines and commas, and drop blanks and comments', () => {
    expect(parseList('k8s/*.yaml, charts/out.yaml\n\n# generated\n!k8s/skip.yaml\n')).toEqual([
      'k8s/*.yaml',
      'charts/out.yaml',
      '!k8s/skip.yaml',
    ]);
  });

  it('applies defaults and validates the workload before anything connects', () => {
    const inputs = parseInputs(reader({ command: 'gate', workload: 'deploy/web', namespace: 'shop' }));
    expect(inputs).toMatchObject({
      command: 'gate',
      workload: 'deploy/web',
      namespace: 'shop',
      maxErrorRate: 0.01,
      timeoutSeconds: 600,
      pollIntervalSeconds: 5,
      settleSeconds: 60,
      onFailure: 'none',
      dryRun: false,
    });
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
    expect(
      parseInputs(
        reader({ ...gate, 'canary-target-group': tg('canary'), 'stable-target-group': tg('stable') }),
      ).canary,
    ).toEqual({
      canaryTargetGroup: tg('canary'),
      stableTargetGroup: tg('stable'),
      checks: ['errors', 'latency'],
      latencyPercentile: 'p99',
    });
    expect(
      parseInputs(
        reader({
          ...gate,
          'canary-target-group': tg('canary'),
          'stable-target-group': tg('stable'),
          'canary-checks': 'latency',
          'latency-percentile': 'p90',
        }),
      ).canary,
    ).toMatchObject({ checks: ['latency'], latencyPercentile: 'p90' });
    expect(parseInputs(reader(gate)).canary).toBeUndefined();
    expect(() => parseInputs(reader({ ...gate, 'canary-target-group': tg('canary') }))).toThrow(
      'stable-target-group: is required with the other: the canary is compared with the stable target group',
    );
    expect(() =>
      parseInputs(
        reader({
          ...gate,
          'canary-target-group': tg('c'),
          'stable-target-group': tg('s'),
          'canary-checks': 'cpu',
        }),
      ),
    ).toThrow('canary-checks: must be one of errors, latency, got "cpu"');
    expect(() =>
      parseInputs(
        reader({
          ...gate,
          'canary-target-group': tg('c'),
          'stable-target-group': tg('s'),
          'latency-percentile': '99',
        }),
      ),
    ).toThrow('latency-percentile: must be one of p50, p90, p95, p99, got "99"');
  });
});
