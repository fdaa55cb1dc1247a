import type { CanaryThresholds } from '../checks/canary.js';
import type { Elb5xxThresholds } from '../checks/elb-5xx.js';
import type { LatencyThresholds } from '../checks/latency.js';
import type { TargetHealthThresholds } from '../checks/target-health.js';
import type { Clock } from '../ports/clock.js';
import type {
  ClusterReader,
  Preconditions,
  RolloutActuator,
  RolloutStatus,
  WorkloadRef,
} from '../ports/cluster.js';
import type { TargetHealthSource } from '../ports/elb.js';
import type { MetricsSource } from '../ports/metrics.js';
import type { Phase, Verdict } from '../ports/verdict.js';

/** What the gate does when the rollout fails: undo it (Deployment) / abort and undo it (Rollout), abort, or nothing. */
export type OnFailure = 'rollback' | 'abort' | 'none';

/** The ports the gate reads and acts through. */
export interface GatePorts {
  readonly clock: Clock;
  readonly cluster: ClusterReader;
  readonly targetHealth: TargetHealthSource;
  readonly metrics: MetricsSource;
  /** Needed only when `onFailure` is not `none`. */
  readonly actuator?: RolloutActuator;
}

/**
 * A canary target group compared with the stable one on the gate's load balancer, over every minute since the
 * gate started: both tests are anytime-valid, so reading them at every metrics interval keeps their false-alarm
 * rate at alpha.
 */
export interface GateCanaryOptions {
  readonly canaryTargetGroupArn: string;
  readonly stableTargetGroupArn: string;
  /** The canary's 5xx rate against the stable one's, with the sequential test; false leaves it out. */
  readonly errors?: Omit<CanaryThresholds, 'method'> | false;
  /** The canary's TargetResponseTime percentile against the stable one's; false leaves it out. */
  readonly latency?: LatencyThresholds | false;
}

/** What to watch and how to judge it. Durations in seconds. */
export interface GateOptions {
  readonly workload: WorkloadRef;
  /** Target groups whose health is polled; none means target health is not judged. */
  readonly targetGroupArns?: readonly string[];
  /** The ALB whose 5xx CloudWatch counts; absent means 5xx are not judged. */
  readonly loadBalancerArn?: string;
  /** Labels of the workload's pods, to cross-reference targets with pods (draining targets whose pod is gone). */
  readonly podSelector?: Readonly<Record<string, string>>;
  /** Give up (Failed) when the rollout has not completed and settled by then. Default 600. */
  readonly timeoutSeconds?: number;
  /** How often rollout status and target health are read. Default 5. */
  readonly pollIntervalSeconds?: number;
  /** How often CloudWatch is read: its metrics have a 60 s resolution. Default 60. */
  readonly metricsIntervalSeconds?: number;
  /** Keep watching this long after the rollout completes (old targets drain after it). Default 60. */
  readonly settleSeconds?: number;
  /**
   * Consecutive failed target-health polls that fail the gate. Default 2: one poll can catch a target between
   * two states; the second confirms, so a lasting failure is decided within two poll intervals.
   */
  readonly failAfterPolls?: number;
  /** Consecutive polls that could not read (API errors) before the gate gives up with phase Error. Default 4. */
  readonly errorLimit?: number;
  readonly targetHealth?: TargetHealthThresholds;
  readonly elb5xx?: Elb5xxThresholds;
  /** Compare a canary target group with the stable one (needs `loadBalancerArn`). */
  readonly canary?: GateCanaryOptions;
  readonly onFailure?: OnFailure;
  /** Ask the actuator for a dry run: validated by the API server, nothing changed. */
  readonly dryRun?: boolean;
}

/** One poll's numbers, for charts and the summary table. */
export interface GateTimelinePoint {
  readonly at: string;
  readonly elapsedSeconds: number;
  readonly replicas: number;
  readonly updatedReplicas: number;
  readonly availableReplicas: number;
  readonly oldReplicas: number;
  /** Rollout phase as the adapter reports it (Progressing, Complete, Healthy, Degraded…). */
  readonly rolloutPhase: string;
  /** Healthy targets over every polled target group; undefined when none is polled or the read failed. */
  readonly healthyTargets?: number;
  readonly targets?: number;
  readonly drainingTargets?: number;
  /** ELB + target 5xx since the minute the gate started, as last read from CloudWatch. */
  readonly errors5xx?: number;
  readonly requests?: number;
  readonly errorRate?: number;
}

/** Why the gate did what it did, with numbers: every decision is one of these. */
export interface GateDecision {
  readonly at: string;
  readonly elapsedSeconds: number;
  readonly kind:
    | 'rollout-observed'
    | 'rollout-complete'
    | 'rollout-failed'
    | 'rollout-changed'
    | 'target-health-failing'
    | 'target-health-failed'
    | 'target-health-recovered'
    | 'elb-5xx-failed'
    | 'canary-failed'
    | 'latency-failed'
    | 'read-error'
    | 'timeout'
    | 'settled'
    | 'stopped';
  readonly message: string;
}

/** What the gate did (or would have done) about a failed rollout. */
export interface GateAction {
  readonly kind: 'rollback' | 'abort';
  readonly undo: boolean;
  readonly dryRun: boolean;
  readonly preconditions: Preconditions;
  /** performed; dry-run (accepted, nothing changed); refused (the object changed under the gate); failed. */
  readonly status: 'performed' | 'dry-run' | 'refused' | 'failed';
  readonly description: string;
  readonly toRevision?: string;
}

/** What the gate watched, as first seen. */
export interface WatchedRevision {
  readonly resourceVersion: string;
  readonly generation: number;
  /** The revision being rolled out, once the controller observed the spec; '' before. */
  readonly revision: string;
}

/** The gate's verdict and everything that explains it. */
export interface GateResult {
  readonly workload: WorkloadRef;
  /** Successful: completed and settled without harm. Failed: rollout failed, harm seen, or timeout. */
  readonly phase: Phase;
  readonly pass: boolean;
  /** One or two sentences with the numbers. */
  readonly reason: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly elapsedSeconds: number;
  readonly watched: WatchedRevision;
  readonly lastStatus?: RolloutStatus;
  readonly targetHealth: readonly Verdict[];
  readonly elb5xx?: Verdict;
  /** The sequential canary test of the canary's 5xx, as last read (with `canary`). */
  readonly canary?: Verdict;
  /** The latency comparison, as last read (with `canary`). */
  readonly latency?: Verdict;
  /** Totals for outputs: 5xx counted, their rate, healthy targets at the end. */
  readonly errors5xx: number;
  readonly errorRate: number;
  readonly healthyTargets: number;
  readonly decisions: readonly GateDecision[];
  readonly timeline: readonly GateTimelinePoint[];
  readonly action?: GateAction;
  readonly options: Required<
    Pick<
      GateOptions,
      | 'timeoutSeconds'
      | 'pollIntervalSeconds'
      | 'metricsIntervalSeconds'
      | 'settleSeconds'
      | 'failAfterPolls'
      | 'errorLimit'
      | 'onFailure'
      | 'dryRun'
    >
  >;
}

/** Progress as it happens, for a progress line, log lines or a live summary. */
export type GateEvent =
  | { readonly type: 'started'; readonly workload: WorkloadRef; readonly at: string }
  | { readonly type: 'poll'; readonly point: GateTimelinePoint; readonly status?: RolloutStatus }
  | { readonly type: 'decision'; readonly decision: GateDecision }
  | { readonly type: 'action'; readonly action: GateAction }
  | { readonly type: 'finished'; readonly result: GateResult };
