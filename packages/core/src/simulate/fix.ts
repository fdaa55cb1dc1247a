import { SIMULATION_DEFAULTS } from '../timing/defaults.js';
import { formatSeconds } from './cause.js';
import type { SimulatedStrategy, SimulationScenario } from './scenario.js';

/** One setting `proposeFix` changed, with the reason in a sentence. */
export interface ScenarioChange {
  /** The scenario field, e.g. `preStopSeconds` or `strategy.maxUnavailable`. */
  readonly field: string;
  readonly from: string;
  readonly to: string;
  readonly why: string;
}

/** A remediated scenario and what was changed to get it. */
export interface ProposedFix {
  readonly scenario: SimulationScenario;
  readonly changes: readonly ScenarioChange[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The smallest set of changes that makes the rollout lose no request: ip targets with a readiness gate, a
 * preStop that outlasts deregistration and the longest request, a grace period beyond preStop and shutdown, a
 * deregistration delay the pod can outlive, capacity that never drops to zero, keep-alive above the idle timeout.
 * Settings that are already safe are left alone. The fixed scenario simulates to zero failures (a property test).
 */
export function proposeFix(scenario: SimulationScenario): ProposedFix {
  const fixed: Mutable<SimulationScenario> = { ...scenario };
  const changes: ScenarioChange[] = [];
  const change = (field: string, from: string, to: string, why: string): void => {
    changes.push({ field, from, to, why });
  };
  const margin = SIMULATION_DEFAULTS.fixMarginSeconds;

  if (fixed.targetType !== 'ip') {
    fixed.targetType = 'ip';
    change('targetType', 'instance', 'ip', 'ip targets skip the NodePort hop and allow a readiness gate');
  }
  if (!fixed.readinessGate) {
    fixed.readinessGate = true;
    change(
      'readinessGate',
      'off',
      'on',
      'a pod counts as ready only once its target is healthy, so old pods stay until new targets take traffic',
    );
  }

  // Requests keep arriving until the deregistration has propagated, and the last of them may run requestMax.
  const routedFor = fixed.controllerLatencySeconds + fixed.propagationSeconds;
  const preStop = Math.ceil(routedFor + Math.max(margin, fixed.requestMaxSeconds));
  if (fixed.preStopSeconds < preStop) {
    change(
      'preStopSeconds',
      formatSeconds(fixed.preStopSeconds),
      formatSeconds(preStop),
      `the target is routed to for controller latency + propagation (${formatSeconds(routedFor)}), then its last requests may run up to ${formatSeconds(fixed.requestMaxSeconds)}`,
    );
    fixed.preStopSeconds = preStop;
  }

  const grace = Math.ceil(fixed.preStopSeconds + fixed.shutdownSeconds + margin);
  if (fixed.terminationGracePeriodSeconds < grace) {
    change(
      'terminationGracePeriodSeconds',
      formatSeconds(fixed.terminationGracePeriodSeconds),
      formatSeconds(grace),
      `preStop counts against the grace period: it must cover preStop + shutdown (${formatSeconds(fixed.shutdownSeconds)}) + ${formatSeconds(margin)}`,
    );
    fixed.terminationGracePeriodSeconds = grace;
  }

  const drainNeeded = fixed.propagationSeconds + Math.max(margin, fixed.requestMaxSeconds);
  if (
    fixed.deregistrationDelaySeconds > fixed.preStopSeconds ||
    fixed.deregistrationDelaySeconds < drainNeeded
  ) {
    change(
      'deregistrationDelaySeconds',
      formatSeconds(fixed.deregistrationDelaySeconds),
      formatSeconds(fixed.preStopSeconds),
      'grace > preStop ≥ deregistration delay: the pod outlives its draining target (reference 002)',
    );
    fixed.deregistrationDelaySeconds = fixed.preStopSeconds;
  }

  fixed.strategy = fixCapacity(fixed, fixed.strategy, change);

  if (fixed.keepAliveTimeoutSeconds !== null && fixed.keepAliveTimeoutSeconds <= fixed.idleTimeoutSeconds) {
    const keepAlive = fixed.idleTimeoutSeconds + margin;
    change(
      'keepAliveTimeoutSeconds',
      formatSeconds(fixed.keepAliveTimeoutSeconds),
      formatSeconds(keepAlive),
      `the backend must keep idle connections open longer than the ALB (${formatSeconds(fixed.idleTimeoutSeconds)})`,
    );
    fixed.keepAliveTimeoutSeconds = keepAlive;
  }
  if (fixed.requestMaxSeconds >= fixed.idleTimeoutSeconds) {
    const idle = Math.ceil(fixed.requestMaxSeconds + margin);
    change(
      'idleTimeoutSeconds',
      formatSeconds(fixed.idleTimeoutSeconds),
      formatSeconds(idle),
      `the longest requests (${formatSeconds(fixed.requestMaxSeconds)}) must finish within the idle timeout`,
    );
    if (fixed.keepAliveTimeoutSeconds !== null && fixed.keepAliveTimeoutSeconds <= idle) {
      fixed.keepAliveTimeoutSeconds = idle + margin;
    }
    fixed.idleTimeoutSeconds = idle;
  }
  return { scenario: fixed, changes };
}

function fixCapacity(
  scenario: SimulationScenario,
  strategy: SimulatedStrategy,
  change: (field: string, from: string, to: string, why: string) => void,
): SimulatedStrategy {
  if (strategy.kind !== 'rolling') return strategy;
  let { maxSurge, maxUnavailable } = strategy;
  if (scenario.replicas - maxUnavailable < 1) {
    const to = scenario.replicas - 1;
    change(
      'strategy.maxUnavailable',
      String(maxUnavailable),
      String(to),
      'at least one pod must stay available, or the target group is left with no healthy target',
    );
    maxUnavailable = to;
  }
  if (maxSurge === 0 && maxUnavailable === 0) {
    change('strategy.maxSurge', '0', '1', 'with no pod allowed unavailable, the rollout needs one extra pod');
    maxSurge = 1;
  }
  return { kind: 'rolling', maxSurge, maxUnavailable };
}
