import { describe, expect, it } from 'vitest';
import { InputError } from '../ports/errors.js';
import {
  ARNS,
  CANARY_DIMENSION,
  LB_DIMENSION,
  STABLE_DIMENSION,
  minutes,
  putMinutes,
} from '../testing/checks.js';
import { GateScenario, WEB } from '../testing/rollout-gate.js';
import { renderGateMarkdown, renderGateText } from './render.js';
import { resolveGateOptions } from './watch.js';

const CANARY = { canaryTargetGroupArn: ARNS.canary, stableTargetGroupArn: ARNS.stable };

/** A canary rollout that stays in progress, so the gate decides on the metrics alone. */
function inProgress(scenario: GateScenario): GateScenario {
  return scenario.status({
    replicas: 4,
    updatedReplicas: 1,
    availableReplicas: 4,
    oldReplicas: 3,
    phase: 'Progressing',
  });
}

/** Target health is not judged here (watch.test.ts does): only the load balancer's metrics. */
const METRICS_ONLY = { targetGroupArns: [] };

/** p99 TargetResponseTime and 1,000 requests a minute for `count` minutes from `start`, on both groups. */
function putLatency(
  scenario: GateScenario,
  start: Date,
  count: number,
  canary: number,
  stable: number,
): void {
  for (let minute = 0; minute < count; minute += 1) {
    const at = new Date(start.getTime() + minute * 60_000);
    for (const [dimension, seconds] of [
      [CANARY_DIMENSION, canary],
      [STABLE_DIMENSION, stable],
    ] as const) {
      const dimensions = { LoadBalancer: LB_DIMENSION, TargetGroup: dimension };
      scenario.metrics.put({ metricName: 'TargetResponseTime', dimensions, stat: 'p99' }, at, seconds);
      scenario.metrics.put({ metricName: 'RequestCount', dimensions }, at, 1000);
    }
  }
}

describe('the rollout gate with a canary', () => {
  it("fails on the canary's 5xx with the sequential test as soon as its first minute is complete, and rolls back", async () => {
    const scenario = inProgress(new GateScenario());
    const start = scenario.clock.now();
    putMinutes(scenario.metrics, start, minutes(15, { requests: 10_000, target5xx: 1 }));
    putMinutes(scenario.metrics, start, minutes(15, { requests: 1_000, target5xx: 30 }), CANARY_DIMENSION);
    const result = await scenario.run({
      ...METRICS_ONLY,
      canary: { ...CANARY, latency: false },
      onFailure: 'rollback',
    });
    expect(result.phase).toBe('Failed');
    const decision = result.decisions.find((d) => d.kind === 'canary-failed');
    // 12:00 is complete once the two newest minutes are left out: at 12:03, the third CloudWatch read.
    expect(decision?.elapsedSeconds).toBe(180);
    expect(decision?.message).toMatch(
      /^canary 5xx against stable: canary 30\/1,000 errors \(3\.00%\) vs stable 1\/10,000 \(0\.010%\): the canary's error rate is higher than/,
    );
    expect(result.canary).toMatchObject({ check: 'canary', phase: 'Failed', threshold: 0.05 });
    expect(result.canary?.details).toMatchObject({ window: { start: '2026-01-01T12:00:00.000Z' } });
    expect(result.latency).toBeUndefined();
    expect(result.reason).toMatch(/^Canary 5xx: /);
    expect(result.action?.status).toBe('performed');
    // elb-5xx and the canary test share one GetMetricData read per metrics step.
    expect(scenario.metrics.calls.count('readMetrics')).toBe(4);
  });

  it('fails on the canary being 3 × slower after six complete minutes, and says so', async () => {
    const scenario = inProgress(new GateScenario());
    putLatency(scenario, scenario.clock.now(), 15, 0.6, 0.2);
    const result = await scenario.run({
      ...METRICS_ONLY,
      canary: { ...CANARY, errors: false },
      timeoutSeconds: 900,
    });
    expect(result.phase).toBe('Failed');
    const decision = result.decisions.find((d) => d.kind === 'latency-failed');
    // Minutes 12:00 to 12:05 complete at 12:08: the sixth slower minute brings the e-value past 20.
    expect(decision?.elapsedSeconds).toBe(480);
    expect(decision?.message).toMatch(
      /^canary latency against stable: canary p99 above 1\.1× the stable p99 in 6 of 6 judged minutes \(median ratio 3×\)/,
    );
    expect(result.latency).toMatchObject({ check: 'latency', phase: 'Failed' });
    expect(result.canary).toBeUndefined();
  });

  it('a healthy canary does not stop a completed rollout: Successful, the comparisons named in the reason', async () => {
    const scenario = new GateScenario();
    scenario.status();
    putLatency(scenario, scenario.clock.now(), 5, 0.2, 0.2);
    const result = await scenario.run({ ...METRICS_ONLY, canary: CANARY, settleSeconds: 30 });
    expect(result.phase).toBe('Successful');
    // Too few complete minutes yet: Inconclusive, which never fails the gate on its own.
    expect(result.reason).toMatch(
      /canary 5xx against stable: Inconclusive; canary latency against stable: Inconclusive\.$/,
    );
    expect(result.canary?.phase).toBe('Inconclusive');
    expect(result.latency?.phase).toBe('Inconclusive');
  });

  it('names both comparisons in the text and the job summary, the failed one with its reason', async () => {
    const scenario = inProgress(new GateScenario());
    putLatency(scenario, scenario.clock.now(), 15, 0.6, 0.2);
    const result = await scenario.run({ ...METRICS_ONLY, canary: CANARY, timeoutSeconds: 900 });
    expect(renderGateText(result)).toMatch(
      /^ {2}canary \(canary against stable\): Successful — canary 0\/6,000 errors/m,
    );
    expect(renderGateText(result)).toMatch(
      /^ {2}latency \(canary against stable\): Failed — canary p99 above/m,
    );
    const markdown = renderGateMarkdown(result);
    expect(markdown).toMatch(/^\| Canary against stable \| Verdict \| Why \|$/m);
    expect(markdown).toMatch(/^\| 5xx rate \| Successful \| /m);
    expect(markdown).toMatch(
      /^\| latency \| Failed \| canary p99 above 1\\\.1× the stable p99 in 6 of 6 judged minutes/m,
    );
  });

  it.each([
    {
      name: 'a canary without a load balancer',
      options: { canary: CANARY },
      message: 'canary: needs loadBalancerArn: both target groups are compared on one ALB',
    },
    {
      name: 'the same target group twice',
      options: {
        loadBalancerArn: ARNS.loadBalancer,
        canary: { ...CANARY, canaryTargetGroupArn: ARNS.stable },
      },
      message: 'canary.stableTargetGroupArn: must differ from canaryTargetGroupArn',
    },
    {
      name: 'an unknown percentile',
      options: {
        loadBalancerArn: ARNS.loadBalancer,
        canary: { ...CANARY, latency: { percentile: 'p42' as 'p99' } },
      },
      message: 'canary.latency.percentile: must be one of p50, p90, p95, p99, got "p42"',
    },
    {
      name: 'an alpha above 0.5 for the canary 5xx',
      options: { loadBalancerArn: ARNS.loadBalancer, canary: { ...CANARY, errors: { alpha: 0.7 } } },
      message: 'canary.errors.alpha: must be at most 0.5, got 0.7',
    },
  ])('rejects $name with an InputError naming it', ({ options, message }) => {
    const call = () => resolveGateOptions({ workload: WEB, ...options });
    expect(call).toThrow(InputError);
    expect(call).toThrow(message);
  });
});
