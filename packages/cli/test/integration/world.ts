// A small world for end-to-end CLI tests: an ALB with target groups in moto_server, and the Kubernetes
// objects that route to them in the real API server (no controllers run: pods get their IP and Ready
// condition through the status subresource, as the kubelet would set them).
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { KubernetesObjectApi, CoreV1Api } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  adminKubeConfig,
  awsClientConfig,
  defaultVpc,
  markPodRunning,
  uniqueName,
} from '../../../../test/peers/index.js';

export interface Alb {
  readonly loadBalancerArn: string;
  readonly targetGroupArns: string[];
  readonly dimension: string;
  readonly targetGroupDimensions: string[];
}

/** An ALB with `groups` ip target groups, each behind a listener rule so AWS reports them attached. */
export async function anAlb(groups: number, options: { attached?: boolean } = {}): Promise<Alb> {
  const elbv2 = new ElasticLoadBalancingV2Client(awsClientConfig());
  const { vpcId, subnetIds } = await defaultVpc();
  const name = uniqueName('alb').slice(0, 30);
  const lb = await elbv2.send(
    new CreateLoadBalancerCommand({ Name: name, Type: 'application', Subnets: subnetIds.slice(0, 2) }),
  );
  const loadBalancerArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  const targetGroupArns: string[] = [];
  for (let i = 0; i < groups; i++) {
    const tg = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: `${name}-${i}`.slice(0, 32),
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: vpcId,
        TargetType: 'ip',
        HealthCheckPath: '/healthz',
      }),
    );
    targetGroupArns.push(tg.TargetGroups?.[0]?.TargetGroupArn ?? '');
  }
  if (options.attached !== false) {
    await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: targetGroupArns.map((arn) => ({ TargetGroupArn: arn, Weight: 1 })),
            },
          },
        ],
      }),
    );
  }
  elbv2.destroy();
  return {
    loadBalancerArn,
    targetGroupArns,
    dimension: loadBalancerArn.split(':loadbalancer/')[1] ?? '',
    targetGroupDimensions: targetGroupArns.map((arn) => arn.split(':')[5] ?? ''),
  };
}

export async function registerTargets(targetGroupArn: string, ips: readonly string[]): Promise<void> {
  const elbv2 = new ElasticLoadBalancingV2Client(awsClientConfig());
  await elbv2.send(
    new RegisterTargetsCommand({
      TargetGroupArn: targetGroupArn,
      Targets: ips.map((ip) => ({ Id: ip, Port: 8080 })),
    }),
  );
  elbv2.destroy();
}

/** Puts one minute of ALB counts, `minutesAgo` before now (older than the incomplete newest minutes). */
export async function putCounts(
  alb: Alb,
  counts: { requests?: number; elb5xx?: number; target5xx?: number; targetGroup?: number },
  minutesAgo = 5,
): Promise<void> {
  const cloudwatch = new CloudWatchClient(awsClientConfig());
  const timestamp = new Date(Math.floor(Date.now() / 60_000) * 60_000 - minutesAgo * 60_000 + 10_000);
  const tg = alb.targetGroupDimensions[counts.targetGroup ?? 0] ?? '';
  const data = [
    ...(counts.elb5xx !== undefined
      ? [
          {
            MetricName: 'HTTPCode_ELB_5XX_Count',
            Dimensions: [{ Name: 'LoadBalancer', Value: alb.dimension }],
            Value: counts.elb5xx,
          },
        ]
      : []),
    ...(counts.requests !== undefined
      ? [
          {
            MetricName: 'RequestCount',
            Dimensions: [
              { Name: 'LoadBalancer', Value: alb.dimension },
              { Name: 'TargetGroup', Value: tg },
            ],
            Value: counts.requests,
          },
        ]
      : []),
    ...(counts.target5xx !== undefined
      ? [
          {
            MetricName: 'HTTPCode_Target_5XX_Count',
            Dimensions: [
              { Name: 'LoadBalancer', Value: alb.dimension },
              { Name: 'TargetGroup', Value: tg },
            ],
            Value: counts.target5xx,
          },
        ]
      : []),
  ].map((datum) => ({ ...datum, Timestamp: timestamp, Unit: 'Count' as const }));
  await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'AWS/ApplicationELB', MetricData: data }));
  cloudwatch.destroy();
}

/** Creates objects in the API server. */
export async function apply(objects: readonly KubernetesObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(adminKubeConfig());
  for (const object of objects) await api.create(object);
}

/** A Running, Ready pod with an IP, as the kubelet would report it. */
export async function aReadyPod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ip: string,
): Promise<void> {
  const core = adminKubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name, namespace, labels },
      spec: { containers: [{ name: 'web', image: 'example/web:1' }] },
    },
  });
  await markPodRunning(core, { namespace, name, ip });
}

/**
 * The objects of a web workload routed by an ALB Ingress — or with `gateway`, by an HTTPRoute of the
 * controller's ALB Gateway, its settings in a TargetGroupConfiguration — with the TargetGroupBinding the
 * controller makes.
 */
export function webObjects(
  namespace: string,
  targetGroupArn: string,
  options: { preStop?: boolean; gateway?: boolean } = {},
): KubernetesObject[] {
  const labels = { app: 'web' };
  const objects = webObjectsBehindIngress(namespace, targetGroupArn, options, labels);
  if (!options.gateway) return objects;
  const gatewayClass = `${namespace}-alb`;
  return [
    ...objects.filter((object) => object.kind !== 'Ingress'),
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: gatewayClass },
      spec: { controllerName: 'gateway.k8s.aws/alb' },
    } as KubernetesObject,
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'web', namespace },
      spec: { gatewayClassName: gatewayClass, listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
    } as KubernetesObject,
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web', namespace },
      spec: { parentRefs: [{ name: 'web' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
    } as KubernetesObject,
    {
      apiVersion: 'gateway.k8s.aws/v1beta1',
      kind: 'TargetGroupConfiguration',
      metadata: { name: 'web', namespace },
      spec: {
        targetReference: { name: 'web' },
        defaultConfiguration: { targetType: 'ip', healthCheckConfig: { healthCheckPath: '/healthz' } },
      },
    } as KubernetesObject,
  ];
}

function webObjectsBehindIngress(
  namespace: string,
  targetGroupArn: string,
  options: { preStop?: boolean },
  labels: Record<string, string>,
): KubernetesObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 60,
            containers: [
              {
                name: 'web',
                image: 'example/web:1',
                ports: [{ name: 'http', containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
                ...(options.preStop === false ? {} : { lifecycle: { preStop: { sleep: { seconds: 40 } } } }),
              },
            ],
          },
        },
      },
    } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    } as KubernetesObject,
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'web',
        namespace,
        annotations: {
          'alb.ingress.kubernetes.io/target-type': 'ip',
          'alb.ingress.kubernetes.io/healthcheck-path': '/healthz',
        },
      },
      spec: {
        ingressClassName: 'alb',
        rules: [
          {
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'web', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    } as KubernetesObject,
    {
      apiVersion: 'elbv2.k8s.aws/v1beta1',
      kind: 'TargetGroupBinding',
      metadata: { name: 'k8s-web', namespace },
      spec: { serviceRef: { name: 'web', port: 80 }, targetGroupARN: targetGroupArn, targetType: 'ip' },
    } as KubernetesObject,
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace },
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
    } as KubernetesObject,
  ];
}
