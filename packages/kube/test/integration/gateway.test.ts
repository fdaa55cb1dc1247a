// Gateway API against the real kube-apiserver, with the Gateway API CRDs (sigs.k8s.io/gateway-api, standard
// channel, and the experimental one for TCPRoute) and the AWS Load Balancer Controller's gateway.k8s.aws CRDs
// installed from their module zips. Every object is created with strict field validation, so a field the
// CRDs do not define fails here rather than passing unnoticed.

import { buildLiveFacts, createAllowances, describeProvenance } from '@draingate/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminKubeConfig, hasPeer, uniqueName } from '../../../../test/peers/index.js';
import { createKubeAdapters, type KubeAdapters } from '../../src/index.js';
import { admin, createDeployment, freshNamespace, type Admin } from '../../../../test/peers/cluster.js';

const GATEWAY_API = 'gateway.networking.k8s.io';
const AWS = 'gateway.k8s.aws';

describe.skipIf(!hasPeer('kube'))('Gateway API objects read live', () => {
  let a: Admin;
  let kube: KubeAdapters;
  beforeAll(() => {
    a = admin();
    kube = createKubeAdapters({ config: adminKubeConfig() });
  });

  const create = (
    group: string,
    version: string,
    plural: string,
    namespace: string | undefined,
    body: Record<string, unknown>,
  ): Promise<unknown> =>
    namespace === undefined
      ? a.custom.createClusterCustomObject({ group, version, plural, body, fieldValidation: 'Strict' })
      : a.custom.createNamespacedCustomObject({
          group,
          version,
          plural,
          namespace,
          body,
          fieldValidation: 'Strict',
        });

  it('links a Deployment to an HTTPRoute of an ALB Gateway and a TCPRoute of an NLB Gateway, with the controller’s merge', async () => {
    const app = await freshNamespace(a, 'gwapp', { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' });
    const platform = await freshNamespace(a, 'gwplat');
    const albClass = uniqueName('alb');
    const nlbClass = uniqueName('nlb');
    await create(GATEWAY_API, 'v1', 'gatewayclasses', undefined, {
      apiVersion: `${GATEWAY_API}/v1`,
      kind: 'GatewayClass',
      metadata: { name: albClass },
      spec: {
        controllerName: 'gateway.k8s.aws/alb',
        parametersRef: { group: AWS, kind: 'LoadBalancerConfiguration', name: 'org', namespace: platform },
      },
    });
    await create(GATEWAY_API, 'v1', 'gatewayclasses', undefined, {
      apiVersion: `${GATEWAY_API}/v1`,
      kind: 'GatewayClass',
      metadata: { name: nlbClass },
      spec: { controllerName: 'gateway.k8s.aws/nlb' },
    });
    await create(AWS, 'v1beta1', 'loadbalancerconfigurations', platform, {
      apiVersion: `${AWS}/v1beta1`,
      kind: 'LoadBalancerConfiguration',
      metadata: { name: 'org' },
      spec: {
        defaultTargetGroupConfiguration: { name: 'org-defaults' },
        loadBalancerAttributes: [{ key: 'idle_timeout.timeout_seconds', value: '120' }],
      },
    });
    await create(AWS, 'v1beta1', 'targetgroupconfigurations', platform, {
      apiVersion: `${AWS}/v1beta1`,
      kind: 'TargetGroupConfiguration',
      metadata: { name: 'org-defaults' },
      spec: {
        defaultConfiguration: {
          targetType: 'ip',
          healthCheckConfig: { healthCheckInterval: 10, healthyThresholdCount: 2 },
          targetGroupAttributes: [{ key: 'deregistration_delay.timeout_seconds', value: '30' }],
        },
      },
    });
    await create(GATEWAY_API, 'v1', 'gateways', app, {
      apiVersion: `${GATEWAY_API}/v1`,
      kind: 'Gateway',
      metadata: { name: 'web' },
      spec: { gatewayClassName: albClass, listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
    });
    await create(GATEWAY_API, 'v1', 'gateways', app, {
      apiVersion: `${GATEWAY_API}/v1`,
      kind: 'Gateway',
      metadata: { name: 'l4' },
      spec: { gatewayClassName: nlbClass, listeners: [{ name: 'tcp', protocol: 'TCP', port: 9000 }] },
    });
    await create(GATEWAY_API, 'v1', 'httproutes', app, {
      apiVersion: `${GATEWAY_API}/v1`,
      kind: 'HTTPRoute',
      metadata: { name: 'web' },
      spec: { parentRefs: [{ name: 'web' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
    });
    await create(GATEWAY_API, 'v1alpha2', 'tcproutes', app, {
      apiVersion: `${GATEWAY_API}/v1alpha2`,
      kind: 'TCPRoute',
      metadata: { name: 'raw' },
      spec: {
        parentRefs: [{ name: 'l4', sectionName: 'tcp' }],
        rules: [{ backendRefs: [{ name: 'web', port: 9000 }] }],
      },
    });
    // The Service's own configuration: a healthCheckConfig with only a path, which replaces the default's block.
    await create(AWS, 'v1beta1', 'targetgroupconfigurations', app, {
      apiVersion: `${AWS}/v1beta1`,
      kind: 'TargetGroupConfiguration',
      metadata: { name: 'web' },
      spec: {
        targetReference: { name: 'web' },
        defaultConfiguration: { healthCheckConfig: { healthCheckPath: '/healthz' } },
        routeConfigurations: [
          {
            routeIdentifier: { kind: 'TCPRoute', namespace: app, name: 'raw' },
            targetGroupProps: {
              targetGroupAttributes: [{ key: 'deregistration_delay.timeout_seconds', value: '120' }],
            },
          },
        ],
      },
    });
    await a.core.createNamespacedService({
      namespace: app,
      body: {
        metadata: { name: 'web' },
        spec: {
          selector: { app: 'web' },
          ports: [
            { name: 'http', port: 80, targetPort: 'http' },
            { name: 'raw', port: 9000, targetPort: 'http' },
          ],
        },
      },
    });
    await createDeployment(a, app, 'web', 'shop/web:1');

    const ref = { kind: 'Deployment', namespace: app, name: 'web' } as const;
    const live = await kube.cluster.readLiveObjects(ref);

    const mine = live.gatewayApi
      .filter(
        (o) =>
          o.metadata.namespace === app ||
          o.metadata.namespace === platform ||
          o.metadata.name === albClass ||
          o.metadata.name === nlbClass,
      )
      .map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)
      .sort();
    expect(mine).toEqual(
      [
        `${GATEWAY_API}/v1 GatewayClass ${albClass}`,
        `${GATEWAY_API}/v1 GatewayClass ${nlbClass}`,
        `${GATEWAY_API}/v1 Gateway l4`,
        `${GATEWAY_API}/v1 Gateway web`,
        `${GATEWAY_API}/v1 HTTPRoute web`,
        `${GATEWAY_API}/v1alpha2 TCPRoute raw`,
        `${AWS}/v1beta1 LoadBalancerConfiguration org`,
        `${AWS}/v1beta1 TargetGroupConfiguration org-defaults`,
        `${AWS}/v1beta1 TargetGroupConfiguration web`,
      ].sort(),
    );
    expect(live.warnings).toEqual([]);

    const { facts, problems } = buildLiveFacts(live, ref, createAllowances());
    expect(problems).toEqual([]);
    const backends = (facts?.backends ?? []).map((b) => ({
      lb: b.loadBalancer,
      route: `${b.routeRef.kind} ${b.routeRef.name}`,
      port: b.servicePort.port,
      targetType: b.settings.targetType.value,
      D: b.settings.deregistrationDelaySeconds.value,
      interval: `${b.settings.healthCheckIntervalSeconds.value} ← ${describeProvenance(b.settings.healthCheckIntervalSeconds.from)}`,
      idle: b.settings.idleTimeoutSeconds?.value,
    }));
    expect(backends).toEqual([
      {
        lb: 'alb',
        route: 'HTTPRoute web',
        port: 80,
        targetType: 'ip',
        D: 30,
        interval: `15 ← controller default: no healthCheckConfig.healthCheckInterval in a TargetGroupConfiguration for Service ${app}/web`,
        idle: 120,
      },
      {
        lb: 'nlb',
        route: 'TCPRoute raw',
        port: 9000,
        // The NLB GatewayClass names no defaults: the ALB class's default configuration does not apply.
        targetType: 'instance',
        D: 120,
        interval: `15 ← controller default: no healthCheckConfig.healthCheckInterval in a TargetGroupConfiguration for Service ${app}/web`,
        idle: undefined,
      },
    ]);
  });

  it('links a Deployment to an HTTPRoute attached to a ListenerSet that a shared ALB Gateway accepts', async () => {
    const app = await freshNamespace(a, 'lsapp', { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' });
    const platform = await freshNamespace(a, 'lsplat');
    const albClass = uniqueName('alb');
    await create(GATEWAY_API, 'v1', 'gatewayclasses', undefined, {
      apiVersion: `${GATEWAY_API}/v1`,
      kind: 'GatewayClass',
      metadata: { name: albClass },
      spec: { controllerName: 'gateway.k8s.aws/alb' },
    });
    await create(GATEWAY_API, 'v1', 'gateways', platform, {
      apiVersion: `${GATEWAY_API}/v1`,
      kind: 'Gateway',
      metadata: { name: 'shared' },
      spec: {
        gatewayClassName: albClass,
        allowedListeners: { namespaces: { from: 'All' } },
        listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }],
      },
    });
    await create(GATEWAY_API, 'v1', 'listenersets', app, {
      apiVersion: `${GATEWAY_API}/v1`,
      kind: 'ListenerSet',
      metadata: { name: 'team' },
      spec: {
        parentRef: { name: 'shared', namespace: platform },
        listeners: [{ name: 'team-http', protocol: 'HTTP', port: 8080 }],
      },
    });
    await create(GATEWAY_API, 'v1', 'httproutes', app, {
      apiVersion: `${GATEWAY_API}/v1`,
      kind: 'HTTPRoute',
      metadata: { name: 'web' },
      spec: {
        parentRefs: [{ group: GATEWAY_API, kind: 'ListenerSet', name: 'team', sectionName: 'team-http' }],
        rules: [{ backendRefs: [{ name: 'web', port: 80 }] }],
      },
    });
    await a.core.createNamespacedService({
      namespace: app,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    });
    await createDeployment(a, app, 'web', 'shop/web:1');

    const ref = { kind: 'Deployment', namespace: app, name: 'web' } as const;
    const live = await kube.cluster.readLiveObjects(ref);
    expect(
      live.gatewayApi
        .filter((o) => o.metadata.namespace === app || o.metadata.namespace === platform)
        .map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)
        .sort(),
    ).toEqual(
      [
        `${GATEWAY_API}/v1 Gateway ${platform}/shared`,
        `${GATEWAY_API}/v1 HTTPRoute ${app}/web`,
        `${GATEWAY_API}/v1 ListenerSet ${app}/team`,
      ].sort(),
    );
    expect(live.warnings).toEqual([]);

    const { facts, problems } = buildLiveFacts(live, ref, createAllowances());
    expect(problems).toEqual([]);
    expect(
      (facts?.backends ?? []).map((b) => ({
        lb: b.loadBalancer,
        route: `${b.routeRef.kind} ${b.routeRef.name}`,
        via:
          b.route.kind === 'Gateway'
            ? `${b.route.link.listenerSet?.ref.name} of ${b.route.link.gateway.ref.namespace}/${b.route.link.gateway.ref.name}`
            : undefined,
        port: b.servicePort.port,
        D: b.settings.deregistrationDelaySeconds.value,
      })),
    ).toEqual([{ lb: 'alb', route: 'HTTPRoute web', via: `team of ${platform}/shared`, port: 80, D: 300 }]);
  });

  it('strict field validation refuses a TargetGroupConfiguration field the CRD does not define', async () => {
    const ns = await freshNamespace(a, 'gwstrict');
    const err = await create(AWS, 'v1beta1', 'targetgroupconfigurations', ns, {
      apiVersion: `${AWS}/v1beta1`,
      kind: 'TargetGroupConfiguration',
      metadata: { name: 'web' },
      spec: { targetReference: { name: 'web' }, defaultConfiguration: { deregistrationDelay: 30 } },
    }).catch((e: unknown) => e);
    const status = JSON.parse(String((err as { body?: unknown }).body)) as { code: number; message: string };
    expect(status.code).toBe(400);
    expect(status.message).toContain(
      'strict decoding error: unknown field "spec.defaultConfiguration.deregistrationDelay"',
    );
  });
});
