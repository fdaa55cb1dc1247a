import { describe, expect, it } from 'vitest';
import type { HookDelivery } from './github-client.js';
import { selectRedeliveries } from './redrive.js';

const at = (minute: number): Date => new Date(Date.UTC(2026, 0, 1, 12, minute));
function aDelivery(
  id: number,
  guid: string,
  statusCode: number,
  minute: number,
  more: Partial<HookDelivery> = {},
): HookDelivery {
  return {
    id,
    guid,
    deliveredAt: at(minute),
    statusCode,
    event: 'deployment_protection_rule',
    action: 'requested',
    redelivery: false,
    ...more,
  };
}

describe('which missed deliveries to redeliver', () => {
  it.each([
    { name: 'one that got a 503 → redelivered', log: [aDelivery(1, 'g1', 503, 1)], ids: [1] },
    { name: 'one that got no answer (0) → redelivered', log: [aDelivery(1, 'g1', 0, 1)], ids: [1] },
    { name: 'answered 202 → not redelivered', log: [aDelivery(1, 'g1', 202, 1)], ids: [] },
    { name: 'a duplicate answered 200 → not redelivered', log: [aDelivery(1, 'g1', 200, 1)], ids: [] },
    {
      name: 'failed, then a redelivery got through → not again',
      log: [aDelivery(1, 'g1', 503, 1), aDelivery(2, 'g1', 202, 2, { redelivery: true })],
      ids: [],
    },
    {
      name: 'failed twice → the newest attempt once',
      log: [aDelivery(1, 'g1', 503, 1), aDelivery(2, 'g1', 502, 3, { redelivery: true })],
      ids: [2],
    },
    {
      name: 'other events and actions → never',
      log: [aDelivery(1, 'g1', 500, 1, { event: 'push' }), aDelivery(2, 'g2', 500, 1, { action: 'created' })],
      ids: [],
    },
  ])('$name', ({ log, ids }) => {
    expect(selectRedeliveries(log, 10).map((d) => d.id)).toEqual(ids);
  });

  it('at most `max`, newest first', () => {
    const log = Array.from({ length: 8 }, (_, i) => aDelivery(i + 1, `g${i}`, 503, i));
    expect(selectRedeliveries(log, 3).map((d) => d.id)).toEqual([8, 7, 6]);
  });
});
