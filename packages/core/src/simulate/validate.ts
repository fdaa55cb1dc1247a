import { AWS_RANGES, SIMULATION_DEFAULTS } from '../timing/defaults.js';
import type { SimulationScenario } from './scenario.js';

/** One thing wrong with a scenario: the field (a key path) and why, in a sentence. */
export interface ScenarioError {
  readonly path: string;
  readonly message: string;
}

/** Thrown by `simulateRollout` when given a scenario `validateScenario` rejects; carries every error. */
export class InvalidScenarioError extends Error {
  override readonly name = 'InvalidScenarioError';
  constructor(readonly errors: readonly ScenarioError[]) {
    super(`invalid scenario: ${errors.map((error) => `${error.path}: ${error.message}`).join('; ')}`);
  }
}

type Check = (scenario: SimulationScenario, errors: ScenarioError[]) => void;

function finite(path: string, value: number, errors: ScenarioError[], min: number, integer = false): boolean {
  if (!Number.isFinite(value)) {
    errors.push({ path, message: `must be a finite number, got ${String(value)}` });
    return false;
  }
  if (integer && !Number.isInteger(value)) {
    errors.push({ path, message: `must be a whole number, got ${value}` });
    return false;
  }
  if (value < min) {
    errors.push({ path, message: `must be ≥ ${min}, got ${value}` });
    return false;
  }
  return true;
}

function inRange(
  path: string,
  value: number,
  range: readonly [number, number],
  errors: ScenarioError[],
): void {
  if (!finite(path, value, errors, Number.NEGATIVE_INFINITY)) return;
  if (value < range[0] || value > range[1]) {
    errors.push({ path, message: `must be within ${range[0]}–${range[1]} (AWS's range), got ${value}` });
  }
}

const checkNumbers: Check = (s, errors) => {
  finite('replicas', s.replicas, errors, 1, true);
  if (s.replicas > 1000)
    errors.push({ path: 'replicas', message: `at most 1000 pods are simulated, got ${s.replicas}` });
  finite('minReadySeconds', s.minReadySeconds, errors, 0);
  finite('startupSeconds', s.startupSeconds, errors, 0);
  finite('readinessInitialDelaySeconds', s.readinessInitialDelaySeconds, errors, 0);
  finite('readinessPeriodSeconds', s.readinessPeriodSeconds, errors, 1);
  finite('preStopSeconds', s.preStopSeconds, errors, 0);
  finite('terminationGracePeriodSeconds', s.terminationGracePeriodSeconds, errors, 0, true);
  finite('shutdownSeconds', s.shutdownSeconds, errors, 0);
  if (s.keepAliveTimeoutSeconds !== null)
    finite('keepAliveTimeoutSeconds', s.keepAliveTimeoutSeconds, errors, 0);
  finite('controllerLatencySeconds', s.controllerLatencySeconds, errors, 0);
  finite('propagationSeconds', s.propagationSeconds, errors, 0);
  finite('endpointPropagationSeconds', s.endpointPropagationSeconds, errors, 0);
  finite('warmupSeconds', s.warmupSeconds, errors, 0);
  if (s.durationSeconds !== null) finite('durationSeconds', s.durationSeconds, errors, 0);
  if (!Number.isSafeInteger(s.seed))
    errors.push({ path: 'seed', message: `must be a whole number, got ${s.seed}` });
};

const checkAlb: Check = (s, errors) => {
  inRange(
    'healthCheckIntervalSeconds',
    s.healthCheckIntervalSeconds,
    AWS_RANGES.healthCheckIntervalSeconds,
    errors,
  );
  inRange(
    'healthCheckTimeoutSeconds',
    s.healthCheckTimeoutSeconds,
    AWS_RANGES.healthCheckTimeoutSeconds,
    errors,
  );
  inRange('healthyThresholdCount', s.healthyThresholdCount, AWS_RANGES.healthyThresholdCount, errors);
  inRange('unhealthyThresholdCount', s.unhealthyThresholdCount, AWS_RANGES.unhealthyThresholdCount, errors);
  inRange(
    'deregistrationDelaySeconds',
    s.deregistrationDelaySeconds,
    AWS_RANGES.deregistrationDelaySeconds,
    errors,
  );
  inRange('idleTimeoutSeconds', s.idleTimeoutSeconds, AWS_RANGES.idleTimeoutSeconds, errors);
  // An ALB constraint: an NLB takes a timeout equal to its interval (its controller default is 10 s / 10 s).
  if (s.loadBalancer === 'alb' && s.healthCheckTimeoutSeconds >= s.healthCheckIntervalSeconds) {
    errors.push({
      path: 'healthCheckTimeoutSeconds',
      message: `must be less than the interval (${s.healthCheckIntervalSeconds} s), got ${s.healthCheckTimeoutSeconds} s`,
    });
  }
  for (const path of ['healthyThresholdCount', 'unhealthyThresholdCount'] as const) {
    if (!Number.isInteger(s[path])) errors.push({ path, message: `must be a whole number, got ${s[path]}` });
  }
  if (s.readinessGate && s.targetType !== 'ip') {
    errors.push({
      path: 'readinessGate',
      message: 'the controller injects readiness gates for ip targets only',
    });
  }
};

const checkTermination: Check = (s, errors) => {
  const p = s.preStopSeconds;
  const g = s.terminationGracePeriodSeconds;
  if (p > 0 && s.preStopAction === 'sleep' && p >= g) {
    errors.push({
      path: 'preStopSeconds',
      message: `a native preStop sleep of ${p} s must be shorter than terminationGracePeriodSeconds (${g} s): the API rejects it`,
    });
  } else if (p > 0 && g === 0) {
    errors.push({
      path: 'terminationGracePeriodSeconds',
      message: `0 kills the pod at once, so the ${p} s preStop hook could never run`,
    });
  }
};

const checkTraffic: Check = (s, errors) => {
  if (finite('rps', s.rps, errors, 0) && s.rps > SIMULATION_DEFAULTS.maxRps) {
    errors.push({
      path: 'rps',
      message: `at most ${SIMULATION_DEFAULTS.maxRps} requests/s can be simulated, got ${s.rps}`,
    });
  }
  if (finite('requestMedianMs', s.requestMedianMs, errors, 0) && s.requestMedianMs <= 0) {
    errors.push({ path: 'requestMedianMs', message: `must be greater than 0, got ${s.requestMedianMs}` });
  }
  if (finite('requestP99Ms', s.requestP99Ms, errors, 0) && s.requestP99Ms < s.requestMedianMs) {
    errors.push({
      path: 'requestP99Ms',
      message: `must be ≥ the median (${s.requestMedianMs} ms), got ${s.requestP99Ms} ms`,
    });
  }
  if (
    finite('requestMaxSeconds', s.requestMaxSeconds, errors, 0) &&
    s.requestMaxSeconds * 1000 < s.requestMedianMs
  ) {
    errors.push({
      path: 'requestMaxSeconds',
      message: `must be at least the median request (${s.requestMedianMs} ms), got ${s.requestMaxSeconds} s`,
    });
  }
};

const checkStrategy: Check = (s, errors) => {
  const strategy = s.strategy;
  if (strategy.kind === 'rolling') {
    const surgeOk = finite('strategy.maxSurge', strategy.maxSurge, errors, 0, true);
    const unavailableOk = finite('strategy.maxUnavailable', strategy.maxUnavailable, errors, 0, true);
    if (surgeOk && unavailableOk && strategy.maxSurge === 0 && strategy.maxUnavailable === 0) {
      errors.push({
        path: 'strategy',
        message: 'maxSurge and maxUnavailable cannot both be 0: the rollout could never make progress',
      });
    }
    return;
  }
  finite('strategy.scaleDownDelaySeconds', strategy.scaleDownDelaySeconds, errors, 0);
  strategy.steps.forEach((step, index) => {
    const path = `strategy.steps[${index}]`;
    if (step.kind === 'setWeight') {
      if (finite(`${path}.weight`, step.weight, errors, 0) && step.weight > 100) {
        errors.push({ path: `${path}.weight`, message: `must be within 0–100, got ${step.weight}` });
      }
    } else {
      finite(`${path}.seconds`, step.seconds, errors, 0);
    }
  });
};

const CHECKS: readonly Check[] = [checkNumbers, checkAlb, checkTermination, checkTraffic, checkStrategy];

/** Every reason the scenario cannot be simulated; empty when it can. Never throws. */
export function validateScenario(scenario: SimulationScenario): ScenarioError[] {
  const errors: ScenarioError[] = [];
  for (const check of CHECKS) check(scenario, errors);
  return errors;
}
