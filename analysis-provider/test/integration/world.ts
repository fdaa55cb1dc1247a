// Builds the AWS and Kubernetes side of a service behind an ALB in moto_server and the real API server, as
// the AWS Load Balancer Controller would have left it, and starts the provider against them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Clock } from '@draingate/core';
import {
  adminKubeConfig,
  awsClientConfig,
  defaultVpc,
  kubeconfigPath,
  markPodRunning,
  uniqueName,
} from '../../../test/peers/index.js';
import type { ProviderConfig } from '../../src/config.js';
import { loadProviderConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startProvider } from '../../src/server.js';
import type { RunningProvider } from '../../src/server.js';

export const TOKEN = 'integration-token-0123456789abcdef';

/** A load balancer with one or more target groups behind listeners. */
export interface Alb {
  readonly lbArn: string;
  readonly lbDim: string;
  readonly tgArns: string[];
  readonly tgDims: string[];
}

function dimensionOf(arn: string): string {
  return (
    arn
      .split(':')
      .pop()
      ?.replace(/^loadbalancer\//, '') ?? ''
  );
}

/** Creates an ALB with `groups` ip target groups (the first behind the default action), targets registered. */
export async function createAlb(prefix: string, groups = 1, targets: readonly string[][] = []): Promise<Alb> {
  const elbv2 = new ElasticLoadBalancingV2Client(awsClientConfig());
  const { vpcId, subnetIds } = await defaultVpc();
  const name = uniqueName(prefix).slice(0, 24);
  const lb = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: name,
      Type: 'application',
      Scheme: 'internal',
      Subnets: subnetIds.slice(0, 2),
    }),
  );
  const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  const tgArns: string[] = [];
  for (let index = 0; index < groups; index += 1) {
    const tg = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: `${name}-${index}`.slice(0, 32),
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: vpcId,
        TargetType: 'ip',
        HealthCheckPath: '/healthz',
        HealthCheckIntervalSeconds: 15,
        HealthCheckTimeoutSeconds: 5,
      }),
    );
    const tgArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? '';
    tgArns.push(tgArn);
    await elbv2.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tgArn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
      }),
    );
    await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: 80 + index,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      }),
    );
    const ips = targets[index] ?? [];
    if (ips.length > 0)
      await elbv2.send(
        new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: ips.map((Id) => ({ Id, Port: 8080 })) }),
      );
  }
  elbv2.destroy();
  return { lbArn, lbDim: dimensionOf(lbArn), tgArns, tgDims: tgArns.map(dimensionOf) };
}

/** Per-minute counts to publish for the last `minutes` whole minutes before `now`. */
export interface Traffic {
  readonly requests?: number;
  readonly elb5xx?: number;
  readonly target5xx?: number;
}

/** Publishes ALB metrics per minute, as the ALB would: counts that are zero are not published. */
export async function putTraffic(
  alb: Alb,
  group: number,
  traffic: Traffic,
  now: Date,
  minutes = 12,
): Promise<void> {
  const cw = new CloudWatchClient(awsClientConfig());
  const data: MetricDatum[] = [];
  const lb = { Name: 'LoadBalancer', Value: alb.lbDim };
  const tg = { Name: 'TargetGroup', Value: alb.tgDims[group] ?? '' };
  const base = Math.floor(now.getTime() / 60_000) * 60_000;
  for (let minute = 1; minute <= minutes; minute += 1) {
    const Timestamp = new Date(base - minute * 60_000 + 10_000);
    if (traffic.requests)
      data.push({
        MetricName: 'RequestCount',
        Dimensions: [lb, tg],
        Timestamp,
        Value: traffic.requests,
        Unit: 'Count',
      });
    if (traffic.target5xx)
      data.push({
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: [lb, tg],
        Timestamp,
        Value: traffic.target5xx,
        Unit: 'Count',
      });
    if (traffic.elb5xx)
      data.push({
        MetricName: 'HTTPCode_ELB_5XX_Count',
        Dimensions: [lb],
        Timestamp,
        Value: traffic.elb5xx,
        Unit: 'Count',
      });
  }
  for (let index = 0; index < data.length; index += 500) {
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricData: data.slice(index, index + 500),
      }),
    );
  }
  cw.destroy();
}

/** How the workload's drain timing is set. */
export interface WorkloadShape {
  readonly preStopSeconds?: number;
  /** Without a Service and TargetGroupBinding no load balancer reaches it. */
  readonly behindAlb?: boolean;
  readonly podIps?: readonly string[];
  /** Labels of the pods on top of `app`, as a ReplicaSet of a Rollout adds rollouts-pod-template-hash. */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** Creates namespace, Deployment, Service, TargetGroupBinding, PDB and running pods for `app`. */
export async function createWorkload(app: string, tgArn: string, shape: WorkloadShape): Promise<string> {
  const kc = adminKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const namespace = uniqueName('dg');
  await core.createNamespace({
    body: { metadata: { name: namespace, labels: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } } },
  });
  const container = {
    name: 'web',
    image: 'shop/web:1',
    ports: [{ name: 'http', containerPort: 8080 }],
    readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
    ...(shape.preStopSeconds === undefined
      ? {}
      : { lifecycle: { preStop: { sleep: { seconds: shape.preStopSeconds } } } }),
  };
  const template = {
    metadata: { labels: { app } },
    spec: { terminationGracePeriodSeconds: 60, containers: [container] },
  };
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: app, labels: { app } },
      spec: { replicas: 3, selector: { matchLabels: { app } }, template },
    },
  });
  if (shape.behindAlb ?? true) {
    await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: app },
        spec: { selector: { app }, ports: [{ port: 80, targetPort: 'http' }] },
      },
    });
    await custom.createNamespacedCustomObject({
      group: 'elbv2.k8s.aws',
      version: 'v1beta1',
      plural: 'targetgroupbindings',
      namespace,
      body: {
        apiVersion: 'elbv2.k8s.aws/v1beta1',
        kind: 'TargetGroupBinding',
        metadata: { name: `k8s-${app}` },
        spec: { serviceRef: { name: app, port: 80 }, targetGroupARN: tgArn, targetType: 'ip' },
      },
    });
  }
  await custom.createNamespacedCustomObject({
    group: 'policy',
    version: 'v1',
    plural: 'poddisruptionbudgets',
    namespace,
    body: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: app },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app } } },
    },
  });
  // Ready for an hour: past any registration window.
  const readySince = new Date(Date.now() - 3_600_000);
  for (const [index, ip] of (shape.podIps ?? []).entries()) {
    const name = `${app}-${index}`;
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name, labels: { ...shape.podLabels, app } }, spec: template.spec },
    });
    await markPodRunning(core, { namespace, name, ip }, { since: readySince });
  }
  return namespace;
}

/** A token file holding `TOKEN` for client `argo`. */
export function aTokenFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'draingate-provider-'));
  const file = join(dir, 'tokens');
  writeFileSync(file, `argo ${TOKEN}\n`);
  return file;
}

/** The provider's configuration against the peers, with `overrides` as flags. */
export function peerConfig(tokens: string, flags: readonly string[] = []): ProviderConfig {
  const aws = awsClientConfig();
  const { config, errors } = loadProviderConfig([
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--tokens',
    tokens,
    '--aws-endpoint',
    aws.endpoint,
    '--aws-region',
    aws.region,
    '--kubeconfig',
    kubeconfigPath(),
    '--kube',
    'on',
    '--shutdown-delay-seconds',
    '0',
    '--log-level',
    'debug',
    ...flags,
  ]);
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return config;
}

/** Starts the provider on a loopback port; its log lines are kept for inspection. */
export async function startPeerProvider(
  tokens: string,
  flags: readonly string[] = [],
  clock?: Clock,
): Promise<RunningProvider & { logs: string[] }> {
  const logs: string[] = [];
  const provider = await startProvider({
    config: peerConfig(tokens, flags),
    logger: createLogger({ write: (line: string) => logs.push(line) }, 'debug'),
    ...(clock ? { clock } : {}),
  });
  return Object.assign(provider, { logs });
}

/** A clock stopped at `at`. */
export function aStoppedClock(at: Date): Clock {
  return { now: () => new Date(at), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
}
