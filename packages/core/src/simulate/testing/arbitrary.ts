import fc from 'fast-check';
import { createCanaryStrategy, createRollingStrategy, createScenario } from '../scenario.js';
import type { SimulationScenario } from '../scenario.js';

/** Small but varied scenarios: a few pods, a few requests per second, every behaviour and strategy. */
export function arbitraryScenario(
  options: { canary?: boolean; instance?: boolean } = {},
): fc.Arbitrary<SimulationScenario> {
  return fc
    .record({
      replicas: fc.integer({ min: 1, max: 6 }),
      surge: fc.constantFrom<number | string>('25%', 0, 1, 2, '50%'),
      unavailable: fc.constantFrom<number | string>('25%', 0, 1, '50%'),
      canary: options.canary === false ? fc.constant(false) : fc.boolean(),
      weights: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 0, maxLength: 2 }),
      pause: fc.integer({ min: 0, max: 20 }),
      scaleDownDelay: fc.integer({ min: 0, max: 40 }),
      readinessGate: fc.boolean(),
      readinessProbe: fc.boolean(),
      instance: options.instance === false ? fc.constant(false) : fc.boolean(),
      loadBalancer: fc.constantFrom('alb', 'nlb' as const),
      local: fc.boolean(),
      endpointPropagationSeconds: fc.double({ min: 0, max: 5, noNaN: true }),
      minReadySeconds: fc.integer({ min: 0, max: 10 }),
      startupSeconds: fc.integer({ min: 0, max: 15 }),
      preStopSeconds: fc.integer({ min: 0, max: 40 }),
      grace: fc.integer({ min: 1, max: 60 }),
      shutdownBehaviour: fc.constantFrom('stop-accepting', 'drain', 'exit' as const),
      shutdownSeconds: fc.integer({ min: 0, max: 10 }),
      keepAlive: fc.option(fc.integer({ min: 1, max: 120 }), { nil: null }),
      controllerLatencySeconds: fc.double({ min: 0, max: 10, noNaN: true }),
      propagationSeconds: fc.double({ min: 0, max: 30, noNaN: true }),
      interval: fc.integer({ min: 5, max: 30 }),
      healthyThresholdCount: fc.integer({ min: 2, max: 4 }),
      unhealthyThresholdCount: fc.integer({ min: 2, max: 4 }),
      deregistrationDelaySeconds: fc.integer({ min: 0, max: 300 }),
      rps: fc.integer({ min: 1, max: 30 }),
      arrivals: fc.constantFrom('constant', 'poisson' as const),
      requestMedianMs: fc.integer({ min: 5, max: 500 }),
      seed: fc.integer({ min: 0, max: 1_000_000 }),
    })
    .map((r) => {
      const targetType = r.instance && !r.readinessGate ? ('instance' as const) : ('ip' as const);
      const strategy = r.canary
        ? createCanaryStrategy(
            r.weights.flatMap((weight) => [
              { kind: 'setWeight' as const, weight },
              { kind: 'pause' as const, seconds: r.pause },
            ]),
            r.scaleDownDelay,
          )
        : createRollingStrategy(r.replicas, r.surge, r.unavailable);
      const safeStrategy =
        strategy.kind === 'rolling' && strategy.maxSurge === 0 && strategy.maxUnavailable === 0
          ? { ...strategy, maxSurge: 1 }
          : strategy;
      return createScenario({
        replicas: r.replicas,
        strategy: safeStrategy,
        readinessGate: r.readinessGate,
        readinessProbe: r.readinessProbe,
        targetType,
        loadBalancer: r.loadBalancer,
        externalTrafficPolicy: r.local ? 'Local' : 'Cluster',
        endpointPropagationSeconds: r.endpointPropagationSeconds,
        minReadySeconds: r.minReadySeconds,
        startupSeconds: r.startupSeconds,
        preStopSeconds: r.preStopSeconds,
        preStopAction: 'exec',
        terminationGracePeriodSeconds: r.grace,
        shutdownBehaviour: r.shutdownBehaviour,
        shutdownSeconds: r.shutdownSeconds,
        keepAliveTimeoutSeconds: r.keepAlive,
        controllerLatencySeconds: r.controllerLatencySeconds,
        propagationSeconds: r.propagationSeconds,
        healthCheckIntervalSeconds: r.interval,
        healthCheckTimeoutSeconds: Math.min(5, r.interval - 1),
        healthyThresholdCount: r.healthyThresholdCount,
        unhealthyThresholdCount: r.unhealthyThresholdCount,
        deregistrationDelaySeconds: r.deregistrationDelaySeconds,
        rps: r.rps,
        arrivals: r.arrivals,
        requestMedianMs: r.requestMedianMs,
        requestP99Ms: r.requestMedianMs * 2,
        requestMaxSeconds: Math.max(1, (r.requestMedianMs * 4) / 1000),
        seed: r.seed,
      });
    });
}
