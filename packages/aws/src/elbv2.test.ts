import { describe, expect, it } from 'vitest';
import { hasAllTags, toLoadBalancerInfo, toRecord, toTargetGroupInfo, toTargetHealth } from './elbv2.js';

describe('toTargetHealth', () => {
  it.each([
    { name: 'healthy', state: 'healthy', want: 'healthy' },
    { name: 'draining', state: 'draining', want: 'draining' },
    { name: 'unhealthy while draining counts as draining', state: 'unhealthy.draining', want: 'draining' },
    { name: 'a state this version does not know → unavailable', state: 'sleeping', want: 'unavailable' },
  ])('$name', ({ state, want }) => {
    expect(
      toTargetHealth({
        Target: { Id: '10.0.1.7', Port: 8080, AvailabilityZone: 'eu-west-1a' },
        TargetHealth: { State: state as 'healthy', Reason: 'Target.DeregistrationInProgress' },
      }),
    ).toEqual({
      id: '10.0.1.7',
      port: 8080,
      availabilityZone: 'eu-west-1a',
      state: want,
      reason: 'Target.DeregistrationInProgress',
    });
  });
});

describe('toTargetGroupInfo', () => {
  it('keeps the health check and fills what the answer leaves out with the API defaults', () => {
    expect(
      toTargetGroupInfo({
        TargetGroupArn: 'arn:tg',
        TargetGroupName: 'web',
        TargetType: 'ip',
        HealthCheckPath: '/healthz',
        HealthCheckIntervalSeconds: 15,
        Matcher: { HttpCode: '200-299' },
      }),
    ).toEqual({
      arn: 'arn:tg',
      name: 'web',
      targetType: 'ip',
      loadBalancerArns: [],
      healthCheck: {
        path: '/healthz',
        intervalSeconds: 15,
        timeoutSeconds: 5,
        healthyThresholdCount: 5,
        unhealthyThresholdCount: 2,
        successCodes: '200-299',
      },
    });
  });
});

describe('toLoadBalancerInfo', () => {
  it('maps name, type, scheme and DNS name', () => {
    expect(
      toLoadBalancerInfo({
        LoadBalancerArn: 'arn:lb',
        LoadBalancerName: 'web',
        Type: 'network',
        Scheme: 'internal',
        DNSName: 'x',
      }),
    ).toEqual({ arn: 'arn:lb', name: 'web', type: 'network', scheme: 'internal', dnsName: 'x' });
  });
});

describe('tags', () => {
  it('turns Key/Value pairs into a record', () => {
    expect(toRecord([{ Key: 'a', Value: '1' }, { Key: 'b' }])).toEqual({ a: '1', b: '' });
  });

  it.each<{ name: string; tags: Record<string, string>; wanted: Record<string, string>; want: boolean }>([
    { name: 'all wanted tags present', tags: { a: '1', b: '2' }, wanted: { a: '1' }, want: true },
    { name: 'a value differs', tags: { a: '1' }, wanted: { a: '2' }, want: false },
    { name: 'a key is missing', tags: { a: '1' }, wanted: { a: '1', b: '2' }, want: false },
    { name: 'an inherited key does not count', tags: {}, wanted: { toString: '' }, want: false },
  ])('$name → $want', ({ tags, wanted, want }) => {
    expect(hasAllTags(tags, wanted)).toBe(want);
  });
});
