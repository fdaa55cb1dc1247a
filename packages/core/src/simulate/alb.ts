/** The state of one target as DescribeTargetHealth would report it (`unused` targets are simply gone). */
export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

/** A pod as the ALB and the network see it. */
export interface PodView {
  /** Accepts new connections. */
  listening: boolean;
  /** The process has exited (or was killed); in-flight requests were cut at `cutAt`. */
  exited: boolean;
  /** The pod's IP no longer answers: packets are dropped. */
  ipGone: boolean;
}

/** One registered target of one target group. */
export interface Target<P extends PodView = PodView> {
  readonly pod: P;
  readonly group: TargetGroup<P>;
  state: TargetState;
  consecutiveOk: number;
  consecutiveFail: number;
  /** Until when the data plane still routes new requests to a draining target (deregistration + propagation). */
  routableUntil: number;
  /** When the deregistration delay ends and in-flight requests are cut. */
  drainEndsAt: number;
  /** Whether it was healthy when deregistered: only then does propagation keep routing to it. */
  healthyAtDeregistration: boolean;
  removed: boolean;
}

/** What the ALB does with a request it must route to a target group with no target to take it. */
export type NoTargetReason = 'no-target' | 'no-healthy-target';

/**
 * A target group's targets and its routing set. The routing set changes only at events, so it is rebuilt
 * lazily when marked dirty, not on every request.
 */
export class TargetGroup<P extends PodView = PodView> {
  readonly targets: Target<P>[] = [];
  private routable: Target<P>[] = [];
  private dirty = true;
  private emptyReason: NoTargetReason = 'no-target';

  constructor(readonly index: number) {}

  add(pod: P): Target<P> {
    const target: Target<P> = {
      pod,
      group: this,
      state: 'initial',
      consecutiveOk: 0,
      consecutiveFail: 0,
      routableUntil: Number.POSITIVE_INFINITY,
      drainEndsAt: Number.POSITIVE_INFINITY,
      healthyAtDeregistration: false,
      removed: false,
    };
    this.targets.push(target);
    this.dirty = true;
    return target;
  }

  remove(target: Target<P>): void {
    target.removed = true;
    const index = this.targets.indexOf(target);
    if (index >= 0) this.targets.splice(index, 1);
    this.dirty = true;
  }

  markDirty(): void {
    this.dirty = true;
  }

  /**
   * The targets a new request may go to at `now`: healthy ones, plus draining ones whose deregistration has not
   * propagated yet; failing open to every unhealthy target when none is healthy and none is still initial.
   */
  routing(now: number): readonly Target<P>[] {
    if (this.dirty) this.rebuild(now);
    return this.routable;
  }

  /** Why `routing` is empty. */
  get noTargetReason(): NoTargetReason {
    return this.emptyReason;
  }

  private rebuild(now: number): void {
    const routable: Target<P>[] = [];
    const unhealthy: Target<P>[] = [];
    let initial = 0;
    let registered = 0;
    for (const target of this.targets) {
      if (target.state === 'draining') {
        if (now < target.routableUntil && target.healthyAtDeregistration) routable.push(target);
        continue;
      }
      registered += 1;
      if (target.state === 'healthy') routable.push(target);
      else if (target.state === 'unhealthy') unhealthy.push(target);
      else initial += 1;
    }
    // ALB fail-open: a target group whose registered targets are all unhealthy routes to all of them.
    this.routable = routable.length === 0 && initial === 0 ? unhealthy : routable;
    this.emptyReason = registered === 0 ? 'no-target' : 'no-healthy-target';
    this.dirty = false;
  }

  /** Counts by state for the timeline; `podGone` splits draining targets whose pod has exited. */
  countStates(into: StateCounts): void {
    for (const target of this.targets) {
      if (target.state === 'draining') {
        if (target.pod.exited) into.drainingPodGone += 1;
        else into.draining += 1;
      } else {
        into[target.state] += 1;
      }
    }
  }
}

/** Targets (or endpoints) by state at one instant. */
export interface StateCounts {
  initial: number;
  healthy: number;
  unhealthy: number;
  draining: number;
  drainingPodGone: number;
}
