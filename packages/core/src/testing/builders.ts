import { load } from 'js-yaml';
import { stringify } from 'yaml';
import type { LiveTargetGroup } from '../model/live.js';
import type { LiveObjects } from '../ports/cluster.js';

/**
 * Builds a manifest set that is right in every respect (the all-right example), then breaks one thing at a
 * time: `aManifest().withPreStopSleep(10).build()`.
 */
export function aManifest(): ManifestBuilder {
  return new ManifestBuilder();
}

type Doc = Record<string, unknown>;

export class ManifestBuilder {
  private namespaceLabels: Record<string, string> | undefined = {
    'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled',
  };
  private replicas = 3;
  private maxUnavailable: number | string = 0;
  private grace: number | undefined = 50;
  private preStop: Record<string, unknown> | undefined = { sleep: { seconds: 35 } };
  private readonly workloadAnnotations: Record<string, string> = { 'draingate.io/shutdown-seconds': '10' };
  private ingressAnnotations: Record<string, string> = {
    'alb.ingress.kubernetes.io/target-type': 'ip',
    'alb.ingress.kubernetes.io/healthcheck-path': '/healthz',
    'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '10',
    'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
  };
  private ingress = true;
  private pdb = true;
  private readinessProbe = true;
  /** NLB Service annotations; undefined for an Ingress (ALB) in front of a ClusterIP Service. */
  private nlb: Record<string, string> | undefined;
  private externalTrafficPolicy: 'Cluster' | 'Local' | undefined;
  /** The load balancer of the controller's Gateway that routes to the Service, instead of the Ingress. */
  private gateway: 'alb' | 'nlb' | undefined;
  private listenerSet = false;

  withPreStopSleep(seconds: number): this {
    this.preStop = { sleep: { seconds } };
    return this;
  }
  withExecPreStop(command: string[]): this {
    this.preStop = { exec: { command } };
    return this;
  }
  withHttpGetPreStop(path: string): this {
    this.preStop = { httpGet: { path, port: 'http' } };
    return this;
  }
  withoutPreStop(): this {
    this.preStop = undefined;
    return this;
  }
  withGrace(seconds: number | undefined): this {
    this.grace = seconds;
    return this;
  }
  withShutdown(seconds: number): this {
    this.workloadAnnotations['draingate.io/shutdown-seconds'] = String(seconds);
    return this;
  }
  withKeepAlive(seconds: number): this {
    this.workloadAnnotations['draingate.io/keepalive-timeout-seconds'] = String(seconds);
    return this;
  }
  withWorkloadAnnotation(key: string, value: string): this {
    this.workloadAnnotations[key] = value;
    return this;
  }
  withReplicas(replicas: number): this {
    this.replicas = replicas;
    return this;
  }
  withMaxUnavailable(value: number | string): this {
    this.maxUnavailable = value;
    return this;
  }
  withoutInjectionLabel(): this {
    this.namespaceLabels = undefined;
    return this;
  }
  withTargetType(type: 'ip' | 'instance'): this {
    this.ingressAnnotations['alb.ingress.kubernetes.io/target-type'] = type;
    return this;
  }
  withDeregistrationDelay(seconds: number): this {
    this.ingressAnnotations['alb.ingress.kubernetes.io/target-group-attributes'] =
      `deregistration_delay.timeout_seconds=${seconds}`;
    return this;
  }
  withoutDeregistrationDelay(): this {
    const { ['alb.ingress.kubernetes.io/target-group-attributes']: _removed, ...rest } =
      this.ingressAnnotations;
    this.ingressAnnotations = rest;
    return this;
  }
  withoutIngress(): this {
    this.ingress = false;
    return this;
  }
  withoutPdb(): this {
    this.pdb = false;
    return this;
  }
  withoutReadinessProbe(): this {
    this.readinessProbe = false;
    return this;
  }
  /** An NLB Service of the controller instead of the Ingress, with these target type and traffic policy. */
  behindNlb(targetType: 'ip' | 'instance', externalTrafficPolicy: 'Cluster' | 'Local' = 'Cluster'): this {
    this.ingress = false;
    this.nlb = {
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': targetType,
    };
    this.externalTrafficPolicy = externalTrafficPolicy;
    return this;
  }

  /**
   * A route of the controller's ALB Gateway (HTTPRoute) or NLB Gateway (TCPRoute) instead of the Ingress; the
   * target type, health check and deregistration delay set on the builder go into the Service's
   * TargetGroupConfiguration.
   */
  behindGateway(lb: 'alb' | 'nlb', externalTrafficPolicy: 'Cluster' | 'Local' = 'Cluster'): this {
    this.ingress = false;
    this.nlb = undefined;
    this.gateway = lb;
    this.externalTrafficPolicy = externalTrafficPolicy;
    return this;
  }

  /** The Gateway route attaches to a listener of a ListenerSet the Gateway accepts, not to the Gateway's own. */
  throughListenerSet(): this {
    this.listenerSet = true;
    return this;
  }

  build(): string {
    const docs: Doc[] = [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'shop', ...(this.namespaceLabels ? { labels: this.namespaceLabels } : {}) },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'shop', annotations: this.workloadAnnotations },
        spec: {
          replicas: this.replicas,
          selector: { matchLabels: { app: 'web' } },
          strategy: {
            type: 'RollingUpdate',
            rollingUpdate: { maxSurge: '25%', maxUnavailable: this.maxUnavailable },
          },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              ...(this.grace === undefined ? {} : { terminationGracePeriodSeconds: this.grace }),
              containers: [
                {
                  name: 'web',
                  image: 'example/web:1',
                  ports: [{ name: 'http', containerPort: 8080 }],
                  ...(this.readinessProbe
                    ? { readinessProbe: { httpGet: { path: '/healthz', port: 'http' } } }
                    : {}),
                  ...(this.preStop ? { lifecycle: { preStop: this.preStop } } : {}),
                },
              ],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'shop', ...(this.nlb ? { annotations: this.nlb } : {}) },
        spec: {
          ...(this.nlb ? { type: 'LoadBalancer' } : {}),
          ...(this.gateway && this.externalTrafficPolicy === 'Local' ? { type: 'NodePort' } : {}),
          ...(this.externalTrafficPolicy ? { externalTrafficPolicy: this.externalTrafficPolicy } : {}),
          selector: { app: 'web' },
          ports: [{ name: 'http', port: 80, targetPort: 'http' }],
        },
      },
    ];
    if (this.ingress) {
      docs.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web', namespace: 'shop', annotations: this.ingressAnnotations },
        spec: {
          ingressClassName: 'alb',
          rules: [
            {
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'web', port: { name: 'http' } } },
                  },
                ],
              },
            },
          ],
        },
      });
    }
    if (this.gateway) docs.push(...this.gatewayDocs(this.gateway));
    if (this.pdb) {
      docs.push({
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } },
      });
    }
    return docs.map((doc) => stringify(doc)).join('---\n');
  }

  private gatewayDocs(lb: 'alb' | 'nlb'): Doc[] {
    const a = this.ingressAnnotations;
    const delay = /deregistration_delay\.timeout_seconds=(\d+)/.exec(
      a['alb.ingress.kubernetes.io/target-group-attributes'] ?? '',
    )?.[1];
    const interval = a['alb.ingress.kubernetes.io/healthcheck-interval-seconds'];
    const path = a['alb.ingress.kubernetes.io/healthcheck-path'];
    const healthCheck = {
      ...(lb === 'alb' && path ? { healthCheckPath: path } : {}),
      ...(interval ? { healthCheckInterval: Number(interval) } : {}),
    };
    return [
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: `aws-${lb}` },
        spec: { controllerName: `gateway.k8s.aws/${lb}` },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'web', namespace: 'shop' },
        spec: {
          gatewayClassName: `aws-${lb}`,
          ...(this.listenerSet ? { allowedListeners: { namespaces: { from: 'Same' } } } : {}),
          listeners: [{ name: 'web', protocol: lb === 'alb' ? 'HTTP' : 'TCP', port: 80 }],
        },
      },
      ...(this.listenerSet
        ? [
            {
              apiVersion: 'gateway.networking.k8s.io/v1',
              kind: 'ListenerSet',
              metadata: { name: 'team', namespace: 'shop' },
              spec: {
                parentRef: { name: 'web' },
                listeners: [{ name: 'team', protocol: lb === 'alb' ? 'HTTP' : 'TCP', port: 8080 }],
              },
            },
          ]
        : []),
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: lb === 'alb' ? 'HTTPRoute' : 'TCPRoute',
        metadata: { name: 'web', namespace: 'shop' },
        spec: {
          parentRefs: [this.listenerSet ? { kind: 'ListenerSet', name: 'team' } : { name: 'web' }],
          rules: [{ backendRefs: [{ name: 'web', port: 80 }] }],
        },
      },
      {
        apiVersion: 'gateway.k8s.aws/v1',
        kind: 'TargetGroupConfiguration',
        metadata: { name: 'web', namespace: 'shop' },
        spec: {
          targetReference: { name: 'web' },
          defaultConfiguration: {
            ...(a['alb.ingress.kubernetes.io/target-type']
              ? { targetType: a['alb.ingress.kubernetes.io/target-type'] }
              : {}),
            ...(Object.keys(healthCheck).length > 0 ? { healthCheckConfig: healthCheck } : {}),
            ...(delay !== undefined
              ? { targetGroupAttributes: [{ key: 'deregistration_delay.timeout_seconds', value: delay }] }
              : {}),
          },
        },
      },
    ];
  }
}

/**
 * A target group as AWS describes it to live mode: ip targets behind `loadBalancerArn`, a `/healthz` check
 * every 10 s with thresholds of 2, a 60 s idle timeout, and the given target group attributes.
 */
export function aLiveTargetGroup(
  arn: string,
  name: string,
  loadBalancerArn: string,
  attributes: Record<string, string>,
  info: Partial<LiveTargetGroup['info']> = {},
): LiveTargetGroup {
  return {
    info: {
      arn,
      name,
      targetType: 'ip',
      loadBalancerArns: [loadBalancerArn],
      healthCheck: {
        path: '/healthz',
        intervalSeconds: 10,
        timeoutSeconds: 5,
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
      ...info,
    },
    attributes,
    loadBalancerAttributes: { 'idle_timeout.timeout_seconds': '60' },
  };
}

/**
 * Manifests as a cluster returns them around their Deployment, sorted the way a live reader lists them:
 * `yaml` split at its document markers, plus the TargetGroupBindings given (the controller's, in a cluster).
 */
export function liveObjectsOf(yaml: string, targetGroupBindings: readonly unknown[]): LiveObjects {
  const docs = yaml.split(/^---$/m).map((doc) => load(doc) as Record<string, unknown>);
  const of = (...kinds: string[]) => docs.filter((doc) => kinds.includes(doc['kind'] as string));
  return {
    workload: of('Deployment')[0],
    namespace: of('Namespace')[0],
    services: of('Service'),
    ingresses: of('Ingress'),
    ingressClasses: [],
    ingressClassParams: [],
    targetGroupBindings,
    pdbs: of('PodDisruptionBudget'),
    gatewayApi: of('GatewayClass', 'Gateway', 'ListenerSet', 'HTTPRoute'),
  };
}
