import type { Target } from './alb.js';
import { planRollingStep } from './deployment.js';
import type { Pod } from './pod.js';
import type { SimulationScenario } from './scenario.js';

/** What a rollout controller may do to the simulated cluster; the engine implements it. */
export interface RolloutHost {
  now(): number;
  /** Pods that still exist (terminating ones included). */
  pods(): readonly Pod[];
  startPod(): Pod;
  deletePod(pod: Pod): void;
  /** Registers the pod in a target group, after the controller's latency. */
  register(pod: Pod, group: number): void;
  /** Deregisters a target, after the controller's latency. */
  deregister(target: Target<Pod>): void;
  /** Calls the controller's `wake` after `seconds`. */
  wakeAfter(seconds: number): void;
  setCanaryWeight(weight: number): void;
  mark(label: string): void;
  complete(): void;
}

/** Drives the new revision in: called whenever something it waits for may have changed. */
export interface RolloutController {
  reconcile(): void;
  /** A timer it asked for (`wakeAfter`) has fired. */
  wake(): void;
}

/** The controller for the scenario's strategy. */
export function createRolloutController(scenario: SimulationScenario, host: RolloutHost): RolloutController {
  return scenario.strategy.kind === 'rolling'
    ? createRollingController(scenario, host)
    : createCanaryController(scenario, host);
}

function isNew(pod: Pod): boolean {
  return pod.revision === 1 && !pod.terminating;
}

function isOld(pod: Pod): boolean {
  return pod.revision === 0 && !pod.terminating;
}

/** A Deployment's RollingUpdate: syncs until nothing changes, as the controller's successive syncs would. */
function createRollingController(scenario: SimulationScenario, host: RolloutHost): RolloutController {
  const strategy = scenario.strategy;
  if (strategy.kind !== 'rolling') throw new Error('createRollingController needs a rolling strategy');
  return {
    wake(): void {},
    reconcile(): void {
      for (;;) {
        const old = host.pods().filter(isOld);
        const fresh = host.pods().filter(isNew);
        const oldAvailable = old.filter((pod) => pod.available);
        const newAvailable = fresh.filter((pod) => pod.available).length;
        if (old.length === 0 && newAvailable === scenario.replicas) return host.complete();
        const step = planRollingStep({
          replicas: scenario.replicas,
          maxSurge: strategy.maxSurge,
          maxUnavailable: strategy.maxUnavailable,
          oldPods: old.length,
          oldAvailable: oldAvailable.length,
          newPods: fresh.length,
          newAvailable,
        });
        if (step.create === 0 && step.deleteUnavailable === 0 && step.deleteAvailable === 0) return;
        for (let i = 0; i < step.create; i += 1) host.startPod();
        old
          .filter((pod) => !pod.available)
          .slice(0, step.deleteUnavailable)
          .forEach((pod) => host.deletePod(pod));
        oldAvailable.slice(0, step.deleteAvailable).forEach((pod) => host.deletePod(pod));
      }
    },
  };
}

type CanaryPhase = 'steps' | 'promote' | 'switching' | 'scaling-down' | 'done';

/**
 * An Argo Rollout canary with ALB traffic routing: each setWeight scales the canary to ceil(replicas × weight)
 * and sets the weight once those pods are available; pauses wait; past the last step the canary takes all the
 * traffic, the stable target group is switched to the new pods, traffic returns to stable once the new targets
 * are registered (healthy, with a readiness gate), and the old pods go scaleDownDelaySeconds later.
 */
function createCanaryController(scenario: SimulationScenario, host: RolloutHost): RolloutController {
  const strategy = scenario.strategy;
  if (strategy.kind !== 'canary') throw new Error('createCanaryController needs a canary strategy');
  const n = scenario.replicas;
  let phase: CanaryPhase = 'steps';
  let stepIndex = 0;
  let desired = 0;
  let paused = false;

  const switchStable = (): void => {
    host.setCanaryWeight(1);
    host.mark('stable switched to new pods');
    if (scenario.targetType !== 'ip') return;
    for (const pod of host.pods()) {
      const stable = pod.targets[0];
      if (pod.revision === 0 && stable != null) host.deregister(stable);
      if (isNew(pod)) {
        pod.memberOf[0] = true;
        host.register(pod, 0);
      }
    }
  };

  // Argo verifies that the new targets are registered (healthy too when the pods carry a readiness gate).
  const stableReady = (fresh: readonly Pod[]): boolean =>
    scenario.targetType !== 'ip' ||
    fresh.every((pod) => {
      const target = pod.targets[0];
      return target != null && (!scenario.readinessGate || target.state === 'healthy');
    });

  const controller: RolloutController = {
    wake(): void {
      if (phase === 'steps' && paused) {
        paused = false;
        stepIndex += 1;
      } else if (phase === 'scaling-down') {
        for (const pod of host.pods().filter(isOld)) host.deletePod(pod);
        phase = 'done';
        return host.complete();
      }
      controller.reconcile();
    },
    reconcile(): void {
      for (;;) {
        const fresh = host.pods().filter(isNew);
        while (fresh.length < desired) fresh.push(host.startPod());
        const available = fresh.filter((pod) => pod.available).length;
        if (phase === 'steps') {
          const step = strategy.steps[stepIndex];
          if (step === undefined) {
            phase = 'promote';
            desired = n;
            continue;
          }
          if (step.kind === 'pause') {
            if (!paused) {
              paused = true;
              host.wakeAfter(step.seconds);
            }
            return;
          }
          const wanted = step.weight === 0 ? 0 : Math.max(1, Math.ceil((n * step.weight) / 100));
          if (wanted > desired) {
            desired = wanted;
            continue;
          }
          if (available < wanted) return;
          host.setCanaryWeight(step.weight / 100);
          host.mark(`canary ${step.weight} %`);
          stepIndex += 1;
          continue;
        }
        if (phase === 'promote') {
          if (available < n) return;
          phase = 'switching';
          switchStable();
          continue;
        }
        if (phase === 'switching' && stableReady(fresh)) {
          host.setCanaryWeight(0);
          phase = 'scaling-down';
          host.wakeAfter(strategy.scaleDownDelaySeconds);
        }
        return;
      }
    },
  };
  return controller;
}
