import { describe, expect, it } from 'vitest';
import { ExpiringMap } from './expiring-map.js';

function aMap(ttlMs: number, max: number): { map: ExpiringMap<number>; advance(ms: number): void } {
  let now = 0;
  return {
    map: new ExpiringMap<number>(ttlMs, max, () => now),
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('ExpiringMap', () => {
  it('an entry is held until its ttl has passed, then forgotten', () => {
    const { map, advance } = aMap(1000, 10);
    map.set('a', 1);
    advance(999);
    expect(map.get('a')).toBe(1);
    advance(1);
    expect(map.has('a')).toBe(false);
    expect(map.size).toBe(0);
  });

  it('add is true only for the first caller', () => {
    const { map } = aMap(1000, 10);
    expect(map.add('a', 1)).toBe(true);
    expect(map.add('a', 2)).toBe(false);
    expect(map.get('a')).toBe(1);
  });

  it('beyond the bound the oldest entries are forgotten first', () => {
    const { map, advance } = aMap(10_000, 3);
    for (const key of ['a', 'b', 'c', 'd']) {
      map.set(key, 0);
      advance(1);
    }
    expect(map.size).toBe(3);
    expect(map.has('a')).toBe(false);
    expect(map.has('d')).toBe(true);
  });

  it('setting a key again restarts its expiry', () => {
    const { map, advance } = aMap(1000, 10);
    map.set('a', 1);
    advance(800);
    map.set('a', 2);
    advance(800);
    expect(map.get('a')).toBe(2);
  });
});
