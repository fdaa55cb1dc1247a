// Which TargetGroupBinding serves which backend when one Service port is reached through several load
// balancers: the controller's stack labels decide (stack.ts), as they do for the controller itself.
import { describe, expect, it } from 'vitest';
import { evaluateRules } from '../rules/evaluate.js';
import { aLiveTargetGroup, aManifest, liveObjectsOf } from '../testing/builders.js';
import { createAllowances } from '../timing/model.js';
import type { LiveObjects } from '../ports/cluster.js';
import type { LoadBalancerCatalog } from '../ports/elb.js';
import { formatObjectRef } from './provenance.js';
import { applyLiveTargetGroups, buildLiveFacts, createLiveFactsReader } from './live.js';
import type { LiveTargetGroup } from './live.js';

const arn = (name: string) =>
  `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/0123456789abcdef`;
const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/k8s-shop/fedcba9876543210';
const ref = { kind: 'Deployment', namespace: 'shop', name: 'web' } as const;

const GATEWAY_CLASS = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: aws-alb }
spec: { controllerName: gateway.k8s.aws/alb }`;

const gateway = (name: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: shop }
spec:
  gatewayClassName: aws-alb
  listeners: [{ name: http, protocol: HTTP, port: 80 }]`;

const httpRoute = (name: string, parent: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: shop }
spec:
  parentRefs: [{ name: ${parent} }]
  rules: [{ backendRefs: [{ name: web, port: 80 }] }]`;

const ingress = (name: string, group?: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/target-type: ip
    ${group ? `alb.ingress.kubernetes.io/group.name: ${group}` : 'draingate.io/note: lone'}
spec:
  ingressClassName: alb
  rules: [{ http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }] } }]`;

const ALB_GATEWAY = 'gateway.k8s.aws.alb';
const ofGateway = (name: string) => ({
  [`${ALB_GATEWAY}/stack-namespace`]: 'shop',
  [`${ALB_GATEWAY}/stack-name`]: name,
});
const ofIngress = (name: string) => ({
  'ingress.k8s.aws/stack-namespace': 'shop',
  'ingress.k8s.aws/stack-name': name,
});
const ofGroup = (group: string) => ({ 'ingress.k8s.aws/stack': group });

interface Binding {
  readonly name: string;
  readonly labels?: Record<string, string>;
  /** The deregistration delay AWS reports for the binding's target group. */
  readonly delay: number;
}

/** The all-right workload and Service, the routes in `yaml`, and the bindings as the cluster returns them. */
function liveObjects(yaml: readonly string[], bindings: readonly Binding[]): LiveObjects {
  return liveObjectsOf(
    [aManifest().withoutIngress().build(), ...yaml].join('\n---\n'),
    bindings.map((binding) => ({
      apiVersion: 'elbv2.k8s.aws/v1beta1',
      kind: 'TargetGroupBinding',
      metadata: {
        name: binding.name,
        namespace: 'shop',
        ...(binding.labels ? { labels: binding.labels } : {}),
      },
      spec: { serviceRef: { name: 'web', port: 80 }, targetGroupARN: arn(binding.name), targetType: 'ip' },
    })),
  );
}

function awsSays(bindings: readonly Binding[]): Map<string, LiveTargetGroup> {
  return new Map(
    bindings.map((binding) => [
      arn(binding.name),
      aLiveTargetGroup(arn(binding.name), binding.name, LB, {
        'deregistration_delay.timeout_seconds': String(binding.delay),
      }),
    ]),
  );
}

function judge(yaml: readonly string[], bindings: readonly Binding[]) {
  const built = buildLiveFacts(liveObjects(yaml, bindings), ref, createAllowances());
  expect(built.problems).toEqual([]);
  const facts = applyLiveTargetGroups(built.facts!, built.bindings, awsSays(bindings));
  const backends = facts.backends.map((backend) => ({
    route: formatObjectRef(backend.routeRef),
    targetGroup: backend.settings.targetGroupArn?.split('/')[1],
    delay: backend.settings.deregistrationDelaySeconds.value,
  }));
  const report = evaluateRules([facts], { allowances: createAllowances() });
  // The target group each DG005 quotes as the source of its 300 s.
  const dg005 = report.findings
    .filter((finding) => finding.ruleId === 'DG005')
    .map((finding) => /of arn:[^)]*:targetgroup\/([\w-]+)\//.exec(finding.message)?.[1] ?? finding.message);
  return { facts, backends, dg005, notices: facts.notices ?? [] };
}

describe('live bindings: each backend reads its own load balancer’s target group', () => {
  it.each([
    {
      name: 'two HTTPRoutes on two ALB Gateways, delays 30 and 300 → two backends with their own delays; DG005 quotes the 300 s one',
      yaml: [
        GATEWAY_CLASS,
        gateway('public'),
        gateway('internal'),
        httpRoute('web', 'public'),
        httpRoute('web-internal', 'internal'),
      ],
      bindings: [
        { name: 'k8s-shop-webinter-1111111111', labels: ofGateway('internal'), delay: 300 },
        { name: 'k8s-shop-web-2222222222', labels: ofGateway('public'), delay: 30 },
      ],
      backends: [
        { route: 'HTTPRoute shop/web', targetGroup: 'k8s-shop-web-2222222222', delay: 30 },
        { route: 'HTTPRoute shop/web-internal', targetGroup: 'k8s-shop-webinter-1111111111', delay: 300 },
      ],
      dg005: ['k8s-shop-webinter-1111111111'],
    },
    {
      name: 'an Ingress and an HTTPRoute to one Service port → the Ingress’s stack and the Gateway’s, each its own',
      yaml: [ingress('web'), GATEWAY_CLASS, gateway('public'), httpRoute('web', 'public')],
      bindings: [
        { name: 'k8s-shop-web-3333333333', labels: ofGateway('public'), delay: 300 },
        { name: 'k8s-shop-web-4444444444', labels: ofIngress('web'), delay: 30 },
      ],
      backends: [
        { route: 'HTTPRoute shop/web', targetGroup: 'k8s-shop-web-3333333333', delay: 300 },
        { route: 'Ingress shop/web', targetGroup: 'k8s-shop-web-4444444444', delay: 30 },
      ],
      dg005: ['k8s-shop-web-3333333333'],
    },
    {
      name: 'an Ingress of IngressGroup public and a lone Ingress → `ingress.k8s.aws/stack: public` for the one, namespace and name for the other',
      yaml: [ingress('web', 'public'), ingress('web-direct')],
      bindings: [
        { name: 'k8s-shop-web-5555555555', labels: ofIngress('web-direct'), delay: 300 },
        { name: 'k8s-shop-web-6666666666', labels: ofGroup('public'), delay: 30 },
      ],
      backends: [
        { route: 'Ingress shop/web', targetGroup: 'k8s-shop-web-6666666666', delay: 30 },
        { route: 'Ingress shop/web-direct', targetGroup: 'k8s-shop-web-5555555555', delay: 300 },
      ],
      dg005: ['k8s-shop-web-5555555555'],
    },
    {
      name: 'two HTTPRoutes on one Gateway → the binding named after each route (k8s-<route ns>-<route name>-…)',
      yaml: [GATEWAY_CLASS, gateway('public'), httpRoute('web', 'public'), httpRoute('checkout', 'public')],
      bindings: [
        { name: 'k8s-shop-checkout-7777777777', labels: ofGateway('public'), delay: 300 },
        { name: 'k8s-shop-web-8888888888', labels: ofGateway('public'), delay: 30 },
      ],
      backends: [
        { route: 'HTTPRoute shop/checkout', targetGroup: 'k8s-shop-checkout-7777777777', delay: 300 },
        { route: 'HTTPRoute shop/web', targetGroup: 'k8s-shop-web-8888888888', delay: 30 },
      ],
      dg005: ['k8s-shop-checkout-7777777777'],
    },
    {
      name: 'a hand-written binding without labels, alone on the port → matched by Service and port, as before',
      yaml: [ingress('web')],
      bindings: [{ name: 'by-hand', delay: 300 }],
      backends: [{ route: 'Ingress shop/web', targetGroup: 'by-hand', delay: 300 }],
      dg005: ['by-hand'],
    },
  ])('$name', ({ yaml, bindings, backends, dg005 }) => {
    const judged = judge(yaml, bindings);
    expect(judged.notices).toEqual([]);
    expect([...judged.backends].sort((a, b) => a.route.localeCompare(b.route))).toEqual(backends);
    expect(judged.dg005).toEqual(dg005);
  });

  it('two unlabelled bindings on the port → a notice naming both; the Ingress keeps its declared settings and each binding is judged on its own target group', () => {
    const judged = judge(
      [ingress('web')],
      [
        { name: 'by-hand-a', delay: 30 },
        { name: 'by-hand-b', delay: 300 },
      ],
    );
    expect(judged.notices).toEqual([
      {
        code: 'ambiguous-target-group-binding',
        object: 'Ingress shop/web',
        message:
          "2 TargetGroupBindings serve Service shop/web port 80 (by-hand-a, by-hand-b) and none carries the AWS Load Balancer Controller's stack labels: draingate cannot tell which target group is this route's, so its target group settings are the declared ones, not AWS's; each binding's own target group is judged as a backend of its own.",
      },
    ]);
    expect(judged.backends).toEqual([
      { route: 'Ingress shop/web', targetGroup: undefined, delay: 300 },
      { route: 'TargetGroupBinding shop/by-hand-a', targetGroup: 'by-hand-a', delay: 30 },
      { route: 'TargetGroupBinding shop/by-hand-b', targetGroup: 'by-hand-b', delay: 300 },
    ]);
    // The Ingress's declared delay (no annotation: the 300 s default) and by-hand-b's live one.
    expect(judged.dg005).toEqual([expect.stringContaining('300 s (controller default'), 'by-hand-b']);
  });

  it('two bindings of one Gateway that no route name tells apart (targetGroupName set) → the ambiguity notice', () => {
    const judged = judge(
      [GATEWAY_CLASS, gateway('public'), httpRoute('web', 'public')],
      [
        { name: 'shop-web-blue', labels: ofGateway('public'), delay: 30 },
        { name: 'shop-web-green', labels: ofGateway('public'), delay: 30 },
      ],
    );
    expect(judged.notices.map((notice) => [notice.code, notice.object])).toEqual([
      ['ambiguous-target-group-binding', 'HTTPRoute shop/web'],
    ]);
    expect(judged.notices[0]?.message).toContain(
      'and all carry the stack labels of ALB Gateway shop/public and none is named after the route alone (k8s-shop-web-…)',
    );
  });

  it('labelled bindings of other load balancers only → a notice that this route’s binding is missing, and no other’s target group taken', () => {
    const judged = judge(
      [ingress('web'), GATEWAY_CLASS, gateway('public'), httpRoute('web', 'public')],
      [{ name: 'k8s-shop-web-4444444444', labels: ofIngress('web'), delay: 30 }],
    );
    expect(judged.notices).toEqual([
      {
        code: 'missing-target-group-binding',
        object: 'HTTPRoute shop/web',
        message:
          "no TargetGroupBinding with the stack labels of ALB Gateway shop/public serves Service shop/web port 80 (k8s-shop-web-4444444444 belongs to other load balancers): the controller has not made this route's target group yet, or failed to; its target group settings are the declared ones, not AWS's; each binding's own target group is judged as a backend of its own.",
      },
    ]);
    expect(judged.backends.find((b) => b.route === 'HTTPRoute shop/web')?.targetGroup).toBeUndefined();
    expect(judged.backends.find((b) => b.route === 'Ingress shop/web')?.targetGroup).toBe(
      'k8s-shop-web-4444444444',
    );
  });
});

describe('createLiveFactsReader with two Gateways on one Service port', () => {
  it('describes both target groups and returns both backends, the 300 s one tripping DG005', async () => {
    const bindings: Binding[] = [
      { name: 'k8s-shop-web-2222222222', labels: ofGateway('public'), delay: 30 },
      { name: 'k8s-shop-webinter-1111111111', labels: ofGateway('internal'), delay: 300 },
    ];
    const groups = awsSays(bindings);
    const described: string[][] = [];
    const catalog: LoadBalancerCatalog = {
      describeTargetGroups: async (arns) => {
        described.push([...arns]);
        return arns.map((a) => groups.get(a)!.info);
      },
      describeTargetGroupAttributes: async (a) => groups.get(a)!.attributes,
      describeLoadBalancers: async () => [],
      describeLoadBalancerAttributes: async () => ({ 'idle_timeout.timeout_seconds': '60' }),
      describeTags: async () => new Map(),
      findTargetGroupsByTags: async () => [],
    };
    const reader = createLiveFactsReader({
      objects: {
        readLiveObjects: async () =>
          liveObjects(
            [
              GATEWAY_CLASS,
              gateway('public'),
              gateway('internal'),
              httpRoute('web', 'public'),
              httpRoute('web-internal', 'internal'),
            ],
            bindings,
          ),
      },
      catalog,
      allowances: createAllowances(),
    });
    const facts = await reader.readWorkloadFacts(ref);
    expect(described.map((arns) => [...arns].sort())).toEqual([bindings.map((b) => arn(b.name)).sort()]);
    expect(
      facts.backends.map((b) => [formatObjectRef(b.routeRef), b.settings.deregistrationDelaySeconds.value]),
    ).toEqual([
      ['HTTPRoute shop/web', 30],
      ['HTTPRoute shop/web-internal', 300],
    ]);
    const report = evaluateRules([facts], { allowances: createAllowances() });
    expect(report.findings.filter((f) => f.ruleId === 'DG005').map((f) => f.message)).toEqual([
      expect.stringContaining(
        `300 s (deregistration_delay.timeout_seconds of ${arn('k8s-shop-webinter-1111111111')})`,
      ),
    ]);
  });
});

describe('live linking notices', () => {
  const listenerSet = `apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: team, namespace: shop }
spec:
  parentRef: { name: public }
  listeners: [{ name: team-http, protocol: HTTP, port: 8080 }]`;
  const viaListenerSet = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: web, namespace: shop }
spec:
  parentRefs: [{ kind: ListenerSet, name: team }]
  rules: [{ backendRefs: [{ name: web, port: 80 }] }]`;

  it.each([
    {
      name: 'a workload that reaches no load balancer because its Gateway refuses the ListenerSet → the notice that says so',
      yaml: [GATEWAY_CLASS, gateway('public'), listenerSet, viaListenerSet],
      backends: 0,
      notices: ['listener-set-not-accepted ListenerSet shop/team'],
    },
    {
      name: 'a judged workload → no notice about the other routes read with it',
      yaml: [GATEWAY_CLASS, gateway('public'), listenerSet, viaListenerSet, httpRoute('direct', 'public')],
      backends: 1,
      notices: [],
    },
  ])('$name', ({ yaml, backends, notices }) => {
    const built = buildLiveFacts(liveObjects(yaml, []), ref, createAllowances());
    expect(built.facts?.backends).toHaveLength(backends);
    expect((built.facts?.notices ?? []).map((notice) => `${notice.code} ${notice.object ?? ''}`)).toEqual(
      notices,
    );
  });
});
