import { describe, expect, it } from 'vitest';
import { readParameters } from '../params/parameter.js';
import { GATE_PARAMETERS } from '../params/tables.js';
import { InputError, UpstreamError } from '../ports/errors.js';
import { ARNS } from '../testing/checks.js';
import { WEB } from '../testing/rollout-gate.js';
import { InMemoryCluster } from '../testing/memory-ports.js';
import { gateSettingsFrom, metricsRegionOf, prepareGate } from './prepare.js';

const settings = (inputs: Record<string, string>) =>
  gateSettingsFrom(
    readParameters(
      GATE_PARAMETERS,
      'action',
      (p) => ({ workload: 'deployment/web', namespace: 'shop', ...inputs })[p.name],
    ),
  );

function aCluster(): InMemoryCluster {
  return new InMemoryCluster().setLiveObjects(WEB, {
    workload: {
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } } } },
    },
    services: [{ metadata: { name: 'web' }, spec: { selector: { app: 'web' } } }],
    targetGroupBindings: [{ spec: { serviceRef: { name: 'web', port: 80 }, targetGroupARN: ARNS.stable } }],
  });
}

describe('prepareGate', () => {
  it('finds the target groups through TargetGroupBindings and the pods through the selector', async () => {
    const { workload, options, notices } = await prepareGate(
      aCluster(),
      settings({ 'max-error-rate': '2%', timeout: '5m' }),
    );
    expect(workload).toEqual(WEB);
    expect(notices).toEqual([]);
    expect(options).toEqual({
      workload: WEB,
      targetGroupArns: [ARNS.stable],
      podSelector: { app: 'web' },
      timeoutSeconds: 300,
      pollIntervalSeconds: 5,
      metricsIntervalSeconds: 60,
      settleSeconds: 60,
      failAfterPolls: 2,
      targetHealth: { minHealthy: 1 },
      elb5xx: { maxRate: 0.02, minRequests: 100 },
      onFailure: 'none',
      dryRun: false,
    });
  });

  it('target groups given win; none found is a notice, not an error', async () => {
    const given = await prepareGate(aCluster(), settings({ 'target-groups': ARNS.canary }));
    expect(given.options.targetGroupArns).toEqual([ARNS.canary]);
    const bare = new InMemoryCluster().setLiveObjects(WEB, { workload: {} });
    const { options, notices } = await prepareGate(bare, settings({}));
    expect(options.targetGroupArns).toEqual([]);
    expect(notices).toEqual([
      'no target group given and none found through TargetGroupBindings: target health is not judged',
    ]);
  });

  it('a bad workload is an InputError; an unreadable one is the UpstreamError', async () => {
    await expect(prepareGate(aCluster(), settings({ workload: 'pod/web' }))).rejects.toThrow(InputError);
    await expect(prepareGate(new InMemoryCluster(), settings({}))).rejects.toThrow(UpstreamError);
  });

  it.each([
    {
      name: 'the region given wins',
      inputs: { 'aws-region': 'us-east-1', 'load-balancer': ARNS.loadBalancer },
      region: 'us-east-1',
    },
    {
      name: 'else the load balancer’s own',
      inputs: { 'load-balancer': ARNS.loadBalancer },
      region: 'eu-west-1',
    },
    { name: 'else none (the SDK’s default chain)', inputs: {}, region: undefined },
  ] as { name: string; inputs: Record<string, string>; region: string | undefined }[])(
    'the CloudWatch region: $name',
    ({ inputs, region }) => {
      expect(metricsRegionOf(settings(inputs))).toBe(region);
    },
  );
});
