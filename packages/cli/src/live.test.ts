import { describe, expect, it } from 'vitest';
import { parseWorkloadRef } from './live.js';
import { renderVerdictText } from './commands/check.js';

describe('parseWorkloadRef', () => {
  it.each([
    { name: 'deployment/web → a Deployment', text: 'deployment/web', kind: 'Deployment' },
    { name: 'deploy/web (kubectl’s short name) → a Deployment', text: 'deploy/web', kind: 'Deployment' },
    { name: 'sts/db → a StatefulSet', text: 'sts/db', kind: 'StatefulSet' },
    { name: 'rollout/web → an Argo Rollout', text: 'rollout/web', kind: 'Rollout' },
  ])('$name', ({ text, kind }) => {
    expect(parseWorkloadRef(text, 'shop')).toMatchObject({ kind, namespace: 'shop' });
  });

  it.each([
    { name: 'a pod is not a workload', text: 'pod/web' },
    { name: 'no kind', text: 'web' },
    { name: 'an upper-case name', text: 'deployment/Web' },
    { name: 'a path traversal attempt', text: 'deployment/../../secrets' },
  ])('$name → a usage error', ({ text }) => {
    expect(() => parseWorkloadRef(text, 'shop')).toThrow(/^workload: /);
  });

  it('rejects an invalid namespace', () => {
    expect(() => parseWorkloadRef('deployment/web', 'Shop_1')).toThrow(
      /namespace: "Shop_1" is not a valid namespace/,
    );
  });
});

describe('renderVerdictText', () => {
  it('shows the phase, the value against the threshold, and the reason', () => {
    const text = renderVerdictText(
      {
        check: 'elb-5xx',
        phase: 'Failed',
        pass: false,
        value: 0.0566,
        threshold: 0.01,
        reason: '60 ELB 5xx over 1060 requests.',
        details: {},
        measuredAt: '2026-11-23T17:00:00Z',
      },
      false,
    );
    expect(text).toBe('✖ Failed  elb-5xx  value 0.0566 (threshold 0.01)\n  60 ELB 5xx over 1060 requests.\n');
  });
});
