import { describe, expect, it } from 'vitest';
import { InputError } from '../ports/errors.js';
import { ARNS, CANARY_DIMENSION, LB_DIMENSION, STABLE_DIMENSION } from '../testing/checks.js';
import { alignedWindow, windowBefore } from './series.js';
import { mergeMetricPlans, metricQueryId, planCanaryQueries, planElb5xxQueries } from './queries.js';

const now = new Date('2026-01-01T12:10:00Z');
const window = alignedWindow(now, 10);

describe('query planning', () => {
  it('plans ELB 5xx per load balancer and target metrics per target group, Sum over 60 s', () => {
    const plan = planElb5xxQueries({
      loadBalancerArn: ARNS.loadBalancer,
      targetGroupArns: [ARNS.stable],
      window,
    });
    expect(plan.queries.map((query) => [query.metricName, query.dimensions])).toEqual([
      ['HTTPCode_ELB_5XX_Count', { LoadBalancer: LB_DIMENSION }],
      ['HTTPCode_Target_5XX_Count', { LoadBalancer: LB_DIMENSION, TargetGroup: STABLE_DIMENSION }],
      ['RequestCount', { LoadBalancer: LB_DIMENSION, TargetGroup: STABLE_DIMENSION }],
      ['TargetConnectionErrorCount', { LoadBalancer: LB_DIMENSION, TargetGroup: STABLE_DIMENSION }],
    ]);
    expect(
      plan.queries.every((query) => query.stat === 'Sum' && query.namespace === 'AWS/ApplicationELB'),
    ).toBe(true);
    expect(plan.window).toEqual(window);
    for (const query of plan.queries) expect(query.id).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it('gives the same metric the same id in every plan, and different metrics different ids', () => {
    const a = planElb5xxQueries({
      loadBalancerArn: ARNS.loadBalancer,
      targetGroupArns: [ARNS.stable],
      window,
    });
    const b = planCanaryQueries({
      loadBalancerArn: ARNS.loadBalancer,
      canaryTargetGroupArn: ARNS.canary,
      stableTargetGroupArn: ARNS.stable,
      window,
    });
    expect(b.stable.requests).toBe(a.targetGroups[0]?.requests);
    expect(b.canary.requests).not.toBe(b.stable.requests);
    expect(
      metricQueryId({
        namespace: 'AWS/ApplicationELB',
        metricName: 'RequestCount',
        dimensions: { TargetGroup: CANARY_DIMENSION, LoadBalancer: LB_DIMENSION },
        stat: 'Sum',
      }),
    ).toBe(b.canary.requests);
  });

  it('merges the plans of several checks into one read without duplicates', () => {
    const elb = planElb5xxQueries({
      loadBalancerArn: ARNS.loadBalancer,
      targetGroupArns: [ARNS.stable, ARNS.canary],
      window,
    });
    const canary = planCanaryQueries({
      loadBalancerArn: ARNS.loadBalancer,
      canaryTargetGroupArn: ARNS.canary,
      stableTargetGroupArn: ARNS.stable,
      window,
    });
    const merged = mergeMetricPlans([elb, canary]);
    expect(merged.queries).toHaveLength(7);
    expect(new Set(merged.queries.map((query) => query.id)).size).toBe(7);
  });

  it('reads a baseline in the same window as the evaluation', () => {
    const baseline = windowBefore(new Date('2026-01-01T11:30:00Z'), 15);
    const plan = planElb5xxQueries({
      loadBalancerArn: ARNS.loadBalancer,
      targetGroupArns: [ARNS.stable],
      window,
      baseline,
    });
    expect(plan.window.start).toEqual(baseline.start);
    expect(plan.window.end).toEqual(window.end);
    expect(plan.queries).toHaveLength(4);
  });

  it('plans the 502/503/504 split and, without target groups, the load balancer totals', () => {
    const plan = planElb5xxQueries({ loadBalancerArn: ARNS.loadBalancer, window, splitElbCodes: true });
    expect(plan.queries.map((query) => query.metricName)).toEqual([
      'HTTPCode_ELB_5XX_Count',
      'HTTPCode_ELB_500_Count',
      'HTTPCode_ELB_502_Count',
      'HTTPCode_ELB_503_Count',
      'HTTPCode_ELB_504_Count',
      'HTTPCode_Target_5XX_Count',
      'RequestCount',
    ]);
    expect(plan.queries.every((query) => Object.keys(query.dimensions).join() === 'LoadBalancer')).toBe(true);
  });

  it.each([
    {
      name: 'a malformed load balancer ARN → InputError on loadBalancerArn',
      lb: 'app/shop/123',
      tgs: [],
      path: 'loadBalancerArn',
    },
    {
      name: 'a network load balancer ARN → InputError on loadBalancerArn',
      lb: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/shop/0123456789abcdef',
      tgs: [],
      path: 'loadBalancerArn',
    },
    {
      name: 'a malformed target group ARN → InputError with its index',
      lb: ARNS.loadBalancer,
      tgs: [ARNS.stable, 'web'],
      path: 'targetGroupArns[1]',
    },
  ])('$name', ({ lb, tgs, path }) => {
    expect(() => planElb5xxQueries({ loadBalancerArn: lb, targetGroupArns: tgs, window })).toThrow(
      InputError,
    );
    expect(() => planElb5xxQueries({ loadBalancerArn: lb, targetGroupArns: tgs, window })).toThrow(
      expect.objectContaining({ path }),
    );
  });

  it('a canary that is its own stable group → InputError', () => {
    expect(() =>
      planCanaryQueries({
        loadBalancerArn: ARNS.loadBalancer,
        canaryTargetGroupArn: ARNS.stable,
        stableTargetGroupArn: ARNS.stable,
        window,
      }),
    ).toThrow(expect.objectContaining({ path: 'stableTargetGroupArn' }));
  });
});
