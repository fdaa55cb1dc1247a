import { describe, expect, it } from 'vitest';
import { InputError, UpstreamError } from '../ports/errors.js';
import { putMinutes } from '../testing/checks.js';
import { GateScenario, WEB } from '../testing/rollout-gate.js';
import { aPod, aTarget, anUpstreamError } from '../testing/memory-ports.js';
import { resolveGateOptions } from './watch.js';

const OLD = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
const NEW = ['10.0.1.1', '10.0.1.2', '10.0.1.3'];

/**
 * A rolling update of 3 pods behind one target group: the new pods come up by t = 10 s, the old ones drain
 * (terminating, still ready, targets draining) until t = 20 s, when they are gone and the Deployment is
 * complete. `breakAt` makes old pod 1 exit while its target still drains: the root cause of reference 002.
 */
function rollingUpdate(scenario: GateScenario, options: { breakAt?: number; completeAt?: number } = {}) {
  const completeAt = options.completeAt ?? 20;
  return (t: number): void => {
    const broken = options.breakAt !== undefined && t >= options.breakAt;
    if (t < 10) {
      scenario.status({
        replicas: 4,
        updatedReplicas: 1,
        availableReplicas: 3,
        oldReplicas: 3,
        phase: 'Progressing',
      });
      scenario.pods([...OLD.map((ip, i) => aPod(`web-1-${i}`, ip)), aPod('web-2-0', NEW[0] ?? '')]);
      scenario.targets([...OLD, NEW[0] ?? ''].map((ip) => aTarget(ip, 'healthy')));
      return;
    }
    const newPods = NEW.map((ip, i) => aPod(`web-2-${i}`, ip));
    const newTargets = NEW.map((ip) => aTarget(ip, 'healthy'));
    if (t < completeAt || broken) {
      scenario.status({
        replicas: 3,
        updatedReplicas: 3,
        availableReplicas: 3,
        oldReplicas: 3,
        phase: 'Complete',
      });
      const oldPods = OLD.map((ip, i) => aPod(`web-1-${i}`, ip, { terminating: true }));
      scenario.pods(broken ? [...newPods, ...oldPods.slice(1)] : [...newPods, ...oldPods]);
      scenario.targets([
        ...newTargets,
        ...OLD.map((ip) => aTarget(ip, 'draining', 'Target.DeregistrationInProgress')),
      ]);
      return;
    }
    scenario.status();
    scenario.pods(newPods);
    scenario.targets(newTargets);
  };
}

describe('watchRollout', () => {
  it('follows a healthy rolling update to completion, settles, and succeeds with a timeline', async () => {
    const scenario = new GateScenario();
    putMinutes(scenario.metrics, scenario.clock.now(), [{ requests: 5000 }, { requests: 5000 }]);
    const result = await scenario.run({ settleSeconds: 30 }, rollingUpdate(scenario));

    expect(result.phase).toBe('Successful');
    expect(result.pass).toBe(true);
    expect(result.reason).toMatch(
      /Rolled out and settled for 30 s; 3 of 3 targets healthy; 0 5xx over 5000 requests \(0%, within 1\.00%\)/,
    );
    expect(result.action).toBeUndefined();
    expect(result.decisions.map((d) => d.kind)).toEqual(['rollout-observed', 'rollout-complete', 'settled']);
    const complete = result.decisions.find((d) => d.kind === 'rollout-complete');
    expect(complete?.elapsedSeconds).toBe(20);
    expect(result.elapsedSeconds).toBe(50);
    expect(result.timeline.length).toBe(11);
    expect(result.timeline[0]).toMatchObject({ updatedReplicas: 1, healthyTargets: 4, errors5xx: 0 });
    expect(result.timeline.at(-1)).toMatchObject({
      updatedReplicas: 3,
      healthyTargets: 3,
      drainingTargets: 0,
    });
    expect(result.healthyTargets).toBe(3);
    expect(scenario.actuator.calls).toHaveLength(0);
  });

  it('decides a draining target whose pod is gone within two polls, then rolls back with the watched preconditions', async () => {
    const scenario = new GateScenario();
    const breakAt = 12;
    const result = await scenario.run(
      { onFailure: 'rollback', pollIntervalSeconds: 5 },
      rollingUpdate(scenario, { breakAt }),
    );

    expect(result.phase).toBe('Failed');
    const failed = result.decisions.find((d) => d.kind === 'target-health-failed');
    expect(failed?.message).toMatch(
      /draining target 10\.0\.0\.1:8080 still takes traffic but its pod is gone/,
    );
    const latency = (failed?.elapsedSeconds ?? Infinity) - breakAt;
    expect(latency).toBeLessThanOrEqual(2 * 5);
    expect(result.decisions.map((d) => d.kind)).toContain('target-health-failing');
    expect(scenario.actuator.calls).toEqual([
      { action: 'rollback', workload: WEB, preconditions: { generation: 2, revision: '2' }, dryRun: false },
    ]);
    expect(result.action).toMatchObject({ kind: 'rollback', status: 'performed', toRevision: '1' });
    expect(result.reason).toMatch(
      /Target health failed: .*Rolled back Deployment shop\/web from revision 2 to revision 1/,
    );
  });

  it('fails on ELB 5xx read from CloudWatch once per period, and says the numbers', async () => {
    const scenario = new GateScenario();
    const start = scenario.clock.now();
    const result = await scenario.run({ onFailure: 'rollback', settleSeconds: 120 }, (t) => {
      rollingUpdate(scenario)(t);
      // 5xx start at t = 30 s in the first minute; CloudWatch is next read at t = 60 s.
      if (t === 30) putMinutes(scenario.metrics, start, [{ requests: 1000, elb5xx: 40, target5xx: 10 }]);
    });
    expect(result.phase).toBe('Failed');
    const decision = result.decisions.find((d) => d.kind === 'elb-5xx-failed');
    expect(decision?.elapsedSeconds).toBe(60);
    expect(decision?.message).toMatch(
      /40 ELB 5xx and 10 target 5xx over 1,040 requests.*4\.81%, above the limit of 1\.00%/,
    );
    expect(result.errors5xx).toBe(50);
    expect(result.errorRate).toBeCloseTo(50 / 1040);
    expect(scenario.metrics.calls.count('readMetrics')).toBe(2);
    expect(result.action?.status).toBe('performed');
  });

  it('fails at once when the Deployment exceeds its progress deadline', async () => {
    const scenario = new GateScenario();
    const result = await scenario.run({ onFailure: 'none' }, (t) => {
      rollingUpdate(scenario)(Math.min(t, 5));
      if (t >= 15)
        scenario.status({
          updatedReplicas: 1,
          replicas: 4,
          oldReplicas: 3,
          phase: 'Failed',
          progressDeadlineExceeded: true,
          message: 'ReplicaSet "web-2" has timed out progressing.',
        });
    });
    expect(result.phase).toBe('Failed');
    expect(result.elapsedSeconds).toBe(15);
    expect(result.reason).toMatch(
      /progress deadline exceeded \(1 updated, 3 available of 4, 3 old\): ReplicaSet "web-2" has timed out/,
    );
    expect(result.action).toBeUndefined();
  });

  it('does not succeed before the settle period is over, and fails when harm shows during it', async () => {
    const scenario = new GateScenario();
    const start = scenario.clock.now();
    const result = await scenario.run({ settleSeconds: 90, metricsIntervalSeconds: 60 }, (t) => {
      rollingUpdate(scenario)(t);
      if (t === 100) putMinutes(scenario.metrics, start, [{}, { requests: 1000, elb5xx: 100 }]);
    });
    expect(result.decisions.find((d) => d.kind === 'rollout-complete')?.elapsedSeconds).toBe(20);
    expect(result.decisions.map((d) => d.kind)).not.toContain('settled');
    expect(result.phase).toBe('Failed');
    expect(result.elapsedSeconds).toBe(110);
  });

  it('succeeds right after the settle period with a final CloudWatch read', async () => {
    const scenario = new GateScenario();
    const result = await scenario.run(
      { settleSeconds: 45, metricsIntervalSeconds: 60 },
      rollingUpdate(scenario),
    );
    expect(result.phase).toBe('Successful');
    expect(result.elapsedSeconds).toBe(65);
    // t = 0, t = 60, and once more at t = 65 before succeeding.
    expect(scenario.metrics.calls.count('readMetrics')).toBe(3);
  });

  it('captures the revision once the controller observed the new generation, and passes dry-run through', async () => {
    const scenario = new GateScenario();
    const result = await scenario.run({ onFailure: 'rollback', dryRun: true }, (t) => {
      if (t < 5)
        scenario.status({ generation: 2, observedGeneration: 1, revision: '1', phase: 'Progressing' });
      else rollingUpdate(scenario, { breakAt: 12 })(t);
    });
    expect(result.watched).toEqual({ resourceVersion: '100', generation: 2, revision: '2' });
    expect(scenario.actuator.calls[0]).toMatchObject({
      preconditions: { generation: 2, revision: '2' },
      dryRun: true,
    });
    expect(result.action).toMatchObject({ status: 'dry-run', dryRun: true });
    expect(result.reason).toMatch(/Would roll back/);
  });

  it('follows generation bumps before the controller observed the spec: they are the rollout, not an edit', async () => {
    const scenario = new GateScenario();
    scenario.actuator.live = { generation: 4, revision: '2' };
    const result = await scenario.run({ onFailure: 'rollback' }, (t) => {
      if (t < 3)
        scenario.status({ generation: 3, observedGeneration: 2, revision: '1', phase: 'Progressing' });
      else if (t < 6)
        scenario.status({ generation: 4, observedGeneration: 2, revision: '2', phase: 'Progressing' });
      else {
        rollingUpdate(scenario, { breakAt: 12 })(t);
        scenario.status({ generation: 4, observedGeneration: 4, phase: 'Progressing', oldReplicas: 3 });
      }
    });
    expect(result.decisions.map((d) => d.kind)).not.toContain('rollout-changed');
    expect(result.watched).toMatchObject({ generation: 4, revision: '2' });
    expect(result.action).toMatchObject({
      status: 'performed',
      preconditions: { generation: 4, revision: '2' },
    });
  });

  it('reports a refusal when the Deployment was edited under the gate', async () => {
    const scenario = new GateScenario();
    const result = await scenario.run({ onFailure: 'rollback' }, (t) => {
      rollingUpdate(scenario, { breakAt: 12 })(t);
      if (t >= 10) {
        scenario.status({
          generation: 3,
          observedGeneration: 3,
          revision: '3',
          phase: 'Progressing',
          oldReplicas: 3,
        });
        scenario.actuator.live = { generation: 3, revision: '3' };
      }
    });
    expect(result.decisions.map((d) => d.kind)).toContain('rollout-changed');
    expect(result.phase).toBe('Failed');
    expect(result.action?.status).toBe('refused');
    expect(result.action?.description).toMatch(
      /refused to rollback: .*changed since it was watched \(generation 2 → 3, revision 2 → 3\)/,
    );
    expect(result.reason).toMatch(/Refused to rollback/);
  });

  it('aborts an Argo Rollout that turns Degraded, and undoes it with on-failure rollback', async () => {
    const scenario = new GateScenario();
    const rollout = { kind: 'Rollout', namespace: 'shop', name: 'web' } as const;
    scenario.actuator.live = { generation: 5, revision: '7c9f' };
    const result = await scenario.run(
      { workload: rollout, onFailure: 'rollback', targetGroupArns: [], podSelector: undefined },
      (t) => {
        scenario.cluster.setRolloutStatus({
          ...scenarioStatus(rollout),
          phase: t < 10 ? 'Progressing' : 'Degraded',
          ...(t >= 10 ? { message: 'RolloutAborted: metric "errors" assessed Failed' } : {}),
        });
      },
    );
    expect(result.phase).toBe('Failed');
    expect(result.reason).toMatch(/Rollout is Degraded/);
    expect(scenario.actuator.calls[0]).toMatchObject({ action: 'abort', undo: true, workload: rollout });
  });

  it('fails when the rollout does not complete within the timeout', async () => {
    const scenario = new GateScenario();
    const result = await scenario.run(
      { timeoutSeconds: 30, targetGroupArns: [], podSelector: undefined },
      () =>
        scenario.status({
          updatedReplicas: 1,
          replicas: 4,
          oldReplicas: 3,
          phase: 'Progressing',
          message: 'Waiting for rollout to finish',
        }),
    );
    expect(result.phase).toBe('Failed');
    expect(result.elapsedSeconds).toBe(30);
    expect(result.reason).toMatch(/did not complete within 30 s: Progressing/);
  });

  it('leaves a Rollout paused on a step alone at the timeout: Inconclusive, no abort', async () => {
    const scenario = new GateScenario();
    const rollout = { kind: 'Rollout', namespace: 'shop', name: 'web' } as const;
    const result = await scenario.run(
      {
        workload: rollout,
        onFailure: 'abort',
        timeoutSeconds: 20,
        targetGroupArns: [],
        podSelector: undefined,
      },
      () =>
        scenario.cluster.setRolloutStatus({
          ...scenarioStatus(rollout),
          phase: 'Paused',
          message: 'CanaryPauseStep',
        }),
    );
    expect(result.phase).toBe('Inconclusive');
    expect(result.reason).toMatch(
      /did not complete within 20 s: Rollout is Paused .*a paused rollout is not aborted/,
    );
    expect(scenario.actuator.calls).toHaveLength(0);
  });

  it('gives up with phase Error after too many polls that could not read, without acting', async () => {
    const scenario = new GateScenario();
    const result = await scenario.run({ onFailure: 'rollback', errorLimit: 3 }, (t) => {
      rollingUpdate(scenario)(t);
      if (t >= 5)
        scenario.cluster.calls.failNext(
          'readRolloutStatus',
          anUpstreamError('access-denied', 'kubernetes', 'get'),
        );
    });
    expect(result.phase).toBe('Error');
    expect(result.reason).toMatch(/3 polls in a row failed to read/);
    expect(scenario.actuator.calls).toHaveLength(0);
  });

  it('rejects bad options with an InputError naming them', () => {
    expect(() => resolveGateOptions({ workload: WEB, pollIntervalSeconds: 0 })).toThrow(InputError);
    expect(() => resolveGateOptions({ workload: WEB, targetGroupArns: ['nope'] })).toThrow(
      /targetGroupArns\[0\]/,
    );
    expect(() => resolveGateOptions({ workload: WEB, elb5xx: { maxRate: 2 } })).toThrow(/elb5xx\.maxRate/);
  });

  it('emits started, poll, decision, action and finished events in order', async () => {
    const scenario = new GateScenario();
    await scenario.run({ onFailure: 'rollback' }, rollingUpdate(scenario, { breakAt: 12 }));
    const types = scenario.events.map((event) => event.type);
    expect(types[0]).toBe('started');
    expect(types.at(-2)).toBe('action');
    expect(types.at(-1)).toBe('finished');
    expect(types.filter((type) => type === 'poll').length).toBeGreaterThan(3);
  });

  it('treats a refused actuator error that is not a conflict as a failed action', async () => {
    const scenario = new GateScenario();
    scenario.actuator.rollback = async () => {
      throw new UpstreamError('kubernetes', 'rollback', 'not-found', 'no rollout history found');
    };
    const result = await scenario.run({ onFailure: 'rollback' }, rollingUpdate(scenario, { breakAt: 12 }));
    expect(result.action).toMatchObject({ status: 'failed' });
    expect(result.action?.description).toMatch(/could not rollback \(not-found\): .*no rollout history/);
  });
});

function scenarioStatus(workload: { kind: 'Rollout'; namespace: string; name: string }) {
  return {
    workload,
    generation: 5,
    observedGeneration: 5,
    resourceVersion: '9',
    replicas: 4,
    updatedReplicas: 1,
    availableReplicas: 4,
    readyReplicas: 4,
    oldReplicas: 3,
    revision: '7c9f',
    phase: 'Progressing',
    progressDeadlineExceeded: false,
  };
}
