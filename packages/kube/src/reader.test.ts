import { describe, expect, it } from 'vitest';
import { formatSelector, toLiveObject } from './reader.js';

describe('formatSelector', () => {
  it.each([
    { name: 'matchLabels only', selector: { matchLabels: { app: 'web' } }, expected: 'app=web' },
    {
      name: 'matchLabels and every operator',
      selector: {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'team', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      },
      expected: 'app=web,tier in (a,b),env notin (dev),team,!legacy',
    },
    {
      name: 'an unknown operator → undefined (filter client-side)',
      selector: { matchExpressions: [{ key: 'x', operator: 'Gt' }] },
      expected: undefined,
    },
    { name: 'no selector → undefined', selector: undefined, expected: undefined },
  ])('$name', ({ selector, expected }) => {
    expect(formatSelector(selector)).toBe(expected);
  });
});

describe('toLiveObject', () => {
  it('sets apiVersion and kind, drops managedFields, turns Dates into strings', () => {
    const object = toLiveObject(
      {
        metadata: {
          name: 'web',
          creationTimestamp: new Date('2026-01-01T00:00:00Z'),
          managedFields: [{ manager: 'kubectl' }],
        },
        spec: { x: 1 },
      },
      'v1',
      'Service',
    );
    expect(object).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', creationTimestamp: '2026-01-01T00:00:00.000Z' },
      spec: { x: 1 },
    });
  });
  it('an object without a name → undefined', () => {
    expect(toLiveObject({ metadata: {} }, 'v1', 'Service')).toBeUndefined();
  });
});
