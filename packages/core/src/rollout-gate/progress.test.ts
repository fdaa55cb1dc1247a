import { describe, expect, it } from 'vitest';
import { aStatus } from '../testing/rollout-gate.js';
import { judgeRolloutProgress } from './progress.js';

const rollout = { kind: 'Rollout', namespace: 'shop', name: 'web' } as const;

describe('judgeRolloutProgress', () => {
  it.each([
    {
      name: 'spec not observed yet → waiting',
      status: aStatus({ generation: 3, observedGeneration: 2 }),
      state: 'waiting',
    },
    {
      name: 'progress deadline exceeded → failed',
      status: aStatus({ progressDeadlineExceeded: true, phase: 'Failed' }),
      state: 'failed',
    },
    {
      name: 'Complete with old pods still terminating → progressing',
      status: aStatus({ oldReplicas: 1 }),
      state: 'progressing',
    },
    {
      name: 'Complete, updated not all available → progressing',
      status: aStatus({ availableReplicas: 2 }),
      state: 'progressing',
    },
    { name: 'Complete, nothing old left → complete', status: aStatus(), state: 'complete' },
    {
      name: 'Deployment Progressing → progressing',
      status: aStatus({ phase: 'Progressing' }),
      state: 'progressing',
    },
    {
      name: 'Rollout Healthy → complete',
      status: aStatus({ workload: rollout, phase: 'Healthy' }),
      state: 'complete',
    },
    {
      name: 'Rollout Degraded → failed',
      status: aStatus({ workload: rollout, phase: 'Degraded' }),
      state: 'failed',
    },
    {
      name: 'Rollout Paused → paused',
      status: aStatus({ workload: rollout, phase: 'Paused' }),
      state: 'paused',
    },
  ])('$name', ({ status, state }) => {
    const progress = judgeRolloutProgress(status);
    expect(progress.state).toBe(state);
    expect(progress.reason).not.toBe('');
  });

  it('says the numbers', () => {
    expect(judgeRolloutProgress(aStatus({ oldReplicas: 2 })).reason).toBe(
      '2 pods of old revisions still terminating (3 updated, 3 available of 3, 2 old)',
    );
  });
});
