import { describe, expect, it } from 'vitest';
import { createScenario } from './scenario.js';
import type { ScenarioInput } from './scenario.js';
import { validateScenario } from './validate.js';

describe('validateScenario', () => {
  it.each<{ name: string; input: ScenarioInput; path: string; message: RegExp }>([
    { name: 'a negative request rate', input: { rps: -5 }, path: 'rps', message: /must be ≥ 0, got -5/ },
    { name: '10^9 requests per second', input: { rps: 1e9 }, path: 'rps', message: /at most 100000/ },
    { name: 'NaN replicas', input: { replicas: Number.NaN }, path: 'replicas', message: /finite number/ },
    {
      name: 'grace 0 with a 30 s exec preStop',
      input: { terminationGracePeriodSeconds: 0, preStopSeconds: 30, preStopAction: 'exec' },
      path: 'terminationGracePeriodSeconds',
      message: /could never run/,
    },
    {
      name: 'grace 0 with a 30 s native sleep',
      input: { terminationGracePeriodSeconds: 0, preStopSeconds: 30 },
      path: 'preStopSeconds',
      message: /API rejects it/,
    },
    {
      name: 'a native sleep as long as the grace period',
      input: { terminationGracePeriodSeconds: 30, preStopSeconds: 30 },
      path: 'preStopSeconds',
      message: /must be shorter than terminationGracePeriodSeconds \(30 s\)/,
    },
    {
      name: 'a health check timeout as long as the interval',
      input: { healthCheckIntervalSeconds: 5, healthCheckTimeoutSeconds: 5 },
      path: 'healthCheckTimeoutSeconds',
      message: /less than the interval/,
    },
    {
      name: 'a deregistration delay beyond AWS range',
      input: { deregistrationDelaySeconds: 4000 },
      path: 'deregistrationDelaySeconds',
      message: /0–3600/,
    },
    {
      name: 'maxSurge and maxUnavailable both 0',
      input: { strategy: { kind: 'rolling', maxSurge: 0, maxUnavailable: 0 } },
      path: 'strategy',
      message: /never make progress/,
    },
    {
      name: 'a readiness gate on instance targets',
      input: { readinessGate: true, targetType: 'instance' },
      path: 'readinessGate',
      message: /ip targets only/,
    },
    {
      name: 'a canary weight above 100',
      input: {
        strategy: { kind: 'canary', steps: [{ kind: 'setWeight', weight: 120 }], scaleDownDelaySeconds: 30 },
      },
      path: 'strategy.steps[0].weight',
      message: /0–100/,
    },
  ])('$name → an error on $path', ({ input, path, message }) => {
    const errors = validateScenario(createScenario(input));
    expect(errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path, message: expect.stringMatching(message) })]),
    );
  });

  it('an exec preStop longer than the grace period is legal: the kubelet cuts it', () => {
    const input: ScenarioInput = {
      preStopSeconds: 40,
      preStopAction: 'exec',
      terminationGracePeriodSeconds: 30,
    };
    expect(validateScenario(createScenario(input))).toEqual([]);
  });
});
