/**
 * Every default draingate assumes, with where it comes from. Rules, checks and the simulator all read
 * these, so they never disagree about a number.
 */

/** AWS Load Balancer Controller defaults for the target groups it creates (ALB). */
export const ALB_DEFAULTS = {
  targetType: 'instance',
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

/** Defaults for NLB target groups (Service annotations `service.beta.kubernetes.io/aws-load-balancer-*`). */
export const NLB_DEFAULTS = {
  targetType: 'instance',
  healthCheckPath: '/',
  healthCheckIntervalSeconds: 10,
  healthCheckTimeoutSeconds: 10,
  healthyThresholdCount: 3,
  unhealthyThresholdCount: 3,
  successCodes: '200-399',
  deregistrationDelaySeconds: 300,
  slowStartSeconds: 0,
  idleTimeoutSeconds: 350,
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
 *   12 s minimum).
 * - shutdown (S): the application's own shutdown time after SIGTERM.
 * - controller latency: time from an endpoint change to the controller's Register/DeregisterTargets call.
 */
export const ALLOWANCE_DEFAULTS = {
  propagationSeconds: 15,
  shutdownSeconds: 5,
  controllerLatencySeconds: 5,
} as const;

/** NLB data-plane propagation after deregistration is much slower than an ALB's: minutes, not seconds. */
export const NLB_PROPAGATION_SECONDS = 120;

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
  /** kube-proxy programs endpoint changes on every node about a second after they happen (instance targets): an assumption. */
  kubeProxyLatencySeconds: 1,
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
