import { FAILURE_REASONS, STATUS_OF_REASON } from './result.js';
import type { DominantCause, FailureReason } from './result.js';
import type { SimulationScenario } from './scenario.js';
import { scenarioExposure } from './scenario.js';

/** Formats seconds without trailing zeros: 15, 2.5. */
export function formatSeconds(seconds: number): string {
  return `${Number(seconds.toFixed(2))} s`;
}

const WHAT: Readonly<Record<FailureReason, string>> = {
  refused: 'pods stopped accepting connections while their targets were still receiving traffic',
  unreachable: 'pods had exited (IP gone, packets dropped) while their targets were still receiving traffic',
  reset: 'pods exited with requests in flight',
  'drain-expired': 'the deregistration delay ended with requests in flight',
  'keep-alive': 'the ALB reused kept-alive connections the backend was closing',
  'no-target': 'the target group had no registered target',
  'no-healthy-target':
    'no target was healthy: the new targets were still initial when the old ones stopped taking traffic',
  'idle-timeout': 'requests outlasted the ALB idle timeout',
};

function whyUnreachable(s: SimulationScenario): string {
  const p = s.preStopSeconds;
  const { seconds: window, formula } = scenarioExposure(s);
  if (p < window) return `preStop ${formatSeconds(p)} < ${formula} = ${formatSeconds(window)}`;
  if (s.strategy.kind === 'canary' && s.strategy.scaleDownDelaySeconds + p < window) {
    return `scaleDownDelaySeconds ${formatSeconds(s.strategy.scaleDownDelaySeconds)} + preStop ${formatSeconds(p)} < ${formula} = ${formatSeconds(window)}`;
  }
  return `preStop ${formatSeconds(p)}, grace ${formatSeconds(s.terminationGracePeriodSeconds)}`;
}

function whyReset(s: SimulationScenario): string {
  const p = s.preStopSeconds;
  const g = s.terminationGracePeriodSeconds;
  if (p + s.shutdownSeconds > g) {
    return `grace ${formatSeconds(g)} < preStop ${formatSeconds(p)} + shutdown ${formatSeconds(s.shutdownSeconds)}`;
  }
  if (s.shutdownBehaviour === 'exit')
    return 'the app exits at once on SIGTERM, before its last requests are done';
  return `shutdown ${formatSeconds(s.shutdownSeconds)} is shorter than the longest requests (up to ${formatSeconds(s.requestMaxSeconds)})`;
}

/**
 * Requests are in flight when the deregistration delay ends for one of two reasons: some last longer than
 * the delay, or the load balancer still sends new ones to the target when it ends (its delay is shorter
 * than the time the load balancer takes to stop routing there, an NLB's propagation above all).
 */
function whyDrainExpired(s: SimulationScenario): string {
  const delay = s.deregistrationDelaySeconds;
  if (delay < s.requestMaxSeconds)
    return `deregistration delay ${formatSeconds(delay)} < the longest requests (${formatSeconds(s.requestMaxSeconds)})`;
  const { seconds: window, formula } = scenarioExposure(s);
  if (delay < window)
    return `deregistration delay ${formatSeconds(delay)} < ${formula} = ${formatSeconds(window)}: the load balancer still sent new requests to the target when its delay ended`;
  return `requests up to ${formatSeconds(s.requestMaxSeconds)} were still in flight when the deregistration delay (${formatSeconds(delay)}) ended`;
}

function whyNoHealthy(s: SimulationScenario): string {
  const checks = `${s.healthyThresholdCount} × ${formatSeconds(s.healthCheckIntervalSeconds)} health checks`;
  if (!s.readinessGate)
    return `no readiness gate: pods counted as ready before their targets passed ${checks}`;
  return `minimum available pods too low for ${checks}`;
}

const WHY: Readonly<Record<FailureReason, (s: SimulationScenario) => string>> = {
  refused: whyUnreachable,
  unreachable: whyUnreachable,
  reset: whyReset,
  'drain-expired': whyDrainExpired,
  'keep-alive': (s) =>
    `backend keep-alive ${formatSeconds(s.keepAliveTimeoutSeconds ?? 0)} < ALB idle timeout ${formatSeconds(s.idleTimeoutSeconds)}`,
  'no-target': () => 'every old target was deregistered before a new one was registered',
  'no-healthy-target': whyNoHealthy,
  'idle-timeout': (s) =>
    `requests up to ${formatSeconds(s.requestMaxSeconds)} ≥ idle timeout ${formatSeconds(s.idleTimeoutSeconds)}`,
};

/**
 * The reason behind most failures as one sentence with the numbers that explain it, e.g. "42 × 502: pods stopped
 * accepting connections while their targets were still receiving traffic; preStop 0 s < controller latency 5 s +
 * propagation 15 s". Null when nothing failed.
 */
export function describeDominantCause(
  scenario: SimulationScenario,
  byReason: Readonly<Record<FailureReason, number>>,
): DominantCause | null {
  let best: FailureReason | null = null;
  for (const reason of FAILURE_REASONS) {
    if (byReason[reason] > 0 && (best === null || byReason[reason] > byReason[best])) best = reason;
  }
  if (best === null) return null;
  const count = byReason[best];
  const status = STATUS_OF_REASON[best];
  return {
    reason: best,
    status,
    count,
    sentence: `${count} × ${status}: ${WHAT[best]}; ${WHY[best](scenario)}`,
  };
}
