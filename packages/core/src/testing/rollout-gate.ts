import type { GateEvent, GateOptions, GateResult } from '../rollout-gate/types.js';
import { watchRollout } from '../rollout-gate/watch.js';
import type {
  ActionResult,
  PodInfo,
  Preconditions,
  RolloutActuator,
  RolloutStatus,
  WorkloadRef,
} from '../ports/cluster.js';
import type { TargetHealth } from '../ports/elb.js';
import { UpstreamError } from '../ports/errors.js';
import { ARNS } from './checks.js';
import { InMemoryCluster, InMemoryMetrics, InMemoryTargetHealth, ManualClock } from './memory-ports.js';

/** An actuator that records its calls and, like the real one, refuses when the preconditions no longer hold. */
export class RecordingActuator implements RolloutActuator {
  readonly calls: {
    action: 'rollback' | 'abort';
    workload: WorkloadRef;
    preconditions: Preconditions;
    dryRun: boolean;
    undo?: boolean;
  }[] = [];
  /** The workload's identity now; a precondition that differs makes the call a conflict. */
  live: { generation: number; revision: string } = { generation: 2, revision: '2' };
  toRevision = '1';

  async rollback(
    workload: WorkloadRef,
    preconditions: Preconditions,
    options: { dryRun: boolean },
  ): Promise<ActionResult> {
    this.calls.push({ action: 'rollback', workload, preconditions, dryRun: options.dryRun });
    this.check(workload, preconditions, 'rollback');
    return {
      workload,
      action: 'rollback',
      dryRun: options.dryRun,
      description: `${options.dryRun ? 'would roll back' : 'rolled back'} ${workload.kind} ${workload.namespace}/${workload.name} from revision ${this.live.revision} to revision ${this.toRevision}`,
      toRevision: this.toRevision,
    };
  }

  async abort(
    workload: WorkloadRef,
    preconditions: Preconditions,
    options: { dryRun: boolean; undo?: boolean },
  ): Promise<ActionResult> {
    this.calls.push({
      action: 'abort',
      workload,
      preconditions,
      dryRun: options.dryRun,
      ...(options.undo !== undefined ? { undo: options.undo } : {}),
    });
    this.check(workload, preconditions, 'abort');
    return {
      workload,
      action: 'abort',
      dryRun: options.dryRun,
      description: `${options.dryRun ? 'would abort' : 'aborted'} Rollout ${workload.namespace}/${workload.name}`,
    };
  }

  private check(workload: WorkloadRef, preconditions: Preconditions, operation: string): void {
    const changes: string[] = [];
    if (preconditions.generation !== undefined && preconditions.generation !== this.live.generation)
      changes.push(`generation ${preconditions.generation} → ${this.live.generation}`);
    if (preconditions.revision !== undefined && preconditions.revision !== this.live.revision)
      changes.push(`revision ${preconditions.revision} → ${this.live.revision}`);
    if (changes.length > 0) {
      throw new UpstreamError(
        'kubernetes',
        operation,
        'conflict',
        `${workload.kind} ${workload.namespace}/${workload.name} changed since it was watched (${changes.join(', ')}); refusing to ${operation}, nothing was changed`,
      );
    }
  }
}

/** The Deployment the gate tests watch. */
export const WEB: WorkloadRef = { kind: 'Deployment', namespace: 'shop', name: 'web' };

/** A rollout status: a complete Deployment of 3 at generation 2, revision 2, unless overridden. */
export function aStatus(overrides: Partial<RolloutStatus> = {}): RolloutStatus {
  return {
    workload: WEB,
    generation: 2,
    observedGeneration: 2,
    resourceVersion: '100',
    replicas: 3,
    updatedReplicas: 3,
    availableReplicas: 3,
    readyReplicas: 3,
    oldReplicas: 0,
    revision: '2',
    phase: 'Complete',
    progressDeadlineExceeded: false,
    ...overrides,
  };
}

/** Everything a gate test needs: in-memory ports on a manual clock, and a driver that moves time. */
export class GateScenario {
  readonly clock = new ManualClock('2026-01-01T12:00:00Z');
  readonly cluster = new InMemoryCluster();
  readonly targetHealth = new InMemoryTargetHealth();
  readonly metrics = new InMemoryMetrics();
  readonly actuator = new RecordingActuator();
  readonly events: GateEvent[] = [];
  readonly startMs = this.clock.now().getTime();

  /** Sets the rollout status. */
  status(overrides: Partial<RolloutStatus> = {}): this {
    this.cluster.setRolloutStatus(aStatus(overrides));
    return this;
  }

  /** Sets the targets of the stable target group. */
  targets(targets: readonly TargetHealth[], arn: string = ARNS.stable): this {
    this.targetHealth.set(arn, targets);
    return this;
  }

  pods(pods: readonly PodInfo[]): this {
    this.cluster.setPods(pods);
    return this;
  }

  /** Seconds since the scenario started. */
  get elapsed(): number {
    return (this.clock.now().getTime() - this.startMs) / 1000;
  }

  /**
   * Runs the gate, moving the clock one `stepMs` at a time whenever the gate sleeps, and calling `script` with
   * the elapsed seconds before each step's reads, so a test changes the world at given times.
   */
  async run(
    options: Partial<GateOptions> = {},
    script: (elapsedSeconds: number) => void = () => {},
    stepMs = 1000,
  ): Promise<GateResult> {
    script(0);
    let done = false;
    const gate = watchRollout(
      {
        clock: this.clock,
        cluster: this.cluster,
        targetHealth: this.targetHealth,
        metrics: this.metrics,
        actuator: this.actuator,
      },
      {
        workload: WEB,
        targetGroupArns: [ARNS.stable],
        loadBalancerArn: ARNS.loadBalancer,
        podSelector: { app: 'web' },
        pollIntervalSeconds: 5,
        settleSeconds: 30,
        timeoutSeconds: 300,
        ...options,
      },
      { onEvent: (event) => this.events.push(event) },
    );
    void gate.then(
      () => (done = true),
      () => (done = true),
    );
    for (let guard = 0; guard < 100_000; guard += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      if (done) return gate;
      if (this.clock.pendingSleeps === 0) continue;
      this.clock.advance(stepMs);
      script(this.elapsed);
    }
    throw new Error('the gate did not finish');
  }
}
