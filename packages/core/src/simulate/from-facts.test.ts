import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAllowances } from '../timing/model.js';
import { loadFacts } from '../validate.js';
import { simulateRollout } from './engine.js';
import { proposeFix } from './fix.js';
import { createScenariosFromFacts } from './from-facts.js';
import { validateScenario } from './validate.js';
import type { FactsScenario } from './from-facts.js';

const EXAMPLES = join(import.meta.dirname, '../../../../examples');

function scenariosOf(file: string): FactsScenario[] {
  const text = readFileSync(join(EXAMPLES, file), 'utf8');
  const { facts, problems } = loadFacts([{ file, text }], { allowances: createAllowances() });
  expect(problems).toEqual([]);
  return createScenariosFromFacts(facts);
}

const references = readdirSync(EXAMPLES).filter((name) => name.startsWith('reference-'));

describe('scenarios from the examples', () => {
  it.each(references.map((name) => ({ name })))('$name: 5xx before the fix, none after', ({ name }) => {
    const [broken] = scenariosOf(`${name}/broken.yaml`);
    const [fixed] = scenariosOf(`${name}/fixed.yaml`);
    if (broken === undefined || fixed === undefined) throw new Error(`no load-balanced workload in ${name}`);
    expect(simulateRollout(broken.scenario).failures).toBeGreaterThan(0);
    expect(simulateRollout(fixed.scenario).failures).toBe(0);
  });

  it('all-right loses nothing, and proposeFix changes nothing that matters there', () => {
    const [right] = scenariosOf('all-right/shop.yaml');
    if (right === undefined) throw new Error('no load-balanced workload in all-right');
    expect(simulateRollout(right.scenario).failures).toBe(0);
    expect(proposeFix(right.scenario).changes.map((change) => change.field)).toEqual([]);
  });

  it('reads the timings the rules read: replicas, budget, preStop, grace, gate, delay, keep-alive', () => {
    const [right] = scenariosOf('all-right/shop.yaml');
    expect(right?.scenario).toMatchObject({
      replicas: 3,
      strategy: { kind: 'rolling', maxSurge: 1, maxUnavailable: 0 },
      readinessGate: true,
      targetType: 'ip',
      preStopSeconds: 35,
      preStopAction: 'sleep',
      terminationGracePeriodSeconds: 50,
      shutdownSeconds: 10,
      keepAliveTimeoutSeconds: 65,
      healthCheckIntervalSeconds: 10,
      deregistrationDelaySeconds: 30,
    });
    expect(right?.name).toMatch(/^Deployment /);
  });

  it('an exec sleep stays an exec sleep, and a workload without a hook would get the native one', () => {
    const [fixed] = scenariosOf('reference-000-preset/fixed.yaml');
    const [broken] = scenariosOf('reference-000-preset/broken.yaml');
    expect(fixed?.scenario).toMatchObject({
      preStopSeconds: 30,
      preStopAction: 'exec',
      terminationGracePeriodSeconds: 60,
    });
    expect(broken?.scenario).toMatchObject({
      preStopSeconds: 0,
      preStopAction: 'sleep',
      readinessGate: false,
    });
  });

  it('flag overrides win over the manifests', () => {
    const text = readFileSync(join(EXAMPLES, 'reference-000-preset/broken.yaml'), 'utf8');
    const { facts } = loadFacts([{ file: 'broken.yaml', text }], { allowances: createAllowances() });
    const [scenario] = createScenariosFromFacts(facts, { overrides: { rps: 7, preStopSeconds: 12 } });
    expect(scenario?.scenario.rps).toBe(7);
    expect(scenario?.scenario.preStopSeconds).toBe(12);
    expect(scenario?.scenario.replicas).toBe(3);
  });
});

describe('every valid load balancer configuration simulates', () => {
  const FIXTURES = join(import.meta.dirname, '../rules/fixtures');
  const files = readdirSync(FIXTURES).flatMap((rule) =>
    (['fires', 'quiet'] as const).flatMap((kind) => {
      const dir = join(FIXTURES, rule, kind);
      return readdirSync(dir)
        .filter((file) => file.endsWith('.yaml'))
        .map((file) => ({ name: `${rule} ${kind}: ${file}`, path: join(dir, file) }));
    }),
  );
  // DG011's firing fixtures hold settings AWS refuses, and a native sleep as long as the grace period is one the
  // API server refuses; everything else is a configuration the controller builds.
  const valid = files.filter(
    ({ name }) => !name.startsWith('DG011 fires') && !name.includes('with-native-sleep-35'),
  );

  it.each(valid)('$name: the scenario built from it is valid', ({ path }) => {
    const allowances = createAllowances();
    const { facts } = loadFacts([{ file: path, text: readFileSync(path, 'utf8') }], { allowances });
    for (const { scenario } of createScenariosFromFacts(facts, { allowances }))
      expect(validateScenario(scenario)).toEqual([]);
  });

  it('NLB and instance targets are among them', () => {
    const names = valid.map(({ name }) => name).join('\n');
    expect(names).toMatch(/nlb-service-controller-defaults/);
    expect(names).toMatch(/nlb-ip-targets/);
    expect(names).toMatch(/alb-instance-targets/);
  });
});
