import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateManifests } from '../validate.js';
import { loadFacts } from '../validate.js';
import { createAllowances } from '../timing/model.js';
import { simulateRollout } from './engine.js';
import { createScenariosFromFacts } from './from-facts.js';
import { createRollingStrategy, createScenario, scenarioExposure } from './scenario.js';
import type { SimulationResult } from './result.js';

const FIXTURES = join(import.meta.dirname, '../rules/fixtures');

/** Requests lost because a pod stopped serving while the load balancer still sent it traffic. */
function lostToRouting(result: SimulationResult): number {
  return result.byReason.refused + result.byReason.unreachable;
}

function simulateFile(file: string): SimulationResult {
  const allowances = createAllowances();
  const { facts } = loadFacts([{ file, text: readFileSync(file, 'utf8') }], { allowances });
  const [scenario] = createScenariosFromFacts(facts, { allowances });
  if (!scenario) throw new Error(`${file}: nothing load-balanced`);
  return simulateRollout(scenario.scenario);
}

function preStopFindings(file: string): string[] {
  const report = validateManifests([{ file, text: readFileSync(file, 'utf8') }], {
    allowances: createAllowances(),
  });
  return report.findings
    .filter((finding) => finding.ruleId === 'DG001' || finding.ruleId === 'DG002')
    .map((finding) => `${finding.ruleId} W=${String(finding.values.find((v) => v.symbol === 'W')?.value)}`);
}

describe('the rules and the simulator agree on what a preStop must outlive, per target type', () => {
  it.each([
    {
      name: 'NLB with the controller’s defaults (instance targets), no preStop: DG001 at W = 2 s, and requests lost',
      file: 'DG001/fires/nlb-service-controller-defaults.yaml',
      findings: ['DG001 W=2'],
      lost: true,
      cause: /preStop 0 s < endpoint propagation 2 s \(instance targets: the node stays registered\) = 2 s/,
    },
    {
      name: 'NLB with instance targets sleeping 5 s: no finding, nothing lost',
      file: 'DG002/quiet/nlb-instance-targets-sleep-5.yaml',
      findings: [],
      lost: false,
    },
    {
      name: 'ALB with instance targets, no preStop: DG001 at W = 2 s, and requests lost',
      file: 'DG001/fires/alb-instance-targets-no-prestop.yaml',
      findings: ['DG001 W=2'],
      lost: true,
    },
    {
      name: 'ALB with instance targets sleeping 5 s: no finding, nothing lost',
      file: 'DG002/quiet/alb-instance-targets-sleep-5.yaml',
      findings: [],
      lost: false,
    },
    {
      name: 'NLB with ip targets sleeping 30 s: DG002 at W = 125 s, and requests lost',
      file: 'DG002/fires/nlb-ip-targets-sleep-30.yaml',
      findings: ['DG002 W=125'],
      lost: true,
      cause: /preStop 30 s < controller latency 5 s \+ NLB propagation 120 s = 125 s/,
    },
    {
      name: 'NLB, instance targets, externalTrafficPolicy Local, sleeping 10 s: DG002 at W = 62 s, and requests lost',
      file: 'DG002/fires/nlb-instance-local-sleep-10.yaml',
      findings: ['DG002 W=62'],
      lost: true,
      cause:
        /preStop 10 s < endpoint propagation 2 s \+ unhealthy threshold 2 × interval 10 s \+ NLB reaction 40 s/,
    },
    {
      name: 'NLB, instance targets, externalTrafficPolicy Local, sleeping 70 s: no finding, nothing lost',
      file: 'DG017/quiet/nlb-local-checks-kube-proxy-healthz.yaml',
      findings: [],
      lost: false,
    },
    {
      name: 'ALB with ip targets sleeping 20 s = C + L: no finding, nothing lost',
      file: 'DG002/quiet/sleep-20-equals-controller-latency-plus-propagation.yaml',
      findings: [],
      lost: false,
    },
  ])('$name', ({ file, findings, lost, cause }) => {
    const path = join(FIXTURES, file);
    expect(preStopFindings(path)).toEqual(findings);
    const result = simulateFile(path);
    if (lost) expect(lostToRouting(result)).toBeGreaterThan(0);
    else expect(lostToRouting(result)).toBe(0);
    if (cause) expect(result.cause?.sentence).toMatch(cause);
  });

  it('for any target type, load balancer and traffic policy, pods that serve through W lose nothing to routing, and pods that stop 2 s sooner do', () => {
    fc.assert(
      fc.property(
        fc.record({
          targetType: fc.constantFrom('ip', 'instance' as const),
          loadBalancer: fc.constantFrom('alb', 'nlb' as const),
          local: fc.boolean(),
          propagation: fc.integer({ min: 3, max: 30 }),
          interval: fc.integer({ min: 5, max: 15 }),
          unhealthy: fc.integer({ min: 2, max: 3 }),
          replicas: fc.integer({ min: 2, max: 4 }),
          seed: fc.integer({ min: 0, max: 100_000 }),
        }),
        (r) => {
          const base = createScenario({
            replicas: r.replicas,
            strategy: createRollingStrategy(r.replicas, 1, 0),
            targetType: r.targetType,
            loadBalancer: r.loadBalancer,
            externalTrafficPolicy: r.local ? 'Local' : 'Cluster',
            propagationSeconds: r.propagation,
            healthCheckIntervalSeconds: r.interval,
            healthCheckTimeoutSeconds: 2,
            unhealthyThresholdCount: r.unhealthy,
            deregistrationDelaySeconds: 0,
            rps: 40,
            seed: r.seed,
          });
          const w = scenarioExposure(base).seconds;
          const serving = simulateRollout({
            ...base,
            preStopSeconds: w,
            preStopAction: 'exec',
            terminationGracePeriodSeconds: Math.ceil(w) + 20,
          });
          expect(lostToRouting(serving)).toBe(0);
          const early = simulateRollout({
            ...base,
            preStopSeconds: Math.max(0, w - 2),
            preStopAction: 'exec',
            terminationGracePeriodSeconds: Math.ceil(w) + 20,
          });
          expect(lostToRouting(early)).toBeGreaterThan(0);
        },
      ),
      { numRuns: Number(process.env['DG_PROPERTY_RUNS'] ?? 60) },
    );
  });
});
