// `draingate check` and `validate --live` end to end, as processes, against moto_server and the real
// kube-apiserver: the same adapters, the same live facts, the same verdicts the provider serves.
import { beforeAll, describe, expect, it } from 'vitest';
import { hasPeer, uniqueName } from '../../../../test/peers/index.js';
import { draingate } from '../run.js';
import { aReadyPod, anAlb, apply, putCounts, registerTargets, webObjects } from './world.js';
import type { Alb } from './world.js';

/** The peers' endpoints and credentials, passed to the CLI the standard way. */
function env(): Record<string, string> {
  const pick = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'KUBECONFIG'];
  return Object.fromEntries(pick.map((key) => [key, process.env[key] ?? '']));
}

const json = <T>(stdout: string): T => JSON.parse(stdout) as T;
type V = { phase: string; pass: boolean; value: number; threshold: number; reason: string; check: string };

describe.skipIf(!hasPeer('aws') || !hasPeer('kube'))('draingate check, end to end', () => {
  let alb: Alb;
  let namespace: string;

  beforeAll(async () => {
    alb = await anAlb(2);
    namespace = uniqueName('shop');
    await apply(webObjects(namespace, alb.targetGroupArns[0]!, { preStop: false }));
    await aReadyPod(namespace, 'web-1', { app: 'web' }, '10.0.1.10');
    await aReadyPod(namespace, 'web-2', { app: 'web' }, '10.0.1.11');
    await registerTargets(alb.targetGroupArns[0]!, ['10.0.1.10', '10.0.1.11']);
  });

  it('elb-5xx with no datapoints at all → zero 5xx, but too little traffic: Inconclusive (exit 3)', async () => {
    const run = await draingate(
      [
        'check',
        'elb-5xx',
        '-o',
        'json',
        '--load-balancer',
        alb.loadBalancerArn,
        '--target-group',
        alb.targetGroupArns[0]!,
      ],
      { env: env() },
    );
    expect(run.stderr).toBe('');
    expect(json<V>(run.stdout)).toMatchObject({ check: 'elb-5xx', phase: 'Inconclusive', value: 0 });
    expect(run.code).toBe(3);
  });

  it('elb-5xx found from the workload: 1,000 requests and no 5xx → Successful (exit 0)', async () => {
    await putCounts(alb, { requests: 1000, elb5xx: 0, target5xx: 0 });
    const run = await draingate(['check', 'elb-5xx', '-o', 'json', '-n', namespace, 'deployment/web'], {
      env: env(),
    });
    expect(json<V>(run.stdout)).toMatchObject({ phase: 'Successful', pass: true, value: 0 });
    expect(run.code).toBe(0);
  });

  it('elb-5xx after a spike of 502s → Failed with the numbers (exit 1)', async () => {
    await putCounts(alb, { requests: 1000, elb5xx: 60, target5xx: 0 }, 4);
    const run = await draingate(
      ['check', 'elb-5xx', '--load-balancer', alb.loadBalancerArn, '--target-group', alb.targetGroupArns[0]!],
      { env: env() },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✖ Failed {2}elb-5xx {2}value 0\.02[89]/);
    expect(run.stdout).toContain('60');
  });

  it('target-health of the workload: both ready pods are healthy targets → Successful', async () => {
    const run = await draingate(['check', 'target-health', '-o', 'json', '-n', namespace, 'deployment/web'], {
      env: env(),
    });
    expect(json<V>(run.stdout)).toMatchObject({ check: 'target-health', phase: 'Successful', value: 2 });
    expect(run.code).toBe(0);
  });

  it('target-health of an empty target group → Failed: no healthy target', async () => {
    const run = await draingate(
      [
        'check',
        'target-health',
        '-o',
        'json',
        '--target-group',
        alb.targetGroupArns[1]!,
        '--min-healthy',
        '1',
      ],
      { env: env() },
    );
    expect(json<V>(run.stdout)).toMatchObject({ phase: 'Failed', pass: false, value: 0 });
    expect(run.code).toBe(1);
  });

  it('drain-timing on the live workload → Failed: no preStop (DG001), with AWS’s 300 s delay quoted', async () => {
    const run = await draingate(['check', 'drain-timing', '-o', 'json', '-n', namespace, 'deployment/web'], {
      env: env(),
    });
    const verdict = json<V & { details: { findings: { ruleId: string; message: string }[] } }>(run.stdout);
    expect(verdict.phase).toBe('Failed');
    expect(verdict.reason).toContain('DG001');
    expect(JSON.stringify(verdict.details)).toContain(
      `deregistration_delay.timeout_seconds of ${alb.targetGroupArns[0]}`,
    );
    expect(run.code).toBe(1);
  });

  it('validate --live reports the live findings with AWS as their source', async () => {
    const run = await draingate(['validate', '--live', '-o', 'json', '-n', namespace, 'deployment/web'], {
      env: env(),
    });
    const report = json<{ findings: { ruleId: string; values: { source: string | null }[] }[] }>(run.stdout);
    const ids = report.findings.map((f) => f.ruleId);
    expect(ids).toContain('DG001');
    expect(ids).toContain('DG005');
    expect(report.findings.find((f) => f.ruleId === 'DG005')?.values[0]?.source).toBe(
      `deregistration_delay.timeout_seconds of ${alb.targetGroupArns[0]}`,
    );
    expect(run.code).toBe(1);
  });

  it('a workload behind an HTTPRoute of an ALB Gateway: validate --live reads the route, its TargetGroupConfiguration and the real target group', async () => {
    const gatewayAlb = await anAlb(1);
    const ns = uniqueName('gw');
    await apply(webObjects(ns, gatewayAlb.targetGroupArns[0]!, { preStop: false, gateway: true }));
    const run = await draingate(['validate', '--live', '-o', 'json', '-n', ns, 'deployment/web'], {
      env: env(),
    });
    const report = json<{
      summary: { workloads: number };
      findings: {
        ruleId: string;
        object: { kind: string; name: string };
        values: { source: string | null }[];
      }[];
    }>(run.stdout);
    expect(report.summary.workloads).toBe(1);
    expect(report.findings.map((f) => f.ruleId).sort()).toEqual(['DG001', 'DG005']);
    // The delay AWS reports, and the fix aimed at the Service's TargetGroupConfiguration.
    const delay = report.findings.find((f) => f.ruleId === 'DG005');
    expect(delay?.values[0]?.source).toBe(
      `deregistration_delay.timeout_seconds of ${gatewayAlb.targetGroupArns[0]}`,
    );
    expect(delay?.object).toMatchObject({ kind: 'TargetGroupConfiguration', name: 'web' });
    expect(run.code).toBe(1);

    await aReadyPod(ns, 'web-1', { app: 'web' }, '10.0.2.10');
    await registerTargets(gatewayAlb.targetGroupArns[0]!, ['10.0.2.10']);
    const health = await draingate(['check', 'target-health', '-o', 'json', '-n', ns, 'deployment/web'], {
      env: env(),
    });
    expect(json<V>(health.stdout)).toMatchObject({ phase: 'Successful', pass: true });
  });

  it('validate --live on a target group attached to no load balancer → DG018', async () => {
    const lonely = await anAlb(1, { attached: false });
    const ns = uniqueName('lonely');
    await apply(webObjects(ns, lonely.targetGroupArns[0]!));
    const run = await draingate(['validate', '--live', '-o', 'json', '-n', ns, 'deployment/web'], {
      env: env(),
    });
    expect(json<{ findings: { ruleId: string }[] }>(run.stdout).findings.map((f) => f.ruleId)).toContain(
      'DG018',
    );
  });

  it('canary 3/100 against stable 0/10,000 → Failed', async () => {
    const pair = await anAlb(2);
    await putCounts(pair, { requests: 100, target5xx: 3, targetGroup: 1 });
    await putCounts(pair, { requests: 10_000, target5xx: 0, targetGroup: 0 });
    const run = await draingate(
      [
        'check',
        'canary',
        '-o',
        'json',
        '--load-balancer',
        pair.loadBalancerArn,
        '--canary-target-group',
        pair.targetGroupArns[1]!,
        '--stable-target-group',
        pair.targetGroupArns[0]!,
      ],
      { env: env() },
    );
    expect(json<V>(run.stdout)).toMatchObject({ check: 'canary', phase: 'Failed' });
    expect(run.code).toBe(1);
  });

  it('canary --method sequential since 15 minutes ago, 3/100 against stable 0/10,000 → Failed with the e-value', async () => {
    const pair = await anAlb(2);
    await putCounts(pair, { requests: 100, target5xx: 3, targetGroup: 1 });
    await putCounts(pair, { requests: 10_000, target5xx: 0, targetGroup: 0 });
    const since = new Date(Date.now() - 15 * 60_000).toISOString();
    const run = await draingate(
      [
        'check',
        'canary',
        '-o',
        'json',
        '--method',
        'sequential',
        '--since',
        since,
        '--load-balancer',
        pair.loadBalancerArn,
        '--canary-target-group',
        pair.targetGroupArns[1]!,
        '--stable-target-group',
        pair.targetGroupArns[0]!,
      ],
      { env: env() },
    );
    const verdict = json<
      V & { details: { maxEValue: number; eValueThreshold: number; canaryShare: number } }
    >(run.stdout);
    expect(verdict).toMatchObject({ check: 'canary', phase: 'Failed', threshold: 0.05 });
    expect(verdict.details.eValueThreshold).toBe(20);
    expect(verdict.details.maxEValue).toBeGreaterThanOrEqual(20);
    expect(verdict.details.canaryShare).toBeCloseTo(100 / 10_100, 6);
    expect(run.code).toBe(1);
  });

  // moto computes no percentile (see packages/aws/test/integration/cloudwatch.test.ts): with requests but no
  // TargetResponseTime datapoint the percentile query answers empty, which is what an ALB publishes for a target
  // group that got no request — every minute is "no datapoint".
  it('latency against moto: requests but no TargetResponseTime datapoint → Inconclusive (exit 3), every minute "no datapoint"', async () => {
    const pair = await anAlb(2);
    await putCounts(pair, { requests: 1_000, targetGroup: 1 });
    await putCounts(pair, { requests: 1_000, targetGroup: 0 });
    const run = await draingate(
      [
        'check',
        'latency',
        '-o',
        'json',
        '--percentile',
        'p90',
        '--window',
        '5m',
        '--load-balancer',
        pair.loadBalancerArn,
        '--canary-target-group',
        pair.targetGroupArns[1]!,
        '--stable-target-group',
        pair.targetGroupArns[0]!,
      ],
      { env: env() },
    );
    const verdict = json<
      V & { details: { percentile: string; judgedMinutes: number; minutes: { skipped?: string }[] } }
    >(run.stdout);
    expect(verdict).toMatchObject({ check: 'latency', phase: 'Inconclusive', value: 1, threshold: 0.05 });
    expect(verdict.details.percentile).toBe('p90');
    expect(verdict.details.judgedMinutes).toBe(0);
    expect(verdict.details.minutes.filter((m) => m.skipped === 'no datapoint')).toHaveLength(5);
    expect(run.code).toBe(3);
  });

  const faults = [
    {
      name: 'a workload that does not exist → Error verdict, exit 4',
      args: () => ['check', 'elb-5xx', '-o', 'json', '-n', namespace, 'deployment/nope'],
      code: 4,
      out: /not.?found|nope/i,
    },
    {
      name: 'an unknown target group → Error verdict naming ELBv2, exit 4',
      args: () => [
        'check',
        'target-health',
        '-o',
        'json',
        '--target-group',
        alb.targetGroupArns[0]!.replace(/[0-9a-f]{16}$/, '0000000000000000'),
      ],
      code: 4,
      out: /elbv2/,
    },
    {
      name: 'latency with an unknown percentile → usage error naming the flag, exit 2',
      args: () => [
        'check',
        'latency',
        '--percentile',
        'p999',
        '--load-balancer',
        alb.loadBalancerArn,
        '--canary-target-group',
        alb.targetGroupArns[1]!,
        '--stable-target-group',
        alb.targetGroupArns[0]!,
      ],
      code: 2,
      out: /--percentile <p50\|p90\|p95\|p99>. argument .p999. is invalid. must be one of p50, p90, p95, p99, got "p999"/,
    },
    {
      name: 'a malformed ARN → usage error, exit 2',
      args: () => ['check', 'target-health', '--target-group', 'arn:nope'],
      code: 2,
      out: /targetGroupArn/,
    },
    {
      name: 'a malformed workload → usage error, exit 2',
      args: () => ['check', 'drain-timing', '-n', namespace, 'pod/web'],
      code: 2,
      out: /must be deployment\/NAME/,
    },
  ];
  it.each(faults)('$name', async ({ args, code, out }) => {
    const run = await draingate(args(), { env: env() });
    expect(run.code).toBe(code);
    expect(run.stdout + run.stderr).toMatch(out);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('AWS unreachable → Error verdict within the deadline, exit 4', async () => {
    const run = await draingate(['check', 'elb-5xx', '-o', 'json', '--load-balancer', alb.loadBalancerArn], {
      env: { ...env(), AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
      timeoutMs: 60_000,
    });
    expect(json<V>(run.stdout)).toMatchObject({ phase: 'Error', pass: false });
    expect(run.code).toBe(4);
  });
});
