import { InputError } from '../ports/errors.js';
import type { MetricSeries, MetricWindow } from '../ports/metrics.js';
import { optionalNumber, requireDate, requireNumber, requireWindow } from './params.js';

/** CloudWatch's newest one to three minutes are often still filling in: by default the last two are not judged. */
export const DEFAULT_INCOMPLETE_MINUTES = 2;

/** The resolution of the ALB's CloudWatch metrics. */
export const DEFAULT_PERIOD_SECONDS = 60;

/** One period of a filled series. */
export interface PeriodValue {
  readonly start: Date;
  /** The datapoint's value, or 0 when CloudWatch published none (a zero count is not published). */
  readonly value: number;
  /** Whether a datapoint existed; a missing one is not unknown, only worth showing. */
  readonly published: boolean;
  /** The period ends within the incomplete minutes before `now` (or after it): its value may still grow. */
  readonly incomplete: boolean;
}

/** A series with one value per period of its window. */
export interface FilledSeries {
  readonly id: string;
  readonly periods: readonly PeriodValue[];
}

export interface FillOptions {
  /** Minutes before `now` whose periods are marked incomplete. Default 2. */
  readonly incompleteMinutes?: number;
}

/**
 * One value per period of `window`: a period with no datapoint is zero (CloudWatch does not publish zero
 * counts), several datapoints in one period add up, datapoints outside the window are ignored, and the
 * periods that end within `incompleteMinutes` before `now` (or later) are marked incomplete.
 */
export function fillSeries(
  series: MetricSeries | undefined,
  window: MetricWindow,
  now: Date,
  options: FillOptions = {},
): FilledSeries {
  requireWindow('window', window);
  requireDate('now', now);
  const incompleteMinutes = optionalNumber(
    'incompleteMinutes',
    options.incompleteMinutes,
    DEFAULT_INCOMPLETE_MINUTES,
    { min: 0 },
  );
  const periodMs = window.periodSeconds * 1000;
  const start = window.start.getTime();
  const count = (window.end.getTime() - start) / periodMs;
  const values = new Float64Array(count);
  const published = new Uint8Array(count);
  for (const point of series?.points ?? []) {
    const offset = point.timestamp.getTime() - start;
    if (offset < 0 || !Number.isFinite(point.value)) continue;
    const index = Math.floor(offset / periodMs);
    if (index >= count) continue;
    values[index] = (values[index] ?? 0) + point.value;
    published[index] = 1;
  }
  const completeBefore = now.getTime() - incompleteMinutes * 60_000;
  const periods: PeriodValue[] = [];
  for (let index = 0; index < count; index += 1) {
    const periodStart = start + index * periodMs;
    periods.push({
      start: new Date(periodStart),
      value: values[index] ?? 0,
      published: published[index] === 1,
      incomplete: periodStart + periodMs > completeBefore,
    });
  }
  return { id: series?.id ?? '', periods };
}

/** The sum of a filled series' values, leaving out incomplete periods unless asked to keep them. */
export function sumPeriods(series: FilledSeries, options: { includeIncomplete?: boolean } = {}): number {
  let sum = 0;
  for (const period of series.periods) {
    if (period.incomplete && !options.includeIncomplete) continue;
    sum += period.value;
  }
  return sum;
}

/**
 * The window of the last `minutes` before `now`, aligned to whole periods: it ends at the end of the period
 * that contains `now` (so the newest, incomplete period is in it and marked, not silently dropped) and spans
 * `minutes` rounded up to whole periods.
 */
export function alignedWindow(
  now: Date,
  minutes: number,
  periodSeconds = DEFAULT_PERIOD_SECONDS,
): MetricWindow {
  requireDate('now', now);
  requireNumber('minutes', minutes, { min: 0, exclusiveMin: true });
  requireNumber('periodSeconds', periodSeconds, { min: 0, exclusiveMin: true, integer: true });
  const periodMs = periodSeconds * 1000;
  const end = Math.ceil(now.getTime() / periodMs) * periodMs;
  const periods = Math.ceil((minutes * 60) / periodSeconds);
  return { start: new Date(end - periods * periodMs), end: new Date(end), periodSeconds };
}

/**
 * The window that holds `minutes` complete periods before `now`, and after them the incomplete ones (the newest
 * `incompleteMinutes`, which are read and marked but not judged). With `includeIncomplete` the incomplete periods
 * count towards `minutes`, as in `alignedWindow`. So `windowMinutes: 5` judges five minutes, not the two a plain
 * five-minute window would leave once its newest minutes are set aside.
 */
export function judgedWindow(
  now: Date,
  minutes: number,
  options: { readonly incompleteMinutes: number; readonly includeIncomplete: boolean },
  periodSeconds = DEFAULT_PERIOD_SECONDS,
): MetricWindow {
  if (options.includeIncomplete) return alignedWindow(now, minutes, periodSeconds);
  requireDate('now', now);
  requireNumber('minutes', minutes, { min: 0, exclusiveMin: true });
  requireNumber('incompleteMinutes', options.incompleteMinutes, { min: 0 });
  const periodMs = periodSeconds * 1000;
  const end = Math.ceil(now.getTime() / periodMs) * periodMs;
  // The last period that is complete ends at or before this instant (fillSeries marks the rest incomplete).
  const completeEnd = Math.floor((now.getTime() - options.incompleteMinutes * 60_000) / periodMs) * periodMs;
  const periods = Math.ceil((minutes * 60) / periodSeconds);
  return {
    start: new Date(completeEnd - periods * periodMs),
    end: new Date(Math.max(end, completeEnd)),
    periodSeconds,
  };
}

/**
 * The window of `minutes` that ends where the period containing `before` starts: a baseline before a
 * deployment, made only of periods that were over when it began.
 */
export function windowBefore(
  before: Date,
  minutes: number,
  periodSeconds = DEFAULT_PERIOD_SECONDS,
): MetricWindow {
  requireDate('before', before);
  requireNumber('minutes', minutes, { min: 0, exclusiveMin: true });
  requireNumber('periodSeconds', periodSeconds, { min: 0, exclusiveMin: true, integer: true });
  const periodMs = periodSeconds * 1000;
  const end = Math.floor(before.getTime() / periodMs) * periodMs;
  const periods = Math.ceil((minutes * 60) / periodSeconds);
  return { start: new Date(end - periods * periodMs), end: new Date(end), periodSeconds };
}

/**
 * The smallest window that covers all of `windows`, so one metrics read serves a check's evaluation window
 * and its baseline. The windows must share a period and be aligned to it.
 */
export function spanningWindow(windows: readonly MetricWindow[]): MetricWindow {
  const first = windows[0];
  if (!first) throw new Error('spanningWindow needs at least one window');
  let start = first.start.getTime();
  let end = first.end.getTime();
  for (const [index, window] of windows.entries()) {
    requireWindow(`windows[${index}]`, window);
    if (window.periodSeconds !== first.periodSeconds) {
      throw new InputError(
        `windows[${index}].periodSeconds`,
        `must equal the first window's ${first.periodSeconds} s, got ${window.periodSeconds} s`,
      );
    }
    if ((window.start.getTime() - first.start.getTime()) % (first.periodSeconds * 1000) !== 0) {
      throw new InputError(
        `windows[${index}].start`,
        'must be aligned to the same periods as the first window',
      );
    }
    start = Math.min(start, window.start.getTime());
    end = Math.max(end, window.end.getTime());
  }
  return { start: new Date(start), end: new Date(end), periodSeconds: first.periodSeconds };
}

/** A window as JSON: ISO times and the period. */
export function windowJson(window: MetricWindow): { start: string; end: string; periodSeconds: number } {
  return {
    start: window.start.toISOString(),
    end: window.end.toISOString(),
    periodSeconds: window.periodSeconds,
  };
}
