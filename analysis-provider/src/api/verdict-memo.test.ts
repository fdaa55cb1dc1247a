import type { Verdict } from '@draingate/core';
import { describe, expect, it } from 'vitest';
import { aFixedClock } from '@draingate/core/testing';
import type { CheckInput } from './schemas.js';
import { createVerdictMemo } from './verdict-memo.js';

const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0123456789abcdef';

function aVerdict(phase: Verdict['phase'], n: number): Verdict {
  return {
    check: 'elb-5xx',
    phase,
    pass: phase === 'Successful',
    value: n,
    threshold: 0.01,
    reason: 'r',
    details: {},
    measuredAt: '',
  };
}

describe('createVerdictMemo', () => {
  const elb: CheckInput = { check: 'elb-5xx', body: { loadBalancerArn: LB } };

  it('identical metric requests in the same minute are evaluated once; a new minute evaluates again', async () => {
    const clock = aFixedClock('2026-01-01T12:00:10Z');
    let runs = 0;
    const memo = createVerdictMemo(async () => aVerdict('Successful', ++runs), clock, 60_000);
    const signal = new AbortController().signal;
    const first = await Promise.all([memo(elb, signal), memo(elb, signal)]);
    expect(first.map((verdict) => verdict.value)).toEqual([1, 1]);
    clock.set('2026-01-01T12:00:50Z');
    expect((await memo(elb, signal)).value).toBe(1);
    clock.set('2026-01-01T12:01:00Z');
    expect((await memo(elb, signal)).value).toBe(2);
    expect(
      (await memo({ check: 'elb-5xx', body: { loadBalancerArn: LB, maxRate: 0.5 } }, signal)).value,
    ).toBe(3);
  });

  it('never reuses an Error verdict, nor target-health and drain-timing verdicts', async () => {
    let runs = 0;
    const memo = createVerdictMemo(
      async (input) => aVerdict(input.check === 'elb-5xx' ? 'Error' : 'Successful', ++runs),
      aFixedClock('2026-01-01T12:00:10Z'),
      60_000,
    );
    const signal = new AbortController().signal;
    await memo(elb, signal);
    expect((await memo(elb, signal)).value).toBe(2);
    const health: CheckInput = { check: 'target-health', body: { targetGroupArn: 'x' } };
    await memo(health, signal);
    expect((await memo(health, signal)).value).toBe(4);
  });
});
