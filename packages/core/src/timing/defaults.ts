/**
 * Every default draingate assumes, with where it comes from. Rules, checks and the simulator all read
 * these, so they never disagree about a number.
 */

/**
 * AWS Load Balancer Controller defaults for the target groups it creates for an Ingress (ALB):
 * pkg/ingress/model_builder.go (`defaultHealthCheck*`, v3.5.0) and the controller's `--default-target-type`
 * flag (default `instance`). The health check goes to the traffic port over HTTP unless annotated.
 */
export const ALB_DEFAULTS = {
  targetType: 'instance',
  healthCheckProtocol: 'HTTP',
  healthCheckPort: 'traffic-port',
  healthCheckPath: '/',
  healthCheckIntervalSeconds: 15,
  healthCheckTimeoutSeconds: 5,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
  successCodes: '200',
  deregistrationDelaySeconds: 300,
  slowStartSeconds: 0,
  idleTimeoutSeconds: 60,
} as const;

/**
 * The controller's defaults for an NLB Service's target groups: pkg/service/model_builder.go
 * (`defaultHealthCheck*`, v3.5.0). A TCP health check to the traffic port, interval 10 s and timeout 10 s —
 * valid for an NLB, whose timeout need not be shorter than its interval. The path applies only when the
 * protocol is HTTP or HTTPS. `preserve_client_ip.enabled` defaults to true for instance targets and false
 * for ip targets (`buildPreserveClientIPFlag`); AWS's `deregistration_delay.connection_termination.enabled`
 * defaults to false.
 */
export const NLB_DEFAULTS = {
  targetType: 'instance',
  healthCheckProtocol: 'TCP',
  healthCheckPort: 'traffic-port',
  healthCheckPath: '/',
  healthCheckIntervalSeconds: 10,
  healthCheckTimeoutSeconds: 10,
  healthyThresholdCount: 3,
  unhealthyThresholdCount: 3,
  successCodes: '200-399',
  deregistrationDelaySeconds: 300,
  slowStartSeconds: 0,
  idleTimeoutSeconds: 350,
  connectionTermination: false,
} as const;

/**
 * The controller's health check for an NLB Service of `type: LoadBalancer` with instance targets and
 * `externalTrafficPolicy: Local` (`buildTargetGroupHealthCheckConfigForInstanceModeLocal`, v3.5.0):
 * kube-proxy's own `/healthz` on the Service's healthCheckNodePort, which answers 200 only while the node has
 * a ready local endpoint.
 */
export const NLB_LOCAL_DEFAULTS = {
  healthCheckProtocol: 'HTTP',
  healthCheckPort: 'healthCheckNodePort',
  healthCheckPath: '/healthz',
  healthCheckIntervalSeconds: 10,
  healthCheckTimeoutSeconds: 6,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
} as const;

/**
 * The controller's defaults for the target groups it creates for a Gateway's routes (v3.5.0,
 * `newTargetGroupBuilder` in pkg/gateway/model/model_build_target_group.go), for an ALB and an NLB Gateway
 * alike: interval 15 s, timeout 5 s, healthy and unhealthy thresholds 3 — not the Ingress defaults (2 and 2)
 * — and success codes 200-399. The health check protocol is the target group's (HTTP for HTTPRoute and
 * GRPCRoute; HTTPS for a TLSRoute on an ALB) on an ALB and TCP on an NLB, path `/` (`/AWS.ALB/healthcheck`
 * for gRPC). The target type is the controller's `--default-target-type` (`instance`) unless a
 * TargetGroupConfiguration sets one. No target group attribute is set, so the deregistration delay is AWS's
 * 300 s.
 */
export const GATEWAY_DEFAULTS = {
  targetType: 'instance',
  healthCheckPort: 'traffic-port',
  healthCheckPath: '/',
  grpcHealthCheckPath: '/AWS.ALB/healthcheck',
  healthCheckIntervalSeconds: 15,
  healthCheckTimeoutSeconds: 5,
  healthyThresholdCount: 3,
  unhealthyThresholdCount: 3,
  successCodes: '200-399',
  deregistrationDelaySeconds: 300,
  idleTimeoutSeconds: 60,
  connectionTermination: false,
} as const;

/**
 * An NLB Gateway's health check for a Service with instance targets and `externalTrafficPolicy: Local`
 * (`defaultHealthCheck*ForInstanceModeLocal`, pkg/gateway/model/model_build_target_group.go, v3.5.0):
 * kube-proxy's `/healthz` over HTTP on the healthCheckNodePort, 10 s / 6 s, thresholds 2 and 2.
 */
export const GATEWAY_NLB_LOCAL_DEFAULTS = {
  healthCheckProtocol: 'HTTP',
  healthCheckPort: 'healthCheckNodePort',
  healthCheckPath: '/healthz',
  healthCheckIntervalSeconds: 10,
  healthCheckTimeoutSeconds: 6,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
} as const;

/** AWS's accepted ranges (inclusive) for target group and load balancer settings. */
export const AWS_RANGES = {
  healthCheckIntervalSeconds: [5, 300],
  healthCheckTimeoutSeconds: [2, 120],
  healthyThresholdCount: [2, 10],
  unhealthyThresholdCount: [2, 10],
  deregistrationDelaySeconds: [0, 3600],
  slowStartSeconds: [30, 900],
  idleTimeoutSeconds: [1, 4000],
} as const satisfies Record<string, readonly [number, number]>;

/** Kubernetes defaults. */
export const KUBERNETES_DEFAULTS = {
  terminationGracePeriodSeconds: 30,
  replicas: 1,
  maxSurge: '25%',
  maxUnavailable: '25%',
  minReadySeconds: 0,
  progressDeadlineSeconds: 600,
  readinessProbe: {
    periodSeconds: 10,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
    initialDelaySeconds: 0,
  },
} as const;

/** Argo Rollouts defaults. */
export const ARGO_DEFAULTS = {
  scaleDownDelaySeconds: 30,
} as const;

/**
 * Allowances: durations draingate cannot read from any object and so assumes, each configurable.
 * - propagation (L): time from DeregisterTargets until the ALB data plane stops routing new requests to the
 *   target. Observed at 10–15 s and more (controller issues #905, #2106, #2366; reference 000 measured a
 *   12 s minimum). With the controller latency C it covers the ~17 s after a pod's deletion that controller
 *   issue #2106 reports ALB traffic for: a pod behind ip targets must serve for C + L = 20 s.
 * - shutdown (S): the application's own shutdown time after SIGTERM.
 * - controller latency (C): time from an endpoint change to the controller's Register/DeregisterTargets call.
 * - endpoint propagation (E): instance targets are nodes, which stay registered while their pods come and go;
 *   what a terminating pod must outlive there is the EndpointSlice update reaching kube-proxy on every node
 *   and kube-proxy reprogramming its rules (`--iptables-min-sync-period`, default 1 s). 2 s: an assumption
 *   with a margin over that one second.
 */
export const ALLOWANCE_DEFAULTS = {
  propagationSeconds: 15,
  shutdownSeconds: 5,
  controllerLatencySeconds: 5,
  endpointPropagationSeconds: 2,
} as const;

/**
 * NLB data-plane propagation after DeregisterTargets: minutes, not seconds. Controller issue #2366 measured at
 * least 2 minutes for NLB ip targets whatever the deregistration delay; #3270 reports about 2 minutes with a
 * 5 s delay; containers-roadmap #470 reports ~2 minutes "even if the deregistration delay is set to zero".
 */
export const NLB_PROPAGATION_SECONDS = 120;

/**
 * How long an NLB keeps opening new connections to a target after marking it unhealthy: containers-roadmap
 * #470 measured 30–40 s. With `externalTrafficPolicy: Local` a node whose last local pod terminates is taken
 * out this way, not by deregistration. For an ALB the propagation allowance L applies.
 */
export const NLB_UNHEALTHY_PROPAGATION_SECONDS = 40;

/** Ranges for the uncertain parameters, for sweeps in the simulator. */
export const UNCERTAIN_RANGES = {
  propagationSeconds: [10, 30],
  controllerLatencySeconds: [1, 10],
} as const satisfies Record<string, readonly [number, number]>;

/**
 * Figures only the simulator needs: what no manifest states and no rule compares. Each is an assumption or a
 * measurement, named where it comes from.
 */
export const SIMULATION_DEFAULTS = {
  /** Container start until the app listens (image cached, small web server): an assumption. */
  startupSeconds: 5,
  /**
   * What the app does on SIGTERM. Most HTTP servers close their listener at once and finish in-flight requests
   * (Node's `server.close()`, gunicorn, nginx `quit`): an assumption.
   */
  shutdownBehaviour: 'stop-accepting',
  /** An ALB answers 504 when it cannot connect to a target within 10 s (ALB docs, "HTTP 504"); reference 000's 504s took 10.03 s. */
  connectTimeoutSeconds: 10,
  /** A refused connection costs the ALB one round trip: reference 000's failed requests were as fast as its successes (~25 ms) or faster. */
  refusedLatencyMs: 3,
  /**
   * After the last container exits, connections are refused until the kubelet has torn the pod sandbox down
   * and its IP stops answering. 3 s matches reference 000's 502:504 ratio (86:319 over a ~14 s window) and
   * reference 001's 502s at ~3 s: a calibration, not a measurement.
   */
  podTeardownSeconds: 3,
  /** The kubelet's one-off extension when a preStop hook outlives the grace period (Kubernetes pod lifecycle docs). */
  gracePeriodExtensionSeconds: 2,
  /** Request duration seen by the client: reference 000 after its fix measured p50 29.7 ms, p99 51 ms. */
  requestMedianMs: 30,
  requestP99Ms: 50,
  /** Upper bound of a request's duration (the app's own request timeout): an assumption. */
  requestMaxSeconds: 10,
  /** Reference 000 attacked with Vegeta at about 50 requests/s. */
  rps: 50,
  /** Traffic before the rollout starts, so the report shows the steady state first. */
  warmupSeconds: 10,
  /** Traffic after the last old pod is out of the picture. */
  settleSeconds: 10,
  /** How long a connection the backend is closing can still be picked by the ALB (one round trip): an assumption. */
  keepAliveRaceMs: 10,
  /** Margin `proposeFix` adds on top of every window it lengthens. */
  fixMarginSeconds: 5,
  /** Events one simulation may process before it gives up (a 600,000-request rollout needs about 1.3 million). */
  eventBudget: 20_000_000,
  /** Request rates above this are not a rollout simulation any more: 100,000 req/s. */
  maxRps: 100_000,
} as const;
