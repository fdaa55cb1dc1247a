import { exposureWindow } from '../timing/model.js';
import type { Exposure } from '../timing/model.js';
import {
  ALB_DEFAULTS,
  ALLOWANCE_DEFAULTS,
  ARGO_DEFAULTS,
  KUBERNETES_DEFAULTS,
  SIMULATION_DEFAULTS,
} from '../timing/defaults.js';
import { resolveRollingBudget } from '../timing/rolling-update.js';

/** What the app does when it receives SIGTERM. */
export type ShutdownBehaviour =
  /** Closes its listener at once (new connections are refused) and finishes in-flight requests for up to S s. */
  | 'stop-accepting'
  /** Keeps accepting and serving for S s, then exits. */
  | 'drain'
  /** Exits at once, cutting in-flight requests. */
  | 'exit';

/** One step of an Argo Rollouts canary. */
export type SimulatedCanaryStep =
  | { readonly kind: 'setWeight'; readonly weight: number }
  | { readonly kind: 'pause'; readonly seconds: number };

/** How the new revision replaces the old one. */
export type SimulatedStrategy =
  | {
      /** A Deployment's RollingUpdate, with maxSurge/maxUnavailable already resolved to pod counts. */
      readonly kind: 'rolling';
      readonly maxSurge: number;
      readonly maxUnavailable: number;
    }
  | {
      /** An Argo Rollout canary with ALB traffic routing (weighted stable and canary target groups). */
      readonly kind: 'canary';
      readonly steps: readonly SimulatedCanaryStep[];
      /** Seconds between the stable switch and scaling the old ReplicaSet down (Argo default 30). */
      readonly scaleDownDelaySeconds: number;
    };

/**
 * Everything one simulated rollout depends on, as plain numbers. Defaults are in `createScenario`; each names
 * its source (DESIGN §2, `timing/defaults.ts`, or a reference article).
 */
export interface SimulationScenario {
  /** Pods of the workload (Kubernetes default 1). */
  readonly replicas: number;
  readonly strategy: SimulatedStrategy;
  /** A pod counts as available after being Ready this long (Kubernetes default 0). */
  readonly minReadySeconds: number;
  /** Whether the pods carry the controller's readiness gate (ip targets only). Default false. */
  readonly readinessGate: boolean;
  /** How the load balancer reaches pods: `ip` (pod IPs) or `instance` (NodePort through kube-proxy; controller default). */
  readonly targetType: 'ip' | 'instance';
  /**
   * The kind of load balancer (default `alb`). An NLB's health check may take a timeout equal to its interval;
   * it answers no HTTP itself, so where an ALB returns 502 or 504 its clients see a reset or a timeout.
   */
  readonly loadBalancer: 'alb' | 'nlb';
  /**
   * The Service's externalTrafficPolicy (default `Cluster`). With instance targets and `Local`, a node only
   * forwards to its own pods: each pod is taken to run on a node of its own, which the load balancer takes out
   * of rotation only when its health check fails, and puts in once it passes.
   */
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** E: an endpoint change reaching kube-proxy on every node (instance targets; allowance, default 2 s). */
  readonly endpointPropagationSeconds: number;
  /** Pod creation until the app listens (default 5 s, an assumption). */
  readonly startupSeconds: number;
  /**
   * Whether the serving container has a readiness probe. Without one the kubelet reports it ready as soon as it
   * runs, before the app listens (DG010). Default true.
   */
  readonly readinessProbe: boolean;
  /** Readiness probe initialDelaySeconds and periodSeconds (Kubernetes defaults 0 and 10). */
  readonly readinessInitialDelaySeconds: number;
  readonly readinessPeriodSeconds: number;
  /** P: how long the preStop hook sleeps (default 0: no hook). */
  readonly preStopSeconds: number;
  /** `sleep` is the native action (the API rejects it when ≥ the grace period); `exec` runs `sleep N`. */
  readonly preStopAction: 'sleep' | 'exec';
  /** G: terminationGracePeriodSeconds (Kubernetes default 30). */
  readonly terminationGracePeriodSeconds: number;
  /** What the app does on SIGTERM (default `stop-accepting`). */
  readonly shutdownBehaviour: ShutdownBehaviour;
  /** S: the app's shutdown time after SIGTERM (draingate allowance, default 5 s). */
  readonly shutdownSeconds: number;
  /** The backend's HTTP keep-alive timeout, or null when unknown (then no keep-alive race is modelled). */
  readonly keepAliveTimeoutSeconds: number | null;
  /** Endpoint change until the controller's Register/DeregisterTargets call (allowance, default 5 s). */
  readonly controllerLatencySeconds: number;
  /** L: DeregisterTargets until the ALB stops routing new requests to the target (allowance, default 15 s). */
  readonly propagationSeconds: number;
  /** ALB health check (controller defaults 15 s, 5 s, 2, 2). */
  readonly healthCheckIntervalSeconds: number;
  readonly healthCheckTimeoutSeconds: number;
  readonly healthyThresholdCount: number;
  readonly unhealthyThresholdCount: number;
  /** D: deregistration_delay.timeout_seconds (default 300). */
  readonly deregistrationDelaySeconds: number;
  /** The load balancer's idle_timeout.timeout_seconds (default 60). */
  readonly idleTimeoutSeconds: number;
  /** Requests per second sent to the load balancer (default 50, reference 000's Vegeta rate). */
  readonly rps: number;
  /** `constant` spaces requests evenly (like Vegeta); `poisson` draws exponential gaps. */
  readonly arrivals: 'constant' | 'poisson';
  /** Request duration: lognormal with this median and 99th percentile (reference 000: 30 ms, 50 ms). */
  readonly requestMedianMs: number;
  readonly requestP99Ms: number;
  /** Requests never take longer than this (the app's request timeout; default 10 s). */
  readonly requestMaxSeconds: number;
  /** Traffic before the rollout starts (default 10 s). */
  readonly warmupSeconds: number;
  /** Traffic duration; null runs until the rollout has settled. */
  readonly durationSeconds: number | null;
  /** Seed of every random draw: the same seed gives the same result. */
  readonly seed: number;
}

/** What keeps sending requests to a deleted pod of the scenario, and for how long: the rules' W. */
export function scenarioExposure(s: SimulationScenario): {
  readonly exposure: Exposure;
  readonly seconds: number;
  readonly formula: string;
} {
  const exposure: Exposure =
    s.targetType === 'ip'
      ? 'deregistration'
      : s.externalTrafficPolicy === 'Local'
        ? 'node-health-check'
        : 'endpoints';
  return { exposure, ...exposureWindow(exposure, s) };
}

/**
 * With instance targets and `externalTrafficPolicy: Local`, how long a new pod waits before its node takes
 * traffic: endpoint propagation, then the healthy threshold of health checks.
 */
export function localNodeRegistrationSeconds(s: SimulationScenario): number {
  return s.endpointPropagationSeconds + s.healthyThresholdCount * s.healthCheckIntervalSeconds;
}

/** A scenario's fields that hold a number, for sweeps and flags. */
export type NumericScenarioField = {
  [K in keyof SimulationScenario]-?: SimulationScenario[K] extends number ? K : never;
}[keyof SimulationScenario];

/** A scenario with some fields left out, as callers write it. */
export type ScenarioInput = Partial<SimulationScenario>;

/**
 * The RollingUpdate budget for `replicas` pods from Kubernetes' int-or-percent values, resolved as the
 * Deployment controller does (`resolveRollingBudget`: maxSurge rounds up, maxUnavailable down, both 0 → 1).
 */
export function createRollingStrategy(
  replicas: number,
  maxSurge: number | string = KUBERNETES_DEFAULTS.maxSurge,
  maxUnavailable: number | string = KUBERNETES_DEFAULTS.maxUnavailable,
): SimulatedStrategy {
  return { kind: 'rolling', ...resolveRollingBudget(replicas, maxSurge, maxUnavailable) };
}

/** A complete scenario from a partial one: every field left out takes its documented default. */
export function createScenario(input: ScenarioInput = {}): SimulationScenario {
  const replicas = input.replicas ?? 2;
  return {
    replicas,
    strategy: input.strategy ?? createRollingStrategy(replicas),
    minReadySeconds: input.minReadySeconds ?? KUBERNETES_DEFAULTS.minReadySeconds,
    readinessGate: input.readinessGate ?? false,
    targetType: input.targetType ?? 'ip',
    loadBalancer: input.loadBalancer ?? 'alb',
    externalTrafficPolicy: input.externalTrafficPolicy ?? 'Cluster',
    endpointPropagationSeconds:
      input.endpointPropagationSeconds ?? ALLOWANCE_DEFAULTS.endpointPropagationSeconds,
    startupSeconds: input.startupSeconds ?? SIMULATION_DEFAULTS.startupSeconds,
    readinessProbe: input.readinessProbe ?? true,
    readinessInitialDelaySeconds:
      input.readinessInitialDelaySeconds ?? KUBERNETES_DEFAULTS.readinessProbe.initialDelaySeconds,
    readinessPeriodSeconds: input.readinessPeriodSeconds ?? KUBERNETES_DEFAULTS.readinessProbe.periodSeconds,
    preStopSeconds: input.preStopSeconds ?? 0,
    preStopAction: input.preStopAction ?? 'sleep',
    terminationGracePeriodSeconds:
      input.terminationGracePeriodSeconds ?? KUBERNETES_DEFAULTS.terminationGracePeriodSeconds,
    shutdownBehaviour: input.shutdownBehaviour ?? SIMULATION_DEFAULTS.shutdownBehaviour,
    shutdownSeconds: input.shutdownSeconds ?? ALLOWANCE_DEFAULTS.shutdownSeconds,
    keepAliveTimeoutSeconds: input.keepAliveTimeoutSeconds ?? null,
    controllerLatencySeconds: input.controllerLatencySeconds ?? ALLOWANCE_DEFAULTS.controllerLatencySeconds,
    propagationSeconds: input.propagationSeconds ?? ALLOWANCE_DEFAULTS.propagationSeconds,
    healthCheckIntervalSeconds: input.healthCheckIntervalSeconds ?? ALB_DEFAULTS.healthCheckIntervalSeconds,
    healthCheckTimeoutSeconds: input.healthCheckTimeoutSeconds ?? ALB_DEFAULTS.healthCheckTimeoutSeconds,
    healthyThresholdCount: input.healthyThresholdCount ?? ALB_DEFAULTS.healthyThresholdCount,
    unhealthyThresholdCount: input.unhealthyThresholdCount ?? ALB_DEFAULTS.unhealthyThresholdCount,
    deregistrationDelaySeconds: input.deregistrationDelaySeconds ?? ALB_DEFAULTS.deregistrationDelaySeconds,
    idleTimeoutSeconds: input.idleTimeoutSeconds ?? ALB_DEFAULTS.idleTimeoutSeconds,
    rps: input.rps ?? SIMULATION_DEFAULTS.rps,
    arrivals: input.arrivals ?? 'constant',
    requestMedianMs: input.requestMedianMs ?? SIMULATION_DEFAULTS.requestMedianMs,
    requestP99Ms: input.requestP99Ms ?? SIMULATION_DEFAULTS.requestP99Ms,
    requestMaxSeconds: input.requestMaxSeconds ?? SIMULATION_DEFAULTS.requestMaxSeconds,
    warmupSeconds: input.warmupSeconds ?? SIMULATION_DEFAULTS.warmupSeconds,
    durationSeconds: input.durationSeconds ?? null,
    seed: input.seed ?? 1,
  };
}

/** Default Argo canary: 25 % for 30 s, 50 % for 30 s, then promotion. */
export function createCanaryStrategy(
  steps: readonly SimulatedCanaryStep[] = [
    { kind: 'setWeight', weight: 25 },
    { kind: 'pause', seconds: 30 },
    { kind: 'setWeight', weight: 50 },
    { kind: 'pause', seconds: 30 },
  ],
  scaleDownDelaySeconds: number = ARGO_DEFAULTS.scaleDownDelaySeconds,
): SimulatedStrategy {
  return { kind: 'canary', steps, scaleDownDelaySeconds };
}
