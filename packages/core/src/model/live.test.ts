import { describe, expect, it } from 'vitest';
import { evaluateRules } from '../rules/evaluate.js';
import { aLiveTargetGroup, aManifest, liveObjectsOf } from '../testing/builders.js';
import { createAllowances } from '../timing/model.js';
import { applyLiveTargetGroups, buildLiveFacts, createLiveFactsReader } from './live.js';
import type { LiveObjects } from '../ports/cluster.js';
import type { LiveTargetGroup } from './live.js';

const TG =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-shop-web-0123456789/0123456789abcdef';
const LB =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/k8s-shop-web/fedcba9876543210';

/** The all-right example as a cluster returns it, plus the TargetGroupBinding the controller created. */
function liveObjects(yaml = aManifest().build()): LiveObjects {
  return liveObjectsOf(yaml, [
    {
      apiVersion: 'elbv2.k8s.aws/v1beta1',
      kind: 'TargetGroupBinding',
      metadata: { name: 'k8s-shop-web-0123456789', namespace: 'shop' },
      spec: { serviceRef: { name: 'web', port: 'http' }, targetGroupARN: TG, targetType: 'ip' },
    },
  ]);
}

const awsSays = (
  attributes: Record<string, string>,
  extra: Partial<LiveTargetGroup['info']> = {},
): Map<string, LiveTargetGroup> =>
  new Map([[TG, aLiveTargetGroup(TG, 'k8s-shop-web-0123456789', LB, attributes, extra)]]);

const ref = { kind: 'Deployment', namespace: 'shop', name: 'web' } as const;

describe('live facts', () => {
  it('a workload read from the cluster links like its manifests, without lines', () => {
    const { facts, problems } = buildLiveFacts(liveObjects(), ref, createAllowances());
    expect(problems).toEqual([]);
    expect(facts?.workload.ref.source).toBeUndefined();
    expect(facts?.backends.map((b) => b.route.kind).sort()).toEqual(['Ingress', 'TargetGroupBinding']);
  });

  it('the controller’s TargetGroupBinding folds into the Ingress backend, and AWS’s values win over annotations', () => {
    const { facts, bindings } = buildLiveFacts(liveObjects(), ref, createAllowances());
    const live = applyLiveTargetGroups(
      facts!,
      bindings,
      awsSays({ 'deregistration_delay.timeout_seconds': '120' }),
    );
    expect(live.backends).toHaveLength(1);
    expect(live.backends[0]?.route.kind).toBe('Ingress');
    expect(live.backends[0]?.settings.deregistrationDelaySeconds).toEqual({
      value: 120,
      from: { kind: 'aws', resource: TG, attribute: 'deregistration_delay.timeout_seconds' },
    });
    expect(live.backends[0]?.settings.loadBalancerArns).toEqual([LB]);
  });

  it('a live 300 s deregistration delay → DG005, quoting AWS as the source', () => {
    const { facts, bindings } = buildLiveFacts(liveObjects(), ref, createAllowances());
    const live = applyLiveTargetGroups(
      facts!,
      bindings,
      awsSays({ 'deregistration_delay.timeout_seconds': '300' }),
    );
    const { findings } = evaluateRules([live], { allowances: createAllowances() });
    const dg005 = findings.find((f) => f.ruleId === 'DG005');
    expect(dg005?.message).toContain(`300 s (deregistration_delay.timeout_seconds of ${TG})`);
    expect(dg005?.at).toBeUndefined();
  });

  it('objects the cluster returned malformed are problems, not crashes', () => {
    const objects = { ...liveObjects(), services: [{ kind: 'Service' }, 'garbage'] };
    const { problems } = buildLiveFacts(objects, ref, createAllowances());
    expect(problems).toHaveLength(2);
    expect(problems[0]?.message).toContain('without apiVersion, kind or metadata.name');
  });
});

describe('createLiveFactsReader', () => {
  const catalog = (calls: string[]) => ({
    describeTargetGroups: async (arns: readonly string[]) => {
      calls.push(`describeTargetGroups ${arns.length}`);
      return [...awsSays({}).values()].map((group) => group.info).filter((info) => arns.includes(info.arn));
    },
    describeTargetGroupAttributes: async () => {
      calls.push('describeTargetGroupAttributes');
      return { 'deregistration_delay.timeout_seconds': '45' };
    },
    describeLoadBalancers: async () => [],
    describeLoadBalancerAttributes: async () => {
      calls.push('describeLoadBalancerAttributes');
      return { 'idle_timeout.timeout_seconds': '90' };
    },
    describeTags: async () => new Map(),
    findTargetGroupsByTags: async () => [],
  });

  it('reads the objects, then each target group once, and returns facts with AWS’s values', async () => {
    const calls: string[] = [];
    const reader = createLiveFactsReader({
      objects: { readLiveObjects: async () => liveObjects() },
      catalog: catalog(calls),
      allowances: createAllowances(),
    });
    const facts = await reader.readWorkloadFacts(ref);
    expect(calls.sort()).toEqual([
      'describeLoadBalancerAttributes',
      'describeTargetGroupAttributes',
      'describeTargetGroups 1',
    ]);
    expect(facts.backends[0]?.settings.deregistrationDelaySeconds.value).toBe(45);
    expect(facts.backends[0]?.settings.idleTimeoutSeconds?.value).toBe(90);
  });

  it('a workload the objects do not contain is a not-found upstream error', async () => {
    const reader = createLiveFactsReader({
      objects: { readLiveObjects: async () => liveObjects() },
      catalog: catalog([]),
      allowances: createAllowances(),
    });
    await expect(
      reader.readWorkloadFacts({ kind: 'Deployment', namespace: 'shop', name: 'other' }),
    ).rejects.toMatchObject({ name: 'UpstreamError', failure: 'not-found' });
  });
});
