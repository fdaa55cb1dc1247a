import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulateRollout } from './engine.js';
import { proposeFix } from './fix.js';
import { FAILURE_REASONS } from './result.js';
import type { SimulationResult } from './result.js';
import { arbitraryScenario } from './testing/arbitrary.js';

const RUNS = { numRuns: Number(process.env['DG_PROPERTY_RUNS'] ?? 60) };

// Keep-alive races happen whether or not a rollout is under way, so a gate that makes the rollout (and thus the
// traffic) last longer meets more of them: they are not what a gate is about.
function rolloutFailures(result: SimulationResult): number {
  return result.failures - result.byReason['keep-alive'];
}

// Failures of pods that stopped serving. Keep-alive races are left out: a request refused by a stopped pod
// cannot also race a keep-alive close, so fewer refusals can surface more races.
function podSideFailures(result: SimulationResult): number {
  return result.byReason.refused + result.byReason.reset + result.byReason.unreachable;
}

describe('simulation properties', () => {
  it('every request has exactly one outcome', () => {
    fc.assert(
      fc.property(arbitraryScenario(), (scenario) => {
        const result = simulateRollout(scenario);
        const byStatus =
          result.byStatus[200] + result.byStatus[502] + result.byStatus[503] + result.byStatus[504];
        const byReason = FAILURE_REASONS.reduce((sum, reason) => sum + result.byReason[reason], 0);
        const perSecond = result.timeline.reduce(
          (sum, point) => sum + point.ok + point.status502 + point.status503 + point.status504,
          0,
        );
        expect(byStatus).toBe(result.requests);
        expect(byReason).toBe(result.failures);
        expect(perSecond).toBe(result.requests);
      }),
      RUNS,
    );
  });

  it('the same seed gives the same result', () => {
    fc.assert(
      fc.property(arbitraryScenario(), (scenario) => {
        expect(simulateRollout(scenario)).toEqual(simulateRollout(scenario));
      }),
      { numRuns: 30 },
    );
  });

  it('a readiness gate never increases 503s', () => {
    fc.assert(
      fc.property(arbitraryScenario({ instance: false }), (scenario) => {
        const without = simulateRollout({ ...scenario, readinessGate: false });
        const withGate = simulateRollout({ ...scenario, readinessGate: true });
        expect(withGate.byStatus[503]).toBeLessThanOrEqual(without.byStatus[503]);
      }),
      RUNS,
    );
  });

  // The gate is about 503s. 502/504s from pods that exit too early depend on how much traffic each dying pod
  // still gets, and a gate that slows the rollout changes which pods drain together: with preStop too short the
  // total can go either way (both runs lose the same seconds of exposure). Once pods outlive their routing,
  // the gate can only help.
  it('once pods outlive their routing, a readiness gate never increases failures', () => {
    fc.assert(
      fc.property(arbitraryScenario({ instance: false }), (generated) => {
        const routedFor =
          generated.controllerLatencySeconds + generated.propagationSeconds + generated.requestMaxSeconds;
        const preStopSeconds = Math.ceil(routedFor + 1);
        const scenario = {
          ...generated,
          preStopSeconds,
          terminationGracePeriodSeconds: preStopSeconds + generated.shutdownSeconds + 1,
          deregistrationDelaySeconds: Math.max(generated.deregistrationDelaySeconds, preStopSeconds),
        };
        const without = simulateRollout({ ...scenario, readinessGate: false });
        const withGate = simulateRollout({ ...scenario, readinessGate: true });
        expect(rolloutFailures(withGate)).toBeLessThanOrEqual(rolloutFailures(without));
      }),
      RUNS,
    );
  });

  it('raising preStop while P + S < G never increases the 502s and 504s of stopped pods', () => {
    fc.assert(
      fc.property(arbitraryScenario(), fc.integer({ min: 1, max: 20 }), (scenario, extra) => {
        const longer = scenario.preStopSeconds + extra;
        fc.pre(longer + scenario.shutdownSeconds < scenario.terminationGracePeriodSeconds);
        const before = simulateRollout(scenario);
        const after = simulateRollout({ ...scenario, preStopSeconds: longer });
        expect(podSideFailures(after)).toBeLessThanOrEqual(podSideFailures(before));
      }),
      RUNS,
    );
  });

  it('no traffic means no failures', () => {
    fc.assert(
      fc.property(arbitraryScenario(), (scenario) => {
        const result = simulateRollout({ ...scenario, rps: 0 });
        expect(result.requests).toBe(0);
        expect(result.failures).toBe(0);
        expect(result.successRatio).toBe(1);
      }),
      { numRuns: 30 },
    );
  });

  it('the proposed fix always simulates to zero failures', () => {
    fc.assert(
      fc.property(arbitraryScenario(), (scenario) => {
        const fixed = proposeFix(scenario).scenario;
        const result = simulateRollout(fixed);
        expect(result.cause?.sentence ?? 'no failure').toBe('no failure');
      }),
      { numRuns: Number(process.env['DG_PROPERTY_RUNS'] ?? 150) },
    );
  });
});
