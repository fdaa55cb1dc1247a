import { describe, expect, it } from 'vitest';
import type { PodInfo } from '../ports/cluster.js';
import type { TargetHealth } from '../ports/elb.js';
import { aPod, aTarget } from '../testing/memory-ports.js';
import {
  TARGET_STATES,
  detectReadyPodsNotHealthy,
  detectStuckTargets,
  detectTargetsWithoutServingPod,
  detectTooFewHealthy,
  podsByIp,
} from './target-health-detectors.js';
import type { TargetGroupView, TargetHealthDetector } from './target-health-detectors.js';

const NOW = new Date('2026-01-01T12:10:00Z');
const ago = (seconds: number): Date => new Date(NOW.getTime() - seconds * 1000);

function viewOf(
  targets: readonly TargetHealth[],
  pods?: readonly PodInfo[],
  minHealthy = 1,
): TargetGroupView {
  const byState = Object.fromEntries(TARGET_STATES.map((state) => [state, 0])) as Record<
    TargetHealth['state'],
    number
  >;
  for (const target of targets) byState[target.state] += 1;
  return {
    targets,
    byState,
    healthy: byState.healthy,
    now: NOW,
    windowMs: 35_000,
    thresholds: { minHealthy, registrationWindowSeconds: 35, unownedTargets: 'fail' },
    ...(pods ? { pods } : {}),
    podByIp: podsByIp(pods ?? []),
  };
}

interface Case {
  name: string;
  detect: TargetHealthDetector;
  view: TargetGroupView;
  kinds: string[];
  first?: string;
}

describe('target-health detectors, each alone', () => {
  it.each<Case>([
    {
      name: 'no target healthy → no-healthy-target, with the states counted',
      detect: detectTooFewHealthy,
      view: viewOf([aTarget('10.0.0.1', 'unhealthy'), aTarget('10.0.0.2', 'draining')]),
      kinds: ['no-healthy-target'],
      first: 'none of the 2 targets is healthy (1 unhealthy, 1 draining)',
    },
    {
      name: 'one healthy target below a minimum of 2 → below-minimum-healthy',
      detect: detectTooFewHealthy,
      view: viewOf([aTarget('10.0.0.1', 'healthy')], undefined, 2),
      kinds: ['below-minimum-healthy'],
      first: '1 healthy target, below the minimum of 2',
    },
    {
      name: 'a target initial since its pod became ready 50 s ago, past R = 35 s → stuck',
      detect: detectStuckTargets,
      view: viewOf(
        [aTarget('10.0.0.1', 'initial')],
        [aPod('web-a', '10.0.0.1', { containersReadySince: ago(50) })],
      ),
      kinds: ['stuck'],
      first: 'target 10.0.0.1:8080 has been initial for 50 s, longer than the registration window of 35 s',
    },
    {
      name: 'a draining target whose pod is gone → draining-without-pod, without looking at the counts',
      detect: detectTargetsWithoutServingPod,
      view: viewOf(
        [aTarget('10.0.0.1', 'healthy'), aTarget('10.0.0.9', 'draining')],
        [aPod('web-a', '10.0.0.1')],
      ),
      kinds: ['draining-without-pod'],
      first: 'draining target 10.0.0.9:8080 still takes traffic but its pod is gone',
    },
    {
      name: 'targets in target-group order: an unowned one before a draining one without a pod',
      detect: detectTargetsWithoutServingPod,
      view: viewOf(
        [aTarget('10.0.0.7', 'healthy'), aTarget('10.0.0.9', 'draining')],
        [aPod('web-a', '10.0.0.1')],
      ),
      kinds: ['unowned-target', 'draining-without-pod'],
    },
    {
      name: 'without pods, nothing is cross-referenced',
      detect: detectTargetsWithoutServingPod,
      view: viewOf([aTarget('10.0.0.9', 'draining')]),
      kinds: [],
    },
    {
      name: 'a pod ready for 60 s whose target is still initial → ready-pod-not-healthy',
      detect: detectReadyPodsNotHealthy,
      view: viewOf([aTarget('10.0.0.1', 'initial')], [aPod('web-a', '10.0.0.1', { readySince: ago(60) })]),
      kinds: ['ready-pod-not-healthy'],
      first:
        'pod shop/web-a (10.0.0.1) has been ready for 60 s but its target is initial, past the registration window of 35 s',
    },
  ])('$name', ({ detect, view, kinds, first }) => {
    const found = detect(view);
    expect(found.problems.map((problem) => problem.kind)).toEqual(kinds);
    if (first !== undefined) expect(found.problems[0]?.message).toBe(first);
  });
});
