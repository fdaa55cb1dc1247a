import { createVerdict } from '@draingate/core';
import type { Verdict } from '@draingate/core';
import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import type { EnvironmentPolicy } from './policy.js';

const now = new Date('2026-01-01T12:00:00Z');
const a = (phase: Verdict['phase']): Verdict =>
  createVerdict('elb-5xx', phase, { value: 0, threshold: 0.01, reason: phase, details: {} }, now);
const policy = (onInconclusive: 'reject' | 'approve' = 'reject'): EnvironmentPolicy => ({
  name: 'production',
  observeSeconds: 0,
  onInconclusive,
  onUpstreamError: 'reject',
  retry: { attempts: 1, delaySeconds: 1 },
  deadlineMinutes: 120,
  dryRun: false,
  interimComments: true,
  interimEverySeconds: 300,
  checks: [],
});

describe('decide', () => {
  it.each([
    {
      name: 'all Successful → approved',
      phases: ['Successful', 'Successful'],
      state: 'approved',
      summary: '2 of 2 checks passed.',
    },
    {
      name: 'one Failed → rejected',
      phases: ['Successful', 'Failed'],
      state: 'rejected',
      summary: '1 of 2 checks failed.',
    },
    {
      name: 'an Error → rejected',
      phases: ['Successful', 'Error'],
      state: 'rejected',
      summary: '1 of 2 checks could not measure.',
    },
    {
      name: 'Failed wins over Error',
      phases: ['Error', 'Failed'],
      state: 'rejected',
      summary: '1 of 2 checks failed.',
    },
    {
      name: 'Inconclusive → rejected by default',
      phases: ['Inconclusive'],
      state: 'rejected',
      summary: '1 of 1 check inconclusive (onInconclusive: reject).',
    },
  ] as const)('$name', ({ phases, state, summary }) => {
    const decision = decide(phases.map(a), policy());
    expect(decision.state).toBe(state);
    expect(decision.summary).toBe(summary);
  });

  it('Inconclusive → approved when the policy says so', () => {
    expect(decide([a('Inconclusive'), a('Successful')], policy('approve')).state).toBe('approved');
  });

  it('the attempts are told when errors remained after retries', () => {
    expect(decide([a('Error')], policy(), 3).summary).toBe(
      '1 of 1 check could not measure after 3 attempts.',
    );
  });
});
