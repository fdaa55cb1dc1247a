import { describe, expect, it } from 'vitest';
import { UsageError } from '../io.js';
import { canaryRequestFrom } from './check.js';
import type { CanaryFlags } from './check.js';

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
