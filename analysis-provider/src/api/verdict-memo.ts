import type { Clock, Verdict } from '@draingate/core';
import type { CacheEvent } from '../upstream/cache.js';
import { CoalescingCache } from '../upstream/cache.js';
import type { CheckInput } from './schemas.js';

/** Runs a check; the memo calls it at most once per key and minute. */
export type CheckRunner = (input: CheckInput, signal: AbortSignal) => Promise<Verdict>;

/**
 * Identical metric-based requests (elb-5xx, canary, latency) in the same minute get the same verdict: their windows are
 * aligned to whole minutes and their datapoints are cached for the period, so evaluating again would repeat the
 * same arithmetic on the same numbers. The verdict is computed once (concurrent callers wait for it) and reused
 * until the minute changes or `ttlMs` passes; its `measuredAt` is when it was computed. Error verdicts are never
 * reused. Target health and drain timing depend on the moment and are always evaluated afresh.
 */
export function createVerdictMemo(
  run: CheckRunner,
  clock: Clock,
  ttlMs: number,
  onEvent?: (cache: string, event: CacheEvent) => void,
): CheckRunner {
  if (ttlMs <= 0) return run;
  const cache = new CoalescingCache<Verdict>({
    name: 'verdicts',
    ttlMs,
    maxEntries: 5000,
    ...(onEvent ? { onEvent } : {}),
  });
  return async (input, signal) => {
    if (input.check !== 'elb-5xx' && input.check !== 'canary' && input.check !== 'latency')
      return run(input, signal);
    const minute = Math.floor(clock.now().getTime() / 60_000);
    const key = `${minute}|${input.check}|${JSON.stringify(input.body)}`;
    const verdict = await cache.get(key, (shared) => run(input, shared), signal);
    if (verdict.phase === 'Error') cache.delete(key);
    return verdict;
  };
}
