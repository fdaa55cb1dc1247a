import { InputError } from '@draingate/core';
import { describe, expect, it } from 'vitest';
import { chunk, groupArnsByRegion, parseElbArn } from './arn.js';

const TG =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-shop-web-1a2b3c4d5e/0123456789abcdef';
const LB =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/k8s-shop-web/fedcba9876543210';
const LISTENER =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/k8s-shop-web/fedcba9876543210/0011223344556677';

describe('parseElbArn', () => {
  it.each([
    { name: 'a target group ARN', arn: TG, kind: 'targetgroup' as const, region: 'eu-west-1' },
    { name: 'a load balancer ARN', arn: LB, kind: 'loadbalancer' as const, region: 'eu-west-1' },
    {
      name: 'a China partition ARN',
      arn: TG.replace(':aws:', ':aws-cn:').replace('eu-west-1', 'cn-north-1'),
      kind: 'targetgroup' as const,
      region: 'cn-north-1',
    },
    { name: 'a listener for DescribeTags', arn: LISTENER, kind: 'any' as const, region: 'eu-west-1' },
    { name: 'a target group for DescribeTags', arn: TG, kind: 'any' as const, region: 'eu-west-1' },
  ])('accepts $name', ({ arn, kind, region }) => {
    expect(parseElbArn(arn, kind, 'arn')).toEqual({ arn, region });
  });

  it.each([
    { name: 'an empty string', arn: '' },
    { name: 'a target group name', arn: 'k8s-shop-web-1a2b3c4d5e' },
    { name: 'a load balancer ARN where a target group is wanted', arn: LB },
    { name: 'a short id', arn: TG.replace('0123456789abcdef', '0123') },
    { name: 'an upper-case id', arn: TG.replace('0123456789abcdef', '0123456789ABCDEF') },
    { name: 'another service', arn: TG.replace('elasticloadbalancing', 'ec2') },
    { name: 'an 11-digit account', arn: TG.replace('123456789012', '12345678901') },
    { name: 'a made-up region', arn: TG.replace('eu-west-1', 'moon') },
    { name: 'a trailing newline', arn: `${TG}\n` },
    { name: 'a number', arn: 42 },
  ])('rejects $name as an InputError naming the argument', ({ arn }) => {
    expect(() => parseElbArn(arn, 'targetgroup', 'targetGroupArns[3]')).toThrow(InputError);
    expect(() => parseElbArn(arn, 'targetgroup', 'targetGroupArns[3]')).toThrow(
      /^targetGroupArns\[3\]: .* is not a target group ARN/,
    );
  });
});

describe('groupArnsByRegion', () => {
  it('groups by region, in first-seen order, without repeats', () => {
    const us = TG.replace('eu-west-1', 'us-east-1');
    expect(groupArnsByRegion([TG, us, TG], 'targetgroup', 'arns')).toEqual(
      new Map([
        ['eu-west-1', [TG]],
        ['us-east-1', [us]],
      ]),
    );
  });

  it('names the index of the malformed ARN', () => {
    expect(() => groupArnsByRegion([TG, 'nope'], 'targetgroup', 'arns')).toThrow(/^arns\[1\]:/);
  });
});

describe('chunk', () => {
  it.each([
    { name: 'nothing', n: 0, size: 20, want: [] },
    { name: 'fewer than one slice', n: 3, size: 20, want: [3] },
    { name: 'exactly one slice', n: 20, size: 20, want: [20] },
    { name: 'one over', n: 21, size: 20, want: [20, 1] },
    { name: 'GetMetricData: 1001 queries', n: 1001, size: 500, want: [500, 500, 1] },
  ])('$name: $n items in slices of $size → $want', ({ n, size, want }) => {
    const items = Array.from({ length: n }, (_, i) => i);
    const slices = chunk(items, size);
    expect(slices.map((s) => s.length)).toEqual(want);
    expect(slices.flat()).toEqual(items);
  });

  it('refuses a size that would loop forever', () => {
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});
