import { describe, expect, it } from 'vitest';
import type { RolloutStatus } from '../ports/cluster.js';
import type { TargetHealth } from '../ports/elb.js';
import { UpstreamError } from '../ports/errors.js';
import { ARNS } from '../testing/checks.js';
import { WEB, aStatus } from '../testing/rollout-gate.js';
import { aTarget } from '../testing/memory-ports.js';
import { resolveGateOptions } from './watch.js';
import {
  countReadErrors,
  createWatchState,
  decideOutcome,
  judgeTargets,
  metricsDue,
  observeProgress,
} from './watch-steps.js';
import type { Poll, Read, WatchContext, WatchState } from './watch-steps.js';

const STARTED = new Date('2026-01-01T12:00:00Z');
const at = (seconds: number): Date => new Date(STARTED.getTime() + seconds * 1000);

function contextOf(options: Partial<Parameters<typeof resolveGateOptions>[0]> = {}): WatchContext {
  const gate = {
    workload: WEB,
    targetGroupArns: [ARNS.stable],
    settleSeconds: 30,
    timeoutSeconds: 300,
    ...options,
  };
  return {
    options: gate,
    resolved: resolveGateOptions(gate),
    targetGroupArns: gate.targetGroupArns,
    elbThresholds: { includeIncomplete: true },
    started: STARTED,
    decide: (state, kind, message) =>
      state.decisions.push({ at: STARTED.toISOString(), elapsedSeconds: 0, kind, message }),
  };
}

function pollOf(seconds: number, status: Read<RolloutStatus>, targets: Read<TargetHealth[]>[] = []): Poll {
  return { now: at(seconds), status, targets, pods: undefined, errors: [], complete: false };
}

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const failed = (message: string): Read<never> => ({
  ok: false,
  error: new UpstreamError('kubernetes', 'read', 'unavailable', message),
});
const kinds = (state: WatchState): string[] => state.decisions.map((decision) => decision.kind);

describe('the rollout gate steps, each alone', () => {
  it('observeProgress captures the watched revision once the controller observed the spec', () => {
    const state = createWatchState(STARTED);
    observeProgress(
      state,
      pollOf(0, ok(aStatus({ revision: '7', generation: 3, observedGeneration: 3 }))),
      contextOf(),
    );
    expect(state.watched).toMatchObject({ revision: '7', generation: 3 });
    expect(kinds(state)).toEqual(['rollout-observed', 'rollout-complete']);
    expect(state.completeAtMs).toBe(STARTED.getTime());
    expect(state.outcome).toBeUndefined();
  });

  it('observeProgress fails a rollout past its progress deadline, and asks for the action', () => {
    const state = createWatchState(STARTED);
    observeProgress(state, pollOf(0, ok(aStatus({ progressDeadlineExceeded: true }))), contextOf());
    expect(state.outcome).toMatchObject({ phase: 'Failed', act: true });
    expect(kinds(state)).toEqual(['rollout-observed', 'rollout-failed']);
  });

  it('judgeTargets fails only on the second failing poll in a row (failAfterPolls 2)', () => {
    const state = createWatchState(STARTED);
    const context = contextOf();
    const unhealthy = [ok([aTarget('10.0.0.1', 'unhealthy')])];
    judgeTargets(state, pollOf(0, ok(aStatus()), unhealthy), context);
    expect([state.failingPolls, state.outcome]).toEqual([1, undefined]);
    judgeTargets(state, pollOf(5, ok(aStatus()), unhealthy), context);
    expect(state.failingPolls).toBe(2);
    expect(state.outcome).toMatchObject({ phase: 'Failed', act: true });
    expect(kinds(state)).toEqual(['target-health-failing', 'target-health-failed']);
  });

  it('countReadErrors gives up with phase Error after errorLimit polls that could not read, without acting', () => {
    const state = createWatchState(STARTED);
    const context = contextOf({ errorLimit: 2 });
    for (const seconds of [0, 5]) {
      const poll = pollOf(seconds, failed('connection refused'));
      observeProgress(state, poll, context);
      countReadErrors(state, poll, context);
    }
    expect(state.errorPolls).toBe(2);
    expect(state.outcome).toEqual({
      phase: 'Error',
      reason: 'Could not measure: 2 polls in a row failed to read (kubernetes read: connection refused).',
      act: false,
    });
  });

  it('metricsDue plans a read at the start, then not before metricsIntervalSeconds', () => {
    const state = createWatchState(STARTED);
    const context = contextOf({ loadBalancerArn: ARNS.loadBalancer });
    expect(metricsDue(state, pollOf(0, ok(aStatus())), context)?.queries.length).toBeGreaterThan(0);
    state.nextMetricsMs = at(60).getTime();
    expect(metricsDue(state, pollOf(30, ok(aStatus())), context)).toBeUndefined();
    expect(metricsDue(createWatchState(STARTED), pollOf(0, ok(aStatus())), contextOf())).toBeUndefined();
  });

  it('decideOutcome succeeds 30 s after completion, and times out a rollout that never completes', () => {
    const context = contextOf({ targetGroupArns: [] });
    const settled = createWatchState(STARTED);
    observeProgress(settled, pollOf(10, ok(aStatus())), context);
    const later = pollOf(40, ok(aStatus()));
    observeProgress(settled, later, context);
    decideOutcome(settled, later, context);
    expect(settled.outcome).toEqual({
      phase: 'Successful',
      reason: 'Rolled out and settled for 30 s.',
      act: false,
    });

    const stuck = createWatchState(STARTED);
    const late = pollOf(300, ok(aStatus({ updatedReplicas: 1, phase: 'Progressing' })));
    observeProgress(stuck, late, context);
    decideOutcome(stuck, late, context);
    expect(stuck.outcome).toMatchObject({ phase: 'Failed', act: true });
    expect(stuck.outcome?.reason).toMatch(/^The rollout did not complete within 5 min: /);
  });
});
