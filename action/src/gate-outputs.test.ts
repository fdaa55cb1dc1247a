import { GateScenario, aPod, aTarget } from '@draingate/core/testing';
import { describe, expect, it } from 'vitest';
import { gateOutputs } from './gate.js';

describe('the gate outputs', () => {
  it.each([
    { rate: 1 / 81, output: '0.012346' },
    { rate: 0.0125, output: '0.0125' },
    { rate: 0, output: '0' },
    { rate: 4e-7, output: '0' },
    { rate: 1, output: '1' },
  ])('error-rate $rate → $output (a fraction rounded to 6 decimals)', async ({ rate, output }) => {
    const scenario = new GateScenario();
    scenario.pods([aPod('web-0', '10.0.1.1')]);
    const result = await scenario.run({ timeoutSeconds: 5 }, () => {
      scenario.targets([aTarget('10.0.1.1', 'healthy')]);
      scenario.status({ phase: 'Progressing', updatedReplicas: 1 });
    });
    expect(gateOutputs({ ...result, errorRate: rate })).toMatchObject({
      verdict: 'Failed',
      'error-rate': output,
      'healthy-targets': '1',
      'rolled-back': 'false',
    });
  });
});
