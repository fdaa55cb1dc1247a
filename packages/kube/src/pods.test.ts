import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { formatLabelSelector, projectPod } from './pods.js';

const GATE = 'target-health.elbv2.k8s.aws/k8s-shop-web-0a1b2c3d4e';

function aPod(overrides: { ready?: boolean; gate?: string; terminating?: boolean; ip?: string } = {}): V1Pod {
  const since = new Date('2026-01-01T00:00:10Z');
  return {
    metadata: {
      name: 'web-1',
      namespace: 'shop',
      uid: 'u1',
      labels: { app: 'web' },
      creationTimestamp: new Date('2026-01-01T00:00:00Z'),
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs', controller: true },
      ],
      ...(overrides.terminating ? { deletionTimestamp: new Date('2026-01-01T00:05:00Z') } : {}),
    },
    spec: { containers: [{ name: 'web' }], readinessGates: [{ conditionType: GATE }] },
    status: {
      phase: 'Running',
      ...(overrides.ip === undefined ? { podIP: '10.0.0.5' } : overrides.ip ? { podIP: overrides.ip } : {}),
      conditions: [
        { type: 'Ready', status: overrides.ready === false ? 'False' : 'True', lastTransitionTime: since },
        { type: 'ContainersReady', status: 'True' },
        ...(overrides.gate ? [{ type: GATE, status: overrides.gate }] : []),
      ],
    },
  };
}

describe('projectPod', () => {
  it.each([
    {
      name: 'ready with its gate True',
      pod: aPod({ gate: 'True' }),
      expected: { ready: true, terminating: false, conditions: { [GATE]: 'True' } },
    },
    {
      name: 'gate declared but not set yet → Unknown',
      pod: aPod(),
      expected: { conditions: { [GATE]: 'Unknown' } },
    },
    {
      name: 'not ready, gate False',
      pod: aPod({ ready: false, gate: 'False' }),
      expected: { ready: false, conditions: { [GATE]: 'False' } },
    },
    {
      name: 'deletionTimestamp set → terminating',
      pod: aPod({ terminating: true }),
      expected: { terminating: true },
    },
  ])('$name', ({ pod, expected }) => {
    expect(projectPod(pod)).toMatchObject(expected);
  });

  it('keeps only what the checks read', () => {
    expect(projectPod(aPod({ gate: 'True' }))).toEqual({
      name: 'web-1',
      namespace: 'shop',
      uid: 'u1',
      ip: '10.0.0.5',
      phase: 'Running',
      ready: true,
      terminating: false,
      labels: { app: 'web' },
      conditions: { [GATE]: 'True' },
      ownerName: 'web-abc',
      readySince: new Date('2026-01-01T00:00:10Z'),
      createdAt: new Date('2026-01-01T00:00:00Z'),
    });
  });

  it('a pod without an IP and not ready has neither ip nor readySince', () => {
    const info = projectPod(aPod({ ready: false, ip: '' }));
    expect(info.ip).toBeUndefined();
    expect(info.readySince).toBeUndefined();
  });
});

describe('formatLabelSelector', () => {
  it('joins matchLabels as k=v', () => {
    expect(formatLabelSelector({ app: 'web', track: 'stable' })).toBe('app=web,track=stable');
    expect(formatLabelSelector({})).toBe('');
  });
});
