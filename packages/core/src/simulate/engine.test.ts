import { describe, expect, it } from 'vitest';
import { SimulationBudgetError, simulateRollout } from './engine.js';
import { proposeFix } from './fix.js';
import { REFERENCE_CASES } from './reference.js';
import { createCanaryStrategy, createRollingStrategy, createScenario } from './scenario.js';
import { InvalidScenarioError } from './validate.js';

describe('reference articles', () => {
  it.each(REFERENCE_CASES.map((reference) => ({ name: `${reference.id}: ${reference.title}`, reference })))(
    '$name loses requests before its fix and none after',
    ({ reference }) => {
      const before = simulateRollout(reference.before);
      const after = simulateRollout(reference.after);
      expect(before.failures).toBeGreaterThan(0);
      expect(after.failures).toBe(0);
      expect(after.requests).toBeGreaterThan(0);
    },
  );

  it('000 at 50 req/s lands near the 78 % success Vegeta measured, with more 504s than 502s', () => {
    const reference = REFERENCE_CASES.find((candidate) => candidate.id === '000');
    if (reference === undefined) throw new Error('reference 000 missing');
    const result = simulateRollout(reference.before);
    expect(result.requests).toBeGreaterThan(1800);
    expect(result.successRatio).toBeGreaterThan(0.7);
    expect(result.successRatio).toBeLessThan(0.86);
    expect(result.byStatus[504]).toBeGreaterThan(result.byStatus[502]);
    expect(result.byStatus[502]).toBeGreaterThan(0);
    expect(result.latency.p90Ms).toBeCloseTo(10_000, -2);
  });

  it('002 with its readiness gate still loses requests to draining targets whose pod has exited', () => {
    const reference = REFERENCE_CASES.find((candidate) => candidate.id === '002');
    if (reference === undefined) throw new Error('reference 002 missing');
    const result = simulateRollout(reference.before);
    expect(result.byStatus[503]).toBe(0);
    expect(result.byStatus[504]).toBeGreaterThan(0);
    expect(result.timeline.some((point) => point.drainingPodGone > 0 && point.status504 > 0)).toBe(true);
  });
});

describe('simulateRollout', () => {
  it.each([
    {
      name: 'no preStop → 502/504 from pods that exit while still routed to, explained with the numbers',
      input: { preStopSeconds: 0 },
      reasons: ['unreachable', 'refused'],
      sentence: /preStop 0 s < controller latency 5 s \+ ALB propagation 15 s = 20 s/,
    },
    {
      name: 'no readiness gate and maxUnavailable = replicas → 503s while the new targets are initial',
      input: {
        replicas: 2,
        strategy: { kind: 'rolling' as const, maxSurge: 0, maxUnavailable: 2 },
        preStopSeconds: 25,
        terminationGracePeriodSeconds: 40,
      },
      reasons: ['no-healthy-target'],
      sentence: /no readiness gate/,
    },
    {
      name: 'grace shorter than preStop plus shutdown → requests cut mid-flight',
      input: {
        preStopSeconds: 25,
        terminationGracePeriodSeconds: 26,
        shutdownBehaviour: 'drain' as const,
        shutdownSeconds: 10,
        readinessGate: true,
        requestMedianMs: 6000,
        requestP99Ms: 9000,
      },
      reasons: ['reset'],
      sentence: /grace 26 s < preStop 25 s \+ shutdown 10 s/,
    },
    {
      name: 'keep-alive shorter than the idle timeout → 502s on reused connections',
      input: {
        replicas: 1,
        rps: 1,
        arrivals: 'poisson' as const,
        keepAliveTimeoutSeconds: 1,
        preStopSeconds: 25,
        readinessGate: true,
        durationSeconds: 600,
      },
      reasons: ['keep-alive'],
      sentence: /keep-alive 1 s < ALB idle timeout 60 s/,
    },
    {
      name: 'a deregistration delay shorter than the longest requests → 502s when it ends, said so',
      input: {
        deregistrationDelaySeconds: 5,
        preStopSeconds: 25,
        terminationGracePeriodSeconds: 60,
        readinessGate: true,
        requestMedianMs: 6000,
        requestP99Ms: 9000,
      },
      reasons: ['drain-expired'],
      sentence: /deregistration delay 5 s < the longest requests \(10 s\)/,
    },
    {
      name: 'an NLB delay shorter than its propagation → a 502 when it ends, blamed on the propagation, not on request length',
      input: {
        loadBalancer: 'nlb' as const,
        deregistrationDelaySeconds: 30,
        preStopSeconds: 130,
        terminationGracePeriodSeconds: 160,
        readinessGate: true,
      },
      reasons: ['drain-expired'],
      sentence:
        /^[^<]*deregistration delay 30 s < controller latency 5 s \+ NLB propagation 120 s = 125 s: the load balancer still sent new requests to the target when its delay ended$/,
    },
  ])('$name', ({ input, reasons, sentence }) => {
    const result = simulateRollout(createScenario(input));
    expect(reasons).toContain(result.cause?.reason);
    expect(result.cause?.sentence).toMatch(sentence);
  });

  it('instance targets lose fewer requests than ip targets without preStop, but still some', () => {
    const ip = simulateRollout(createScenario({ replicas: 5, targetType: 'ip' }));
    const instance = simulateRollout(createScenario({ replicas: 5, targetType: 'instance' }));
    expect(instance.failures).toBeGreaterThan(0);
    expect(instance.failures).toBeLessThan(ip.failures / 5);
  });

  it('an Argo canary without readiness gate sends weight to initial targets: 503s; the fix removes them', () => {
    const scenario = createScenario({
      replicas: 4,
      strategy: createCanaryStrategy(),
      preStopSeconds: 25,
      terminationGracePeriodSeconds: 40,
    });
    const result = simulateRollout(scenario);
    expect(result.byReason['no-healthy-target']).toBeGreaterThan(0);
    expect(result.markers.map((marker) => marker.label)).toEqual(
      expect.arrayContaining([
        'canary 25 %',
        'canary 50 %',
        'stable switched to new pods',
        'rollout complete',
      ]),
    );
    expect(simulateRollout(proposeFix(scenario).scenario).failures).toBe(0);
  });

  it('an exec preStop longer than the grace period is cut at the grace period', () => {
    const cut = simulateRollout(
      createScenario({ preStopSeconds: 60, preStopAction: 'exec', terminationGracePeriodSeconds: 10 }),
    );
    const full = simulateRollout(
      createScenario({ preStopSeconds: 60, preStopAction: 'exec', terminationGracePeriodSeconds: 70 }),
    );
    expect(cut.byStatus[502] + cut.byStatus[504]).toBeGreaterThan(0);
    expect(full.byStatus[502] + full.byStatus[504]).toBe(0);
  });

  it('draws every random number from the injected generator', () => {
    const streams: number[] = [];
    const scenario = createScenario({ arrivals: 'poisson', rps: 20, durationSeconds: 20 });
    const result = simulateRollout(scenario, {
      random: (_seed, stream) => {
        streams.push(stream);
        return { next: () => 0.5 };
      },
    });
    expect(streams.sort()).toEqual([0, 1, 2, 3]);
    // Every gap is -ln(0.5) / 20 s: a constant stream in disguise.
    expect(result.requests).toBe(Math.ceil(20 / (Math.LN2 / 20)));
  });

  it('counts every request of a constant stream: rate × duration', () => {
    const result = simulateRollout(createScenario({ rps: 40, durationSeconds: 30 }));
    expect(result.requests).toBe(40 * 30);
    expect(result.trafficSeconds).toBe(30);
  });

  it('rejects an impossible scenario with every error rather than running it', () => {
    expect(() => simulateRollout(createScenario({ rps: -1, replicas: 0 }))).toThrow(InvalidScenarioError);
    expect(() => simulateRollout(createScenario({ rps: 1e9 }))).toThrow(/at most 100000 requests\/s/);
  });

  it('stops an absurd run at the event budget with a message that says what to do', () => {
    const run = (): unknown => simulateRollout(createScenario({ rps: 10_000 }), { eventBudget: 50_000 });
    expect(run).toThrow(SimulationBudgetError);
    expect(run).toThrow(
      /stopped after 50,000 events .* lower the request rate or the duration, or raise the event budget/,
    );
  });

  it('a rolling update of 100 pods completes and replaces every pod', () => {
    const result = simulateRollout(
      createScenario({ replicas: 100, strategy: createRollingStrategy(100), rps: 10, readinessGate: true }),
    );
    expect(result.rolloutCompleteSecond).not.toBeNull();
    const last = result.timeline[result.timeline.length - 1];
    expect(last?.healthy).toBe(100);
  });
});
