import type {
  ContainerFacts,
  HorizontalPodAutoscalerObject,
  IngressObject,
  NamespaceObject,
  PodDisruptionBudgetObject,
  ServiceObject,
  TargetGroupBindingObject,
  WorkloadObject,
} from './objects.js';
import type { ObjectRef, Resolved } from './provenance.js';
import type { GatewayLink, GatewayTargetGroupConfig } from './gateway-link.js';
import type { Notice } from '../manifest/source.js';

/** How traffic reaches a Service's pods from an AWS load balancer. */
export type Route =
  | { readonly kind: 'Ingress'; readonly ingress: IngressObject }
  | { readonly kind: 'TargetGroupBinding'; readonly binding: TargetGroupBindingObject }
  | {
      readonly kind: 'RolloutAlb';
      readonly ingressName: string;
      readonly ingress?: IngressObject;
      /** `trafficRouting.alb.servicePort`: the port of the stable and canary Services Argo forwards to. */
      readonly servicePort?: number;
    }
  | { readonly kind: 'NlbService' }
  | {
      readonly kind: 'Gateway';
      /** The route of one of the controller's Gateways that names the Service. */
      readonly link: GatewayLink;
      /** The merged TargetGroupConfiguration props and the Service-level configuration, when any. */
      readonly config: GatewayTargetGroupConfig;
    };

/** The settings of the target group (and its load balancer) that serves a backend, each with its source. */
export interface TargetGroupSettings {
  readonly targetType: Resolved<'ip' | 'instance'>;
  /** `HTTP`, `HTTPS` or `TCP` (upper case, as AWS names them). */
  readonly healthCheckProtocol: Resolved<string>;
  /** `traffic-port`, a port number, or (NLB, instance targets, `externalTrafficPolicy: Local`) `healthCheckNodePort`. */
  readonly healthCheckPort: Resolved<string>;
  /** Meaningful only when the protocol is HTTP or HTTPS. */
  readonly healthCheckPath: Resolved<string>;
  readonly healthCheckIntervalSeconds: Resolved<number>;
  readonly healthCheckTimeoutSeconds: Resolved<number>;
  readonly healthyThresholdCount: Resolved<number>;
  readonly unhealthyThresholdCount: Resolved<number>;
  readonly deregistrationDelaySeconds: Resolved<number>;
  /** NLB only: `deregistration_delay.connection_termination.enabled`, whether the NLB closes connections when D ends. */
  readonly connectionTermination?: Resolved<boolean>;
  /** NLB only: `preserve_client_ip.enabled`. */
  readonly preserveClientIp?: Resolved<boolean>;
  /** ALB only: the load balancer's idle timeout. */
  readonly idleTimeoutSeconds?: Resolved<number>;
  /** Live only: the target group's ARN. */
  readonly targetGroupArn?: string;
  /** Live only: ARNs of the load balancers the target group is attached to. */
  readonly loadBalancerArns?: readonly string[];
}

/** One path from an AWS load balancer to a workload: a Service port reached through a route. */
export interface BackendFacts {
  readonly loadBalancer: 'alb' | 'nlb';
  readonly service: ServiceObject;
  readonly servicePort: {
    readonly port: number;
    readonly targetPort: number | string;
    readonly name?: string;
  };
  readonly route: Route;
  /** The object whose settings apply, for messages: the Ingress, TargetGroupBinding, Service or Gateway route. */
  readonly routeRef: ObjectRef;
  /** Names of the containers whose ports the Service's targetPort selects. */
  readonly servingContainers: readonly string[];
  readonly settings: TargetGroupSettings;
  /**
   * The explicit IngressGroup of the backend's Ingress (IngressClassParams `group.name` first, then the
   * `group.name` annotation), which names its load balancer stack (`stackOf`, used live only).
   */
  readonly ingressGroup?: string;
}

/** Everything draingate knows about one workload and how load balancers reach it. */
export interface WorkloadFacts {
  readonly workload: WorkloadObject;
  /** The autoscaler (HPA or KEDA ScaledObject) that owns the replica count, when there is one. */
  readonly autoscaler?: HorizontalPodAutoscalerObject;
  /** The workload's Namespace, when it was in the input (or read live). */
  readonly namespace?: NamespaceObject;
  /**
   * Why a load balancer may reach the workload though draingate could not tell (an Ingress of a class it
   * cannot resolve, a `type: LoadBalancer` Service whose controller the cluster decides). Only set on a
   * workload that no load balancer is known to reach.
   */
  readonly unresolved?: readonly string[];
  readonly services: readonly ServiceObject[];
  readonly backends: readonly BackendFacts[];
  readonly pdbs: readonly PodDisruptionBudgetObject[];
  /** S: how long the application needs to shut down after SIGTERM. */
  readonly shutdownSeconds: Resolved<number>;
  /** Declared backend keep-alive timeout (`draingate.io/keepalive-timeout-seconds`). */
  readonly keepAliveTimeoutSeconds?: Resolved<number>;
  /** Rule ids suppressed by `draingate.io/ignore`, with the stated reason. */
  readonly ignored: { readonly rules: ReadonlySet<string>; readonly reason?: string };
  /**
   * Live only: what reading the cluster could not settle and said instead of guessing (a backend whose
   * TargetGroupBinding cannot be told apart from another's).
   */
  readonly notices?: readonly Notice[];
}

/** Whether the load balancer's health check requests the application's own path (HTTP or HTTPS on the traffic port). */
export function checksApplicationPath(settings: TargetGroupSettings): boolean {
  const protocol = settings.healthCheckProtocol.value;
  return (protocol === 'HTTP' || protocol === 'HTTPS') && settings.healthCheckPort.value === 'traffic-port';
}

/** The serving containers of a workload across all its backends. */
export function servingContainers(facts: WorkloadFacts): ContainerFacts[] {
  return facts.workload.containers.filter((container) =>
    facts.backends.some((backend) => backend.servingContainers.includes(container.name)),
  );
}

/** Whether any load balancer reaches the workload. Rules only look at workloads that are. */
export function isLoadBalanced(facts: WorkloadFacts): boolean {
  return facts.backends.length > 0;
}
