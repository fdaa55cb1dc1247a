import { describe, expect, it } from 'vitest';
import type { WorkloadFacts } from '../model/facts.js';
import { UpstreamError } from '../ports/errors.js';
import { targetGroupUnattached } from '../rules/dg018-target-group-unattached.js';
import { RULES } from '../rules/registry.js';
import { aManifest } from '../testing/builders.js';
import { ARNS } from '../testing/checks.js';
import { ManualClock } from '../testing/memory-ports.js';
import { createAllowances } from '../timing/model.js';
import { loadFacts, validateManifests } from '../validate.js';
import { evaluateDrainTiming, runDrainTiming } from './drain-timing.js';

const NOW = new Date('2026-01-01T12:10:00Z');
const allowances = createAllowances();

function factsOf(manifest: string): WorkloadFacts {
  const { facts, problems } = loadFacts([{ file: 'shop.yaml', text: manifest }], { allowances });
  expect(problems).toEqual([]);
  const [workload] = facts;
  if (!workload) throw new Error('the manifest has no workload');
  return workload;
}

/** The facts as the live adapter would build them: the target group's ARN and its load balancers filled in. */
function live(facts: WorkloadFacts, loadBalancerArns: readonly string[]): WorkloadFacts {
  return {
    ...facts,
    backends: facts.backends.map((backend) => ({
      ...backend,
      settings: { ...backend.settings, targetGroupArn: ARNS.stable, loadBalancerArns },
    })),
  };
}

describe('drain-timing', () => {
  it.each([
    {
      name: 'the all-right workload, live and attached → Successful with no error',
      facts: () => live(factsOf(aManifest().build()), [ARNS.loadBalancer]),
      phase: 'Successful',
      value: 0,
    },
    {
      name: 'a missing preStop → Failed, value the number of errors',
      facts: () => live(factsOf(aManifest().withoutPreStop().build()), [ARNS.loadBalancer]),
      phase: 'Failed',
      value: 1,
      rules: ['DG001'],
    },
    {
      name: 'a target group attached to no load balancer → Failed by DG018',
      facts: () => live(factsOf(aManifest().build()), []),
      phase: 'Failed',
      value: 1,
      rules: ['DG018'],
    },
    {
      name: 'a workload no load balancer reaches → Inconclusive',
      facts: () => factsOf(aManifest().withoutIngress().build()),
      phase: 'Inconclusive',
      value: 0,
    },
  ])('$name', ({ facts, phase, value, rules }) => {
    const verdict = evaluateDrainTiming({ facts: facts(), now: NOW, allowances });
    expect(verdict.phase).toBe(phase);
    expect(verdict.value).toBe(value);
    expect(verdict.threshold).toBe(0);
    const findings = verdict.details['findings'] as { ruleId: string; severity: string }[];
    expect(
      findings.filter((finding) => finding.severity === 'error').map((finding) => finding.ruleId),
    ).toEqual(rules ?? []);
  });

  it('names the rule and its message in the reason', () => {
    const verdict = evaluateDrainTiming({ facts: live(factsOf(aManifest().build()), []), now: NOW });
    expect(verdict.reason).toMatch(
      /^1 error, 0 warnings, 0 info: DG018 arn:aws:elasticloadbalancing:.*targetgroup\/.* is attached to no load balancer/,
    );
  });

  it('lists the live notices (a TargetGroupBinding that cannot be told apart) in details.notices', () => {
    const facts: WorkloadFacts = {
      ...live(factsOf(aManifest().build()), [ARNS.loadBalancer]),
      notices: [
        {
          code: 'ambiguous-target-group-binding',
          object: 'Ingress shop/web',
          message: 'two bindings, no labels.',
        },
      ],
    };
    const verdict = evaluateDrainTiming({ facts, now: NOW });
    expect(verdict.phase).toBe('Successful');
    expect(verdict.details['notices']).toEqual(['Ingress shop/web: two bindings, no labels.']);
  });

  it('runs against a facts reader and maps its upstream failure to an Error verdict', async () => {
    const clock = new ManualClock(NOW);
    const workload = { kind: 'Deployment', namespace: 'shop', name: 'web' } as const;
    const ok = await runDrainTiming(
      {
        facts: { readWorkloadFacts: async () => live(factsOf(aManifest().build()), [ARNS.loadBalancer]) },
        clock,
      },
      { workload },
    );
    expect(ok.phase).toBe('Successful');
    const failed = await runDrainTiming(
      {
        facts: {
          readWorkloadFacts: async () => {
            throw new UpstreamError(
              'kubernetes',
              'readNamespacedDeployment',
              'not-found',
              'deployments.apps "web" not found',
            );
          },
        },
        clock,
      },
      { workload },
    );
    expect(failed.phase).toBe('Error');
    expect(failed.reason).toMatch(/kubernetes readNamespacedDeployment failed \(not-found\)/);
  });
});

describe('DG018 target-group-unattached', () => {
  it('is registered as a live-only error rule', () => {
    expect(RULES).toContain(targetGroupUnattached);
    expect(targetGroupUnattached).toMatchObject({ id: 'DG018', scope: 'live', severity: 'error' });
  });

  it.each([
    {
      name: 'fires: live facts with no load balancer attached',
      loadBalancerArns: [] as string[],
      fires: true,
    },
    {
      name: 'quiet: live facts with a load balancer attached',
      loadBalancerArns: [ARNS.loadBalancer],
      fires: false,
    },
  ])('$name', ({ loadBalancerArns, fires }) => {
    const findings = targetGroupUnattached.evaluate({
      facts: live(factsOf(aManifest().build()), loadBalancerArns),
      allowances,
    });
    expect(findings.length > 0).toBe(fires);
    for (const finding of findings) {
      expect(finding.message).toMatch(/\.$/);
      expect(finding.values).toEqual([
        expect.objectContaining({ name: 'load balancers attached', value: 0 }),
      ]);
      expect(finding.fix.summary.length).toBeGreaterThan(5);
    }
  });

  it('never fires statically, where the attachment is unknown', () => {
    const report = validateManifests([{ file: 'shop.yaml', text: aManifest().build() }], { allowances });
    expect(report.findings.filter((finding) => finding.ruleId === 'DG018')).toEqual([]);
    const facts = factsOf(aManifest().build());
    expect(facts.backends.every((backend) => backend.settings.loadBalancerArns === undefined)).toBe(true);
    expect(targetGroupUnattached.evaluate({ facts, allowances })).toEqual([]);
  });
});
