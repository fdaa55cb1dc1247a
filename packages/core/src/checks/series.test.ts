import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../ports/errors.js';
import { alignedWindow, fillSeries, spanningWindow, sumPeriods, windowBefore } from './series.js';

const at = (time: string): Date => new Date(`2026-01-01T${time}Z`);
const window = { start: at('12:00:00'), end: at('12:05:00'), periodSeconds: 60 };

describe('fillSeries', () => {
  it.each([
    {
      name: 'no datapoints → every period is zero, none published',
      points: [],
      values: [0, 0, 0, 0, 0],
      published: [false, false, false, false, false],
    },
    {
      name: 'a missing period between datapoints → zero there',
      points: [
        { timestamp: at('12:00:00'), value: 3 },
        { timestamp: at('12:02:00'), value: 4 },
      ],
      values: [3, 0, 4, 0, 0],
      published: [true, false, true, false, false],
    },
    {
      name: 'two datapoints in one period → their sum',
      points: [
        { timestamp: at('12:01:00'), value: 2 },
        { timestamp: at('12:01:30'), value: 5 },
      ],
      values: [0, 7, 0, 0, 0],
      published: [false, true, false, false, false],
    },
    {
      name: 'datapoints outside the window and non-finite values → ignored',
      points: [
        { timestamp: at('11:59:00'), value: 9 },
        { timestamp: at('12:05:00'), value: 9 },
        { timestamp: at('12:03:00'), value: Number.NaN },
      ],
      values: [0, 0, 0, 0, 0],
      published: [false, false, false, false, false],
    },
  ])('$name', ({ points, values, published }) => {
    const filled = fillSeries({ id: 'm', points }, window, at('12:30:00'));
    expect(filled.periods.map((period) => period.value)).toEqual(values);
    expect(filled.periods.map((period) => period.published)).toEqual(published);
    expect(filled.periods.every((period) => !period.incomplete)).toBe(true);
  });

  it.each([
    {
      name: 'now at the window end → the last 2 periods incomplete by default',
      now: '12:05:00',
      options: {},
      incomplete: 2,
    },
    {
      name: 'now mid-minute → the periods overlapping the last 2 minutes',
      now: '12:04:30',
      options: {},
      incomplete: 3,
    },
    {
      name: 'incompleteMinutes 0 → only periods not over yet',
      now: '12:04:30',
      options: { incompleteMinutes: 0 },
      incomplete: 1,
    },
    {
      name: 'incompleteMinutes 3 → the last 3 periods',
      now: '12:05:00',
      options: { incompleteMinutes: 3 },
      incomplete: 3,
    },
    { name: 'long after the window → nothing incomplete', now: '13:00:00', options: {}, incomplete: 0 },
  ])('$name', ({ now, options, incomplete }) => {
    const filled = fillSeries(undefined, window, at(now), options);
    const marks = filled.periods.map((period) => period.incomplete);
    expect(marks.filter(Boolean)).toHaveLength(incomplete);
    // The incomplete periods are always the newest ones.
    expect(marks.slice(marks.length - incomplete).every(Boolean)).toBe(true);
  });

  it('sums only complete periods unless asked', () => {
    const points = [0, 1, 2, 3, 4].map((minute) => ({ timestamp: at(`12:0${minute}:00`), value: 10 }));
    const filled = fillSeries({ id: 'm', points }, window, at('12:05:00'));
    expect(sumPeriods(filled)).toBe(30);
    expect(sumPeriods(filled, { includeIncomplete: true })).toBe(50);
  });

  it.each([
    { name: 'a window of 0 → InputError on window', input: { ...window, end: window.start }, path: 'window' },
    {
      name: 'a period of 0 → InputError on its period',
      input: { ...window, periodSeconds: 0 },
      path: 'window.periodSeconds',
    },
    {
      name: 'a window that is not whole periods → InputError',
      input: { ...window, end: at('12:04:30') },
      path: 'window',
    },
    {
      name: 'an invalid start → InputError on its start',
      input: { ...window, start: new Date(Number.NaN) },
      path: 'window.start',
    },
  ])('$name', ({ input, path }) => {
    expect(() => fillSeries(undefined, input, at('12:30:00'))).toThrow(InputError);
    expect(() => fillSeries(undefined, input, at('12:30:00'))).toThrow(expect.objectContaining({ path }));
  });

  it('negative or NaN incomplete minutes → InputError', () => {
    expect(() => fillSeries(undefined, window, at('12:30:00'), { incompleteMinutes: -1 })).toThrow(
      expect.objectContaining({ path: 'incompleteMinutes' }),
    );
    expect(() => fillSeries(undefined, window, at('12:30:00'), { incompleteMinutes: Number.NaN })).toThrow(
      InputError,
    );
  });
});

describe('window alignment', () => {
  it.each([
    {
      name: 'mid-minute → ends at the end of the current minute',
      now: '12:10:30',
      minutes: 10,
      start: '12:01:00',
      end: '12:11:00',
    },
    { name: 'on the minute → ends there', now: '12:10:00', minutes: 10, start: '12:00:00', end: '12:10:00' },
    {
      name: 'fractional minutes → rounded up to whole periods',
      now: '12:10:00',
      minutes: 2.5,
      start: '12:07:00',
      end: '12:10:00',
    },
  ])('$name', ({ now, minutes, start, end }) => {
    expect(alignedWindow(at(now), minutes)).toEqual({ start: at(start), end: at(end), periodSeconds: 60 });
  });

  it('a baseline ends where the minute the deployment started in begins', () => {
    expect(windowBefore(at('12:10:45'), 15)).toEqual({
      start: at('11:55:00'),
      end: at('12:10:00'),
      periodSeconds: 60,
    });
  });

  it.each([
    { name: 'a window of 0 minutes → InputError on minutes', minutes: 0 },
    { name: 'negative minutes → InputError on minutes', minutes: -5 },
    { name: 'NaN minutes → InputError on minutes', minutes: Number.NaN },
  ])('$name', ({ minutes }) => {
    expect(() => alignedWindow(at('12:00:00'), minutes)).toThrow(
      expect.objectContaining({ path: 'minutes' }),
    );
  });

  it('spans a window and its baseline, and refuses mixed periods', () => {
    const baseline = windowBefore(at('11:30:00'), 10);
    expect(spanningWindow([window, baseline])).toEqual({
      start: at('11:20:00'),
      end: at('12:05:00'),
      periodSeconds: 60,
    });
    expect(() => spanningWindow([window, { ...baseline, periodSeconds: 300 }])).toThrow(
      expect.objectContaining({ path: 'windows[1].periodSeconds' }),
    );
  });
});

describe('fillSeries properties', () => {
  const point = fc.record({
    offsetSeconds: fc.integer({ min: -600, max: 1200 }),
    value: fc.integer({ min: 0, max: 1_000_000 }),
  });

  it('keeps every datapoint inside the window, one value per period, incomplete ones last', () => {
    fc.assert(
      fc.property(
        fc.array(point, { maxLength: 40 }),
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: -300, max: 1500 }),
        fc.integer({ min: 0, max: 5 }),
        (points, minutes, nowOffset, incompleteMinutes) => {
          const start = at('12:00:00').getTime();
          const win = { start: new Date(start), end: new Date(start + minutes * 60_000), periodSeconds: 60 };
          const series = {
            id: 'm',
            points: points.map((p) => ({
              timestamp: new Date(start + p.offsetSeconds * 1000),
              value: p.value,
            })),
          };
          const filled = fillSeries(series, win, new Date(start + nowOffset * 1000), { incompleteMinutes });
          expect(filled.periods).toHaveLength(minutes);
          const inside = points
            .filter((p) => p.offsetSeconds >= 0 && p.offsetSeconds < minutes * 60)
            .reduce((sum, p) => sum + p.value, 0);
          expect(sumPeriods(filled, { includeIncomplete: true })).toBe(inside);
          const marks = filled.periods.map((period) => period.incomplete);
          const firstIncomplete = marks.indexOf(true);
          if (firstIncomplete >= 0) expect(marks.slice(firstIncomplete).every(Boolean)).toBe(true);
          expect(filled.periods.every((period) => period.value >= 0)).toBe(true);
        },
      ),
    );
  });
});
