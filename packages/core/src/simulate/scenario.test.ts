import { describe, expect, it } from 'vitest';
import { ALB_DEFAULTS, ALLOWANCE_DEFAULTS, KUBERNETES_DEFAULTS } from '../timing/defaults.js';
import { planRollingStep } from './deployment.js';
import { createRollingStrategy, createScenario } from './scenario.js';
import { validateScenario } from './validate.js';

describe('createScenario', () => {
  it('takes every default from timing/defaults', () => {
    const scenario = createScenario();
    expect(scenario.terminationGracePeriodSeconds).toBe(KUBERNETES_DEFAULTS.terminationGracePeriodSeconds);
    expect(scenario.deregistrationDelaySeconds).toBe(ALB_DEFAULTS.deregistrationDelaySeconds);
    expect(scenario.healthCheckIntervalSeconds).toBe(ALB_DEFAULTS.healthCheckIntervalSeconds);
    expect(scenario.propagationSeconds).toBe(ALLOWANCE_DEFAULTS.propagationSeconds);
    expect(validateScenario(scenario)).toEqual([]);
  });
});

describe('createRollingStrategy', () => {
  it.each([
    {
      name: '25 %/25 % of 5 pods → surge 2, unavailable 1',
      replicas: 5,
      surge: '25%',
      unavailable: '25%',
      expected: [2, 1],
    },
    {
      name: '25 %/25 % of 3 pods → surge 1, unavailable 0',
      replicas: 3,
      surge: '25%',
      unavailable: '25%',
      expected: [1, 0],
    },
    {
      name: 'percentages that both come out 0 leave one pod unavailable',
      replicas: 5,
      surge: '0%',
      unavailable: '10%',
      expected: [0, 1],
    },
    { name: 'whole numbers stay as they are', replicas: 10, surge: 0, unavailable: 3, expected: [0, 3] },
  ])('$name', ({ replicas, surge, unavailable, expected }) => {
    const strategy = createRollingStrategy(replicas, surge, unavailable);
    expect(strategy.kind === 'rolling' ? [strategy.maxSurge, strategy.maxUnavailable] : []).toEqual(expected);
  });
});

describe('planRollingStep', () => {
  it.each([
    {
      name: 'start of a 25 %/25 % rollout of 4 pods: one new pod, one old pod deleted',
      state: {
        replicas: 4,
        maxSurge: 1,
        maxUnavailable: 1,
        oldPods: 4,
        oldAvailable: 4,
        newPods: 0,
        newAvailable: 0,
      },
      expected: { create: 1, deleteUnavailable: 0, deleteAvailable: 1 },
    },
    {
      name: 'maxUnavailable 0 deletes nothing until a new pod is available',
      state: {
        replicas: 3,
        maxSurge: 1,
        maxUnavailable: 0,
        oldPods: 3,
        oldAvailable: 3,
        newPods: 1,
        newAvailable: 0,
      },
      expected: { create: 0, deleteUnavailable: 0, deleteAvailable: 0 },
    },
    {
      name: 'a new pod available lets one old pod go',
      state: {
        replicas: 3,
        maxSurge: 1,
        maxUnavailable: 0,
        oldPods: 3,
        oldAvailable: 3,
        newPods: 1,
        newAvailable: 1,
      },
      expected: { create: 0, deleteUnavailable: 0, deleteAvailable: 1 },
    },
    {
      name: 'unavailable old pods go first',
      state: {
        replicas: 3,
        maxSurge: 0,
        maxUnavailable: 1,
        oldPods: 3,
        oldAvailable: 2,
        newPods: 0,
        newAvailable: 0,
      },
      expected: { create: 0, deleteUnavailable: 1, deleteAvailable: 0 },
    },
  ])('$name', ({ state, expected }) => {
    expect(planRollingStep(state)).toEqual(expected);
  });
});
