import type { BackendFacts, TargetGroupSettings, WorkloadFacts } from '../model/facts.js';
import type { ContainerFacts } from '../model/objects.js';
import { podTemplateOwner } from '../model/objects.js';
import type { Provenance, Resolved } from '../model/provenance.js';
import {
  ALLOWANCE_DEFAULTS,
  NLB_PROPAGATION_SECONDS,
  NLB_UNHEALTHY_PROPAGATION_SECONDS,
} from './defaults.js';

/**
 * The durations draingate assumes because no object states them: L (propagation), the controller's
 * latency and the default S (shutdown). Configurable by flag, by `.draingate.yaml`, and S per workload.
 */
export interface Allowances {
  readonly propagationSeconds: Resolved<number>;
  readonly nlbPropagationSeconds: Resolved<number>;
  readonly controllerLatencySeconds: Resolved<number>;
  readonly shutdownSeconds: Resolved<number>;
  /** E: an endpoint change reaching kube-proxy on every node (instance targets). */
  readonly endpointPropagationSeconds: Resolved<number>;
}

function draingateDefault(note: string): Provenance {
  return { kind: 'default', authority: 'draingate', note };
}

/** Allowances with draingate's defaults, overridden where `overrides` say so. */
export function createAllowances(overrides: Partial<Allowances> = {}): Allowances {
  return {
    propagationSeconds: overrides.propagationSeconds ?? {
      value: ALLOWANCE_DEFAULTS.propagationSeconds,
      from: draingateDefault(
        `propagation allowance L (${ALLOWANCE_DEFAULTS.propagationSeconds} s, observed 10–15 s and more)`,
      ),
    },
    nlbPropagationSeconds: overrides.nlbPropagationSeconds ?? {
      value: NLB_PROPAGATION_SECONDS,
      from: draingateDefault(`NLB propagation allowance (${NLB_PROPAGATION_SECONDS} s: NLBs take minutes)`),
    },
    controllerLatencySeconds: overrides.controllerLatencySeconds ?? {
      value: ALLOWANCE_DEFAULTS.controllerLatencySeconds,
      from: draingateDefault(`controller latency (${ALLOWANCE_DEFAULTS.controllerLatencySeconds} s)`),
    },
    shutdownSeconds: overrides.shutdownSeconds ?? {
      value: ALLOWANCE_DEFAULTS.shutdownSeconds,
      from: draingateDefault(`shutdown allowance S (${ALLOWANCE_DEFAULTS.shutdownSeconds} s)`),
    },
    endpointPropagationSeconds: overrides.endpointPropagationSeconds ?? {
      value: ALLOWANCE_DEFAULTS.endpointPropagationSeconds,
      from: draingateDefault(
        `endpoint propagation allowance E (${ALLOWANCE_DEFAULTS.endpointPropagationSeconds} s for kube-proxy on every node)`,
      ),
    },
  };
}

/**
 * What keeps sending new requests to a pod after it is deleted, by how the load balancer reaches it:
 * - `deregistration` (ip targets): the pod is the target; the controller deregisters it after its latency C,
 *   and the data plane stops routing to it L later.
 * - `endpoints` (instance targets, `externalTrafficPolicy: Cluster`): the node is the target and stays
 *   registered; kube-proxy on every node stops sending to the pod once the EndpointSlice change reaches it (E).
 * - `node-health-check` (instance targets, `externalTrafficPolicy: Local`): the node only forwards to its own
 *   pods; when its last one terminates, the load balancer takes the node out after its health check fails
 *   unhealthy-threshold times (U × I), and stops routing to it some time after that.
 */
export type Exposure = 'deregistration' | 'endpoints' | 'node-health-check';

/** The drain-timing symbols of DESIGN §6 for one container behind one backend. */
export interface DrainTiming {
  /** P, or undefined when the preStop hook's duration cannot be known (or there is none: 0). */
  readonly preStopSeconds: number | undefined;
  readonly preStopFrom: Provenance | undefined;
  /** G */
  readonly graceSeconds: Resolved<number>;
  /** D */
  readonly deregistrationDelaySeconds: Resolved<number>;
  /** L: the load balancer's propagation (ALB or NLB allowance). */
  readonly propagationSeconds: Resolved<number>;
  /** S */
  readonly shutdownSeconds: Resolved<number>;
  /** R */
  readonly registrationWindowSeconds: Resolved<number>;
  /** C */
  readonly controllerLatencySeconds: Resolved<number>;
  /** E */
  readonly endpointPropagationSeconds: Resolved<number>;
  readonly targetType: 'ip' | 'instance';
  readonly exposure: Exposure;
  /**
   * W: how long after its deletion new requests can still reach the pod, so how long it must keep serving
   * (its preStop) before SIGTERM. C + L for ip targets, E for instance targets, E + U × I + the load
   * balancer's reaction for instance targets with `externalTrafficPolicy: Local`.
   */
  readonly exposureSeconds: Resolved<number>;
}

/** P, G, D, L, S, R and W for a container of a workload behind a backend. */
export function drainTimingOf(
  facts: WorkloadFacts,
  backend: BackendFacts,
  container: ContainerFacts,
  allowances: Allowances,
): DrainTiming {
  const preStop = container.preStop;
  const preStopPath = [...container.path, 'lifecycle', 'preStop'];
  const propagation =
    backend.loadBalancer === 'nlb' ? allowances.nlbPropagationSeconds : allowances.propagationSeconds;
  const exposure = exposureOf(backend);
  return {
    preStopSeconds: preStop.kind === 'sleep' ? preStop.seconds : preStop.kind === 'none' ? 0 : undefined,
    preStopFrom:
      preStop.kind === 'none'
        ? undefined
        : podTemplateOwner(facts.workload).reader.field(
            preStopPath,
            `container ${container.name} lifecycle.preStop`,
          ),
    graceSeconds: facts.workload.terminationGracePeriodSeconds,
    deregistrationDelaySeconds: backend.settings.deregistrationDelaySeconds,
    propagationSeconds: propagation,
    shutdownSeconds: facts.shutdownSeconds,
    registrationWindowSeconds: registrationWindow(backend.settings, allowances),
    controllerLatencySeconds: allowances.controllerLatencySeconds,
    endpointPropagationSeconds: allowances.endpointPropagationSeconds,
    targetType: backend.settings.targetType.value,
    exposure,
    exposureSeconds: exposureSeconds(exposure, backend, allowances),
  };
}

/** How new requests reach a pod of a backend, which decides what its preStop must outlive. */
export function exposureOf(backend: BackendFacts): Exposure {
  if (backend.settings.targetType.value === 'ip') return 'deregistration';
  return backend.service.externalTrafficPolicy === 'Local' ? 'node-health-check' : 'endpoints';
}

/** What W depends on, as plain numbers: the rules pass a backend's resolved settings, the simulator its scenario. */
export interface ExposureInputs {
  readonly loadBalancer: 'alb' | 'nlb';
  readonly controllerLatencySeconds: number;
  /** L of this load balancer (the ALB allowance, or the NLB one). */
  readonly propagationSeconds: number;
  readonly endpointPropagationSeconds: number;
  readonly unhealthyThresholdCount: number;
  readonly healthCheckIntervalSeconds: number;
}

/**
 * W: how long after a pod's deletion new requests can still reach it, and the sum it is made of in words.
 * The one formula both the rules (DG001, DG002) and the simulator's causes use.
 */
export function exposureWindow(
  exposure: Exposure,
  inputs: ExposureInputs,
): { readonly seconds: number; readonly formula: string } {
  const { seconds, formula } = exposureTerms(exposure, inputs);
  return { seconds, formula: formula() };
}

/** `exposureWindow` with the sentence left to write: `formula()` builds it. */
function exposureTerms(
  exposure: Exposure,
  inputs: ExposureInputs,
): { readonly seconds: number; readonly formula: () => string } {
  const lb = (): string => inputs.loadBalancer.toUpperCase();
  const e = inputs.endpointPropagationSeconds;
  switch (exposure) {
    case 'deregistration':
      return {
        seconds: inputs.controllerLatencySeconds + inputs.propagationSeconds,
        formula: () =>
          `controller latency ${inputs.controllerLatencySeconds} s + ${lb()} propagation ${inputs.propagationSeconds} s`,
      };
    case 'endpoints':
      return {
        seconds: e,
        formula: () => `endpoint propagation ${e} s (instance targets: the node stays registered)`,
      };
    case 'node-health-check': {
      const u = inputs.unhealthyThresholdCount;
      const i = inputs.healthCheckIntervalSeconds;
      const reaction =
        inputs.loadBalancer === 'nlb' ? NLB_UNHEALTHY_PROPAGATION_SECONDS : inputs.propagationSeconds;
      return {
        seconds: e + u * i + reaction,
        formula: () =>
          `endpoint propagation ${e} s + unhealthy threshold ${u} × interval ${i} s + ${lb()} reaction ${reaction} s (externalTrafficPolicy Local: until the node is out of rotation)`,
      };
    }
  }
}

/** W for a backend (see `DrainTiming.exposureSeconds`), with its formula as provenance. */
export function exposureSeconds(
  exposure: Exposure,
  backend: Pick<BackendFacts, 'loadBalancer' | 'settings'>,
  allowances: Allowances,
): Resolved<number> {
  const window = exposureTerms(exposure, {
    loadBalancer: backend.loadBalancer,
    controllerLatencySeconds: allowances.controllerLatencySeconds.value,
    propagationSeconds:
      backend.loadBalancer === 'nlb'
        ? allowances.nlbPropagationSeconds.value
        : allowances.propagationSeconds.value,
    endpointPropagationSeconds: allowances.endpointPropagationSeconds.value,
    unhealthyThresholdCount: backend.settings.unhealthyThresholdCount.value,
    healthCheckIntervalSeconds: backend.settings.healthCheckIntervalSeconds.value,
  });
  return { value: window.seconds, from: new FormulaSetting(window.formula) };
}

/**
 * A 'setting' provenance whose sentence is written only when a message quotes it: most windows are compared
 * and never shown, and building the sentence for every container of 10,000 workloads shows in `validate`.
 */
class FormulaSetting {
  readonly kind = 'setting';
  readonly #formula: () => string;

  constructor(formula: () => string) {
    this.#formula = formula;
  }

  get setting(): string {
    return this.#formula();
  }
}

/** R: controller latency + health check interval × healthy threshold. */
export function registrationWindow(settings: TargetGroupSettings, allowances: Allowances): Resolved<number> {
  const interval = settings.healthCheckIntervalSeconds.value;
  const threshold = settings.healthyThresholdCount.value;
  const latency = allowances.controllerLatencySeconds.value;
  return {
    value: latency + interval * threshold,
    from: {
      kind: 'setting',
      setting: `controller latency ${latency} s + health check interval ${interval} s × healthy threshold ${threshold}`,
    },
  };
}

/** Settings that make a container's drain safe, derived from its current timing. */
export interface RecommendedTiming {
  readonly preStopSeconds: number;
  readonly graceSeconds: number;
  readonly deregistrationDelaySeconds: number;
}

/** Seconds `recommendDrainTiming` adds to the preStop of instance targets over E, and to G over P + S. */
export const RECOMMENDATION_MARGIN_SECONDS = 5;

/**
 * Settings that make a container's drain safe.
 * - ip targets, the conservative rule (reference 002): G > P + S and P ≥ D ≥ W, with D lowered from its 300 s
 *   default to something a pod can outlive.
 * - instance targets: P ≥ W (E, or the node's health check with `Local`); D is not the pod's concern (it
 *   applies when nodes leave the target group), so it is left as it is.
 */
export function recommendDrainTiming(timing: DrainTiming): RecommendedTiming {
  const exposure = timing.exposureSeconds.value;
  const grace = (preStop: number): number =>
    Math.ceil(
      Math.max(
        timing.graceSeconds.value,
        preStop + timing.shutdownSeconds.value + RECOMMENDATION_MARGIN_SECONDS,
      ),
    );
  if (timing.exposure !== 'deregistration') {
    const preStop = Math.ceil(
      Math.max(
        timing.preStopSeconds ?? 0,
        timing.exposure === 'endpoints' ? exposure + RECOMMENDATION_MARGIN_SECONDS : exposure,
      ),
    );
    return {
      preStopSeconds: preStop,
      graceSeconds: grace(preStop),
      deregistrationDelaySeconds: timing.deregistrationDelaySeconds.value,
    };
  }
  const deregistration = Math.min(timing.deregistrationDelaySeconds.value, Math.max(30, exposure + 10));
  const preStop = Math.ceil(Math.max(timing.preStopSeconds ?? 0, deregistration, exposure));
  return {
    preStopSeconds: preStop,
    graceSeconds: grace(preStop),
    deregistrationDelaySeconds: deregistration,
  };
}
