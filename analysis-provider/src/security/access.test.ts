import { describe, expect, it } from 'vitest';
import { findDenied } from './access.js';
import { RateLimiter } from './rate-limit.js';

const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0123456789abcdef';

describe('findDenied', () => {
  const requested = { loadBalancers: [LB], targetGroups: [], namespaces: ['shop'] };
  it.each([
    { name: 'no list allows everything', lists: [undefined], denied: undefined },
    { name: 'an exact ARN allows it', lists: [{ loadBalancers: [LB] }], denied: undefined },
    {
      name: 'a wildcard allows it',
      lists: [{ loadBalancers: ['arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/*'] }],
      denied: undefined,
    },
    {
      name: 'another account is refused',
      lists: [{ loadBalancers: ['arn:aws:elasticloadbalancing:*:999999999999:*'] }],
      denied: /load balancer/,
    },
    {
      name: 'every list must allow it',
      lists: [{ namespaces: ['shop'] }, { namespaces: ['team-*'] }],
      denied: /namespace shop/,
    },
    {
      name: 'regex characters in a pattern are literal',
      lists: [{ namespaces: ['sh.p'] }],
      denied: /namespace shop/,
    },
  ])('$name', ({ lists, denied }) => {
    const result = findDenied(requested, lists);
    if (denied === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(denied);
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then refills at the rate, per client', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limit = { ratePerSecond: 2, burst: 3 };
    const take = (): boolean => limiter.take('a', limit).allowed;
    expect([take(), take(), take(), take()]).toEqual([true, true, true, false]);
    expect(limiter.take('a', limit)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('b', limit).allowed).toBe(true);
    now = 500;
    expect([take(), take()]).toEqual([true, false]);
  });
});
