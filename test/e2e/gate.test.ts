// `draingate gate` (as a process) and the bundled Action, following Deployments rolled by the real Deployment
// controller (pods run by the kubelet stand-in): a rollout that completes, one stuck past its progress deadline
// (rolled back), and one edited under the gate (the rollback refused). The test plays the AWS Load Balancer
// Controller's part that matters here: it registers each Ready pod's IP in the target group in moto_server and
// deregisters pods that terminate.

import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { GateResult } from '@draingate/core';
import { createAlb, type Alb } from '../../analysis-provider/test/integration/world.js';
import { draingate } from '../../packages/cli/test/run.js';
import { runAction } from '../../action/test/run-action.js';
import { adminKubeConfig, awsClientConfig, hasPeer, kubeconfigPath, uniqueName } from '../peers/index.js';
import { startControlPlane, type ControlPlane } from '../setup/control-plane.js';

function env(): Record<string, string> {
  const pick = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'KUBECONFIG'];
  return Object.fromEntries(pick.map((key) => [key, process.env[key] ?? '']));
}

describe.skipIf(!hasPeer('control') || !hasPeer('aws'))(
  'draingate gate follows rollouts of the real Deployment controller',
  () => {
    let kc: KubeConfig;
    let core: CoreV1Api;
    let apps: AppsV1Api;
    let control: ControlPlane;
    let elbv2: ElasticLoadBalancingV2Client;
    let namespace: string;
    const registrars: (() => void)[] = [];

    /** Keeps the target group's targets equal to the Ready, not terminating pods of `app`, as the controller would. */
    function registrar(app: string, tgArn: string): void {
      let stopped = false;
      const loop = async (): Promise<void> => {
        while (!stopped) {
          try {
            const pods = (await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items;
            const ready = new Set(
              pods
                .filter(
                  (p) =>
                    !p.metadata?.deletionTimestamp &&
                    p.status?.podIP &&
                    p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
                )
                .map((p) => p.status?.podIP ?? ''),
            );
            const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
            const registered = new Set(
              (health.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id ?? ''),
            );
            const add = [...ready].filter((ip) => !registered.has(ip));
            const remove = [...registered].filter((ip) => !ready.has(ip));
            if (add.length > 0)
              await elbv2.send(
                new RegisterTargetsCommand({
                  TargetGroupArn: tgArn,
                  Targets: add.map((Id) => ({ Id, Port: 8080 })),
                }),
              );
            if (remove.length > 0)
              await elbv2.send(
                new DeregisterTargetsCommand({
                  TargetGroupArn: tgArn,
                  Targets: remove.map((Id) => ({ Id, Port: 8080 })),
                }),
              );
          } catch {
            // The next round sees the current state.
          }
          await new Promise((r) => setTimeout(r, 300));
        }
      };
      void loop();
      registrars.push(() => {
        stopped = true;
      });
    }

    async function until<T>(what: string, timeoutMs: number, read: () => Promise<T | undefined>): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await read();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }

    /** A Deployment behind `alb`'s first target group, its pods registered as they become Ready. */
    async function aDeployment(name: string, alb: Alb): Promise<void> {
      await apps.createNamespacedDeployment({
        namespace,
        body: {
          metadata: { name },
          spec: {
            replicas: 2,
            progressDeadlineSeconds: 10,
            selector: { matchLabels: { app: name } },
            strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
            template: {
              metadata: { labels: { app: name } },
              spec: {
                terminationGracePeriodSeconds: 5,
                containers: [
                  {
                    name: 'web',
                    image: 'ghcr.io/example/web:1',
                    lifecycle: { preStop: { sleep: { seconds: 1 } } },
                  },
                ],
              },
            },
          },
        },
      });
      registrar(name, alb.tgArns[0] ?? '');
      await until(`${name} available`, 60_000, async () => {
        const d = await apps.readNamespacedDeployment({ name, namespace });
        return d.status?.availableReplicas === 2 && d.status.updatedReplicas === 2 ? true : undefined;
      });
    }

    const patch = (name: string, ops: unknown[]) =>
      apps.patchNamespacedDeployment(
        { name, namespace, body: ops },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );

    const gate = (name: string, alb: Alb) =>
      draingate(
        [
          'gate',
          '-n',
          namespace,
          `deployment/${name}`,
          '--target-group',
          alb.tgArns[0] ?? '',
          '--poll-interval',
          '1',
          '--settle',
          '3',
          '--timeout',
          '90',
          '--on-failure',
          'rollback',
          '-o',
          'json',
        ],
        { env: env(), timeoutMs: 120_000 },
      );

    beforeAll(async () => {
      kc = adminKubeConfig();
      core = kc.makeApiClient(CoreV1Api);
      apps = kc.makeApiClient(AppsV1Api);
      elbv2 = new ElasticLoadBalancingV2Client(awsClientConfig());
      control = await startControlPlane(inject('peers'), kc, { kubelet: { startSeconds: 1 } });
      namespace = uniqueName('e2e-gate');
      await core.createNamespace({ body: { metadata: { name: namespace } } });
    }, 120_000);

    afterAll(async () => {
      for (const stop of registrars) stop();
      await control?.stop();
      elbv2?.destroy();
    });

    it('a rolling update that completes with every ready pod a healthy target → 0, settled', async () => {
      const alb = await createAlb('gate-ok', 1);
      await aDeployment('ok', alb);
      const run = gate('ok', alb);
      await patch('ok', [
        { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'ghcr.io/example/web:2' },
      ]);
      const result = await run;
      const summary = JSON.parse(result.stdout) as GateResult;
      expect(result.code, result.stderr).toBe(0);
      expect(summary.phase).toBe('Successful');
      expect(summary.decisions.map((d) => d.kind)).toEqual(
        expect.arrayContaining(['rollout-observed', 'rollout-complete', 'settled']),
      );
      expect(summary.healthyTargets).toBe(2);
      const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'app=ok' })).items;
      expect(
        pods.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.spec?.containers[0]?.image),
      ).toEqual(['ghcr.io/example/web:2', 'ghcr.io/example/web:2']);
    }, 180_000);

    it('a rollout stuck past its progress deadline → 1, rolled back to the previous template', async () => {
      const alb = await createAlb('gate-stuck', 1);
      await aDeployment('stuck', alb);
      const run = gate('stuck', alb);
      // The new pods wait for a readiness gate nobody sets: they never become Ready.
      await patch('stuck', [
        { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'ghcr.io/example/web:2' },
        {
          op: 'add',
          path: '/spec/template/spec/readinessGates',
          value: [{ conditionType: 'example.com/never' }],
        },
      ]);
      const result = await run;
      const summary = JSON.parse(result.stdout) as GateResult;
      expect(result.code).toBe(1);
      expect(summary.reason).toMatch(/ProgressDeadlineExceeded|progress deadline/i);
      expect(summary.action).toMatchObject({ kind: 'rollback', status: 'performed' });
      const rolledBack = await apps.readNamespacedDeployment({ name: 'stuck', namespace });
      expect(rolledBack.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/example/web:1');
      expect(rolledBack.spec?.template.spec?.readinessGates).toBeUndefined();
      // The Deployment controller then rolls back to the old pods, which become available.
      await until('the rollback complete', 60_000, async () => {
        const d = await apps.readNamespacedDeployment({ name: 'stuck', namespace });
        return d.status?.updatedReplicas === 2 && d.status.availableReplicas === 2 && d.status.replicas === 2
          ? true
          : undefined;
      });
    }, 180_000);

    it('a rollout edited under the gate → the change is reported and the rollback refused', async () => {
      const alb = await createAlb('gate-edit', 1);
      await aDeployment('edited', alb);
      const run = gate('edited', alb);
      await patch('edited', [
        { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'ghcr.io/example/web:2' },
        {
          op: 'add',
          path: '/spec/template/spec/readinessGates',
          value: [{ conditionType: 'example.com/never' }],
        },
      ]);
      // Someone edits the Deployment while the gate watches the stuck rollout.
      await new Promise((r) => setTimeout(r, 3000));
      await patch('edited', [
        { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'ghcr.io/example/web:3' },
      ]);
      const result = await run;
      const summary = JSON.parse(result.stdout) as GateResult;
      expect(result.code).toBe(1);
      expect(summary.decisions.map((d) => d.kind)).toContain('rollout-changed');
      expect(summary.action?.status).toBe('refused');
      const after = await apps.readNamespacedDeployment({ name: 'edited', namespace });
      expect(after.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/example/web:3');
    }, 180_000);

    it.each([
      {
        name: 'completes',
        stuck: false,
        exitCode: 0,
        verdict: 'Successful',
        rolledBack: 'false',
        image: 'ghcr.io/example/web:2',
      },
      {
        name: 'is stuck past its deadline',
        stuck: true,
        exitCode: 1,
        verdict: 'Failed',
        rolledBack: 'true',
        image: 'ghcr.io/example/web:1',
      },
    ])(
      'the bundled Action gates a real rollout that $name',
      async ({ stuck, exitCode, verdict, rolledBack, image }) => {
        const name = stuck ? 'action-stuck' : 'action-ok';
        const alb = await createAlb(name, 1);
        await aDeployment(name, alb);
        const run = runAction(
          {
            command: 'gate',
            workload: `deployment/${name}`,
            namespace,
            kubeconfig: kubeconfigPath(),
            'target-groups': alb.tgArns[0] ?? '',
            'poll-interval': '1s',
            settle: '3s',
            timeout: '90s',
            'on-failure': 'rollback',
          },
          { env: env(), timeoutMs: 120_000 },
        );
        await patch(name, [
          { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'ghcr.io/example/web:2' },
          ...(stuck
            ? [
                {
                  op: 'add',
                  path: '/spec/template/spec/readinessGates',
                  value: [{ conditionType: 'example.com/never' }],
                },
              ]
            : []),
        ]);
        const result = await run;
        expect(result.exitCode, result.stdout.slice(-2000)).toBe(exitCode);
        expect(result.outputs).toMatchObject({ verdict, 'rolled-back': rolledBack });
        const after = await apps.readNamespacedDeployment({ name, namespace });
        expect(after.spec?.template.spec?.containers[0]?.image).toBe(image);
      },
      180_000,
    );
  },
);
