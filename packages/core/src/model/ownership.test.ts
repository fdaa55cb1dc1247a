import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { describeProvenance } from './provenance.js';
import type { ClusterFacts } from './cluster.js';
import { aManifest } from '../testing/builders.js';
import { createAllowances } from '../timing/model.js';
import { validateManifests } from '../validate.js';
import { renderText } from '../report/text.js';
import { renderJson } from '../report/json.js';

type Doc = Record<string, unknown>;

/** The all-right workload and Service, without an Ingress: each case adds what routes to it. */
const base = (): string => aManifest().withoutIngress().build();

function anIngress(
  spec: { className?: string; classAnnotation?: string; annotations?: Record<string, string> } = {},
): Doc {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: 'web',
      namespace: 'shop',
      annotations: {
        'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
        ...(spec.classAnnotation ? { 'kubernetes.io/ingress.class': spec.classAnnotation } : {}),
        ...spec.annotations,
      },
    },
    spec: {
      ...(spec.className ? { ingressClassName: spec.className } : {}),
      defaultBackend: { service: { name: 'web', port: { name: 'http' } } },
    },
  };
}

/** An Ingress that carries no alb.ingress.kubernetes.io/* annotation at all. */
function aPlainIngress(className?: string): Doc {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      ...(className ? { ingressClassName: className } : {}),
      defaultBackend: { service: { name: 'web', port: { name: 'http' } } },
    },
  };
}

function anIngressClass(
  name: string,
  controller: string,
  options: { isDefault?: boolean; params?: { apiGroup: string; name: string } } = {},
): Doc {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      name,
      ...(options.isDefault
        ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }
        : {}),
    },
    spec: {
      controller,
      ...(options.params ? { parameters: { kind: 'IngressClassParams', ...options.params } } : {}),
    },
  };
}

function aLoadBalancerService(
  spec: Record<string, unknown> = {},
  annotations: Record<string, string> = {},
): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web-nlb', namespace: 'shop', annotations },
    spec: {
      type: 'LoadBalancer',
      selector: { app: 'web' },
      ports: [{ port: 80, targetPort: 'http' }],
      ...spec,
    },
  };
}

function validate(docs: readonly Doc[], cluster?: ClusterFacts, text = base()) {
  const all = `${text}---\n${docs.map((doc) => stringify(doc)).join('---\n')}`;
  const report = validateManifests([{ file: 'in.yaml', text: all }], {
    allowances: createAllowances(),
    ...(cluster ? { cluster } : {}),
  });
  expect(report.problems).toEqual([]);
  return report;
}

/** What the linker made of the workload: `alb ip`, `nlb instance`, `skipped`, `unresolved`. */
function outcome(docs: readonly Doc[], cluster?: ClusterFacts): string {
  const report = validate(docs, cluster);
  if (report.unresolvedWorkloads.length > 0) return 'unresolved';
  if (report.skippedWorkloads.length > 0) return 'skipped';
  return 'judged';
}

describe('which Ingresses the AWS Load Balancer Controller owns', () => {
  const ALB = 'ingress.k8s.aws/alb';
  const NGINX = 'k8s.io/ingress-nginx';
  it.each([
    { name: 'ingressClassName alb → an ALB', docs: [anIngress({ className: 'alb' })], expected: 'judged' },
    {
      name: 'a class of any name whose IngressClass names the controller → an ALB',
      docs: [anIngress({ className: 'public' }), anIngressClass('public', ALB)],
      expected: 'judged',
    },
    {
      name: 'a class of another controller → not load balanced, no notice',
      docs: [anIngress({ className: 'nginx' }), anIngressClass('nginx', NGINX)],
      expected: 'skipped',
    },
    {
      name: 'no class, the default IngressClass is the controller’s → an ALB',
      docs: [anIngress(), anIngressClass('public', ALB, { isDefault: true })],
      expected: 'judged',
    },
    {
      name: 'no class, the default IngressClass is nginx → not load balanced',
      docs: [anIngress(), anIngressClass('nginx', NGINX, { isDefault: true })],
      expected: 'skipped',
    },
    {
      name: 'no class and two default IngressClasses (the controller refuses) → could not tell',
      docs: [
        anIngress(),
        anIngressClass('public', ALB, { isDefault: true }),
        anIngressClass('nginx', NGINX, { isDefault: true }),
      ],
      expected: 'unresolved',
    },
    {
      name: 'the kubernetes.io/ingress.class annotation alb wins over ingressClassName nginx → an ALB',
      docs: [anIngress({ className: 'nginx', classAnnotation: 'alb' }), anIngressClass('nginx', NGINX)],
      expected: 'judged',
    },
    {
      name: 'the annotation nginx wins over ingressClassName alb → not load balanced',
      docs: [
        anIngress({ className: 'alb', classAnnotation: 'nginx' }),
        anIngressClass('alb', ALB),
        anIngressClass('nginx', NGINX),
      ],
      expected: 'skipped',
    },
    {
      name: 'an annotation of a class the input does not define, with alb annotations → could not tell',
      docs: [anIngress({ classAnnotation: 'alb-internal' })],
      expected: 'unresolved',
    },
    {
      name: 'a class the input does not define, with alb annotations → could not tell',
      docs: [anIngress({ className: 'internal' })],
      expected: 'unresolved',
    },
    {
      name: 'a class the input does not define, without alb annotations → another controller’s',
      docs: [aPlainIngress('internal')],
      expected: 'skipped',
    },
    {
      name: 'no class, no default class, with alb annotations → could not tell',
      docs: [anIngress()],
      expected: 'unresolved',
    },
    {
      name: 'an EKS Auto Mode IngressClass (eks.amazonaws.com/alb) → an ALB',
      docs: [anIngress({ className: 'auto' }), anIngressClass('auto', 'eks.amazonaws.com/alb')],
      expected: 'judged',
    },
  ])('$name', ({ docs, expected }) => {
    expect(outcome(docs)).toBe(expected);
  });

  it.each([
    {
      name: 'a declared ALB class resolves a class the input does not define',
      docs: [anIngress({ className: 'internal' })],
      cluster: { albIngressClasses: ['internal'] },
      expected: 'judged',
    },
    {
      name: 'declared classes make any other undefined class another controller’s',
      docs: [anIngress({ className: 'internal' })],
      cluster: { albIngressClasses: ['public'] },
      expected: 'skipped',
    },
    {
      name: 'a declared default class resolves an Ingress without a class',
      docs: [anIngress()],
      cluster: { defaultIngressClass: 'alb' },
      expected: 'judged',
    },
    {
      name: 'a declared class matches the kubernetes.io/ingress.class annotation too',
      docs: [anIngress({ classAnnotation: 'internal' })],
      cluster: { albIngressClasses: ['internal'] },
      expected: 'judged',
    },
  ])('$name', ({ docs, cluster, expected }) => {
    expect(outcome(docs, cluster)).toBe(expected);
  });

  it('an unresolved class is a notice naming the Ingress, its line and how to declare the class', () => {
    const report = validate([anIngress({ className: 'internal' })]);
    expect(report.notices).toEqual([
      expect.objectContaining({
        code: 'unresolved-ingress-class',
        object: 'Ingress shop/web',
        at: expect.objectContaining({ file: 'in.yaml', line: expect.any(Number) }),
        message: expect.stringContaining(
          'cluster: { albIngressClasses: [internal] } in .draingate.yaml, or --alb-ingress-class internal',
        ),
      }),
    ]);
  });

  it('an Ingress without a class nor a default says how to declare the default class', () => {
    const [notice] = validate([anIngress()]).notices;
    expect(notice?.message).toContain('--default-ingress-class alb');
  });

  it('with the annotation, the IngressClassParams of the named class do not apply (the controller ignores them)', () => {
    const params = {
      apiVersion: 'elbv2.k8s.aws/v1beta1',
      kind: 'IngressClassParams',
      metadata: { name: 'public' },
      spec: { targetType: 'ip' },
    };
    const withClass = [
      anIngress({ className: 'public' }),
      anIngressClass('public', ALB, { params: { apiGroup: 'elbv2.k8s.aws', name: 'public' } }),
      params,
    ];
    const withAnnotation = [
      anIngress({ className: 'public', classAnnotation: 'alb' }),
      anIngressClass('public', ALB, { params: { apiGroup: 'elbv2.k8s.aws', name: 'public' } }),
      params,
    ];
    const dg007 = (docs: Doc[]) => validate(docs).findings.filter((f) => f.ruleId === 'DG007').length;
    expect(dg007(withClass)).toBe(0);
    expect(dg007(withAnnotation)).toBe(1);
  });
});

describe('EKS Auto Mode and the controller’s default target type', () => {
  const targetTypeOf = (docs: readonly Doc[], cluster?: ClusterFacts) => {
    const report = validate(docs, cluster);
    const dg007 = report.findings.find((f) => f.ruleId === 'DG007');
    return dg007 ? 'instance' : report.workloads.length > 0 ? 'ip' : 'none';
  };

  it.each([
    {
      name: 'the controller’s default is instance',
      docs: [anIngress({ className: 'alb' })],
      expected: 'instance',
    },
    {
      name: 'EKS Auto Mode’s default is ip',
      docs: [anIngress({ className: 'auto' }), anIngressClass('auto', 'eks.amazonaws.com/alb')],
      expected: 'ip',
    },
    {
      name: 'an annotation wins over EKS Auto Mode’s default',
      docs: [
        anIngress({
          className: 'auto',
          annotations: { 'alb.ingress.kubernetes.io/target-type': 'instance' },
        }),
        anIngressClass('auto', 'eks.amazonaws.com/alb'),
      ],
      expected: 'instance',
    },
    {
      name: 'an eks.amazonaws.com/nlb Service is an NLB with ip targets',
      docs: [aLoadBalancerService({ loadBalancerClass: 'eks.amazonaws.com/nlb' })],
      expected: 'ip',
    },
    {
      name: 'a service.k8s.aws/nlb Service is the controller’s NLB with instance targets',
      docs: [aLoadBalancerService({ loadBalancerClass: 'service.k8s.aws/nlb' })],
      expected: 'instance',
    },
  ])('$name', ({ docs, expected }) => {
    expect(targetTypeOf(docs)).toBe(expected);
  });

  it('a declared --default-target-type ip applies where nothing is set, and says where it came from', () => {
    const report = validate([anIngress({ className: 'alb' })], {
      defaultTargetType: { value: 'ip', from: { kind: 'setting', setting: '--default-target-type ip' } },
    });
    expect(report.findings.filter((f) => f.ruleId === 'DG007')).toEqual([]);
    const report2 = validate(
      [anIngress({ className: 'alb', annotations: { 'alb.ingress.kubernetes.io/target-type': 'instance' } })],
      { defaultTargetType: { value: 'ip', from: { kind: 'setting', setting: '--default-target-type ip' } } },
    );
    expect(report2.findings.filter((f) => f.ruleId === 'DG007')).toHaveLength(1);
  });

  it('EKS Auto Mode’s default names its source', () => {
    const report = validate(
      [aLoadBalancerService({ loadBalancerClass: 'eks.amazonaws.com/nlb' })],
      undefined,
      aManifest().withoutIngress().withoutInjectionLabel().build(),
    );
    const dg006 = report.findings.find((f) => f.ruleId === 'DG006');
    expect(dg006?.values.find((v) => v.name === 'ip-target backends')?.value).toBe(1);
  });

  it('Auto Mode IngressClassParams (eks.amazonaws.com) of the class apply', () => {
    const report = validate([
      anIngress({ className: 'auto' }),
      anIngressClass('auto', 'eks.amazonaws.com/alb', {
        params: { apiGroup: 'eks.amazonaws.com', name: 'auto' },
      }),
      {
        apiVersion: 'eks.amazonaws.com/v1',
        kind: 'IngressClassParams',
        metadata: { name: 'auto' },
        spec: { loadBalancerAttributes: [{ key: 'idle_timeout.timeout_seconds', value: '30' }] },
      },
    ]);
    expect(report.workloads).toHaveLength(1);
    const text = renderText(report);
    expect(text).not.toContain('Input problems');
  });
});

describe('which Services of type LoadBalancer become NLBs', () => {
  it.each([
    {
      name: 'no class, no annotation, nothing declared → could not tell',
      cluster: undefined,
      expected: 'unresolved',
    },
    {
      name: 'no class, no annotation, the Service mutator webhook on → the controller’s NLB',
      cluster: { serviceMutatorWebhook: true },
      expected: 'judged',
    },
    {
      name: 'no class, no annotation, EKS Auto Mode → its NLB',
      cluster: { eksAutoMode: true },
      expected: 'judged',
    },
    {
      name: 'no class, no annotation, the webhook off → the in-tree Classic Load Balancer, not judged',
      cluster: { serviceMutatorWebhook: false },
      expected: 'skipped',
    },
  ])('$name', ({ cluster, expected }) => {
    expect(outcome([aLoadBalancerService()], cluster)).toBe(expected);
  });

  it('another loadBalancerClass is not the controller’s', () => {
    expect(outcome([aLoadBalancerService({ loadBalancerClass: 'example.com/lb' })])).toBe('skipped');
  });

  it('an undecided Service is a notice that says what to declare', () => {
    const report = validate([aLoadBalancerService()]);
    expect(report.notices).toEqual([
      expect.objectContaining({
        code: 'unresolved-load-balancer-service',
        object: 'Service shop/web-nlb',
        message: expect.stringContaining('--service-mutator-webhook'),
      }),
    ]);
  });
});

describe('the summary says how many workloads were skipped and why', () => {
  const other = stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'worker', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'worker' } },
      template: { metadata: { labels: { app: 'worker' } }, spec: { containers: [{ name: 'worker' }] } },
    },
  });

  it('not load balanced and could not tell are counted apart, in text and JSON', () => {
    const report = validate([anIngress({ className: 'internal' })], undefined, `${base()}---\n${other}`);
    expect(report.skippedWorkloads.map((ref) => ref.name)).toEqual(['worker']);
    expect(report.unresolvedWorkloads.map((ref) => ref.name)).toEqual(['web']);
    const summary = renderText(report).trimEnd().split('\n').at(-1);
    expect(summary).toContain(
      '2 workloads skipped (1 not behind a load balancer, 1 whose load balancer could not be told: see notices)',
    );
    expect(JSON.parse(renderJson(report)).summary).toMatchObject({
      workloads: 0,
      skippedWorkloads: 1,
      unresolvedWorkloads: 1,
      notices: 1,
    });
  });

  it('nothing skipped: the summary says nothing of it', () => {
    const summary = renderText(validate([anIngress({ className: 'alb' })]))
      .trimEnd()
      .split('\n')
      .at(-1);
    expect(summary).not.toContain('skipped');
  });
});

describe('provenance of cluster defaults', () => {
  it('EKS Auto Mode’s ip default reads as such', () => {
    expect(
      describeProvenance({ kind: 'default', authority: 'eks-auto-mode', note: 'no target-type annotation' }),
    ).toBe('EKS Auto Mode default: no target-type annotation');
  });
});
