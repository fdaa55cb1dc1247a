import { describe, expect, it } from 'vitest';
import { createScenario } from './scenario.js';
import type { NumericScenarioField } from './scenario.js';
import { runMany, summarizeSpread, sweep, sweepValues } from './sweep.js';
import { InvalidScenarioError } from './validate.js';

describe('sweep', () => {
  it('longer preStop sleeps lose fewer requests, and none past controller latency + propagation', () => {
    const points = sweep(createScenario({ terminationGracePeriodSeconds: 60 }), 'preStopSeconds', 0, 30, 4);
    expect(points.map((point) => point.value)).toEqual([0, 10, 20, 30]);
    const failures = points.map((point) => point.result?.failures);
    expect(failures[0]).toBeGreaterThan(failures[1] ?? 0);
    expect(failures[1]).toBeGreaterThan(failures[2] ?? 0);
    expect(failures[3]).toBe(0);
  });

  it.each<{
    name: string;
    field: NumericScenarioField;
    from: number;
    to: number;
    steps: number;
    message: RegExp;
  }>([
    {
      name: 'a reversed range',
      field: 'preStopSeconds',
      from: 30,
      to: 0,
      steps: 4,
      message: /reversed: 30..0; write 0..30/,
    },
    {
      name: 'a field that cannot be swept',
      field: 'seed',
      from: 0,
      to: 3,
      steps: 4,
      message: /cannot sweep seed/,
    },
    {
      name: 'too many steps',
      field: 'preStopSeconds',
      from: 0,
      to: 3,
      steps: 10_000,
      message: /steps must be/,
    },
    {
      name: 'an infinite bound',
      field: 'rps',
      from: 0,
      to: Number.POSITIVE_INFINITY,
      steps: 3,
      message: /finite/,
    },
  ])('$name is a clear error', ({ field, from, to, steps, message }) => {
    expect(() => sweepValues(field, from, to, steps)).toThrow(InvalidScenarioError);
    expect(() => sweepValues(field, from, to, steps)).toThrow(message);
  });

  it('rounds integer fields and drops repeated values', () => {
    expect(sweepValues('replicas', 1, 3, 5)).toEqual([1, 2, 3]);
  });
});

describe('runMany', () => {
  it('reports the spread over consecutive seeds of a Poisson stream', () => {
    const many = runMany(createScenario({ arrivals: 'poisson', rps: 20 }), 5);
    expect(many.results.map((result) => result.scenario.seed)).toEqual([1, 1, 1, 1, 1]);
    expect(many.failures.min).toBeLessThan(many.failures.max);
    expect(many.failures.min).toBeLessThanOrEqual(many.failures.median);
  });

  it('refuses zero runs', () => {
    expect(() => runMany(createScenario(), 0)).toThrow(/within 1–1000/);
  });

  it('summarizes an even number of values with the mean of the middle two', () => {
    expect(summarizeSpread([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, mean: 2.5, max: 4 });
  });
});
