import { describe, expect, it } from 'vitest';
import { UsageError } from '../io.js';
import { canaryRequestFrom, latencyRequestFrom } from './check.js';
import type { CanaryFlags, LatencyFlags } from './check.js';

const ARNS = {
  loadBalancer: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/0123456789abcdef',
  canaryTargetGroup:
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-shop-webcanary-9f8e7d/00000000000000bb',
  stableTargetGroup:
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-shop-web-1a2b3c4d5e/00000000000000aa',
};

describe('check canary flags', () => {
  it.each([
    {
      name: 'no method → the default, with only the target groups',
      flags: {},
      request: {},
    },
    {
      name: '--method sequential --since --alpha --min-relative-effect → the sequential request',
      flags: { method: 'sequential', since: '2026-11-23T17:00:00Z', alpha: 0.01, minRelativeEffect: 0.2 },
      request: {
        method: 'sequential',
        since: new Date('2026-11-23T17:00:00Z'),
        alpha: 0.01,
        minRelativeEffect: 0.2,
      },
    },
    {
      name: '--method fisher --window 15m → a 15-minute window',
      flags: { method: 'fisher', window: 900, minCanaryRequests: 20 },
      request: { method: 'fisher', windowMinutes: 15, minCanaryRequests: 20 },
    },
  ] as { name: string; flags: Partial<CanaryFlags>; request: Record<string, unknown> }[])(
    '$name',
    ({ flags, request }) => {
      expect(
        canaryRequestFrom({
          loadBalancer: ARNS.loadBalancer,
          canaryTargetGroup: ARNS.canaryTargetGroup,
          stableTargetGroup: ARNS.stableTargetGroup,
          ...flags,
        }),
      ).toEqual({
        loadBalancerArn: ARNS.loadBalancer,
        canaryTargetGroupArn: ARNS.canaryTargetGroup,
        stableTargetGroupArn: ARNS.stableTargetGroup,
        ...request,
      });
    },
  );

  it.each([
    {
      name: '--method sequential without --since → a usage error naming --since',
      flags: {},
      message: /--since/,
    },
    {
      name: '--since that is not a time → a usage error with an example',
      flags: { since: 'yesterday' },
      message: /--since "yesterday": expected a time such as/,
    },
  ])('$name', ({ flags, message }) => {
    const call = () =>
      canaryRequestFrom({
        loadBalancer: ARNS.loadBalancer,
        canaryTargetGroup: ARNS.canaryTargetGroup,
        stableTargetGroup: ARNS.stableTargetGroup,
        method: 'sequential',
        ...flags,
      });
    expect(call).toThrow(UsageError);
    expect(call).toThrow(message);
  });
});

describe('check latency flags', () => {
  const targets = {
    loadBalancer: ARNS.loadBalancer,
    canaryTargetGroup: ARNS.canaryTargetGroup,
    stableTargetGroup: ARNS.stableTargetGroup,
  };
  const arns = {
    loadBalancerArn: ARNS.loadBalancer,
    canaryTargetGroupArn: ARNS.canaryTargetGroup,
    stableTargetGroupArn: ARNS.stableTargetGroup,
  };

  it.each([
    { name: 'only the target groups → the defaults (p99, the last 10 minutes)', flags: {}, request: {} },
    {
      name: '--percentile p90 --since --alpha --min-relative-effect → the request since the canary started',
      flags: { percentile: 'p90', since: '2026-11-23T17:00:00Z', alpha: 0.01, minRelativeEffect: 0.25 },
      request: {
        percentile: 'p90',
        since: new Date('2026-11-23T17:00:00Z'),
        alpha: 0.01,
        minRelativeEffect: 0.25,
      },
    },
    {
      name: '--window 15m --min-requests-per-minute 50 --min-minutes 3 → a 15-minute window',
      flags: { window: 900, minRequestsPerMinute: 50, minMinutes: 3 },
      request: { windowMinutes: 15, minRequestsPerMinute: 50, minMinutes: 3 },
    },
  ] as { name: string; flags: Partial<LatencyFlags>; request: Record<string, unknown> }[])(
    '$name',
    ({ flags, request }) => {
      expect(latencyRequestFrom({ ...targets, ...flags })).toEqual({ ...arns, ...request });
    },
  );

  it.each([
    {
      name: '--since with --window → a usage error naming both',
      flags: { since: '2026-11-23T17:00:00Z', window: 600 },
      message: 'check latency takes --since or --window, not both: every minute since --since is judged',
    },
    {
      name: '--window that is not whole minutes → a usage error',
      flags: { window: 90 },
      message: 'check latency --window must be whole minutes, got 90 s',
    },
    {
      name: '--since that is not a time → a usage error with an example',
      flags: { since: 'an hour ago' },
      message: '--since "an hour ago": expected a time such as 2026-11-23T17:00:00Z',
    },
  ])('$name', ({ flags, message }) => {
    const call = () => latencyRequestFrom({ ...targets, ...flags });
    expect(call).toThrow(UsageError);
    expect(call).toThrow(message);
  });
});
