import { describe, expect, it } from 'vitest';
import type { GateResult, Verdict } from '@draingate/core';
import { gateOptionsFrom, gateOutputs } from './gate.js';
import { parseInputs } from './inputs.js';

const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/0123456789abcdef';
const tg = (name: string) =>
  `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/0123456789abcdef`;
const live = { workload: {}, services: [], targetGroupBindings: [] };
const WORKLOAD = { kind: 'Deployment', namespace: 'shop', name: 'web' } as const;

function inputs(extra: Record<string, string>) {
  const values: Record<string, string> = {
    command: 'gate',
    workload: 'deployment/web',
    namespace: 'shop',
    'load-balancer': LB,
    ...extra,
  };
  return parseInputs((name) => values[name] ?? '');
}

describe('the gate step with a canary', () => {
  it.each([
    {
      name: 'both comparisons by default, p99',
      extra: {},
      canary: { errors: {}, latency: { percentile: 'p99' } },
    },
    {
      name: 'canary-checks: errors → the latency comparison left out',
      extra: { 'canary-checks': 'errors' },
      canary: { errors: {}, latency: false },
    },
    {
      name: 'canary-checks: latency, latency-percentile: p90 → the 5xx comparison left out',
      extra: { 'canary-checks': 'latency', 'latency-percentile': 'p90' },
      canary: { errors: false, latency: { percentile: 'p90' } },
    },
  ])('$name', ({ extra, canary }) => {
    const options = gateOptionsFrom(
      inputs({ 'canary-target-group': tg('canary'), 'stable-target-group': tg('stable'), ...extra }),
      WORKLOAD,
      live,
    );
    expect(options.canary).toEqual({
      canaryTargetGroupArn: tg('canary'),
      stableTargetGroupArn: tg('stable'),
      ...canary,
    });
  });

  it('no canary inputs → no canary in the gate, none in the outputs', () => {
    expect(gateOptionsFrom(inputs({}), WORKLOAD, live).canary).toBeUndefined();
  });

  it("outputs carry each comparison's phase when the gate made it", () => {
    const verdict = (check: string, phase: Verdict['phase']) => ({ check, phase }) as Verdict;
    const result = {
      phase: 'Failed',
      errorRate: 0,
      healthyTargets: 3,
      errors5xx: 0,
      canary: verdict('canary', 'Successful'),
      latency: verdict('latency', 'Failed'),
    } as unknown as GateResult;
    expect(gateOutputs(result)).toMatchObject({
      'canary-verdict': 'Successful',
      'latency-verdict': 'Failed',
    });
    expect(
      gateOutputs({ ...result, canary: undefined, latency: undefined } as unknown as GateResult),
    ).not.toHaveProperty('canary-verdict');
  });
});
