import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../ports/clock.js';

/** The real clock, for front ends: wall time, and sleeps that end early when the signal aborts. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : {}),
};
