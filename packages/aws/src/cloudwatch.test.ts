import type { InputError, MetricQuery } from '@draingate/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alignWindow,
  cloudWatchQueryId,
  collectResults,
  toMetricDataQuery,
  validateQueries,
} from './cloudwatch.js';

const CLOUDWATCH_ID = /^[a-z][a-zA-Z0-9_]*$/;

function aQuery(id: string, overrides: Partial<MetricQuery> = {}): MetricQuery {
  return {
    id,
    namespace: 'AWS/ApplicationELB',
    metricName: 'HTTPCode_ELB_5XX_Count',
    dimensions: { LoadBalancer: 'app/web/0123456789abcdef' },
    stat: 'Sum',
    ...overrides,
  };
}

describe('cloudWatchQueryId', () => {
  it.each([
    { name: 'a core id stays readable', index: 0, id: 'elb5xx', want: 'q0_elb5xx' },
    { name: 'dashes and dots become underscores', index: 3, id: 'tg-5xx.canary', want: 'q3_tg_5xx_canary' },
    { name: 'an upper-case or digit start is fine after the prefix', index: 7, id: '5XX', want: 'q7_5XX' },
    { name: 'an empty id is its position', index: 12, id: '', want: 'q12' },
  ])('$name: $id → $want', ({ index, id, want }) => {
    expect(cloudWatchQueryId(index, id)).toBe(want);
  });

  it('always matches CloudWatch’s id pattern, fits 255 characters and is unique per position', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 300 }), { minLength: 1, maxLength: 600 }), (ids) => {
        const mapped = ids.map((id, i) => cloudWatchQueryId(i, id));
        for (const m of mapped) {
          expect(m).toMatch(CLOUDWATCH_ID);
          expect(m.length).toBeLessThanOrEqual(255);
        }
        expect(new Set(mapped).size).toBe(ids.length);
      }),
      { numRuns: 50 },
    );
  });
});

describe('alignWindow', () => {
  const t = (iso: string): Date => new Date(iso);

  it.each([
    {
      name: 'an aligned window is left alone',
      start: '2026-11-23T10:00:00Z',
      end: '2026-11-23T10:05:00Z',
      want: ['2026-11-23T10:00:00.000Z', '2026-11-23T10:05:00.000Z'],
    },
    {
      name: 'start goes down and end goes up to whole minutes',
      start: '2026-11-23T10:00:42.5Z',
      end: '2026-11-23T10:04:01Z',
      want: ['2026-11-23T10:00:00.000Z', '2026-11-23T10:05:00.000Z'],
    },
    {
      name: 'a window inside one minute becomes that minute',
      start: '2026-11-23T10:00:10Z',
      end: '2026-11-23T10:00:20Z',
      want: ['2026-11-23T10:00:00.000Z', '2026-11-23T10:01:00.000Z'],
    },
  ])('$name', ({ start, end, want }) => {
    const out = alignWindow({ start: t(start), end: t(end), periodSeconds: 60 });
    expect([out.start.toISOString(), out.end.toISOString()]).toEqual(want);
  });

  it.each([
    {
      name: 'end before start',
      start: '2026-11-23T10:05:00Z',
      end: '2026-11-23T10:00:00Z',
      period: 60,
      path: 'window',
    },
    {
      name: 'an empty window',
      start: '2026-11-23T10:00:00Z',
      end: '2026-11-23T10:00:00Z',
      period: 60,
      path: 'window',
    },
    {
      name: 'a 30 s period',
      start: '2026-11-23T10:00:00Z',
      end: '2026-11-23T10:05:00Z',
      period: 30,
      path: 'window.periodSeconds',
    },
    {
      name: 'a 90 s period',
      start: '2026-11-23T10:00:00Z',
      end: '2026-11-23T10:05:00Z',
      period: 90,
      path: 'window.periodSeconds',
    },
    { name: 'an invalid date', start: 'nope', end: '2026-11-23T10:05:00Z', period: 60, path: 'window.start' },
  ])('$name → InputError at $path', ({ start, end, period, path }) => {
    expect(() => alignWindow({ start: t(start), end: t(end), periodSeconds: period })).toThrow(
      expect.objectContaining({ name: 'InputError', path }) as InputError,
    );
  });
});

describe('validateQueries', () => {
  it('accepts distinct queries', () => {
    expect(() => validateQueries([aQuery('a'), aQuery('b')])).not.toThrow();
  });

  it('rejects a repeated id, naming its position', () => {
    expect(() => validateQueries([aQuery('a'), aQuery('b'), aQuery('a')])).toThrow(
      /^queries\[2\]\.id: duplicate/,
    );
  });

  it('accepts the percentiles the core reads and refuses another extended statistic', () => {
    expect(() => validateQueries([aQuery('a', { stat: 'p99' }), aQuery('b', { stat: 'p90' })])).not.toThrow();
    expect(() => validateQueries([aQuery('a', { stat: 'tm99' as 'p99' })])).toThrow(
      'queries[0].stat: unknown statistic "tm99"',
    );
  });

  it('rejects an empty dimension value', () => {
    expect(() => validateQueries([aQuery('a', { dimensions: { TargetGroup: '' } })])).toThrow(
      /^queries\[0\]\.dimensions\.TargetGroup: is empty/,
    );
  });
});

describe('toMetricDataQuery', () => {
  it('asks for the query’s statistic over the window’s period, as plain data (no metric math)', () => {
    const q = aQuery('rt', {
      metricName: 'TargetResponseTime',
      stat: 'Average',
      dimensions: {
        LoadBalancer: 'app/web/0123456789abcdef',
        TargetGroup: 'targetgroup/web/0123456789abcdef',
      },
    });
    expect(toMetricDataQuery(q, 'q0_rt', 60)).toEqual({
      Id: 'q0_rt',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'TargetResponseTime',
          Dimensions: [
            { Name: 'LoadBalancer', Value: 'app/web/0123456789abcdef' },
            { Name: 'TargetGroup', Value: 'targetgroup/web/0123456789abcdef' },
          ],
        },
        Period: 60,
        Stat: 'Average',
      },
      ReturnData: true,
    });
  });
});

describe('collectResults', () => {
  it('appends a query’s datapoints across pages and ignores ids it did not ask for', () => {
    const into = new Map([['q0_a', [] as { timestamp: Date; value: number }[]]]);
    const t0 = new Date('2026-11-23T10:00:00Z');
    const t1 = new Date('2026-11-23T10:01:00Z');
    collectResults([{ Id: 'q0_a', Timestamps: [t0], Values: [3], StatusCode: 'PartialData' }], into);
    collectResults(
      [
        { Id: 'q0_a', Timestamps: [t1], Values: [4], StatusCode: 'Complete' },
        { Id: 'stranger', Timestamps: [t1], Values: [9] },
      ],
      into,
    );
    expect(into.get('q0_a')).toEqual([
      { timestamp: t0, value: 3 },
      { timestamp: t1, value: 4 },
    ]);
    expect(into.has('stranger')).toBe(false);
  });

  it('drops a value that is not a finite number instead of handing NaN to the core', () => {
    const into = new Map([['q0_rt', [] as { timestamp: Date; value: number }[]]]);
    const t0 = new Date('2026-11-23T10:00:00Z');
    const t1 = new Date('2026-11-23T10:01:00Z');
    collectResults([{ Id: 'q0_rt', Timestamps: [t0, t1], Values: [Number.NaN, 0.25] }], into);
    expect(into.get('q0_rt')).toEqual([{ timestamp: t1, value: 0.25 }]);
  });
});
