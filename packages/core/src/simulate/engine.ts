import { SIMULATION_DEFAULTS } from '../timing/defaults.js';
import { TargetGroup } from './alb.js';
import type { StateCounts, Target } from './alb.js';
import { describeDominantCause } from './cause.js';
import { EventQueue } from './queue.js';
import type { Timed } from './queue.js';
import type { Pod } from './pod.js';
import { createLognormal, createRandom } from './random.js';
import type { RandomFactory } from './random.js';
import type { SimulationResult, TimelineMarker, TimelinePoint } from './result.js';
import { createRolloutController } from './rollout.js';
import type { RolloutController } from './rollout.js';
import type { SimulationScenario } from './scenario.js';
import { localNodeRegistrationSeconds, scenarioExposure } from './scenario.js';
import { OutcomeStats, SUCCESS, codeOf } from './stats.js';
import { InvalidScenarioError, validateScenario } from './validate.js';

/** Options of one simulation run. */
export interface SimulateOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** Events one run may process before it stops with `SimulationBudgetError` (default 20 million). */
  readonly eventBudget?: number;
  /**
   * Makes the random streams (arrivals, routing, durations, health-check phases) from the seed; default
   * xoshiro128** (`createRandom`). Inject another generator to test the engine against known draws.
   */
  readonly random?: RandomFactory;
}

/** Thrown when a run needs more events than its budget, or a day of simulated time: an absurd scenario, not a hang. */
export class SimulationBudgetError extends Error {
  override readonly name = 'SimulationBudgetError';
  constructor(
    readonly budget: number,
    readonly simulatedSeconds: number,
    readonly limit: 'events' | 'time' = 'events',
  ) {
    super(
      limit === 'events'
        ? `simulation stopped after ${budget.toLocaleString('en-US')} events at ${simulatedSeconds.toFixed(0)} s of ` +
            'simulated time: lower the request rate or the duration, or raise the event budget'
        : `simulation stopped after ${simulatedSeconds.toFixed(0)} s of simulated time without the rollout ` +
            'settling: set a duration, or check that new pods can ever become ready',
    );
  }
}

// Simulated time never runs past a day: a rollout that has not finished by then never will.
const MAX_SIMULATED_SECONDS = 86_400;

const CODE = {
  refused: codeOf('refused'),
  reset: codeOf('reset'),
  drainExpired: codeOf('drain-expired'),
  keepAlive: codeOf('keep-alive'),
  noTarget: codeOf('no-target'),
  noHealthyTarget: codeOf('no-healthy-target'),
  unreachable: codeOf('unreachable'),
  idleTimeout: codeOf('idle-timeout'),
} as const;

const EV = {
  arrival: 0,
  complete: 1,
  listen: 2,
  probeReady: 3,
  available: 4,
  gate: 5,
  sigterm: 6,
  exit: 7,
  kill: 8,
  ipGone: 9,
  register: 10,
  deregister: 11,
  healthCheck: 12,
  healthFail: 13,
  routeExpire: 14,
  drainEnd: 15,
  sample: 16,
  rolloutStart: 17,
  wake: 18,
  kubeProxy: 19,
} as const;

interface SimEvent extends Timed {
  kind: number;
  pod: Pod | null;
  target: Target<Pod> | null;
  start: number;
  flag: number;
}

/**
 * Simulates one rollout behind an ALB and returns what a load tester would have seen. Pure: every random
 * draw comes from `seed`, and the same scenario and seed always give the same result.
 * @throws InvalidScenarioError when `validateScenario` finds errors; SimulationBudgetError past the event budget.
 */
export function simulateRollout(
  scenario: SimulationScenario,
  options: SimulateOptions = {},
): SimulationResult {
  const errors = validateScenario(scenario);
  if (errors.length > 0) throw new InvalidScenarioError(errors);
  return new Simulation(scenario, options).run();
}

class Simulation {
  private readonly s: SimulationScenario;
  private readonly budget: number;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly stats = new OutcomeStats();
  private readonly groups: TargetGroup<Pod>[];
  private readonly pods: Pod[] = [];
  private readonly arrivalRandom;
  private readonly routeRandom;
  private readonly infraRandom;
  private readonly drawDuration: () => number;
  private readonly timeline: TimelinePoint[] = [];
  private readonly markers: TimelineMarker[] = [];
  private now = 0;
  private seq = 0;
  private events = 0;
  private podIds = 0;
  private arrivals = 0;
  private stopAt: number;
  private pendingCompletions = 0;
  /** W: how long a deleted pod still gets new requests (instance targets: kube-proxy, or its node with Local). */
  private readonly exposureSeconds: number;
  private proxied: Pod[] = [];
  private proxiedDirty = true;
  private rolloutStarted = false;
  private rolloutCompleteAt: number | null = null;
  private lastOldDeletionAt = 0;
  /** Canary: fraction of requests sent to the canary target group. */
  private canaryWeight = 0;
  private readonly controller: RolloutController;

  constructor(scenario: SimulationScenario, options: SimulateOptions) {
    this.s = scenario;
    this.exposureSeconds = scenarioExposure(scenario).seconds;
    const seed = options.seed ?? scenario.seed;
    this.budget = options.eventBudget ?? SIMULATION_DEFAULTS.eventBudget;
    const random = options.random ?? createRandom;
    this.arrivalRandom = random(seed, 0);
    this.routeRandom = random(seed, 1);
    this.infraRandom = random(seed, 3);
    this.drawDuration = createLognormal(
      random(seed, 2),
      scenario.requestMedianMs / 1000,
      scenario.requestP99Ms / 1000,
      scenario.requestMaxSeconds,
    );
    this.groups =
      scenario.strategy.kind === 'canary' ? [new TargetGroup(0), new TargetGroup(1)] : [new TargetGroup(0)];
    this.stopAt = scenario.durationSeconds ?? Number.POSITIVE_INFINITY;
    this.controller = createRolloutController(scenario, {
      now: () => this.now,
      pods: () => this.pods,
      startPod: () => this.startPod(1),
      deletePod: (pod) => this.deletePod(pod),
      register: (pod, group) => this.scheduleRegister(pod, group),
      deregister: (target) => {
        this.schedule(this.now + this.s.controllerLatencySeconds, EV.deregister, target.pod, target);
      },
      wakeAfter: (seconds) => {
        this.schedule(this.now + seconds, EV.wake);
      },
      setCanaryWeight: (weight) => {
        this.canaryWeight = weight;
      },
      mark: (label) => this.mark(label),
      complete: () => this.completeRollout(),
    });
  }

  run(): SimulationResult {
    const s = this.s;
    for (let i = 0; i < s.replicas; i += 1) this.createRunningPod();
    this.schedule(0, EV.sample);
    this.schedule(s.warmupSeconds, EV.rolloutStart);
    if (s.rps > 0) this.schedule(0, EV.arrival);
    for (;;) {
      const event = this.queue.pop();
      if (event === undefined) break;
      this.now = event.time;
      if (this.now > this.stopAt && this.pendingCompletions === 0) break;
      this.events += 1;
      if (this.events > this.budget) throw new SimulationBudgetError(this.budget, this.now);
      if (this.now > MAX_SIMULATED_SECONDS) throw new SimulationBudgetError(this.budget, this.now, 'time');
      this.dispatch(event);
    }
    return this.result();
  }

  // ---------------------------------------------------------------- events

  private schedule(
    time: number,
    kind: number,
    pod: Pod | null = null,
    target: Target<Pod> | null = null,
  ): SimEvent {
    const event: SimEvent = { time, seq: this.seq++, kind, pod, target, start: 0, flag: 0 };
    this.queue.push(event);
    return event;
  }

  private dispatch(event: SimEvent): void {
    const pod = event.pod as Pod;
    const target = event.target as Target<Pod>;
    switch (event.kind) {
      case EV.arrival:
        return this.onArrival();
      case EV.complete:
        return this.onComplete(event);
      case EV.listen:
        pod.listening = !pod.terminating;
        return;
      case EV.probeReady:
        return this.onProbeReady(pod);
      case EV.available:
        if (!pod.terminating && pod.ready) {
          pod.available = true;
          this.reconcile();
        }
        return;
      case EV.gate:
        pod.gateTrue = true;
        return this.updateReady(pod);
      case EV.sigterm:
        return this.onSigterm(pod);
      case EV.exit:
      case EV.kill:
        return this.exitPod(pod);
      case EV.ipGone:
        pod.ipGone = true;
        // With instance targets kube-proxy (or, with Local, the load balancer's view of the node) may still send
        // to the pod: it leaves the candidates when that stops, at its kubeProxy event.
        if (this.s.targetType === 'instance' && pod.proxied) return;
        this.pods.splice(this.pods.indexOf(pod), 1);
        this.proxiedDirty = true;
        return;
      case EV.register:
        return this.onRegister(pod, event.flag);
      case EV.deregister:
        return this.onDeregister(target);
      case EV.healthCheck:
        return this.onHealthCheck(target);
      case EV.healthFail:
        if (!target.removed && target.state !== 'draining') this.applyHealth(target, false);
        return;
      case EV.routeExpire:
        target.group.markDirty();
        return;
      case EV.drainEnd:
        target.group.remove(target);
        return;
      case EV.sample:
        return this.onSample();
      case EV.rolloutStart:
        this.rolloutStarted = true;
        this.mark('rollout starts');
        return this.reconcile();
      case EV.wake:
        return this.controller.wake();
      case EV.kubeProxy:
        pod.proxied = !pod.terminating && pod.containersReady;
        this.proxiedDirty = true;
        if (pod.ipGone) this.pods.splice(this.pods.indexOf(pod), 1);
        return;
    }
  }

  // ---------------------------------------------------------------- traffic

  /** When the next request arrives. A constant stream counts requests rather than adding gaps, so it never drifts. */
  private nextArrival(): number {
    const rps = this.s.rps;
    this.arrivals += 1;
    if (this.s.arrivals === 'constant') return this.arrivals / rps;
    return this.now - Math.log(1 - this.arrivalRandom.next()) / rps;
  }

  private onArrival(): void {
    const now = this.now;
    if (now >= this.stopAt) return;
    this.schedule(this.nextArrival(), EV.arrival);
    // Both draws happen for every request, used or not, so that scenarios compare request by request.
    let u = this.routeRandom.next();
    const duration = this.drawDuration();
    let pod: Pod;
    let target: Target<Pod> | null = null;
    if (this.s.targetType === 'ip') {
      let group = this.groups[0] as TargetGroup<Pod>;
      if (this.groups.length > 1) {
        const w = this.canaryWeight;
        if (u < w) {
          group = this.groups[1] as TargetGroup<Pod>;
          u /= w;
        } else {
          u = (u - w) / (1 - w);
        }
      }
      const routing = group.routing(now);
      if (routing.length === 0) {
        const code = group.noTargetReason === 'no-target' ? CODE.noTarget : CODE.noHealthyTarget;
        return this.stats.record(now, code, SIMULATION_DEFAULTS.refusedLatencyMs);
      }
      target = routing[Math.floor(u * routing.length)] as Target<Pod>;
      pod = target.pod;
    } else {
      const proxied = this.proxiedPods();
      // kube-proxy rejects connections to a Service without endpoints: the ALB sees a refusal.
      if (proxied.length === 0)
        return this.stats.record(now, CODE.refused, SIMULATION_DEFAULTS.refusedLatencyMs);
      pod = proxied[Math.floor(u * proxied.length)] as Pod;
    }
    const keepAlive = this.s.keepAliveTimeoutSeconds;
    // A keep-alive timeout counts idle time from the last response, not from the last request: measuring it so
    // keeps evenly spaced arrivals from landing on the race window in lockstep with a whole-second timeout.
    const gap = now - pod.idleSince;
    pod.idleSince = Math.max(pod.idleSince, now + Math.min(duration, this.s.idleTimeoutSeconds));
    if (pod.ipGone) {
      return this.stats.record(now, CODE.unreachable, SIMULATION_DEFAULTS.connectTimeoutSeconds * 1000);
    }
    if (!pod.listening) return this.stats.record(now, CODE.refused, SIMULATION_DEFAULTS.refusedLatencyMs);
    if (
      keepAlive !== null &&
      keepAlive < this.s.idleTimeoutSeconds &&
      gap >= keepAlive &&
      gap < keepAlive + SIMULATION_DEFAULTS.keepAliveRaceMs / 1000
    ) {
      return this.stats.record(now, CODE.keepAlive, SIMULATION_DEFAULTS.refusedLatencyMs);
    }
    const idle = this.s.idleTimeoutSeconds;
    const event = this.schedule(now + Math.min(duration, idle), EV.complete, pod, target);
    event.start = now;
    event.flag = duration >= idle ? 1 : 0;
    pod.inflight += 1;
    this.pendingCompletions += 1;
  }

  private onComplete(event: SimEvent): void {
    const pod = event.pod as Pod;
    const target = event.target;
    this.pendingCompletions -= 1;
    pod.inflight -= 1;
    const start = event.start;
    // The end of the deregistration delay cuts the connections open at that moment; a request the stale data
    // plane routes there later (D < L) is not on one of them.
    const drainCut =
      target !== null && start < target.drainEndsAt ? target.drainEndsAt : Number.POSITIVE_INFINITY;
    const cut = Math.min(pod.cutAt, drainCut);
    if (cut <= this.now) {
      const code = cut === pod.cutAt ? CODE.reset : CODE.drainExpired;
      this.stats.record(start, code, (cut - start) * 1000);
    } else if (event.flag === 1) {
      this.stats.record(start, CODE.idleTimeout, (this.now - start) * 1000);
    } else {
      this.stats.record(start, SUCCESS, (this.now - start) * 1000);
    }
    if (pod.exitWhenIdle && pod.inflight === 0) this.exitPod(pod);
  }

  private proxiedPods(): readonly Pod[] {
    if (this.proxiedDirty) {
      const serving = this.pods.filter((pod) => pod.proxied);
      // Since Kubernetes 1.26 kube-proxy falls back to terminating endpoints when no ready one is left.
      this.proxied = serving.length > 0 ? serving : this.pods.filter((pod) => pod.terminating && !pod.exited);
      this.proxiedDirty = false;
    }
    return this.proxied;
  }

  // ---------------------------------------------------------------- pods

  private newPod(revision: 0 | 1): Pod {
    const canary = this.s.strategy.kind === 'canary';
    const pod: Pod = {
      id: this.podIds++,
      revision,
      gateGroup: canary && revision === 1 ? 1 : 0,
      listening: false,
      exited: false,
      ipGone: false,
      containersReady: false,
      gateTrue: !this.s.readinessGate,
      ready: false,
      available: false,
      terminating: false,
      cutAt: Number.POSITIVE_INFINITY,
      inflight: 0,
      exitWhenIdle: false,
      idleSince: Number.NEGATIVE_INFINITY,
      proxied: false,
      targets: this.groups.map(() => null),
      memberOf: this.groups.map((group) => (canary ? group.index === revision : true)),
    };
    this.pods.push(pod);
    return pod;
  }

  /** An old pod that has been serving for long: listening, ready, available, its targets healthy. */
  private createRunningPod(): void {
    const pod = this.newPod(0);
    pod.listening = true;
    pod.containersReady = true;
    pod.gateTrue = true;
    pod.ready = true;
    pod.available = true;
    pod.proxied = true;
    if (this.s.targetType === 'ip') {
      pod.memberOf.forEach((member, index) => {
        if (!member) return;
        const target = this.registerTarget(pod, index);
        target.state = 'healthy';
        target.consecutiveOk = this.s.healthyThresholdCount;
        // Old targets check on an arbitrary phase too.
        this.schedule(
          this.infraRandom.next() * this.s.healthCheckIntervalSeconds,
          EV.healthCheck,
          pod,
          target,
        );
      });
    }
  }

  private startPod(revision: 0 | 1): Pod {
    const s = this.s;
    const pod = this.newPod(revision);
    this.schedule(this.now + s.startupSeconds, EV.listen, pod);
    // The first readiness probe runs initialDelaySeconds after start, then every periodSeconds.
    const firstPassing =
      s.readinessInitialDelaySeconds +
      Math.max(0, Math.ceil((s.startupSeconds - s.readinessInitialDelaySeconds) / s.readinessPeriodSeconds)) *
        s.readinessPeriodSeconds;
    // Without a readiness probe the container counts as ready as soon as it runs, listening or not.
    const ready = s.readinessProbe ? Math.max(firstPassing, s.startupSeconds) : 0;
    this.schedule(this.now + ready, EV.probeReady, pod);
    return pod;
  }

  private onProbeReady(pod: Pod): void {
    if (pod.terminating) return;
    pod.containersReady = true;
    const s = this.s;
    if (s.targetType === 'ip') {
      // The controller registers ready pods, and pods that are not ready only because of its own gate.
      pod.memberOf.forEach((member, index) => {
        if (member) this.scheduleRegister(pod, index);
      });
    } else {
      const delay =
        s.externalTrafficPolicy === 'Local' ? localNodeRegistrationSeconds(s) : s.endpointPropagationSeconds;
      this.schedule(this.now + delay, EV.kubeProxy, pod);
    }
    this.updateReady(pod);
  }

  private updateReady(pod: Pod): void {
    if (pod.ready || pod.terminating || !pod.containersReady || !pod.gateTrue) return;
    pod.ready = true;
    this.schedule(this.now + this.s.minReadySeconds, EV.available, pod);
  }

  private deletePod(pod: Pod): void {
    const s = this.s;
    pod.terminating = true;
    pod.available = false;
    if (pod.revision === 0) this.lastOldDeletionAt = this.now;
    // The endpoint turns terminating at deletion: the controller deregisters after its latency.
    for (const target of pod.targets) {
      if (target !== null && target.state !== 'draining') {
        this.schedule(this.now + s.controllerLatencySeconds, EV.deregister, pod, target);
      }
    }
    if (s.targetType === 'instance') {
      // The rules' W: kube-proxy's propagation, or with Local the node's health-check failure.
      this.schedule(this.now + this.exposureSeconds, EV.kubeProxy, pod);
    }
    const grace = s.terminationGracePeriodSeconds;
    if (s.preStopSeconds < grace || grace === 0) {
      this.schedule(this.now + Math.min(s.preStopSeconds, grace), EV.sigterm, pod);
      this.schedule(this.now + grace, EV.kill, pod);
    } else {
      // An exec preStop that outlives the grace period is cut at G; SIGTERM then gets a one-off 2 s extension.
      this.schedule(this.now + grace, EV.sigterm, pod);
      this.schedule(this.now + grace + SIMULATION_DEFAULTS.gracePeriodExtensionSeconds, EV.kill, pod);
    }
  }

  private onSigterm(pod: Pod): void {
    if (pod.exited) return;
    const s = this.s;
    switch (s.shutdownBehaviour) {
      case 'exit':
        return this.exitPod(pod);
      case 'stop-accepting':
        pod.listening = false;
        if (pod.inflight === 0) return this.exitPod(pod);
        pod.exitWhenIdle = true;
        this.schedule(this.now + s.shutdownSeconds, EV.exit, pod);
        return;
      case 'drain':
        this.schedule(this.now + s.shutdownSeconds, EV.exit, pod);
        return;
    }
  }

  private exitPod(pod: Pod): void {
    if (pod.exited) return;
    pod.exited = true;
    pod.listening = false;
    pod.exitWhenIdle = false;
    pod.cutAt = this.now;
    this.proxiedDirty = true;
    this.schedule(this.now + SIMULATION_DEFAULTS.podTeardownSeconds, EV.ipGone, pod);
  }

  // ---------------------------------------------------------------- controller and ALB

  private scheduleRegister(pod: Pod, groupIndex: number): void {
    const event = this.schedule(this.now + this.s.controllerLatencySeconds, EV.register, pod);
    event.flag = groupIndex;
  }

  private onRegister(pod: Pod, groupIndex: number): void {
    if (pod.terminating || pod.targets[groupIndex] != null) return;
    const target = this.registerTarget(pod, groupIndex);
    // Registration lands at an arbitrary point of the health-check cycle.
    const first = this.now + this.infraRandom.next() * this.s.healthCheckIntervalSeconds;
    this.schedule(first, EV.healthCheck, pod, target);
    this.reconcile();
  }

  private registerTarget(pod: Pod, groupIndex: number): Target<Pod> {
    const group = this.groups[groupIndex] as TargetGroup<Pod>;
    const target = group.add(pod);
    pod.targets[groupIndex] = target;
    return target;
  }

  private onDeregister(target: Target<Pod>): void {
    if (target.removed || target.state === 'draining') return;
    const s = this.s;
    target.healthyAtDeregistration =
      target.state === 'healthy' || target.group.routing(this.now).includes(target);
    target.state = 'draining';
    target.routableUntil = this.now + s.propagationSeconds;
    target.drainEndsAt = this.now + s.deregistrationDelaySeconds;
    target.group.markDirty();
    this.schedule(target.routableUntil, EV.routeExpire, target.pod, target);
    // Even a deregistration delay shorter than the propagation does not stop the stale data plane routing.
    this.schedule(Math.max(target.drainEndsAt, target.routableUntil), EV.drainEnd, target.pod, target);
  }

  private onHealthCheck(target: Target<Pod>): void {
    if (target.removed || target.state === 'draining') return;
    this.schedule(this.now + this.s.healthCheckIntervalSeconds, EV.healthCheck, target.pod, target);
    const pod = target.pod;
    if (pod.listening) return this.applyHealth(target, true);
    // A refused check fails at once; a dropped one only when its timeout expires.
    if (pod.ipGone) this.schedule(this.now + this.s.healthCheckTimeoutSeconds, EV.healthFail, pod, target);
    else this.applyHealth(target, false);
  }

  private applyHealth(target: Target<Pod>, ok: boolean): void {
    const s = this.s;
    if (ok) {
      target.consecutiveOk += 1;
      target.consecutiveFail = 0;
      if (target.state !== 'healthy' && target.consecutiveOk >= s.healthyThresholdCount) {
        target.state = 'healthy';
        target.group.markDirty();
        const pod = target.pod;
        // The controller sees the healthy target and sets the pod's readiness-gate condition.
        if (!pod.gateTrue && pod.gateGroup === target.group.index) {
          this.schedule(this.now + s.controllerLatencySeconds, EV.gate, pod);
        }
        this.reconcile();
      }
    } else {
      target.consecutiveFail += 1;
      target.consecutiveOk = 0;
      if (target.state !== 'unhealthy' && target.consecutiveFail >= s.unhealthyThresholdCount) {
        target.state = 'unhealthy';
        target.group.markDirty();
      }
    }
  }

  // ---------------------------------------------------------------- rollout controllers

  private reconcile(): void {
    if (this.rolloutStarted && this.rolloutCompleteAt === null) this.controller.reconcile();
  }

  private completeRollout(): void {
    this.rolloutCompleteAt = this.now;
    this.mark('rollout complete');
  }

  /**
   * Without a fixed duration, traffic runs until the rollout can no longer hurt a request: the last old pod is
   * neither reachable nor running, and every new target is healthy. Stopping at "rollout complete" instead would
   * hide the 503s of a rollout that finished before its targets passed their health checks.
   */
  private settleIfQuiet(): void {
    const s = this.s;
    if (s.durationSeconds !== null || this.rolloutCompleteAt === null || Number.isFinite(this.stopAt)) return;
    const reachable = this.exposureSeconds;
    const exits =
      Math.max(s.preStopSeconds, s.terminationGracePeriodSeconds) +
      SIMULATION_DEFAULTS.gracePeriodExtensionSeconds;
    const quiet =
      this.lastOldDeletionAt + Math.max(reachable, exits) + SIMULATION_DEFAULTS.podTeardownSeconds;
    if (this.now < quiet) return;
    const healthy =
      s.targetType === 'instance' ||
      this.pods.every(
        (pod) =>
          pod.terminating ||
          pod.memberOf.every((member, index) => !member || pod.targets[index]?.state === 'healthy'),
      );
    if (healthy) this.stopAt = this.now + SIMULATION_DEFAULTS.settleSeconds;
  }

  // ---------------------------------------------------------------- timeline and result

  private mark(label: string): void {
    this.markers.push({ second: this.now, label });
  }

  private onSample(): void {
    const counts: StateCounts = { initial: 0, healthy: 0, unhealthy: 0, draining: 0, drainingPodGone: 0 };
    if (this.s.targetType === 'ip') {
      for (const group of this.groups) group.countStates(counts);
    } else {
      // Instance targets are nodes; what changes is the endpoints kube-proxy sends traffic to.
      for (const pod of this.pods) {
        if (pod.terminating) {
          if (pod.exited) counts.drainingPodGone += 1;
          else counts.draining += 1;
        } else if (pod.proxied) counts.healthy += 1;
        else counts.initial += 1;
      }
    }
    this.timeline.push({
      second: Math.round(this.now),
      ...counts,
      ok: 0,
      status502: 0,
      status503: 0,
      status504: 0,
    });
    this.settleIfQuiet();
    if (this.now + 1 <= this.stopAt) this.schedule(this.now + 1, EV.sample);
  }

  private result(): SimulationResult {
    const byStatus = this.stats.byStatus();
    const requests = this.stats.requests;
    const failures = requests - byStatus[200];
    const byReason = this.stats.byReason();
    const trafficSeconds = Number.isFinite(this.stopAt) ? this.stopAt : this.now;
    const timeline = this.timeline.map((point) => {
      const [ok, status502, status503, status504] = this.stats.secondCounts(point.second);
      return { ...point, ok, status502, status503, status504 };
    });
    return {
      scenario: this.s,
      requests,
      byStatus,
      byReason,
      failures,
      successRatio: requests === 0 ? 1 : byStatus[200] / requests,
      latency: this.stats.latency(),
      trafficSeconds,
      rolloutStartSecond: this.s.warmupSeconds,
      rolloutCompleteSecond: this.rolloutCompleteAt,
      timeline,
      markers: this.markers,
      cause: describeDominantCause(this.s, byReason),
      events: this.events,
    };
  }
}
