import type { BackendFacts, TargetGroupSettings, WorkloadFacts } from '../model/facts.js';
import type { ContainerFacts } from '../model/objects.js';
import { podTemplateOwner } from '../model/objects.js';
import type { Provenance, Resolved } from '../model/provenance.js';
import { ALLOWANCE_DEFAULTS, NLB_PROPAGATION_SECONDS } from './defaults.js';

/**
 * The durations draingate assumes because no object states them: L (propagation), the controller's
 * latency and the default S (shutdown). Configurable by flag, by `.draingate.yaml`, and S per workload.
 */
export interface Allowances {
  readonly propagationSeconds: Resolved<number>;
  readonly nlbPropagationSeconds: Resolved<number>;
  readonly controllerLatencySeconds: Resolved<number>;
  readonly shutdownSeconds: Resolved<number>;
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
  };
}

/** The drain-timing symbols of DESIGN §6 for one container behind one backend. */
export interface DrainTiming {
  /** P, or undefined when the preStop hook's duration cannot be known (or there is none: 0). */
  readonly preStopSeconds: number | undefined;
  readonly preStopFrom: Provenance | undefined;
  /** G */
  readonly graceSeconds: Resolved<number>;
  /** D */
  readonly deregistrationDelaySeconds: Resolved<number>;
  /** L */
  readonly propagationSeconds: Resolved<number>;
  /** S */
  readonly shutdownSeconds: Resolved<number>;
  /** R */
  readonly registrationWindowSeconds: Resolved<number>;
}

/** P, G, D, L, S and R for a container of a workload behind a backend. */
export function drainTimingOf(
  facts: WorkloadFacts,
  backend: BackendFacts,
  container: ContainerFacts,
  allowances: Allowances,
): DrainTiming {
  const preStop = container.preStop;
  const preStopPath = [...container.path, 'lifecycle', 'preStop'];
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
    propagationSeconds:
      backend.loadBalancer === 'nlb' ? allowances.nlbPropagationSeconds : allowances.propagationSeconds,
    shutdownSeconds: facts.shutdownSeconds,
    registrationWindowSeconds: registrationWindow(backend.settings, allowances),
  };
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

/**
 * The conservative rule (reference 002): G > P + S and P ≥ D ≥ … with D lowered from its 300 s default to
 * something a pod can outlive, and P ≥ L so routing has stopped before SIGTERM.
 */
export function recommendDrainTiming(timing: DrainTiming): RecommendedTiming {
  const propagation = timing.propagationSeconds.value;
  const deregistration = Math.min(timing.deregistrationDelaySeconds.value, Math.max(30, propagation + 15));
  const preStop = Math.max(timing.preStopSeconds ?? 0, deregistration, propagation);
  const grace = Math.max(timing.graceSeconds.value, preStop + timing.shutdownSeconds.value + 5);
  return {
    preStopSeconds: Math.ceil(preStop),
    graceSeconds: Math.ceil(grace),
    deregistrationDelaySeconds: deregistration,
  };
}
