import { describe, expect, it } from 'vitest';
import {
  createRecord,
  decisionKeyOf,
  finishRecord,
  isCollectable,
  parseRecord,
  recordNameOf,
  releaseLease,
  standingOf,
  takeOver,
} from './decision-record.js';
import type { StoredRequest } from './decision-record.js';

const T0 = Date.parse('2026-01-01T12:00:00Z');
const request: StoredRequest = {
  deliveryId: 'd-1',
  environment: 'Production',
  repository: 'Shop/Web',
  target: { owner: 'Shop', repo: 'Web', runId: '4242', repositoryId: 1, installationId: 77 },
  receivedAt: '2026-01-01T12:00:00.000Z',
  deploymentId: 501,
};

describe('decision records', () => {
  it.each([
    {
      name: 'the same deployment under another delivery id → the same key',
      change: { deliveryId: 'd-2' },
      same: true,
    },
    {
      name: 'another sha or ref (not part of what GitHub waits on) → the same key',
      change: { sha: 'abc' },
      same: true,
    },
    { name: 'a re-run: a new deployment id → a new key', change: { deploymentId: 502 }, same: false },
    { name: 'another environment → a new key', change: { environment: 'staging' }, same: false },
  ])('$name', ({ change, same }) => {
    const key = decisionKeyOf(request);
    expect(key).toBe('shop/web#4242@production/501');
    expect(decisionKeyOf({ ...request, ...change }) === key).toBe(same);
  });

  it('names its Lease with a DNS label from the key', () => {
    const name = recordNameOf(decisionKeyOf(request));
    expect(name).toMatch(/^dg-approval-[0-9a-f]{40}$/);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(recordNameOf(decisionKeyOf({ ...request, deploymentId: 502 }))).not.toBe(name);
  });

  it.each([
    { name: 'a live lease → owned', at: T0 + 29_999, kind: 'owned' },
    { name: 'the lease just passed → orphaned', at: T0 + 30_000, kind: 'orphaned' },
  ])('$name', ({ at, kind }) => {
    const record = createRecord(request, 'a', T0, 30_000, 7_200_000);
    expect(record).toMatchObject({ deadline: T0 + 7_200_000, phase: 'observing', takeovers: 0 });
    expect(standingOf(record, at).kind).toBe(kind);
  });

  it('taken over → a new owner and lease, counted; released → orphaned at once; done → done whatever the lease', () => {
    const record = createRecord(request, 'a', T0, 30_000, 7_200_000);
    const taken = takeOver(record, 'b', T0 + 40_000, 30_000);
    expect(taken).toMatchObject({ owner: 'b', leaseUntil: T0 + 70_000, takeovers: 1 });
    expect(standingOf(releaseLease(taken, T0 + 41_000), T0 + 41_000).kind).toBe('orphaned');
    expect(standingOf(finishRecord(taken, 'approved', T0 + 41_000), T0).kind).toBe('done');
  });

  it.each([
    { name: 'answered, within the retention → kept', after: 3_599_999, collectable: false },
    { name: 'answered, retention passed → deleted', after: 3_600_000, collectable: true },
  ])('$name', ({ after, collectable }) => {
    const done = finishRecord(createRecord(request, 'a', T0, 30_000, 7_200_000), 'rejected', T0);
    expect(isCollectable(done, T0 + after, 3_600_000)).toBe(collectable);
    expect(isCollectable(createRecord(request, 'a', T0, 30_000, 7_200_000), T0 + 1e12, 3_600_000)).toBe(
      false,
    );
  });

  it('parses what it wrote, and refuses what is not a record', () => {
    const record = createRecord(request, 'a', T0, 30_000, 7_200_000);
    expect(parseRecord(JSON.stringify(record))).toEqual(record);
    expect(parseRecord('{')).toBeUndefined();
    expect(parseRecord('{"key":"x","owner":"a"}')).toBeUndefined();
    expect(parseRecord(JSON.stringify({ ...record, phase: 'finished' }))).toBeUndefined();
  });
});
