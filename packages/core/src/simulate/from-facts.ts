import { ALB_DEFAULTS } from '../timing/defaults.js';
import { ANNOTATIONS, READINESS_GATE_PREFIXES } from '../model/annotations.js';
import type { BackendFacts, WorkloadFacts } from '../model/facts.js';
import { servingContainers } from '../model/facts.js';
import { formatSourceRef } from '../manifest/source.js';
import { formatObjectRef } from '../model/provenance.js';
import { createAllowances } from '../timing/model.js';
import type { Allowances } from '../timing/model.js';
import { createCanaryStrategy, createRollingStrategy, createScenario } from './scenario.js';
import type {
  ScenarioInput,
  SimulatedCanaryStep,
  SimulatedStrategy,
  SimulationScenario,
} from './scenario.js';

/** What the manifests do not say and the caller decides: allowances (as for the rules) and flag overrides. */
export interface ScenarioFromFactsOptions {
  /** The same allowances the rules use (propagation, controller latency); defaults when left out. */
  readonly allowances?: Allowances;
  /** Scenario fields set by the user (traffic, timings); they win over the manifests. */
  readonly overrides?: ScenarioInput;
}

/** A scenario for one load-balanced workload, with what had to be assumed to build it. */
export interface FactsScenario {
  /** `Deployment shop/web (k8s/web.yaml:3:1)`. */
  readonly name: string;
  readonly scenario: SimulationScenario;
  /** Where the manifests could not say and the simulation assumed, in sentences. */
  readonly notes: readonly string[];
}

/** The backend whose drain matters most: the longest deregistration delay (as the rules pick it), ALB first. */
function strictestBackend(backends: readonly BackendFacts[]): BackendFacts | undefined {
  return [...backends].sort(
    (a, b) =>
      (a.loadBalancer === 'alb' ? 0 : 1) - (b.loadBalancer === 'alb' ? 0 : 1) ||
      b.settings.deregistrationDelaySeconds.value - a.settings.deregistrationDelaySeconds.value,
  )[0];
}

function hasReadinessGate(facts: WorkloadFacts): boolean {
  const gate = facts.workload.readinessGates.some((type) =>
    READINESS_GATE_PREFIXES.some((prefix) => type.startsWith(prefix)),
  );
  return gate || facts.namespace?.labels[ANNOTATIONS.readinessGateInjectLabel] === 'enabled';
}

function strategyOf(facts: WorkloadFacts, replicas: number, notes: string[]): SimulatedStrategy {
  const strategy = facts.workload.strategy;
  if (facts.workload.kind === 'StatefulSet') {
    notes.push('StatefulSet: simulated as a rolling update replacing one pod at a time');
    return { kind: 'rolling', maxSurge: 0, maxUnavailable: 1 };
  }
  switch (strategy.type) {
    case 'RollingUpdate':
      return createRollingStrategy(replicas, strategy.maxSurge.value, strategy.maxUnavailable.value);
    case 'Canary': {
      if (strategy.albIngress === undefined && strategy.albIngresses.length === 0) {
        notes.push(
          'canary without ALB traffic routing: simulated as a rolling update with its maxSurge/maxUnavailable',
        );
        return createRollingStrategy(replicas, strategy.maxSurge.value, strategy.maxUnavailable.value);
      }
      const steps: SimulatedCanaryStep[] = strategy.steps.map((step) => {
        if ('setWeight' in step) return { kind: 'setWeight', weight: step.setWeight };
        if (step.pause.durationSeconds === undefined)
          notes.push('an indefinite pause is simulated as promoted at once');
        return { kind: 'pause', seconds: step.pause.durationSeconds ?? 0 };
      });
      return createCanaryStrategy(steps, strategy.scaleDownDelaySeconds.value);
    }
    case 'Recreate':
      notes.push('Recreate: simulated as deleting every old pod at once (maxSurge 0, maxUnavailable 100 %)');
      return { kind: 'rolling', maxSurge: 0, maxUnavailable: replicas };
    case 'BlueGreen':
    case 'OnDelete':
      notes.push(`${strategy.type}: not modelled; simulated as the default rolling update`);
      return createRollingStrategy(replicas);
  }
}

/**
 * The simulation scenario of one workload, from the same normalized facts (and allowances) as the rules, so
 * rules and simulation never disagree about a number. Null when no load balancer reaches the workload.
 */
export function createScenarioFromFacts(
  facts: WorkloadFacts,
  options: ScenarioFromFactsOptions = {},
): FactsScenario | null {
  const backend = strictestBackend(facts.backends);
  if (backend === undefined) return null;
  const notes: string[] = [];
  const allowances = options.allowances ?? createAllowances();
  const workload = facts.workload;
  const replicas = Math.max(1, options.overrides?.replicas ?? workload.replicas.value);
  if (workload.replicas.value < 1) notes.push('0 replicas: simulated with 1');
  if (backend.loadBalancer === 'nlb')
    notes.push(
      'NLB backend: an NLB answers no HTTP itself, so its clients see a connection reset or timeout where the report says 502 or 504',
    );

  // The first serving container to stop serving decides when the pod stops answering.
  const containers = servingContainers(facts);
  let preStopSeconds = Number.POSITIVE_INFINITY;
  let preStopAction: 'sleep' | 'exec' = 'sleep';
  for (const container of containers) {
    const preStop = container.preStop;
    const seconds = preStop.kind === 'sleep' ? preStop.seconds : 0;
    if (preStop.kind === 'unknown')
      notes.push(
        `container ${container.name}: preStop duration unknown (${preStop.reason}); assumed 0 s, as DG015 says no rule can judge it: give its length with --prestop N to simulate it`,
      );
    if (seconds < preStopSeconds) {
      preStopSeconds = seconds;
      // A hook still to be written would be the native sleep; an existing exec or shell sleep stays one.
      preStopAction = preStop.kind === 'sleep' && preStop.form !== 'native' ? 'exec' : 'sleep';
    }
  }
  if (!Number.isFinite(preStopSeconds)) preStopSeconds = 0;
  const readinessProbe =
    containers.length === 0 || containers.every((container) => container.readinessProbe !== undefined);
  const settings = backend.settings;
  const propagation =
    backend.loadBalancer === 'nlb'
      ? allowances.nlbPropagationSeconds.value
      : allowances.propagationSeconds.value;

  const fromManifests: ScenarioInput = {
    replicas,
    strategy: strategyOf(facts, replicas, notes),
    minReadySeconds: workload.minReadySeconds.value,
    readinessGate: settings.targetType.value === 'ip' && hasReadinessGate(facts),
    targetType: settings.targetType.value,
    loadBalancer: backend.loadBalancer,
    externalTrafficPolicy: backend.service.externalTrafficPolicy,
    endpointPropagationSeconds: allowances.endpointPropagationSeconds.value,
    readinessProbe,
    preStopSeconds,
    preStopAction,
    terminationGracePeriodSeconds: workload.terminationGracePeriodSeconds.value,
    shutdownSeconds: facts.shutdownSeconds.value,
    keepAliveTimeoutSeconds: facts.keepAliveTimeoutSeconds?.value ?? null,
    controllerLatencySeconds: allowances.controllerLatencySeconds.value,
    propagationSeconds: propagation,
    healthCheckIntervalSeconds: settings.healthCheckIntervalSeconds.value,
    healthCheckTimeoutSeconds: settings.healthCheckTimeoutSeconds.value,
    healthyThresholdCount: settings.healthyThresholdCount.value,
    unhealthyThresholdCount: settings.unhealthyThresholdCount.value,
    deregistrationDelaySeconds: settings.deregistrationDelaySeconds.value,
    idleTimeoutSeconds: settings.idleTimeoutSeconds?.value ?? ALB_DEFAULTS.idleTimeoutSeconds,
  };
  return {
    name:
      workload.ref.source === undefined
        ? formatObjectRef(workload.ref)
        : `${formatObjectRef(workload.ref)} (${formatSourceRef(workload.ref.source)})`,
    scenario: createScenario({ ...fromManifests, ...options.overrides }),
    notes,
  };
}

/** Scenarios for every load-balanced workload of a set of facts, in input order. */
export function createScenariosFromFacts(
  facts: readonly WorkloadFacts[],
  options: ScenarioFromFactsOptions = {},
): FactsScenario[] {
  return facts
    .map((one) => createScenarioFromFacts(one, options))
    .filter((one): one is FactsScenario => one !== null);
}
