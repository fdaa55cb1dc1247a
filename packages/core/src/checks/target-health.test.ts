import { describe, expect, it } from 'vitest';
import type { PodInfo } from '../ports/cluster.js';
import type { TargetHealth } from '../ports/elb.js';
import { ARNS } from '../testing/checks.js';
import {
  aPod,
  aTarget,
  InMemoryCatalog,
  InMemoryCluster,
  InMemoryTargetHealth,
  ManualClock,
} from '../testing/memory-ports.js';
import {
  DEFAULT_REGISTRATION_WINDOW_SECONDS,
  evaluateTargetHealth,
  runTargetHealth,
  statesSinceFromHistory,
  trackTargetStates,
} from './target-health.js';
import type {
  TargetHealthThresholds,
  TargetObservation,
  TargetProblem,
  TargetStateSince,
} from './target-health.js';

const NOW = new Date('2026-01-01T12:10:00Z');
const ago = (seconds: number): Date => new Date(NOW.getTime() - seconds * 1000);

const healthy3 = [
  aTarget('10.0.0.1', 'healthy'),
  aTarget('10.0.0.2', 'healthy'),
  aTarget('10.0.0.3', 'healthy'),
];
const pods3 = [aPod('web-a', '10.0.0.1'), aPod('web-b', '10.0.0.2'), aPod('web-c', '10.0.0.3')];

interface Case {
  name: string;
  targets: readonly TargetHealth[];
  pods?: readonly PodInfo[];
  since?: ReadonlyMap<string, TargetStateSince>;
  thresholds?: TargetHealthThresholds;
  phase: 'Successful' | 'Failed';
  problems?: TargetProblem['kind'][];
  reason?: RegExp;
}

describe('target-health', () => {
  it.each<Case>([
    {
      name: 'every target healthy and owned by a ready pod → Successful',
      targets: healthy3,
      pods: pods3,
      phase: 'Successful',
      reason: /^3 of 3 targets healthy \(minimum 1; 3 healthy\)\.$/,
    },
    {
      name: 'no targets at all → Failed',
      targets: [],
      phase: 'Failed',
      problems: ['no-healthy-target'],
      reason: /the target group has no targets at all/,
    },
    {
      name: 'every target unhealthy (the ALB fails open) → Failed',
      targets: [
        aTarget('10.0.0.1', 'unhealthy', 'Target.Timeout'),
        aTarget('10.0.0.2', 'unhealthy', 'Target.Timeout'),
      ],
      phase: 'Failed',
      problems: ['no-healthy-target'],
      reason: /none of the 2 targets is healthy \(2 unhealthy\)/,
    },
    {
      name: 'healthy below the minimum → Failed',
      targets: [...healthy3.slice(0, 2), aTarget('10.0.0.3', 'draining', 'Target.DeregistrationInProgress')],
      thresholds: { minHealthy: 3 },
      phase: 'Failed',
      problems: ['below-minimum-healthy'],
      reason: /2 healthy targets, below the minimum of 3/,
    },
    {
      name: 'a target initial longer than the registration window → Failed',
      targets: [...healthy3, aTarget('10.0.0.4', 'initial', 'Elb.InitialHealthChecking')],
      since: new Map([['10.0.0.4:8080', { state: 'initial', since: ago(90) }]]),
      phase: 'Failed',
      problems: ['stuck'],
      reason:
        /target 10\.0\.0\.4:8080 has been initial \(Elb\.InitialHealthChecking\) for 90 s, longer than the registration window of 35 s/,
    },
    {
      name: 'a target unhealthy longer than the registration window → Failed',
      targets: [...healthy3, aTarget('10.0.0.4', 'unhealthy', 'Target.ResponseCodeMismatch')],
      since: new Map([['10.0.0.4:8080', { state: 'unhealthy', since: ago(40) }]]),
      phase: 'Failed',
      problems: ['stuck'],
    },
    {
      name: 'a target initial within the registration window → not Failed',
      targets: [...healthy3, aTarget('10.0.0.4', 'initial', 'Elb.RegistrationInProgress')],
      since: new Map([['10.0.0.4:8080', { state: 'initial', since: ago(20) }]]),
      phase: 'Successful',
      reason: /1 still within the registration window/,
    },
    {
      name: 'a target whose earlier state differs → its time in the state restarts, not Failed',
      targets: [...healthy3, aTarget('10.0.0.4', 'unhealthy')],
      since: new Map([['10.0.0.4:8080', { state: 'initial', since: ago(600) }]]),
      phase: 'Successful',
    },
    {
      name: 'an initial target whose pod has had ready containers for long → Failed without a history',
      targets: [...healthy3, aTarget('10.0.0.4', 'initial')],
      pods: [...pods3, aPod('web-d', '10.0.0.4', { ready: false, containersReadySince: ago(120) })],
      phase: 'Failed',
      problems: ['stuck'],
    },
    {
      name: 'an initial target whose pod just got ready containers → not Failed',
      targets: [...healthy3, aTarget('10.0.0.4', 'initial')],
      pods: [...pods3, aPod('web-d', '10.0.0.4', { ready: false, containersReadySince: ago(10) })],
      phase: 'Successful',
    },
    {
      name: 'a draining target whose pod was deleted → Failed (reference 002)',
      targets: [...healthy3, aTarget('10.0.0.9', 'draining', 'Target.DeregistrationInProgress')],
      pods: pods3,
      phase: 'Failed',
      problems: ['draining-without-pod'],
      reason: /draining target 10\.0\.0\.9:8080 still takes traffic but its pod is gone/,
    },
    {
      name: 'a draining target whose pod has exited → Failed',
      targets: [...healthy3, aTarget('10.0.0.9', 'draining')],
      pods: [...pods3, aPod('web-old', '10.0.0.9', { phase: 'Succeeded', ready: false, terminating: true })],
      phase: 'Failed',
      problems: ['draining-without-pod'],
      reason: /its pod is gone \(shop\/web-old is Succeeded\)/,
    },
    {
      name: 'a draining target whose pod is terminating and no longer ready → Failed',
      targets: [...healthy3, aTarget('10.0.0.9', 'draining')],
      pods: [...pods3, aPod('web-old', '10.0.0.9', { ready: false, terminating: true })],
      phase: 'Failed',
      problems: ['draining-without-pod'],
      reason: /its pod shop\/web-old is terminating and no longer ready/,
    },
    {
      name: 'a draining target whose pod still serves in its preStop sleep → Successful',
      targets: [...healthy3, aTarget('10.0.0.9', 'draining')],
      pods: [...pods3, aPod('web-old', '10.0.0.9', { ready: true, terminating: true })],
      phase: 'Successful',
    },
    {
      name: 'a ready pod not yet a healthy target past the window → Failed',
      targets: [...healthy3, aTarget('10.0.0.4', 'initial')],
      pods: [...pods3, aPod('web-d', '10.0.0.4', { readySince: ago(60) })],
      phase: 'Failed',
      problems: ['ready-pod-not-healthy'],
      reason:
        /pod shop\/web-d \(10\.0\.0\.4\) has been ready for 60 s but its target is initial, past the registration window of 35 s/,
    },
    {
      name: 'a ready pod not registered at all past the window → Failed',
      targets: healthy3,
      pods: [...pods3, aPod('web-d', '10.0.0.4', { readySince: ago(60) })],
      phase: 'Failed',
      problems: ['ready-pod-not-healthy'],
      reason: /its target is not registered/,
    },
    {
      name: 'a ready pod not yet a healthy target within the window → not Failed',
      targets: [...healthy3, aTarget('10.0.0.4', 'initial')],
      pods: [...pods3, aPod('web-d', '10.0.0.4', { readySince: ago(20) })],
      phase: 'Successful',
    },
    {
      name: 'a ready pod past the window with a longer registration window → not Failed',
      targets: healthy3,
      pods: [...pods3, aPod('web-d', '10.0.0.4', { readySince: ago(60) })],
      thresholds: { registrationWindowSeconds: 90 },
      phase: 'Successful',
    },
    {
      name: 'a healthy target no pod owns → Failed',
      targets: [...healthy3, aTarget('10.0.0.7', 'healthy')],
      pods: pods3,
      phase: 'Failed',
      problems: ['unowned-target'],
      reason: /target 10\.0\.0\.7:8080 \(healthy\) belongs to no pod of the workload/,
    },
    {
      name: 'a target no pod owns, with unownedTargets report → Successful and reported',
      targets: [...healthy3, aTarget('10.0.0.7', 'healthy')],
      pods: pods3,
      thresholds: { unownedTargets: 'report' },
      phase: 'Successful',
      reason: /1 target no pod owns \(reported only\)/,
    },
    {
      name: 'instance targets → no cross-reference with pods',
      targets: [aTarget('i-0123456789abcdef0', 'healthy', undefined, 30080)],
      pods: pods3,
      phase: 'Successful',
    },
  ])('$name', (testCase) => {
    const verdict = evaluateTargetHealth(
      {
        targetGroupArn: ARNS.stable,
        targets: testCase.targets,
        now: NOW,
        ...(testCase.pods ? { pods: testCase.pods } : {}),
        ...(testCase.since ? { since: testCase.since } : {}),
      },
      testCase.thresholds,
    );
    expect(verdict.phase).toBe(testCase.phase);
    expect(verdict.value).toBe(testCase.targets.filter((target) => target.state === 'healthy').length);
    const problems = (verdict.details['problems'] as TargetProblem[]).map((problem) => problem.kind);
    expect(problems).toEqual(testCase.problems ?? []);
    if (testCase.reason) expect(verdict.reason).toMatch(testCase.reason);
  });

  it('counts targets by state and by reason, and names pods and IPs in the problems', () => {
    const verdict = evaluateTargetHealth({
      targetGroupArn: ARNS.stable,
      now: NOW,
      targets: [
        aTarget('10.0.0.1', 'healthy'),
        aTarget('10.0.0.8', 'draining', 'Target.DeregistrationInProgress'),
        aTarget('10.0.0.9', 'draining', 'Target.DeregistrationInProgress'),
      ],
      pods: [aPod('web-a', '10.0.0.1'), aPod('web-old', '10.0.0.8', { ready: false, terminating: true })],
    });
    expect(verdict.details['byState']).toEqual({
      healthy: 1,
      initial: 0,
      unhealthy: 0,
      draining: 2,
      unused: 0,
      unavailable: 0,
    });
    expect(verdict.details['byReason']).toEqual({ healthy: 1, 'Target.DeregistrationInProgress': 2 });
    expect(verdict.details['problems']).toEqual([
      expect.objectContaining({
        kind: 'draining-without-pod',
        target: '10.0.0.8:8080',
        pod: 'shop/web-old',
        podIp: '10.0.0.8',
      }),
      expect.objectContaining({ kind: 'draining-without-pod', target: '10.0.0.9:8080', podIp: '10.0.0.9' }),
    ]);
  });

  it('carries first-seen times between polls and from a history', () => {
    const first = trackTargetStates(undefined, [aTarget('10.0.0.4', 'initial')], ago(60));
    const second = trackTargetStates(first, [aTarget('10.0.0.4', 'initial')], ago(30));
    expect(second.get('10.0.0.4:8080')).toEqual({ state: 'initial', since: ago(60) });
    const third = trackTargetStates(second, [aTarget('10.0.0.4', 'healthy')], NOW);
    expect(third.get('10.0.0.4:8080')).toEqual({ state: 'healthy', since: NOW });

    const history: TargetObservation[] = [
      { at: ago(30), targets: [aTarget('10.0.0.4', 'initial')] },
      { at: ago(50), targets: [aTarget('10.0.0.4', 'initial')] },
    ];
    expect(
      statesSinceFromHistory(history, [aTarget('10.0.0.4', 'initial')], NOW).get('10.0.0.4:8080')?.since,
    ).toEqual(ago(50));
    const verdict = evaluateTargetHealth({
      targetGroupArn: ARNS.stable,
      targets: [...healthy3, aTarget('10.0.0.4', 'initial')],
      now: NOW,
      history,
    });
    expect(verdict.phase).toBe('Failed');
  });

  it('runs against the ports: reads targets, pods and the health check settings for R', async () => {
    const targetHealth = new InMemoryTargetHealth().set(ARNS.stable, [
      ...healthy3,
      aTarget('10.0.0.4', 'initial'),
    ]);
    const cluster = new InMemoryCluster().setPods([
      ...pods3,
      aPod('web-d', '10.0.0.4', { readySince: ago(60) }),
    ]);
    const catalog = new InMemoryCatalog().addTargetGroup({
      arn: ARNS.stable,
      name: 'k8s-shop-web',
      targetType: 'ip',
      loadBalancerArns: [ARNS.loadBalancer],
      healthCheck: {
        intervalSeconds: 30,
        timeoutSeconds: 5,
        healthyThresholdCount: 3,
        unhealthyThresholdCount: 2,
      },
    });
    const request = { targetGroupArn: ARNS.stable, pods: { namespace: 'shop', selector: { app: 'web' } } };
    const clock = new ManualClock(NOW);
    const verdict = await runTargetHealth({ targetHealth, cluster, catalog, clock }, request);
    // R = 5 s + 30 s × 3 = 95 s: the pod has been ready for 60 s only.
    expect(verdict.details['registrationWindowSeconds']).toBe(95);
    expect(verdict.phase).toBe('Successful');
    const withoutCatalog = await runTargetHealth({ targetHealth, cluster, clock }, request);
    expect(withoutCatalog.details['registrationWindowSeconds']).toBe(DEFAULT_REGISTRATION_WINDOW_SECONDS);
    expect(withoutCatalog.phase).toBe('Failed');
    expect(cluster.calls.log[0]).toEqual({ operation: 'listPods', args: ['shop', { app: 'web' }] });
  });
});
