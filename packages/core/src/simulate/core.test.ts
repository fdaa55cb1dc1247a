import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './histogram.js';
import { EventQueue } from './queue.js';
import { createLognormal, createRandom } from './random.js';

describe('EventQueue', () => {
  it('pops by time, and in insertion order at equal times', () => {
    const queue = new EventQueue<{ time: number; seq: number }>();
    const times = [5, 1, 3, 3, 0, 9, 1];
    times.forEach((time, seq) => queue.push({ time, seq }));
    const popped: string[] = [];
    for (let event = queue.pop(); event !== undefined; event = queue.pop())
      popped.push(`${event.time}/${event.seq}`);
    expect(popped).toEqual(['0/4', '1/1', '1/6', '3/2', '3/3', '5/0', '9/5']);
  });
});

describe('LatencyHistogram', () => {
  it('gives quantiles within 1 % of the exact values, in fixed memory', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 10_000; ms += 1) histogram.record(ms);
    const summary = histogram.summarize();
    expect(summary.minMs).toBe(1);
    expect(summary.maxMs).toBe(10_000);
    expect(summary.meanMs).toBeCloseTo(5000.5, 5);
    expect(summary.p50Ms / 5000).toBeCloseTo(1, 1);
    expect(Math.abs(summary.p99Ms / 9900 - 1)).toBeLessThan(0.01);
  });
});

describe('createRandom', () => {
  it('repeats itself for the same seed and stream, and differs across streams', () => {
    const draw = (seed: number, stream: number): number[] => {
      const random = createRandom(seed, stream);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw(7, 0)).toEqual(draw(7, 0));
    expect(draw(7, 0)).not.toEqual(draw(7, 1));
    expect(draw(7, 0)).not.toEqual(draw(8, 0));
    expect(draw(7, 0).every((value) => value >= 0 && value < 1)).toBe(true);
  });

  it('draws lognormal durations with the requested median and 99th percentile', () => {
    const draw = createLognormal(createRandom(1), 30, 50, 1000);
    const values = Array.from({ length: 20_000 }, draw).sort((a, b) => a - b);
    expect(values[10_000]).toBeGreaterThan(29);
    expect(values[10_000]).toBeLessThan(31);
    expect(values[19_800]).toBeGreaterThan(47);
    expect(values[19_800]).toBeLessThan(53);
  });
});
