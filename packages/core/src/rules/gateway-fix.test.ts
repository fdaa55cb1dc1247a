import { describe, expect, it } from 'vitest';
import { createAllowances } from '../timing/model.js';
import { validateManifests } from '../validate.js';

// Fixes for workloads behind a Gateway route go into the Service's TargetGroupConfiguration, written so the
// controller's merge keeps what it should: attributes beside the ones already there, a healthCheckConfig
// whole, a route configuration when the route's entry is what sets the value.

const workload = `apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { elbv2.k8s.aws/pod-readiness-gate-inject: enabled } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 60
      containers:
        - name: web
          ports: [{ containerPort: 8080 }]
          lifecycle: { preStop: { sleep: { seconds: 40 } } }
          readinessProbe: { httpGet: { path: /ready, port: 8080 } }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: lb }
spec: { controllerName: gateway.k8s.aws/alb }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: shop }
spec:
  gatewayClassName: lb
  infrastructure: { parametersRef: { group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: own } }
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.k8s.aws/v1
kind: LoadBalancerConfiguration
metadata: { name: own, namespace: shop }
spec: { defaultTargetGroupConfiguration: { name: gw-defaults } }
---
apiVersion: gateway.k8s.aws/v1
kind: TargetGroupConfiguration
metadata: { name: gw-defaults, namespace: shop }
spec:
  defaultConfiguration:
    healthCheckConfig: { healthCheckInterval: 10, healthyThresholdCount: 2 }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: api, namespace: shop }
spec:
  parentRefs: [{ name: gw }]
  rules: [{ backendRefs: [{ name: web, port: 80 }] }]
`;

/** The same route attached to a listener of a ListenerSet of the Gateway, which accepts ListenerSets. */
function viaListenerSet(text: string): string {
  return (
    text
      .replace('parentRefs: [{ name: gw }]', 'parentRefs: [{ kind: ListenerSet, name: team }]')
      .replace(
        '  listeners: [{ name: http, protocol: HTTP, port: 80 }]',
        '  allowedListeners: { namespaces: { from: Same } }\n  listeners: [{ name: http, protocol: HTTP, port: 80 }]',
      ) +
    `---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: team, namespace: shop }
spec:
  parentRef: { name: gw }
  listeners: [{ name: team-http, protocol: HTTP, port: 8080 }]
`
  );
}

const serviceConfig = (spec: string) => `---
apiVersion: gateway.k8s.aws/v1
kind: TargetGroupConfiguration
metadata: { name: web-tg, namespace: shop }
spec:
  targetReference: { name: web }
${spec}`;

function fix(text: string, ruleId: string): string | undefined {
  const report = validateManifests([{ file: 'in.yaml', text }], { allowances: createAllowances() });
  expect(report.problems).toEqual([]);
  return report.findings.find((finding) => finding.ruleId === ruleId)?.fix.yaml;
}

describe('fixes for Gateway-backed workloads', () => {
  it.each([
    {
      name: 'no TargetGroupConfiguration for the Service → DG007 writes a new one with ip targets',
      text: workload,
      rule: 'DG007',
      yaml: `# TargetGroupConfiguration shop/web
apiVersion: gateway.k8s.aws/v1
kind: TargetGroupConfiguration
metadata:
  name: web
  namespace: shop
spec:
  targetReference:
    name: web
  defaultConfiguration:
    targetType: ip
`,
    },
    {
      name: 'an existing one with other attributes → DG005 keeps them beside the delay',
      text:
        workload +
        serviceConfig(
          '  defaultConfiguration:\n    targetType: ip\n    targetGroupAttributes: [{ key: slow_start.duration_seconds, value: "30" }]\n',
        ),
      rule: 'DG005',
      yaml: `# TargetGroupConfiguration shop/web-tg
spec:
  defaultConfiguration:
    targetGroupAttributes:
      - key: slow_start.duration_seconds
        value: "30"
      - key: deregistration_delay.timeout_seconds
        value: "30"
`,
    },
    {
      name: 'the route’s entry sets the delay → DG003 patches that entry and keeps the others',
      text:
        workload +
        serviceConfig(`  defaultConfiguration: { targetType: ip }
  routeConfigurations:
    - routeIdentifier: { kind: GRPCRoute }
      targetGroupProps: { targetGroupAttributes: [{ key: deregistration_delay.timeout_seconds, value: "10" }] }
    - routeIdentifier: { kind: HTTPRoute, namespace: shop, name: api }
      targetGroupProps: { targetGroupAttributes: [{ key: deregistration_delay.timeout_seconds, value: "300" }] }
`),
      rule: 'DG003',
      yaml: `# TargetGroupConfiguration shop/web-tg
spec:
  routeConfigurations:
    - routeIdentifier:
        kind: GRPCRoute
      targetGroupProps:
        targetGroupAttributes:
          - key: deregistration_delay.timeout_seconds
            value: "10"
    - routeIdentifier:
        kind: HTTPRoute
        namespace: shop
        name: api
      targetGroupProps:
        targetGroupAttributes:
          - key: deregistration_delay.timeout_seconds
            value: "30"
---
# Deployment shop/web
spec:
  template:
    spec:
      terminationGracePeriodSeconds: 60
      containers:
        - name: web
          lifecycle:
            preStop:
              sleep:
                seconds: 40
`,
    },
    {
      name: 'the health check comes from the Gateway’s default → DG017 writes the whole block, its fields kept',
      text: workload + serviceConfig('  defaultConfiguration: { targetType: ip }\n'),
      rule: 'DG017',
      yaml: `# TargetGroupConfiguration shop/web-tg
spec:
  defaultConfiguration:
    healthCheckConfig:
      healthCheckPath: /ready
      healthCheckInterval: 10
      healthyThresholdCount: 2
`,
    },
    {
      name: 'the route attaches through a ListenerSet the Gateway accepts → DG017 writes the same block from the Gateway’s default',
      text: viaListenerSet(workload) + serviceConfig('  defaultConfiguration: { targetType: ip }\n'),
      rule: 'DG017',
      yaml: `# TargetGroupConfiguration shop/web-tg
spec:
  defaultConfiguration:
    healthCheckConfig:
      healthCheckPath: /ready
      healthCheckInterval: 10
      healthyThresholdCount: 2
`,
    },
  ])('$name', ({ text, rule, yaml }) => {
    expect(fix(text, rule)).toBe(yaml);
  });
});
