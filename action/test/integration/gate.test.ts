// The bundled action's `gate` and `rollback` against the real kube-apiserver and moto_server. No controller
// runs: the test plays the Deployment controller (ReplicaSets, Pods, status through the status subresource)
// and the AWS Load Balancer Controller (RegisterTargets / DeregisterTargets), and puts ALB metrics into moto.
// moto has no `draining` state (a deregistered target just leaves DescribeTargetHealth), so "a target that still
// takes traffic after its pod is gone" is scripted as a registered target whose pod was deleted.

import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  createDeployment,
  createPod,
  createRollout,
  freshNamespace,
  readRollout,
  recordRevision,
  scaleReplicaSet,
  setDeploymentStatus,
  setImage,
  setRolloutStatus,
  type Admin,
} from '../../../test/peers/cluster.js';
import {
  awsClientConfig,
  defaultVpc,
  hasPeer,
  kubeconfigPath,
  uniqueName,
} from '../../../test/peers/index.js';
import { runAction, type ActionRun } from '../run-action.js';

const ready = hasPeer('aws') && hasPeer('kube');

describe.skipIf(!ready)('the bundled action: gate and rollback against kube-apiserver and moto', () => {
  let a: Admin;
  let elbv2: ElasticLoadBalancingV2Client;
  let cw: CloudWatchClient;
  let subnets: string[];
  let vpcId: string;

  beforeAll(async () => {
    a = admin();
    elbv2 = new ElasticLoadBalancingV2Client(awsClientConfig());
    cw = new CloudWatchClient(awsClientConfig());
    ({ vpcId, subnetIds: subnets } = await defaultVpc());
  });

  /** An ALB with one ip target group behind a listener, as the controller would create them. */
  async function aLoadBalancer(): Promise<{ lb: string; tg: string }> {
    const name = uniqueName('gate').slice(0, 20);
    const lb = (
      await elbv2.send(
        new CreateLoadBalancerCommand({
          Name: name,
          Type: 'application',
          Scheme: 'internal',
          Subnets: subnets.slice(0, 2),
        }),
      )
    ).LoadBalancers?.[0]?.LoadBalancerArn;
    const tg = (
      await elbv2.send(
        new CreateTargetGroupCommand({
          Name: `${name}-tg`,
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: vpcId,
          TargetType: 'ip',
        }),
      )
    ).TargetGroups?.[0]?.TargetGroupArn;
    if (!lb || !tg) throw new Error('moto created no load balancer or target group');
    await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }],
      }),
    );
    return { lb, tg };
  }

  const register = (tg: string, ips: string[]) =>
    elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: ips.map((Id) => ({ Id, Port: 8080 })) }),
    );
  const deregister = (tg: string, ips: string[]) =>
    elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: ips.map((Id) => ({ Id, Port: 8080 })) }),
    );

  /** ELB 5xx on the load balancer and requests on the target group, in the current minute. */
  async function put5xx(lb: string, tg: string, elb5xx: number, requests: number): Promise<void> {
    const lbDimension = lb.replace(/^.*:loadbalancer\//, '');
    const tgDimension = tg.replace(/^.*:(targetgroup\/)/, '$1');
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricData: [
          {
            MetricName: 'HTTPCode_ELB_5XX_Count',
            Dimensions: [{ Name: 'LoadBalancer', Value: lbDimension }],
            Value: elb5xx,
            Unit: 'Count',
            Timestamp: new Date(),
          },
          {
            MetricName: 'RequestCount',
            Dimensions: [
              { Name: 'LoadBalancer', Value: lbDimension },
              { Name: 'TargetGroup', Value: tgDimension },
            ],
            Value: requests,
            Unit: 'Count',
            Timestamp: new Date(),
          },
        ],
      }),
    );
  }

  /**
   * Deployment `web` at revision 1 (2 pods, registered), then edited to image v2 (generation 2) that no
   * controller has observed yet: the state right after `kubectl apply` in a deploy workflow.
   */
  async function aDeploymentBeingUpdated(): Promise<{
    ns: string;
    lb: string;
    tg: string;
    rs1: V1ReplicaSet;
  }> {
    const ns = await freshNamespace(a, 'gate');
    const { lb, tg } = await aLoadBalancer();
    await createDeployment(a, ns, 'web', 'shop/web:v1', 2);
    const rs1 = await recordRevision(a, ns, 'web', 1, 2);
    await createPod(a, ns, 'web-1-a', rs1, { ip: '10.1.0.1', ready: true });
    await createPod(a, ns, 'web-1-b', rs1, { ip: '10.1.0.2', ready: true });
    await register(tg, ['10.1.0.1', '10.1.0.2']);
    await setDeploymentStatus(a, ns, 'web', { replicas: 2, updated: 2, available: 2 });
    await setImage(a, ns, 'web', 'shop/web:v2');
    return { ns, lb, tg, rs1 };
  }

  /** Plays the controllers for revision 2: a new ReplicaSet, its pods registered, status observed. */
  async function startRevision2(ns: string, tg: string): Promise<V1ReplicaSet> {
    const rs2 = await recordRevision(a, ns, 'web', 2, 2);
    await setDeploymentStatus(a, ns, 'web', { replicas: 4, updated: 2, available: 2 });
    await createPod(a, ns, 'web-2-a', rs2, { ip: '10.1.1.1', ready: true });
    await createPod(a, ns, 'web-2-b', rs2, { ip: '10.1.1.2', ready: true });
    await register(tg, ['10.1.1.1', '10.1.1.2']);
    await setDeploymentStatus(a, ns, 'web', { replicas: 4, updated: 2, available: 4 });
    return rs2;
  }

  /** Old targets deregistered, then their pods deleted and the old ReplicaSet scaled to 0: complete. */
  async function finishRevision2(ns: string, tg: string, rs1: V1ReplicaSet): Promise<void> {
    await deregister(tg, ['10.1.0.1', '10.1.0.2']);
    await a.core.deleteNamespacedPod({ name: 'web-1-a', namespace: ns });
    await a.core.deleteNamespacedPod({ name: 'web-1-b', namespace: ns });
    await scaleReplicaSet(a, ns, rs1.metadata!.name!, 0);
    await setDeploymentStatus(a, ns, 'web', { replicas: 2, updated: 2, available: 2 });
  }

  /** Starts the gate and resolves once its log shows `marker` (it keeps running). */
  function startGate(inputs: Record<string, string>): {
    run: Promise<ActionRun>;
    seen: (marker: RegExp) => Promise<void>;
  } {
    let log = '';
    const waiters: { marker: RegExp; resolve: () => void }[] = [];
    const run = runAction(
      {
        command: 'gate',
        kubeconfig: kubeconfigPath(),
        'poll-interval': '1s',
        'metrics-interval': '2s',
        settle: '3s',
        timeout: '60s',
        ...inputs,
      },
      {
        env: {
          AWS_ENDPOINT_URL: process.env['AWS_ENDPOINT_URL'],
          AWS_REGION: process.env['AWS_REGION'],
          AWS_ACCESS_KEY_ID: process.env['AWS_ACCESS_KEY_ID'],
          AWS_SECRET_ACCESS_KEY: process.env['AWS_SECRET_ACCESS_KEY'],
        },
        timeoutMs: 90_000,
        onStdout: (chunk) => {
          log += chunk;
          if (process.env['DRAINGATE_DEBUG_GATE']) process.stderr.write(chunk);
          for (const waiter of waiters.filter((w) => w.marker.test(log))) {
            waiter.resolve();
            waiters.splice(waiters.indexOf(waiter), 1);
          }
        },
      },
    );
    const seen = (marker: RegExp): Promise<void> =>
      marker.test(log)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({ marker, resolve })),
            run.then((done) => {
              throw new Error(`the gate exited before printing ${marker}:\n${done.stdout}`);
            }),
          ]);
    return { run, seen };
  }

  async function templateImage(ns: string): Promise<string | undefined> {
    const deployment = await a.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
    return deployment.spec?.template.spec?.containers[0]?.image;
  }

  it('a Deployment driven to completion → success, outputs and a summary with a chart', async () => {
    const { ns, lb, tg, rs1 } = await aDeploymentBeingUpdated();
    await put5xx(lb, tg, 0, 500);
    const gate = startGate({
      workload: 'deployment/web',
      namespace: ns,
      'load-balancer': lb,
      'target-groups': tg,
    });
    await gate.seen(/watching Deployment/);
    await startRevision2(ns, tg);
    await gate.seen(/rollout-observed: watching revision 2/);
    await finishRevision2(ns, tg, rs1);
    const run = await gate.run;

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      verdict: 'Successful',
      'healthy-targets': '2',
      'rolled-back': 'false',
      'errors-5xx': '0',
    });
    expect(run.summary).toMatch(/## ✅ draingate gate: Successful/);
    expect(run.summary).toContain('xychart-beta');
    expect(run.summary).toMatch(
      /Rolled out and settled for 3 s; 2 of 2 targets healthy; 0 5xx over (500|0) requests/,
    );
    expect(await templateImage(ns)).toBe('shop/web:v2');
  });

  it('5xx and a target whose pod is gone mid-rollout → failure, rollback to revision 1, failed job with the reason', async () => {
    const { ns, lb, tg } = await aDeploymentBeingUpdated();
    const gate = startGate({
      workload: 'deployment/web',
      namespace: ns,
      'load-balancer': lb,
      'target-groups': tg,
      'on-failure': 'rollback',
    });
    await gate.seen(/watching Deployment/);
    await startRevision2(ns, tg);
    await gate.seen(/rollout-observed: watching revision 2/);
    // The old pod exits while its target still takes traffic, and the ALB answers 5xx.
    await a.core.deleteNamespacedPod({ name: 'web-1-a', namespace: ns });
    await put5xx(lb, tg, 120, 1000);
    const run = await gate.run;

    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ verdict: 'Failed', 'rolled-back': 'true' });
    const failure = run.annotations.filter((c) => c.command === 'error').at(-1)?.message ?? '';
    expect(failure).toMatch(
      /draingate gate Failed: (ELB 5xx: 120 ELB 5xx|Target health failed: .*10\.1\.0\.1:8080 \(healthy\) belongs to no pod)/,
    );
    expect(failure).toMatch(
      /Rolled back Deployment .*\/web from revision 2 to revision 1 \(web: shop\/web:v2 → shop\/web:v1\)/,
    );
    expect(run.summary).toMatch(/\*\*Rollback\*\* \(performed\)/);
    expect(await templateImage(ns)).toBe('shop/web:v1');
  });

  it('dry-run → the same failure, the rollback validated by the API server, nothing changed', async () => {
    const { ns, lb, tg } = await aDeploymentBeingUpdated();
    const gate = startGate({
      workload: 'deployment/web',
      namespace: ns,
      'load-balancer': lb,
      'target-groups': tg,
      'on-failure': 'rollback',
      'dry-run': 'true',
    });
    await gate.seen(/watching Deployment/);
    await startRevision2(ns, tg);
    await gate.seen(/rollout-observed/);
    await put5xx(lb, tg, 120, 1000);
    const run = await gate.run;

    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ verdict: 'Failed', 'rolled-back': 'false' });
    expect(run.stdout).toMatch(
      /would roll back Deployment .*\/web from revision 2 to revision 1.*nothing was changed/,
    );
    expect(await templateImage(ns)).toBe('shop/web:v2');
  });

  it('the Deployment edited under the gate → it refuses to roll back and says why', async () => {
    const { ns, lb, tg } = await aDeploymentBeingUpdated();
    const gate = startGate({
      workload: 'deployment/web',
      namespace: ns,
      'load-balancer': lb,
      'target-groups': tg,
      'on-failure': 'rollback',
    });
    await gate.seen(/watching Deployment/);
    await startRevision2(ns, tg);
    await gate.seen(/rollout-observed/);
    await setImage(a, ns, 'web', 'shop/web:v3');
    await gate.seen(/rollout-changed/);
    await put5xx(lb, tg, 120, 1000);
    const run = await gate.run;

    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ verdict: 'Failed', 'rolled-back': 'false' });
    const failure = run.annotations.filter((c) => c.command === 'error').at(-1)?.message ?? '';
    expect(failure).toMatch(
      /Refused to rollback: .*changed since it was watched \(generation \d+ → \d+\); refusing to rollback, nothing was changed/,
    );
    expect(await templateImage(ns)).toBe('shop/web:v3');
  });

  it('an Argo Rollout that turns Degraded → aborted through its status subresource', async () => {
    const ns = await freshNamespace(a, 'gate-ro');
    const rollout = await createRollout(a, ns, 'web', 'shop/web:v2');
    const generation = (rollout['metadata'] as { generation: number }).generation;
    const status = {
      observedGeneration: String(generation),
      currentPodHash: 'abc12',
      stableRS: 'old34',
      replicas: 3,
      updatedReplicas: 1,
      availableReplicas: 3,
    };
    await setRolloutStatus(a, ns, 'web', { ...status, phase: 'Progressing' });
    const gate = startGate({ workload: 'rollout/web', namespace: ns, 'on-failure': 'abort' });
    await gate.seen(/rollout-observed: watching revision abc12/);
    await setRolloutStatus(a, ns, 'web', {
      ...status,
      phase: 'Degraded',
      message: 'RolloutAborted: metric "errors" assessed Failed',
    });
    const run = await gate.run;

    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ verdict: 'Failed', 'rolled-back': 'true' });
    expect(run.stdout).toMatch(/Rollout is Degraded/);
    expect(run.stdout).toMatch(/aborted Rollout .*\/web \(status\.abort: true\)/);
    const after = await readRollout(a, ns, 'web');
    expect((after['status'] as { abort?: boolean }).abort).toBe(true);
  });

  it('rollback command → the previous revision; dry-run first changes nothing', async () => {
    const { ns, tg } = await aDeploymentBeingUpdated();
    await startRevision2(ns, tg);
    const base = {
      command: 'rollback',
      kubeconfig: kubeconfigPath(),
      workload: 'deployment/web',
      namespace: ns,
    };
    const dry = await runAction({ ...base, 'dry-run': 'true' });
    expect(dry.exitCode).toBe(0);
    expect(dry.outputs).toMatchObject({ verdict: 'Successful', 'rolled-back': 'false' });
    expect(await templateImage(ns)).toBe('shop/web:v2');
    const done = await runAction(base);
    expect(done.exitCode).toBe(0);
    expect(done.outputs['rolled-back']).toBe('true');
    expect(done.summary).toMatch(/rolled back Deployment .*web from revision 2 to revision 1/);
    expect(await templateImage(ns)).toBe('shop/web:v1');
  });
});
