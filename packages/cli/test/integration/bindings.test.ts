// `validate --live` on a Service port that two ALB Gateways reach: the controller makes one target group and
// one TargetGroupBinding per Gateway, labelled with the Gateway's stack (see packages/core/src/model/stack.ts).
// Each route must be judged on its own target group's settings, read from moto.
import {
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { awsClientConfig, hasPeer, uniqueName } from '../../../../test/peers/index.js';
import { draingate } from '../run.js';
import { anAlb, apply, webObjects } from './world.js';

function env(): Record<string, string> {
  const pick = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'KUBECONFIG'];
  return Object.fromEntries(pick.map((key) => [key, process.env[key] ?? '']));
}

async function setDeregistrationDelay(targetGroupArn: string, seconds: number): Promise<void> {
  const elbv2 = new ElasticLoadBalancingV2Client(awsClientConfig());
  await elbv2.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: targetGroupArn,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(seconds) }],
    }),
  );
  elbv2.destroy();
}

/** The TargetGroupBinding the controller makes for one Gateway's route to Service web port 80. */
function binding(namespace: string, name: string, gateway: string, targetGroupArn: string): KubernetesObject {
  return {
    apiVersion: 'elbv2.k8s.aws/v1beta1',
    kind: 'TargetGroupBinding',
    metadata: {
      name,
      namespace,
      labels: {
        'gateway.k8s.aws.alb/stack-namespace': namespace,
        'gateway.k8s.aws.alb/stack-name': gateway,
      },
    },
    spec: { serviceRef: { name: 'web', port: 80 }, targetGroupARN: targetGroupArn, targetType: 'ip' },
  } as KubernetesObject;
}

interface Report {
  summary: { workloads: number; warnings: number; errors: number };
  findings: { ruleId: string; object: { kind: string; name: string }; values: { source: string | null }[] }[];
  notices: unknown[];
}

describe.skipIf(!hasPeer('aws') || !hasPeer('kube'))(
  'validate --live: each backend reads its own TargetGroupBinding',
  () => {
    it('two HTTPRoutes on two ALB Gateways, target groups at 30 s and 300 s → DG005 on the 300 s one only, quoting its ARN', async () => {
      const [publicAlb, internalAlb] = await Promise.all([anAlb(1), anAlb(1)]);
      const quick = publicAlb.targetGroupArns[0]!;
      const slow = internalAlb.targetGroupArns[0]!;
      await setDeregistrationDelay(quick, 30);
      const ns = uniqueName('twogw');
      const short = ns.replace(/[^a-z0-9]/g, '').slice(0, 8);
      const objects = webObjects(ns, quick, { gateway: true }).filter(
        (object) => object.kind !== 'TargetGroupBinding',
      );
      const gatewayClass = objects.find((object) => object.kind === 'GatewayClass')!.metadata!.name!;
      await apply([
        ...objects,
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'Gateway',
          metadata: { name: 'internal', namespace: ns },
          spec: { gatewayClassName: gatewayClass, listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
        } as KubernetesObject,
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: 'web-internal', namespace: ns },
          spec: { parentRefs: [{ name: 'internal' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
        } as KubernetesObject,
        // Listed by name, the public Gateway's binding comes first: the one a match on Service and port took.
        binding(ns, `k8s-${short}-web-0a1b2c3d4e`, 'web', quick),
        binding(ns, `k8s-${short}-webinter-5f6a7b8c9d`, 'internal', slow),
      ]);

      const run = await draingate(['validate', '--live', '-o', 'json', '-n', ns, 'deployment/web'], {
        env: env(),
      });
      expect(run.stderr).toBe('');
      const report = JSON.parse(run.stdout) as Report;
      expect(report.summary).toMatchObject({ workloads: 1, errors: 0 });
      expect(report.notices).toEqual([]);
      // preStop sleeps 40 s: below 300 s (DG003) and the 300 s default itself (DG005), both of the internal
      // Gateway's target group, and judged as its HTTPRoute's (the fix goes to the TargetGroupConfiguration),
      // not as a stray TargetGroupBinding's. Nothing quotes the 30 s target group.
      expect(report.findings.map((f) => [f.ruleId, `${f.object.kind}/${f.object.name}`])).toEqual([
        ['DG003', 'Deployment/web'],
        ['DG005', 'TargetGroupConfiguration/web'],
      ]);
      for (const finding of report.findings)
        expect(finding.values.map((v) => v.source)).toContain(
          `deregistration_delay.timeout_seconds of ${slow}`,
        );
      expect(run.stdout).not.toContain(quick);
      expect(run.code).toBe(0);
    });

    it('two hand-written bindings without stack labels on the Ingress’s Service port → the ambiguity notice in the report, not a pick', async () => {
      const alb = await anAlb(2);
      const [first, second] = alb.targetGroupArns as [string, string];
      const ns = uniqueName('byhand');
      await apply([
        ...webObjects(ns, first),
        {
          apiVersion: 'elbv2.k8s.aws/v1beta1',
          kind: 'TargetGroupBinding',
          metadata: { name: 'k8s-web-second', namespace: ns },
          spec: { serviceRef: { name: 'web', port: 80 }, targetGroupARN: second, targetType: 'ip' },
        } as KubernetesObject,
      ]);
      const run = await draingate(['validate', '--live', '-o', 'json', '-n', ns, 'deployment/web'], {
        env: env(),
      });
      expect(run.stderr).toBe('');
      const report = JSON.parse(run.stdout) as Report;
      expect(report.notices).toEqual([
        {
          code: 'ambiguous-target-group-binding',
          file: null,
          line: null,
          column: null,
          object: `Ingress ${ns}/web`,
          message: expect.stringContaining(
            `2 TargetGroupBindings serve Service ${ns}/web port 80 (k8s-web, k8s-web-second) and none carries`,
          ),
        },
      ]);
      expect(run.code).toBe(0);
    });
  },
);
