import { describe, expect, it } from 'vitest';
import { parseManifests } from '../manifest/parse.js';
import { createAllowances } from '../timing/model.js';
import { validateManifests } from '../validate.js';
import type { BackendFacts } from './facts.js';
import { buildFacts } from './link.js';
import { describeProvenance } from './provenance.js';

function build(text: string) {
  const parsed = parseManifests(text, 'in.yaml');
  const built = buildFacts(parsed.objects);
  return { ...built, problems: [...parsed.problems, ...built.problems] };
}

const workload = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          ports: [{ containerPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }, { port: 81, targetPort: 8080 }]
`;

const gatewayClass = (controller = 'gateway.k8s.aws/alb', params = '') => `---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: lb }
spec:
  controllerName: ${controller}
${params}`;

const gateway = (extra = '', listeners = '[{ name: http, protocol: HTTP, port: 80 }]', ns = 'shop') => `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: ${ns} }
spec:
  gatewayClassName: lb
  listeners: ${listeners}
${extra}`;

const route = (
  kind = 'HTTPRoute',
  backend = '{ name: web, port: 80 }',
  parent = '{ name: gw }',
  ns = 'shop',
) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: { name: r, namespace: ${ns} }
spec:
  parentRefs: [${parent}]
  rules: [{ backendRefs: [${backend}] }]
`;

const tgc = (name: string, spec: string, ns = 'shop') => `---
apiVersion: gateway.k8s.aws/v1
kind: TargetGroupConfiguration
metadata: { name: ${name}, namespace: ${ns} }
spec:
${spec}`;

const lbc = (name: string, spec: string, ns = 'shop') => `---
apiVersion: gateway.k8s.aws/v1
kind: LoadBalancerConfiguration
metadata: { name: ${name}, namespace: ${ns} }
spec:
${spec}`;

const classParams = `  parametersRef: { group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: org, namespace: platform }\n`;
const gatewayParams = `  infrastructure:\n    parametersRef: { group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: own }\n`;

function only(text: string): BackendFacts {
  const built = build(text);
  expect(built.problems).toEqual([]);
  const backends = built.facts.flatMap((facts) => facts.backends);
  expect(backends).toHaveLength(1);
  return backends[0]!;
}

describe('which routes reach a workload', () => {
  it.each([
    {
      name: 'an HTTPRoute of an ALB Gateway → one ALB backend on the named port',
      text: workload + gatewayClass() + gateway() + route(),
      lb: 'alb',
      ports: [80],
    },
    {
      name: 'a TCPRoute of an NLB Gateway → one NLB backend',
      text:
        workload +
        gatewayClass('gateway.k8s.aws/nlb') +
        gateway('', '[{ name: db, protocol: TCP, port: 5432 }]') +
        route('TCPRoute'),
      lb: 'nlb',
      ports: [80],
    },
    {
      name: 'a UDPRoute of an NLB Gateway → one NLB backend',
      text:
        workload +
        gatewayClass('gateway.k8s.aws/nlb') +
        gateway('', '[{ name: dns, protocol: UDP, port: 53 }]') +
        route('UDPRoute'),
      lb: 'nlb',
      ports: [80],
    },
    {
      name: 'a TLSRoute on a TLS listener → one NLB backend',
      text:
        workload +
        gatewayClass('gateway.k8s.aws/nlb') +
        gateway('', '[{ name: tls, protocol: TLS, port: 443 }]') +
        route('TLSRoute'),
      lb: 'nlb',
      ports: [80],
    },
    {
      name: 'a TCPRoute on a TLS listener (its default kinds) → one NLB backend',
      text:
        workload +
        gatewayClass('gateway.k8s.aws/nlb') +
        gateway('', '[{ name: tls, protocol: TLS, port: 443 }]') +
        route('TCPRoute'),
      lb: 'nlb',
      ports: [80],
    },
    {
      name: 'a GRPCRoute on an HTTP listener (HTTPRoute only) → none',
      text: workload + gatewayClass() + gateway() + route('GRPCRoute'),
      lb: undefined,
      ports: [],
    },
    {
      name: 'a GRPCRoute on an HTTPS listener → one ALB backend',
      text:
        workload +
        gatewayClass() +
        gateway('', '[{ name: https, protocol: HTTPS, port: 443 }]') +
        route('GRPCRoute'),
      lb: 'alb',
      ports: [80],
    },
    {
      name: 'another controller’s GatewayClass → none',
      text: workload + gatewayClass('istio.io/gateway-controller') + gateway() + route(),
      lb: undefined,
      ports: [],
    },
    {
      name: 'a backendRef to a port the Service does not have → none',
      text: workload + gatewayClass() + gateway() + route('HTTPRoute', '{ name: web, port: 8080 }'),
      lb: undefined,
      ports: [],
    },
    {
      name: 'weight 0 still registers the pods → one backend',
      text: workload + gatewayClass() + gateway() + route('HTTPRoute', '{ name: web, port: 81, weight: 0 }'),
      lb: 'alb',
      ports: [81],
    },
    {
      name: 'a sectionName naming no listener → none',
      text:
        workload +
        gatewayClass() +
        gateway() +
        route('HTTPRoute', '{ name: web, port: 80 }', '{ name: gw, sectionName: https }'),
      lb: undefined,
      ports: [],
    },
    {
      name: 'a route of another namespace on a listener of namespaces Same → none',
      text:
        workload +
        gatewayClass() +
        gateway('', undefined, 'edge') +
        route('HTTPRoute', '{ name: web, port: 80, namespace: shop }', '{ name: gw }', 'edge').replace(
          'namespace: edge }\nspec:\n  parentRefs: [{ name: gw }]',
          'namespace: shop }\nspec:\n  parentRefs: [{ name: gw, namespace: edge }]',
        ),
      lb: undefined,
      ports: [],
    },
  ])('$name', ({ text, lb, ports }) => {
    const built = build(text);
    expect(built.problems).toEqual([]);
    const backends = built.facts.flatMap((facts) => facts.backends);
    expect(backends.map((b) => b.servicePort.port)).toEqual(ports);
    expect(backends[0]?.loadBalancer).toBe(lb);
  });
});

describe('TargetGroupConfiguration precedence and merge (controller v3.5.0)', () => {
  const setting = (
    backend: BackendFacts,
    key: 'targetType' | 'deregistrationDelaySeconds' | 'healthCheckIntervalSeconds' | 'healthyThresholdCount',
  ) => `${String(backend.settings[key].value)} ← ${describeProvenance(backend.settings[key].from)}`;
  it.each([
    {
      name: 'no configuration → the controller’s Gateway defaults (instance, 300 s, 15 s, threshold 3)',
      text: workload + gatewayClass() + gateway() + route(),
      expected: {
        targetType:
          'instance ← controller default: no targetType in a TargetGroupConfiguration for Service shop/web',
        deregistrationDelaySeconds:
          '300 ← AWS default: no deregistration_delay.timeout_seconds in targetGroupAttributes in a TargetGroupConfiguration for Service shop/web',
        healthCheckIntervalSeconds:
          '15 ← controller default: no healthCheckConfig.healthCheckInterval in a TargetGroupConfiguration for Service shop/web',
        healthyThresholdCount:
          '3 ← controller default: no healthCheckConfig.healthyThresholdCount in a TargetGroupConfiguration for Service shop/web',
      },
    },
    {
      name: 'a Service-level configuration sets its fields; the rest stay the controller’s',
      text:
        workload +
        gatewayClass() +
        gateway() +
        route() +
        tgc(
          'web-tgc',
          '  targetReference: { name: web }\n  defaultConfiguration:\n    targetType: ip\n    targetGroupAttributes: [{ key: deregistration_delay.timeout_seconds, value: "30" }]\n',
        ),
      expected: {
        targetType:
          'ip ← spec.defaultConfiguration.targetType on TargetGroupConfiguration shop/web-tgc (in.yaml:46:5)',
        deregistrationDelaySeconds:
          '30 ← spec.defaultConfiguration.targetGroupAttributes[deregistration_delay.timeout_seconds] on TargetGroupConfiguration shop/web-tgc (in.yaml:47:74)',
        healthCheckIntervalSeconds:
          '15 ← controller default: no healthCheckConfig.healthCheckInterval in a TargetGroupConfiguration for Service shop/web',
        healthyThresholdCount:
          '3 ← controller default: no healthCheckConfig.healthyThresholdCount in a TargetGroupConfiguration for Service shop/web',
      },
    },
    {
      name: 'Service-level fields win over the Gateway default field by field; attributes merge key by key',
      text:
        workload +
        gatewayClass() +
        gateway(gatewayParams) +
        route() +
        lbc('own', '  defaultTargetGroupConfiguration: { name: gw-defaults }\n') +
        tgc(
          'gw-defaults',
          '  defaultConfiguration:\n    targetType: ip\n    healthCheckConfig: { healthCheckInterval: 10, healthyThresholdCount: 2 }\n    targetGroupAttributes: [{ key: deregistration_delay.timeout_seconds, value: "20" }]\n',
        ) +
        tgc(
          'web-tgc',
          '  targetReference: { name: web }\n  defaultConfiguration:\n    targetGroupAttributes: [{ key: slow_start.duration_seconds, value: "30" }]\n',
        ),
      expected: {
        targetType:
          'ip ← spec.defaultConfiguration.targetType on TargetGroupConfiguration shop/gw-defaults (in.yaml:53:5)',
        deregistrationDelaySeconds:
          '20 ← spec.defaultConfiguration.targetGroupAttributes[deregistration_delay.timeout_seconds] on TargetGroupConfiguration shop/gw-defaults (in.yaml:55:74)',
        healthCheckIntervalSeconds:
          '10 ← spec.defaultConfiguration.healthCheckConfig.healthCheckInterval on TargetGroupConfiguration shop/gw-defaults (in.yaml:54:26)',
        healthyThresholdCount:
          '2 ← spec.defaultConfiguration.healthCheckConfig.healthyThresholdCount on TargetGroupConfiguration shop/gw-defaults (in.yaml:54:51)',
      },
    },
    {
      name: 'a Service-level healthCheckConfig replaces the default’s block whole: its unset fields fall back to the controller’s',
      text:
        workload +
        gatewayClass() +
        gateway(gatewayParams) +
        route() +
        lbc('own', '  defaultTargetGroupConfiguration: { name: gw-defaults }\n') +
        tgc(
          'gw-defaults',
          '  defaultConfiguration:\n    targetType: ip\n    healthCheckConfig: { healthCheckInterval: 10, healthyThresholdCount: 2 }\n',
        ) +
        tgc(
          'web-tgc',
          '  targetReference: { name: web }\n  defaultConfiguration:\n    healthCheckConfig: { healthyThresholdCount: 4 }\n',
        ),
      expected: {
        targetType:
          'ip ← spec.defaultConfiguration.targetType on TargetGroupConfiguration shop/gw-defaults (in.yaml:53:5)',
        deregistrationDelaySeconds:
          '300 ← AWS default: no deregistration_delay.timeout_seconds in targetGroupAttributes in a TargetGroupConfiguration for Service shop/web',
        healthCheckIntervalSeconds:
          '15 ← controller default: no healthCheckConfig.healthCheckInterval in a TargetGroupConfiguration for Service shop/web',
        healthyThresholdCount:
          '4 ← spec.defaultConfiguration.healthCheckConfig.healthyThresholdCount on TargetGroupConfiguration shop/web-tgc (in.yaml:62:26)',
      },
    },
    {
      name: 'mergingMode prefer-gateway-class (the default): the GatewayClass default wins on overlap, the Gateway’s fills the rest',
      text:
        workload +
        gatewayClass('gateway.k8s.aws/alb', classParams) +
        gateway(gatewayParams) +
        route() +
        lbc('org', '  defaultTargetGroupConfiguration: { name: org-defaults }\n', 'platform') +
        tgc('org-defaults', '  defaultConfiguration:\n    targetType: instance\n', 'platform') +
        lbc('own', '  defaultTargetGroupConfiguration: { name: gw-defaults }\n') +
        tgc(
          'gw-defaults',
          '  defaultConfiguration:\n    targetType: ip\n    targetGroupAttributes: [{ key: deregistration_delay.timeout_seconds, value: "20" }]\n',
        ),
      expected: {
        targetType:
          'instance ← spec.defaultConfiguration.targetType on TargetGroupConfiguration platform/org-defaults (in.yaml:54:5)',
        deregistrationDelaySeconds:
          '20 ← spec.defaultConfiguration.targetGroupAttributes[deregistration_delay.timeout_seconds] on TargetGroupConfiguration shop/gw-defaults (in.yaml:68:74)',
        healthCheckIntervalSeconds:
          '15 ← controller default: no healthCheckConfig.healthCheckInterval in a TargetGroupConfiguration for Service shop/web',
        healthyThresholdCount:
          '3 ← controller default: no healthCheckConfig.healthyThresholdCount in a TargetGroupConfiguration for Service shop/web',
      },
    },
    {
      name: 'mergingMode prefer-gateway: the Gateway default wins on overlap',
      text:
        workload +
        gatewayClass('gateway.k8s.aws/alb', classParams) +
        gateway(gatewayParams) +
        route() +
        lbc(
          'org',
          '  mergingMode: prefer-gateway\n  defaultTargetGroupConfiguration: { name: org-defaults }\n',
          'platform',
        ) +
        tgc('org-defaults', '  defaultConfiguration:\n    targetType: instance\n', 'platform') +
        lbc('own', '  defaultTargetGroupConfiguration: { name: gw-defaults }\n') +
        tgc('gw-defaults', '  defaultConfiguration:\n    targetType: ip\n'),
      expected: {
        targetType:
          'ip ← spec.defaultConfiguration.targetType on TargetGroupConfiguration shop/gw-defaults (in.yaml:68:5)',
        deregistrationDelaySeconds:
          '300 ← AWS default: no deregistration_delay.timeout_seconds in targetGroupAttributes in a TargetGroupConfiguration for Service shop/web',
        healthCheckIntervalSeconds:
          '15 ← controller default: no healthCheckConfig.healthCheckInterval in a TargetGroupConfiguration for Service shop/web',
        healthyThresholdCount:
          '3 ← controller default: no healthCheckConfig.healthyThresholdCount in a TargetGroupConfiguration for Service shop/web',
      },
    },
    {
      name: 'route configurations: kind+namespace beats kind alone; one naming another route matches nothing',
      text:
        workload +
        gatewayClass() +
        gateway() +
        route() +
        tgc(
          'web-tgc',
          '  targetReference: { name: web }\n  defaultConfiguration: { targetType: ip }\n  routeConfigurations:\n    - routeIdentifier: { kind: HTTPRoute, namespace: shop, name: other }\n      targetGroupProps: { targetGroupAttributes: [{ key: deregistration_delay.timeout_seconds, value: "5" }] }\n    - routeIdentifier: { kind: HTTPRoute }\n      targetGroupProps: { targetGroupAttributes: [{ key: deregistration_delay.timeout_seconds, value: "40" }] }\n    - routeIdentifier: { kind: HTTPRoute, namespace: shop }\n      targetGroupProps: { targetGroupAttributes: [{ key: deregistration_delay.timeout_seconds, value: "25" }] }\n',
        ),
      expected: {
        targetType:
          'ip ← spec.defaultConfiguration.targetType on TargetGroupConfiguration shop/web-tgc (in.yaml:45:27)',
        deregistrationDelaySeconds:
          '25 ← spec.routeConfigurations[2].targetGroupProps.targetGroupAttributes[deregistration_delay.timeout_seconds] on TargetGroupConfiguration shop/web-tgc (in.yaml:52:96)',
        healthCheckIntervalSeconds:
          '15 ← controller default: no healthCheckConfig.healthCheckInterval in a TargetGroupConfiguration for Service shop/web',
        healthyThresholdCount:
          '3 ← controller default: no healthCheckConfig.healthyThresholdCount in a TargetGroupConfiguration for Service shop/web',
      },
    },
  ])('$name', ({ text, expected }) => {
    const backend = only(text);
    expect({
      targetType: setting(backend, 'targetType'),
      deregistrationDelaySeconds: setting(backend, 'deregistrationDelaySeconds'),
      healthCheckIntervalSeconds: setting(backend, 'healthCheckIntervalSeconds'),
      healthyThresholdCount: setting(backend, 'healthyThresholdCount'),
    }).toEqual(expected);
  });

  it('an NLB Gateway’s instance targets behind externalTrafficPolicy Local check kube-proxy’s /healthz 10/6/2/2', () => {
    const local = workload.replace(
      '  selector: { app: web }\n  ports',
      '  type: LoadBalancer\n  externalTrafficPolicy: Local\n  selector: { app: web }\n  ports',
    );
    const backend = only(
      local +
        gatewayClass('gateway.k8s.aws/nlb') +
        gateway('', '[{ name: db, protocol: TCP, port: 5432 }]') +
        route('TCPRoute'),
    );
    const s = backend.settings;
    expect([
      s.healthCheckProtocol.value,
      s.healthCheckPort.value,
      s.healthCheckPath.value,
      s.healthCheckIntervalSeconds.value,
      s.healthCheckTimeoutSeconds.value,
      s.healthyThresholdCount.value,
      s.unhealthyThresholdCount.value,
    ]).toEqual(['HTTP', 'healthCheckNodePort', '/healthz', 10, 6, 2, 2]);
  });

  it('the Gateway’s LoadBalancerConfiguration sets the ALB idle timeout', () => {
    const backend = only(
      workload +
        gatewayClass() +
        gateway(gatewayParams) +
        route() +
        lbc('own', '  loadBalancerAttributes: [{ key: idle_timeout.timeout_seconds, value: "120" }]\n'),
    );
    expect(backend.settings.idleTimeoutSeconds?.value).toBe(120);
    expect(describeProvenance(backend.settings.idleTimeoutSeconds!.from)).toBe(
      'spec.loadBalancerAttributes[idle_timeout.timeout_seconds] on LoadBalancerConfiguration shop/own (in.yaml:46:65)',
    );
  });
});

describe('what the input cannot decide, or the controller refuses', () => {
  const report = (text: string) =>
    validateManifests([{ file: 'in.yaml', text }], { allowances: createAllowances() });
  it.each([
    {
      name: 'a cross-namespace backendRef without a ReferenceGrant → notice, workload skipped',
      text:
        workload +
        gatewayClass() +
        gateway(
          '',
          '[{ name: http, protocol: HTTP, port: 80, allowedRoutes: { namespaces: { from: All } } }]',
          'edge',
        ) +
        route('HTTPRoute', '{ name: web, port: 80, namespace: shop }', '{ name: gw }', 'edge'),
      notices: ['gateway-reference-not-permitted HTTPRoute edge/r'],
      counts: [0, 1, 0],
    },
    {
      name: 'the same with a ReferenceGrant naming the Service → judged',
      text:
        workload +
        gatewayClass() +
        gateway('', '[{ name: http, protocol: HTTP, port: 80 }]', 'edge') +
        route('HTTPRoute', '{ name: web, port: 80, namespace: shop }', '{ name: gw }', 'edge') +
        '---\napiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: { name: g, namespace: shop }\nspec:\n  from: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: edge }]\n  to: [{ group: "", kind: Service, name: web }]\n',
      notices: [],
      counts: [1, 0, 0],
    },
    {
      name: 'a ReferenceGrant for GRPCRoutes does not admit an HTTPRoute → notice',
      text:
        workload +
        gatewayClass() +
        gateway('', '[{ name: http, protocol: HTTP, port: 80 }]', 'edge') +
        route('HTTPRoute', '{ name: web, port: 80, namespace: shop }', '{ name: gw }', 'edge') +
        '---\napiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: { name: g, namespace: shop }\nspec:\n  from: [{ group: gateway.networking.k8s.io, kind: GRPCRoute, namespace: edge }]\n  to: [{ group: "", kind: Service }]\n',
      notices: ['gateway-reference-not-permitted HTTPRoute edge/r'],
      counts: [0, 1, 0],
    },
    {
      name: 'a backendRef without a port → notice, no target group',
      text: workload + gatewayClass() + gateway() + route('HTTPRoute', '{ name: web }'),
      notices: ['gateway-backend-without-port HTTPRoute shop/r'],
      counts: [0, 1, 0],
    },
    {
      name: 'a default TargetGroupConfiguration with a targetReference → the controller fails the Gateway: undecided',
      text:
        workload +
        gatewayClass() +
        gateway(gatewayParams) +
        route() +
        lbc('own', '  defaultTargetGroupConfiguration: { name: web-tgc }\n') +
        tgc('web-tgc', '  targetReference: { name: web }\n  defaultConfiguration: { targetType: ip }\n'),
      notices: ['unresolved-gateway Gateway shop/gw'],
      counts: [0, 0, 1],
    },
    {
      name: 'a GatewayClass LoadBalancerConfiguration reference without a namespace → undecided',
      text:
        workload +
        gatewayClass(
          'gateway.k8s.aws/alb',
          '  parametersRef: { group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: org }\n',
        ) +
        gateway() +
        route(),
      notices: ['unresolved-gateway Gateway shop/gw'],
      counts: [0, 0, 1],
    },
    {
      name: 'a listener admitting namespaces by label, the route’s Namespace not in the input → undecided',
      text:
        workload +
        gatewayClass() +
        gateway(
          '',
          '[{ name: http, protocol: HTTP, port: 80, allowedRoutes: { namespaces: { from: Selector, selector: { matchLabels: { shared: "yes" } } } } }]',
          'edge',
        ) +
        route('HTTPRoute', '{ name: web, port: 80 }', '{ name: gw, namespace: edge }'),
      notices: [],
      counts: [0, 0, 1],
    },
    {
      name: 'a Gateway whose class is not in the input but is named aws-alb (platform teams create it apart) → undecided',
      text: workload + gateway().replace('gatewayClassName: lb', 'gatewayClassName: aws-alb') + route(),
      notices: ['unresolved-gateway Gateway shop/gw'],
      counts: [0, 0, 1],
    },
    {
      name: 'a Gateway whose class is not in the input and is named nginx → another controller’s: quiet',
      text: workload + gateway().replace('gatewayClassName: lb', 'gatewayClassName: nginx') + route(),
      notices: [],
      counts: [0, 1, 0],
    },
    {
      name: 'a route whose Gateway is not in the input (the platform’s, kept elsewhere) → undecided, one notice for the Gateway',
      text: workload + route('HTTPRoute', '{ name: web, port: 80 }', '{ name: public, namespace: infra }'),
      notices: ['unresolved-route-parent Gateway infra/public'],
      counts: [0, 0, 1],
    },
    {
      name: 'a route with a second parent in the input → judged through it, the missing one still said',
      text:
        workload +
        gatewayClass() +
        gateway() +
        route('HTTPRoute', '{ name: web, port: 80 }', '{ name: gw }, { name: public, namespace: infra }'),
      notices: ['unresolved-route-parent Gateway infra/public'],
      counts: [1, 0, 0],
    },
    {
      name: 'a route whose ListenerSet is not in the input → undecided',
      text: workload + route('HTTPRoute', '{ name: web, port: 80 }', '{ kind: ListenerSet, name: team }'),
      notices: ['unresolved-route-parent ListenerSet shop/team'],
      counts: [0, 0, 1],
    },
  ])('$name', ({ text, notices, counts }) => {
    const result = report(text);
    expect(result.problems).toEqual([]);
    expect(result.notices.map((n) => `${n.code} ${n.object}`)).toEqual(notices);
    expect([
      result.workloads.length,
      result.skippedWorkloads.length,
      result.unresolvedWorkloads.length,
    ]).toEqual(counts);
  });

  it.each([
    {
      name: 'a targetType other than ip or instance',
      spec: '  targetReference: { name: web }\n  defaultConfiguration: { targetType: pod }\n',
      field: 'spec.defaultConfiguration.targetType',
      message: 'must be ip or instance, got "pod"',
    },
    {
      name: 'a mergingMode the CRD does not know',
      lbcSpec: '  mergingMode: prefer-cluster\n',
      field: 'spec.mergingMode',
      message: 'must be prefer-gateway-class or prefer-gateway, got "prefer-cluster"',
    },
    {
      name: 'a deregistration delay that is no number',
      spec: '  targetReference: { name: web }\n  defaultConfiguration: { targetGroupAttributes: [{ key: deregistration_delay.timeout_seconds, value: "30s" }] }\n',
      field: 'spec.defaultConfiguration.targetGroupAttributes[deregistration_delay.timeout_seconds]',
      message: 'deregistration_delay.timeout_seconds must be a whole number of seconds, got "30s"',
    },
  ])('$name → a problem naming the field', ({ spec, lbcSpec, field, message }) => {
    const text =
      workload +
      gatewayClass() +
      gateway(lbcSpec ? gatewayParams : '') +
      route() +
      (spec ? tgc('web-tgc', spec) : '') +
      (lbcSpec ? lbc('own', lbcSpec) : '');
    const built = build(text);
    expect(built.problems.map((p) => `${p.field}: ${p.message}`)).toContain(`${field}: ${message}`);
  });
});

describe('Gateway objects spread over files', () => {
  it('a GatewayClass and Gateway in one file, the route and workload in another → linked as one environment', () => {
    const result = validateManifests(
      [
        { file: 'k8s/gateway.yaml', text: gatewayClass().slice(4) + gateway() },
        { file: 'k8s/app.yaml', text: workload + route() },
      ],
      { allowances: createAllowances() },
    );
    expect(result.problems).toEqual([]);
    expect(result.workloads.map((w) => `${w.namespace}/${w.name}`)).toEqual(['shop/web']);
    expect(result.findings.map((f) => f.ruleId)).toContain('DG007');
  });
});

describe('routes attached through a ListenerSet (controller v3.5.0)', () => {
  const namespace = (name: string, labels = '{}') =>
    `---\napiVersion: v1\nkind: Namespace\nmetadata: { name: ${name}, labels: ${labels} }\n`;
  // An ALB Gateway whose own LoadBalancerConfiguration names a default TargetGroupConfiguration (ip, 20 s).
  const albGateway = (
    ns: string,
    allowed: string,
    listeners = '[{ name: http, protocol: HTTP, port: 80 }]',
  ) =>
    gatewayClass() +
    gateway(gatewayParams + allowed, listeners, ns) +
    lbc('own', '  defaultTargetGroupConfiguration: { name: gw-defaults }\n', ns) +
    tgc(
      'gw-defaults',
      '  defaultConfiguration:\n    targetType: ip\n    targetGroupAttributes: [{ key: deregistration_delay.timeout_seconds, value: "20" }]\n',
      ns,
    );
  const allowed = (from: string) => `  allowedListeners: { namespaces: { from: ${from} } }\n`;
  const listenerSet = (
    ns: string,
    parentRef = '{ name: gw, namespace: infra }',
    listeners = '[{ name: plain, protocol: HTTP, port: 8080 }, { name: secure, protocol: HTTPS, port: 8443 }]',
  ) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: team, namespace: ${ns} }
spec:
  parentRef: ${parentRef}
  listeners: ${listeners}
`;
  const viaSet = (kind = 'HTTPRoute', parent = '{ kind: ListenerSet, name: team }') =>
    route(kind, '{ name: web, port: 80 }', parent);
  const report = (text: string) =>
    validateManifests([{ file: 'in.yaml', text }], { allowances: createAllowances() });

  it.each([
    {
      name: 'route → ListenerSet → ALB Gateway accepting All → linked, the Gateway’s default TargetGroupConfiguration applied',
      text: workload + albGateway('infra', allowed('All')) + listenerSet('shop') + viaSet(),
      notices: [],
      counts: [1, 0, 0],
      backends: [
        'alb HTTPRoute shop/r via ListenerSet shop/team of Gateway infra/gw (HTTP) → web:80 ip 20 s',
      ],
    },
    {
      name: 'no spec.allowedListeners (from: None by default) → not attached, notice',
      text: workload + albGateway('infra', '') + listenerSet('shop') + viaSet(),
      notices: ['listener-set-not-accepted ListenerSet shop/team'],
      counts: [0, 1, 0],
      backends: [],
    },
    {
      name: 'from: None written out → not attached, notice',
      text: workload + albGateway('infra', allowed('None')) + listenerSet('shop') + viaSet(),
      notices: ['listener-set-not-accepted ListenerSet shop/team'],
      counts: [0, 1, 0],
      backends: [],
    },
    {
      name: 'from: Same, the ListenerSet in the Gateway’s namespace → linked',
      text: workload + albGateway('shop', allowed('Same')) + listenerSet('shop', '{ name: gw }') + viaSet(),
      notices: [],
      counts: [1, 0, 0],
      backends: ['alb HTTPRoute shop/r via ListenerSet shop/team of Gateway shop/gw (HTTP) → web:80 ip 20 s'],
    },
    {
      name: 'from: Same, the ListenerSet in another namespace → not attached, notice',
      text: workload + albGateway('infra', allowed('Same')) + listenerSet('shop') + viaSet(),
      notices: ['listener-set-not-accepted ListenerSet shop/team'],
      counts: [0, 1, 0],
      backends: [],
    },
    {
      name: 'from: Selector matching the ListenerSet’s Namespace → linked',
      text:
        workload +
        namespace('shop', '{ team: frontend }') +
        albGateway(
          'infra',
          '  allowedListeners: { namespaces: { from: Selector, selector: { matchLabels: { team: frontend } } } }\n',
        ) +
        listenerSet('shop') +
        viaSet(),
      notices: [],
      counts: [1, 0, 0],
      backends: [
        'alb HTTPRoute shop/r via ListenerSet shop/team of Gateway infra/gw (HTTP) → web:80 ip 20 s',
      ],
    },
    {
      name: 'from: Selector not matching the ListenerSet’s Namespace → not attached, notice',
      text:
        workload +
        namespace('shop', '{ team: backend }') +
        albGateway(
          'infra',
          '  allowedListeners: { namespaces: { from: Selector, selector: { matchLabels: { team: frontend } } } }\n',
        ) +
        listenerSet('shop') +
        viaSet(),
      notices: ['listener-set-not-accepted ListenerSet shop/team'],
      counts: [0, 1, 0],
      backends: [],
    },
    {
      name: 'from: Selector, the ListenerSet’s Namespace not in the input → undecided, notice',
      text:
        workload +
        albGateway(
          'infra',
          '  allowedListeners: { namespaces: { from: Selector, selector: { matchLabels: { team: frontend } } } }\n',
        ) +
        listenerSet('shop') +
        viaSet(),
      notices: ['unresolved-listener-set ListenerSet shop/team'],
      counts: [0, 0, 1],
      backends: [],
    },
    {
      name: 'the parent Gateway not in the input → undecided, notice',
      text: workload + listenerSet('shop') + viaSet(),
      notices: ['unresolved-listener-set ListenerSet shop/team'],
      counts: [0, 0, 1],
      backends: [],
    },
    {
      name: 'the parent Gateway of another controller → quiet, none',
      text:
        workload +
        gatewayClass('istio.io/gateway-controller') +
        gateway(allowed('All'), undefined, 'infra') +
        listenerSet('shop') +
        viaSet(),
      notices: [],
      counts: [0, 1, 0],
      backends: [],
    },
    {
      name: 'sectionName picks the ListenerSet’s HTTPS listener for a GRPCRoute → linked on it',
      text:
        workload +
        albGateway('infra', allowed('All')) +
        listenerSet('shop') +
        viaSet('GRPCRoute', '{ kind: ListenerSet, name: team, sectionName: secure }'),
      notices: [],
      counts: [1, 0, 0],
      backends: [
        'alb GRPCRoute shop/r via ListenerSet shop/team of Gateway infra/gw (HTTPS) → web:80 ip 20 s',
      ],
    },
    {
      name: 'sectionName picks the HTTP listener, which does not allow a GRPCRoute → not attached',
      text:
        workload +
        albGateway('infra', allowed('All')) +
        listenerSet('shop') +
        viaSet('GRPCRoute', '{ kind: ListenerSet, name: team, sectionName: plain }'),
      notices: [],
      counts: [0, 1, 0],
      backends: [],
    },
    {
      name: 'a listener whose allowedRoutes.kinds names GRPCRoute only → an HTTPRoute is not attached',
      text:
        workload +
        albGateway('infra', allowed('All')) +
        listenerSet(
          'shop',
          undefined,
          '[{ name: grpc, protocol: HTTPS, port: 8443, allowedRoutes: { kinds: [{ kind: GRPCRoute }] } }]',
        ) +
        viaSet(),
      notices: [],
      counts: [0, 1, 0],
      backends: [],
    },
    {
      name: 'a ListenerSet listener checks route namespaces against the ListenerSet’s (Same: infra) → a route in shop is not attached',
      text:
        workload +
        albGateway('infra', allowed('Same')) +
        listenerSet('infra', '{ name: gw }') +
        viaSet('HTTPRoute', '{ kind: ListenerSet, name: team, namespace: infra }'),
      notices: [],
      counts: [0, 1, 0],
      backends: [],
    },
    {
      name: 'the same listener admitting All namespaces → linked',
      text:
        workload +
        albGateway('infra', allowed('Same')) +
        listenerSet(
          'infra',
          '{ name: gw }',
          '[{ name: plain, protocol: HTTP, port: 8080, allowedRoutes: { namespaces: { from: All } } }]',
        ) +
        viaSet('HTTPRoute', '{ kind: ListenerSet, name: team, namespace: infra }'),
      notices: [],
      counts: [1, 0, 0],
      backends: [
        'alb HTTPRoute shop/r via ListenerSet infra/team of Gateway infra/gw (HTTP) → web:80 ip 20 s',
      ],
    },
    {
      name: 'a route naming the Gateway attaches to its own listeners only, not to its ListenerSets’ → none',
      text:
        workload +
        albGateway(
          'shop',
          allowed('Same'),
          '[{ name: grpc, protocol: HTTPS, port: 443, allowedRoutes: { kinds: [{ kind: GRPCRoute }] } }]',
        ) +
        listenerSet('shop', '{ name: gw }') +
        route(),
      notices: [],
      counts: [0, 1, 0],
      backends: [],
    },
    {
      name: 'NLB Gateway + TCPRoute via a ListenerSet → linked, the controller’s NLB defaults',
      text:
        workload +
        gatewayClass('gateway.k8s.aws/nlb') +
        gateway(allowed('All'), '[{ name: db, protocol: TCP, port: 5432 }]', 'infra') +
        listenerSet('shop', undefined, '[{ name: extra, protocol: TCP, port: 6000 }]') +
        viaSet('TCPRoute'),
      notices: [],
      counts: [1, 0, 0],
      backends: [
        'nlb TCPRoute shop/r via ListenerSet shop/team of Gateway infra/gw (TCP) → web:80 instance 300 s',
      ],
    },
  ])('$name', ({ text, notices, counts, backends }) => {
    const result = report(text);
    expect(result.problems).toEqual([]);
    expect(result.notices.map((n) => `${n.code} ${n.object}`)).toEqual(notices);
    expect([
      result.workloads.length,
      result.skippedWorkloads.length,
      result.unresolvedWorkloads.length,
    ]).toEqual(counts);
    const built = build(text);
    expect(
      built.facts
        .flatMap((facts) => facts.backends)
        .map((b) => {
          if (b.route.kind !== 'Gateway') return b.route.kind;
          const { link } = b.route;
          const set = link.listenerSet
            ? ` via ListenerSet ${link.listenerSet.ref.namespace}/${link.listenerSet.ref.name}`
            : '';
          return `${b.loadBalancer} ${link.route.kind} ${link.route.ref.namespace}/${link.route.ref.name}${set} of Gateway ${link.gateway.ref.namespace}/${link.gateway.ref.name} (${link.listenerProtocol}) → ${b.service.ref.name}:${b.servicePort.port} ${b.settings.targetType.value} ${b.settings.deregistrationDelaySeconds.value} s`;
        }),
    ).toEqual(backends);
  });

  it('the notice for a Gateway that accepts no ListenerSet says why, where, and what to set', () => {
    const text = workload + albGateway('infra', allowed('Same')) + listenerSet('shop') + viaSet();
    expect(report(text).notices).toEqual([
      {
        code: 'listener-set-not-accepted',
        object: 'ListenerSet shop/team',
        at: expect.objectContaining({ file: 'in.yaml' }),
        message:
          'Gateway infra/gw does not accept it: it admits ListenerSets of its own namespace infra only (spec.allowedListeners.namespaces.from on Gateway infra/gw (in.yaml:34:37)). The AWS Load Balancer Controller programs none of its listeners (Accepted: False, NotAllowed), so routes attached to it reach no load balancer through it; to attach it, set spec.allowedListeners.namespaces.from on the Gateway to Same, All or Selector so that it admits namespace shop.',
      },
    ]);
  });

  it('a Gateway’s allowedListeners.namespaces.from the CRD does not know → a problem naming the field', () => {
    const built = build(workload + albGateway('infra', allowed('Everyone')));
    expect(built.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'spec.allowedListeners.namespaces.from: must be None, Same, All or Selector, got "Everyone"',
    ]);
  });
});
