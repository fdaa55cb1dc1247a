import { describe, expect, it } from 'vitest';
import { proposeFix } from './fix.js';
import { REFERENCE_CASES } from './reference.js';
import { createScenario } from './scenario.js';
import { sweepCompared } from './sweep.js';
import { runManyCompared } from './sweep.js';
import { commonTrafficWindow, describeTrafficWindow, simulateOverOneWindow } from './window.js';
import { simulateRollout } from './engine.js';

const reference000 = REFERENCE_CASES.find((c) => c.id === '000');
if (!reference000) throw new Error('reference 000 is missing');

describe('compared simulations count the same requests', () => {
  it('a configuration and its fix share one window, long enough for the slower rollout', () => {
    const broken = createScenario({ ...reference000.before, durationSeconds: null });
    const fixed = proposeFix(broken).scenario;
    const { results, window } = simulateOverOneWindow([broken, fixed]);
    const [before, after] = results;
    const ownBefore = simulateRollout(broken).trafficSeconds;
    const ownAfter = simulateRollout(fixed).trafficSeconds;
    expect(window).toEqual({ seconds: Math.max(ownBefore, ownAfter), basis: 'slowest-rollout' });
    expect(before?.trafficSeconds).toBe(window.seconds);
    expect(after?.trafficSeconds).toBe(window.seconds);
    expect(before?.requests).toBe(after?.requests);
  });

  it('reference 000 asks for 37 s of traffic, before any old pod of the fixed rollout is gone: the window is extended, and says so', () => {
    expect(reference000.before.durationSeconds).toBe(37);
    const broken = createScenario(reference000.before);
    const fixed = proposeFix(broken).scenario;
    const { results, window } = simulateOverOneWindow([broken, fixed]);
    expect(window.extendedFrom).toBe(37);
    expect(window.seconds).toBeGreaterThan(37);
    for (const result of results) expect(result.rolloutCompleteSecond).not.toBeNull();
    expect(results[0]?.failures).toBeGreaterThan(0);
    expect(results[1]?.failures).toBe(0);
    expect(describeTrafficWindow(window)).toMatch(/the 37 s asked for was extended/);
  });

  it('a duration longer than every rollout is kept as asked', () => {
    const scenario = createScenario({ durationSeconds: 500 });
    expect(commonTrafficWindow([scenario])).toEqual({ seconds: 500, basis: 'duration' });
  });

  it('a grace sweep counts the same requests at every point: the same failures give the same success ratio', () => {
    const scenario = createScenario({ replicas: 3, preStopSeconds: 0, shutdownSeconds: 10 });
    const { sweeps, window } = sweepCompared([scenario], 'terminationGracePeriodSeconds', 20, 80, 4);
    const points = sweeps[0] ?? [];
    expect(points).toHaveLength(4);
    const requests = new Set(points.map((point) => point.result?.requests));
    expect(requests.size).toBe(1);
    for (const point of points) expect(point.result?.trafficSeconds).toBe(window?.seconds);
    const byFailures = new Map<number, number>();
    for (const point of points) {
      const r = point.result!;
      const seen = byFailures.get(r.failures);
      if (seen !== undefined) expect(r.successRatio).toBe(seen);
      byFailures.set(r.failures, r.successRatio);
    }
  });

  it('an invalid point is skipped with its reason and the others still run', () => {
    const scenario = createScenario({ terminationGracePeriodSeconds: 30, preStopAction: 'sleep' });
    const [points = []] = sweepCompared([scenario], 'preStopSeconds', 0, 40, 5).sweeps;
    expect(points.map((point) => [point.value, point.result === undefined])).toEqual([
      [0, false],
      [10, false],
      [20, false],
      [30, true],
      [40, true],
    ]);
    expect(points[3]?.skipped).toBe(
      'preStopSeconds: a native preStop sleep of 30 s must be shorter than terminationGracePeriodSeconds (30 s): the API rejects it',
    );
  });

  it('runs of a configuration and its fix pair up seed by seed over one window each', () => {
    const broken = createScenario({ replicas: 3, arrivals: 'poisson', rps: 20 });
    const fixed = proposeFix(broken).scenario;
    const [many, fixedMany] = runManyCompared([broken, fixed], 3);
    expect(many?.results).toHaveLength(3);
    many?.results.forEach((result, run) => {
      expect(result.trafficSeconds).toBe(fixedMany?.results[run]?.trafficSeconds);
      expect(result.requests).toBe(fixedMany?.results[run]?.requests);
    });
  });
});
