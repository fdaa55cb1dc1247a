import type { LatencySummary } from './histogram.js';
import type { SimulationScenario } from './scenario.js';

/** The HTTP statuses a simulated client can see. */
export type SimulatedStatus = 200 | 502 | 503 | 504;

/** Why a request failed. Each reason maps to exactly one status (`STATUS_OF_REASON`). */
export type FailureReason =
  /** 502: the pod no longer accepted connections (listener closed, or process gone while its IP still answered). */
  | 'refused'
  /** 502: the pod exited or was killed while the request was in flight. */
  | 'reset'
  /** 502: the deregistration delay ran out while the request was in flight, so the ALB cut it. */
  | 'drain-expired'
  /** 502: the ALB reused a kept-alive connection the backend was closing (keep-alive < idle timeout). */
  | 'keep-alive'
  /** 503: no target registered in the target group. */
  | 'no-target'
  /** 503: targets registered, none healthy (new targets still `initial`). */
  | 'no-healthy-target'
  /** 504: the pod's IP was gone, packets were dropped until the ALB's connect timeout. */
  | 'unreachable'
  /** 504: the request outlasted the ALB idle timeout. */
  | 'idle-timeout';

/** The status each failure reason produces. */
export const STATUS_OF_REASON: Readonly<Record<FailureReason, Exclude<SimulatedStatus, 200>>> = {
  refused: 502,
  reset: 502,
  'drain-expired': 502,
  'keep-alive': 502,
  'no-target': 503,
  'no-healthy-target': 503,
  unreachable: 504,
  'idle-timeout': 504,
};

/** Every failure reason, in report order. */
export const FAILURE_REASONS = Object.keys(STATUS_OF_REASON) as readonly FailureReason[];

/** One second of the timeline: targets (ip) or endpoints (instance) by state, and requests by outcome. */
export interface TimelinePoint {
  readonly second: number;
  readonly initial: number;
  readonly healthy: number;
  readonly unhealthy: number;
  /** Draining and the pod still running. */
  readonly draining: number;
  /** Draining but the pod has exited: the state behind reference 002's 504s. */
  readonly drainingPodGone: number;
  /** Requests that started in this second, by outcome. */
  readonly ok: number;
  readonly status502: number;
  readonly status503: number;
  readonly status504: number;
}

/** Something that happened to the rollout, to annotate the timeline. */
export interface TimelineMarker {
  readonly second: number;
  readonly label: string;
}

/** The failure reason behind most failures, as a sentence with the numbers that explain it. */
export interface DominantCause {
  readonly reason: FailureReason;
  readonly status: Exclude<SimulatedStatus, 200>;
  readonly count: number;
  /** "42 × 502: pods stopped accepting connections while their targets were still receiving traffic; preStop 0 s < …" */
  readonly sentence: string;
}

/** What a load tester would have seen during one simulated rollout. */
export interface SimulationResult {
  readonly scenario: SimulationScenario;
  readonly requests: number;
  readonly byStatus: Readonly<Record<SimulatedStatus, number>>;
  readonly byReason: Readonly<Record<FailureReason, number>>;
  /** Requests that did not get a 200. */
  readonly failures: number;
  /** 200s over all requests; 1 when there were no requests. */
  readonly successRatio: number;
  readonly latency: LatencySummary;
  /** How long traffic ran. */
  readonly trafficSeconds: number;
  /** When the rollout started and completed (null when it had not by the end of traffic). */
  readonly rolloutStartSecond: number;
  readonly rolloutCompleteSecond: number | null;
  readonly timeline: readonly TimelinePoint[];
  readonly markers: readonly TimelineMarker[];
  readonly cause: DominantCause | null;
  /** Discrete events processed: requests, completions, pod and target transitions, health checks. */
  readonly events: number;
}
