import { describe, expect, it } from 'vitest';
import { aManifest } from '../testing/builders.js';
import { createAllowances } from '../timing/model.js';
import { validateManifests } from '../validate.js';

function ruleIds(yaml: string, allowances = createAllowances()): string[] {
  const report = validateManifests([{ file: 'test.yaml', text: yaml }], { allowances });
  expect(report.problems).toEqual([]);
  return [...new Set(report.findings.map((finding) => finding.ruleId))].sort();
}

describe('drain timing rules as sentences', () => {
  const cases = [
    {
      name: 'no preStop on the serving container → DG001',
      yaml: aManifest().withoutPreStop().build(),
      has: ['DG001'],
      lacks: ['DG002'],
    },
    {
      name: 'preStop 10 s < propagation 15 s → DG002',
      yaml: aManifest().withPreStopSleep(10).build(),
      has: ['DG002'],
      lacks: ['DG003'],
    },
    {
      name: 'preStop 20 s < deregistration delay 30 s → DG003 but not DG002',
      yaml: aManifest().withPreStopSleep(20).build(),
      has: ['DG003'],
      lacks: ['DG002'],
    },
    {
      name: 'grace shorter than preStop plus shutdown → DG004',
      yaml: aManifest().withPreStopSleep(35).withGrace(40).withShutdown(10).build(),
      has: ['DG004'],
      lacks: [],
    },
    {
      name: 'native sleep as long as the grace period → DG004',
      yaml: aManifest().withPreStopSleep(30).withGrace(30).withShutdown(0).build(),
      has: ['DG004'],
      lacks: [],
    },
    {
      name: 'grace equal to preStop plus shutdown → no DG004',
      yaml: aManifest().withPreStopSleep(35).withGrace(45).withShutdown(10).build(),
      has: [],
      lacks: ['DG004'],
    },
    {
      name: 'no target-group-attributes anywhere → DG005',
      yaml: aManifest().withoutDeregistrationDelay().build(),
      has: ['DG005', 'DG003'],
      lacks: [],
    },
    {
      name: 'deregistration delay 300 set explicitly → no DG005',
      yaml: aManifest().withDeregistrationDelay(300).build(),
      has: ['DG003'],
      lacks: ['DG005'],
    },
    {
      name: 'namespace unlabelled and no gate → DG006 error',
      yaml: aManifest().withoutInjectionLabel().build(),
      has: ['DG006'],
      lacks: [],
    },
    {
      name: 'instance target type → DG007, and no DG006 (gates need ip)',
      yaml: aManifest().withTargetType('instance').withoutInjectionLabel().build(),
      has: ['DG007'],
      lacks: ['DG006', 'DG009'],
    },
    { name: 'one replica → DG008', yaml: aManifest().withReplicas(1).build(), has: ['DG008'], lacks: [] },
    {
      name: 'maxUnavailable 2 of 4 replicas (half) → no DG008',
      yaml: aManifest().withReplicas(4).withMaxUnavailable(2).build(),
      has: [],
      lacks: ['DG008'],
    },
    {
      name: 'maxUnavailable 3 of 4 replicas → DG008',
      yaml: aManifest().withReplicas(4).withMaxUnavailable(3).build(),
      has: ['DG008'],
      lacks: [],
    },
    {
      name: 'keep-alive 5 s (Node.js default) ≤ idle 60 s → DG012',
      yaml: aManifest().withKeepAlive(5).build(),
      has: ['DG012'],
      lacks: [],
    },
    {
      name: 'exec sleep 35 → DG013',
      yaml: aManifest().withExecPreStop(['sleep', '35']).build(),
      has: ['DG013'],
      lacks: ['DG015', 'DG002'],
    },
    {
      name: 'sh -c "sleep 5s" → DG002 and DG013',
      yaml: aManifest().withExecPreStop(['/bin/sh', '-c', 'sleep 5s']).build(),
      has: ['DG002', 'DG013'],
      lacks: [],
    },
    {
      name: 'httpGet preStop → DG015 and no timing rule',
      yaml: aManifest().withHttpGetPreStop('/drain').build(),
      has: ['DG015'],
      lacks: ['DG001', 'DG002', 'DG003', 'DG004'],
    },
    {
      name: 'a propagation allowance of 40 s makes preStop 35 s too short → DG002',
      yaml: aManifest().build(),
      has: ['DG002'],
      lacks: [],
      propagation: 40,
    },
  ];

  it.each(cases)('$name', ({ yaml, has, lacks, propagation }) => {
    const allowances =
      propagation === undefined
        ? createAllowances()
        : createAllowances({
            propagationSeconds: {
              value: propagation,
              from: { kind: 'setting', setting: '--propagation-seconds' },
            },
          });
    const ids = ruleIds(yaml, allowances);
    for (const id of has) expect(ids).toContain(id);
    for (const id of lacks) expect(ids).not.toContain(id);
  });

  it('a finding quotes the numbers it compared and where each came from', () => {
    const report = validateManifests(
      [{ file: 'shop.yaml', text: aManifest().withPreStopSleep(10).withoutDeregistrationDelay().build() }],
      {
        allowances: createAllowances(),
      },
    );
    const dg002 = report.findings.find((finding) => finding.ruleId === 'DG002');
    expect(dg002?.message).toContain('sleeps 10 s in preStop');
    expect(dg002?.message).toContain(
      'the ALB keeps routing new requests to its target for about 20 s (controller latency 5 s + ALB propagation 15 s)',
    );
    expect(dg002?.values.map((v) => [v.symbol, v.value])).toEqual([
      ['P', 10],
      ['W', 20],
      ['C', 5],
      ['L', 15],
    ]);
    const dg005 = report.findings.find((finding) => finding.ruleId === 'DG005');
    expect(dg005?.message).toContain(
      '300 s (controller default: no deregistration_delay.timeout_seconds in alb.ingress.kubernetes.io/target-group-attributes',
    );
    expect(dg005?.fix.yaml).toContain('deregistration_delay.timeout_seconds=30');
  });

  it('suppression by annotation moves findings aside with the reason', () => {
    const yaml = aManifest()
      .withoutPreStop()
      .withWorkloadAnnotation('draingate.io/ignore', 'DG001, DG014')
      .withWorkloadAnnotation('draingate.io/ignore-reason', 'batch endpoint, retried by clients')
      .build();
    const report = validateManifests([{ file: 'x.yaml', text: yaml }], { allowances: createAllowances() });
    expect(report.findings.map((f) => f.ruleId)).not.toContain('DG001');
    expect(report.suppressed.map((s) => [s.finding.ruleId, s.reason])).toEqual([
      ['DG001', 'batch endpoint, retried by clients'],
    ]);
  });

  it('a workload no load balancer reaches is left alone', () => {
    const yaml = aManifest().withoutIngress().withoutPreStop().build();
    const report = validateManifests([{ file: 'x.yaml', text: yaml }], { allowances: createAllowances() });
    expect(report.findings).toEqual([]);
    expect(report.skippedWorkloads.map((ref) => ref.name)).toEqual(['web']);
  });
});
