import { describe, expect, it } from 'vitest';
import type { GateResult, Verdict } from '@draingate/core';
import { gateOutputs } from './gate.js';

describe('the gate step with a canary', () => {
  it("outputs carry each comparison's phase when the gate made it", () => {
    const verdict = (check: string, phase: Verdict['phase']) => ({ check, phase }) as Verdict;
    const result = {
      phase: 'Failed',
      errorRate: 0,
      healthyTargets: 3,
      errors5xx: 0,
      canary: verdict('canary', 'Successful'),
      latency: verdict('latency', 'Failed'),
    } as unknown as GateResult;
    expect(gateOutputs(result)).toMatchObject({
      'canary-verdict': 'Successful',
      'latency-verdict': 'Failed',
    });
    const without = { ...result, canary: undefined, latency: undefined } as unknown as GateResult;
    expect(gateOutputs(without)).not.toHaveProperty('canary-verdict');
    expect(gateOutputs(without)).not.toHaveProperty('latency-verdict');
  });
});
