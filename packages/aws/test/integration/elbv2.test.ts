// The ELBv2 adapter against moto_server: batching (20 ARNs a call), paging, tags, attributes, target health,
// not-found, regions, and malformed ARNs rejected before any call.

import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  type Tag,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { InputError, UpstreamError } from '@draingate/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsClientConfig, defaultVpc, hasPeer } from '../../../../test/peers/index.js';
import { createAwsAdapters, type AwsAdapters } from '../../src/index.js';
import { recordCalls } from './calls.js';

const CLUSTER = 'elbv2-it';

describe.skipIf(!hasPeer('aws'))('ELBv2 adapter against moto_server', () => {
  const rec = recordCalls();
  let aws: AwsAdapters;
  let elbv2: ElasticLoadBalancingV2Client;
  let vpcId: string;
  let subnetIds: string[];
  // Built once in beforeAll: 45 target groups (3 of them the "web" stack's) and 23 load balancers.
  const targetGroups: string[] = [];
  const loadBalancers: string[] = [];
  const webStack: string[] = [];

  async function aLoadBalancer(name: string): Promise<string> {
    const out = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: name,
        Type: 'application',
        Scheme: 'internal',
        Subnets: subnetIds.slice(0, 2),
        Tags: [{ Key: 'ingress.k8s.aws/stack', Value: `shop/${name}` }],
      }),
    );
    const arn = out.LoadBalancers?.[0]?.LoadBalancerArn;
    if (!arn) throw new Error('CreateLoadBalancer returned no ARN');
    return arn;
  }

  async function aTargetGroup(name: string, tags: Tag[]): Promise<string> {
    const out = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: vpcId,
        TargetType: 'ip',
        HealthCheckPath: '/healthz',
        HealthCheckIntervalSeconds: 15,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
        Matcher: { HttpCode: '200' },
        Tags: tags,
      }),
    );
    const arn = out.TargetGroups?.[0]?.TargetGroupArn;
    if (!arn) throw new Error('CreateTargetGroup returned no ARN');
    return arn;
  }

  beforeAll(async () => {
    const config = awsClientConfig();
    elbv2 = new ElasticLoadBalancingV2Client(config);
    ({ vpcId, subnetIds } = await defaultVpc());
    aws = createAwsAdapters({ ...config, onCall: rec.onCall, timeoutMs: 10_000 });
    for (let i = 0; i < 45; i++) {
      const web = i % 15 === 0;
      const tags: Tag[] = [
        { Key: 'elbv2.k8s.aws/cluster', Value: i < 40 ? CLUSTER : 'other-cluster' },
        { Key: 'ingress.k8s.aws/stack', Value: web ? 'shop/web' : `shop/app-${i}` },
        { Key: 'ingress.k8s.aws/resource', Value: web ? `shop/web-web:${8080 + i}` : `shop/app-${i}-svc:80` },
      ];
      const arn = await aTargetGroup(`it-tg-${String(i).padStart(2, '0')}`, tags);
      targetGroups.push(arn);
      if (web) webStack.push(arn);
    }
    for (let i = 0; i < 23; i++)
      loadBalancers.push(await aLoadBalancer(`it-lb-${String(i).padStart(2, '0')}`));
  });

  afterAll(() => {
    aws.destroy();
    elbv2.destroy();
  });

  beforeEach(() => rec.reset());

  describe('describeTargetGroups', () => {
    it('reads 45 target groups in slices of 20 ARNs: 3 calls, answers in the order asked', async () => {
      const asked = [...targetGroups].reverse();
      const groups = await aws.catalog.describeTargetGroups(asked);
      expect(groups.map((g) => g.arn)).toEqual(asked);
      expect(rec.tally()).toEqual({ DescribeTargetGroups: 3 });
      expect(groups[0]).toEqual({
        arn: targetGroups[44],
        name: 'it-tg-44',
        targetType: 'ip',
        protocol: 'HTTP',
        port: 8080,
        loadBalancerArns: [],
        healthCheck: {
          path: '/healthz',
          protocol: 'HTTP',
          port: 'traffic-port',
          intervalSeconds: 15,
          timeoutSeconds: 5,
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 2,
          successCodes: '200',
        },
      });
    });

    it('lists the load balancers a target group is attached to (through a listener)', async () => {
      const lb = loadBalancers[0] ?? '';
      const tg = targetGroups[1] ?? '';
      await elbv2.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb,
          Protocol: 'HTTP',
          Port: 80,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }],
        }),
      );
      const [group] = await aws.catalog.describeTargetGroups([tg]);
      expect(group?.loadBalancerArns).toEqual([lb]);
    });

    it('asks nothing for an empty list', async () => {
      expect(await aws.catalog.describeTargetGroups([])).toEqual([]);
      expect(rec.calls).toEqual([]);
    });

    it('asks once for an ARN given twice', async () => {
      const tg = targetGroups[2] ?? '';
      expect((await aws.catalog.describeTargetGroups([tg, tg])).map((g) => g.arn)).toEqual([tg]);
      expect(rec.tally()).toEqual({ DescribeTargetGroups: 1 });
    });
  });

  describe('describeLoadBalancers', () => {
    it('reads 23 load balancers in slices of 20 ARNs: 2 calls', async () => {
      const lbs = await aws.catalog.describeLoadBalancers(loadBalancers);
      expect(lbs.map((lb) => lb.arn)).toEqual(loadBalancers);
      expect(lbs[0]).toMatchObject({ name: 'it-lb-00', type: 'application', scheme: 'internal' });
      expect(lbs[0]?.dnsName).toMatch(/elb\.amazonaws\.com$/);
      expect(rec.tally()).toEqual({ DescribeLoadBalancers: 2 });
    });

    it('follows NextMarker: 20 + 3 ARNs with 7 a page → 3 + 1 pages, one call each', async () => {
      const paged = createAwsAdapters({ ...awsClientConfig(), onCall: rec.onCall, pageSize: 7 });
      try {
        const lbs = await paged.catalog.describeLoadBalancers(loadBalancers);
        expect(lbs.map((lb) => lb.arn)).toEqual(loadBalancers);
        expect(rec.tally()).toEqual({ DescribeLoadBalancers: 4 });
      } finally {
        paged.destroy();
      }
    });
  });

  describe('describeTags', () => {
    it('reads the tags of 23 load balancers and 45 target groups in slices of 20: 4 calls', async () => {
      const tags = await aws.catalog.describeTags([...loadBalancers, ...targetGroups]);
      expect(tags.size).toBe(68);
      expect([...tags.keys()]).toEqual([...loadBalancers, ...targetGroups]);
      expect(tags.get(loadBalancers[5] ?? '')).toEqual({ 'ingress.k8s.aws/stack': 'shop/it-lb-05' });
      expect(tags.get(targetGroups[15] ?? '')).toEqual({
        'elbv2.k8s.aws/cluster': CLUSTER,
        'ingress.k8s.aws/stack': 'shop/web',
        'ingress.k8s.aws/resource': 'shop/web-web:8095',
      });
      expect(rec.tally()).toEqual({ DescribeTags: 4 });
    });
  });

  describe('findTargetGroupsByTags', () => {
    it("finds a stack's target groups by the controller's tags: 1 list + 3 tag calls for 45 groups", async () => {
      const found = await aws.catalog.findTargetGroupsByTags({
        'elbv2.k8s.aws/cluster': CLUSTER,
        'ingress.k8s.aws/stack': 'shop/web',
      });
      expect(found.map((g) => g.arn).sort()).toEqual([...webStack].sort());
      expect(found.every((g) => g.targetType === 'ip')).toBe(true);
      // moto gap: DescribeTargetGroups answers in one page whatever PageSize says (paging: see faults.test.ts).
      expect(rec.tally()).toEqual({ DescribeTargetGroups: 1, DescribeTags: 3 });
    });

    it('finds one target group by its ingress.k8s.aws/resource tag', async () => {
      const found = await aws.catalog.findTargetGroupsByTags({
        'ingress.k8s.aws/resource': 'shop/web-web:8110',
      });
      expect(found.map((g) => g.name)).toEqual(['it-tg-30']);
    });

    it('a cluster tag nobody carries finds nothing', async () => {
      expect(await aws.catalog.findTargetGroupsByTags({ 'elbv2.k8s.aws/cluster': 'nope' })).toEqual([]);
    });

    it('another cluster’s groups are not ours', async () => {
      const found = await aws.catalog.findTargetGroupsByTags({ 'elbv2.k8s.aws/cluster': 'other-cluster' });
      expect(found.map((g) => g.name)).toEqual(['it-tg-40', 'it-tg-41', 'it-tg-42', 'it-tg-43', 'it-tg-44']);
    });

    it('refuses an empty tag filter without calling AWS', async () => {
      await expect(aws.catalog.findTargetGroupsByTags({})).rejects.toBeInstanceOf(InputError);
      expect(rec.calls).toEqual([]);
    });
  });

  describe('attributes', () => {
    it('reads target group attributes as AWS names them: the default, then a changed value', async () => {
      const tg = targetGroups[3] ?? '';
      expect(await aws.catalog.describeTargetGroupAttributes(tg)).toMatchObject({
        'deregistration_delay.timeout_seconds': '300',
      });
      await elbv2.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: tg,
          Attributes: [
            { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
            { Key: 'slow_start.duration_seconds', Value: '60' },
          ],
        }),
      );
      expect(await aws.catalog.describeTargetGroupAttributes(tg)).toMatchObject({
        'deregistration_delay.timeout_seconds': '30',
        'slow_start.duration_seconds': '60',
      });
      expect(rec.tally()).toEqual({ DescribeTargetGroupAttributes: 2 });
    });

    it('reads load balancer attributes: idle timeout once set', async () => {
      const lb = loadBalancers[1] ?? '';
      // moto gap: a new ALB lists no idle_timeout.timeout_seconds (AWS answers "60"); the core applies the default.
      expect(await aws.catalog.describeLoadBalancerAttributes(lb)).toMatchObject({
        'deletion_protection.enabled': 'false',
      });
      await elbv2.send(
        new ModifyLoadBalancerAttributesCommand({
          LoadBalancerArn: lb,
          Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '120' }],
        }),
      );
      expect(await aws.catalog.describeLoadBalancerAttributes(lb)).toMatchObject({
        'idle_timeout.timeout_seconds': '120',
      });
      expect(rec.tally()).toEqual({ DescribeLoadBalancerAttributes: 2 });
    });
  });

  describe('describeTargetHealth', () => {
    it('reports registered targets with their ports; a deregistered one leaves the list (moto: no draining)', async () => {
      const tg = targetGroups[4] ?? '';
      const targets = [
        { Id: '172.31.1.10', Port: 8080 },
        { Id: '172.31.1.11', Port: 8080 },
        { Id: '172.31.1.12', Port: 9090 },
      ];
      expect(await aws.targetHealth.describeTargetHealth(tg)).toEqual([]);
      await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: targets }));
      const health = await aws.targetHealth.describeTargetHealth(tg);
      // moto gap: registered targets are healthy at once, no `initial` phase.
      expect(health.map((t) => [t.id, t.port, t.state])).toEqual([
        ['172.31.1.10', 8080, 'healthy'],
        ['172.31.1.11', 8080, 'healthy'],
        ['172.31.1.12', 9090, 'healthy'],
      ]);
      await elbv2.send(
        new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [targets[0] ?? { Id: '' }] }),
      );
      const after = await aws.targetHealth.describeTargetHealth(tg);
      expect(after.map((t) => t.id)).toEqual(['172.31.1.11', '172.31.1.12']);
      expect(rec.tally()).toEqual({ DescribeTargetHealth: 3 });
    });
  });

  describe('unknown resources and regions', () => {
    const unknownTg = (): string => (targetGroups[0] ?? '').replace(/\/[0-9a-f]{16}$/, '/0000000000000000');

    it.each([
      { name: 'describeTargetHealth', op: 'DescribeTargetHealth' },
      { name: 'describeTargetGroups', op: 'DescribeTargetGroups' },
      { name: 'describeTargetGroupAttributes', op: 'DescribeTargetGroupAttributes' },
    ])('an unknown target group → not-found from $op, not retried', async ({ name, op }) => {
      const arn = unknownTg();
      const call =
        name === 'describeTargetHealth'
          ? aws.targetHealth.describeTargetHealth(arn)
          : name === 'describeTargetGroups'
            ? aws.catalog.describeTargetGroups([arn])
            : aws.catalog.describeTargetGroupAttributes(arn);
      const err = await call.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect(err).toMatchObject({ service: 'elbv2', operation: op, failure: 'not-found', retryable: false });
      expect(rec.calls.map((c) => [c.operation, c.outcome])).toEqual([[op, 'not-found']]);
    });

    it('an unknown load balancer → not-found', async () => {
      const arn = (loadBalancers[0] ?? '').replace(/\/[0-9a-f]{16}$/, '/0000000000000000');
      await expect(aws.catalog.describeLoadBalancerAttributes(arn)).rejects.toMatchObject({
        operation: 'DescribeLoadBalancerAttributes',
        failure: 'not-found',
      });
    });

    it('a target group ARN of another region is asked there: not-found, and the message names the region', async () => {
      const arn = (targetGroups[0] ?? '').replace(':us-east-1:', ':eu-west-3:');
      const err = await aws.targetHealth.describeTargetHealth(arn).catch((e: unknown) => e);
      expect(err).toMatchObject({ failure: 'not-found', retryable: false });
      expect((err as Error).message).toContain('in eu-west-3');
    });

    it('calls follow the ARN’s region, whatever region the adapters were configured with', async () => {
      const elsewhere = createAwsAdapters({
        ...awsClientConfig(),
        region: 'ap-southeast-2',
        onCall: rec.onCall,
      });
      try {
        const [group] = await elsewhere.catalog.describeTargetGroups([targetGroups[0] ?? '']);
        expect(group?.name).toBe('it-tg-00');
        // …while the tag search, which carries no ARN, looks in the configured region: empty there.
        expect(await elsewhere.catalog.findTargetGroupsByTags({ 'elbv2.k8s.aws/cluster': CLUSTER })).toEqual(
          [],
        );
      } finally {
        elsewhere.destroy();
      }
    });
  });

  describe('configuration', () => {
    it('with no options, the SDK finds moto through the environment: credentials, AWS_REGION, AWS_ENDPOINT_URL', async () => {
      // test/setup/per-file.ts exports those variables, as a pod's environment would carry IRSA's or static ones.
      const fromEnv = createAwsAdapters({ onCall: rec.onCall });
      try {
        const [group] = await fromEnv.catalog.describeTargetGroups([targetGroups[7] ?? '']);
        expect(group?.name).toBe('it-tg-07');
        expect(rec.tally()).toEqual({ DescribeTargetGroups: 1 });
      } finally {
        fromEnv.destroy();
      }
    });
  });

  describe('malformed ARNs are refused before any call', () => {
    it.each([
      { name: 'a target group name instead of its ARN', arn: 'it-tg-00' },
      { name: 'a load balancer ARN where a target group is wanted', arn: 'LB' },
      {
        name: 'an ARN with a truncated id',
        arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/abc',
      },
      { name: 'an empty string', arn: '' },
    ])('$name → InputError, 0 calls', async ({ arn }) => {
      const given = arn === 'LB' ? (loadBalancers[0] ?? '') : arn;
      await expect(aws.targetHealth.describeTargetHealth(given)).rejects.toThrow(
        /^targetGroupArn: .* is not a target group ARN/,
      );
      await expect(aws.catalog.describeTargetGroups([targetGroups[0] ?? '', given])).rejects.toMatchObject({
        name: 'InputError',
        path: 'targetGroupArns[1]',
      });
      await expect(aws.catalog.describeTargetGroupAttributes(given)).rejects.toBeInstanceOf(InputError);
      expect(rec.calls).toEqual([]);
    });

    it('a target group ARN where a load balancer is wanted → InputError, 0 calls', async () => {
      await expect(aws.catalog.describeLoadBalancers([targetGroups[0] ?? ''])).rejects.toMatchObject({
        name: 'InputError',
        path: 'loadBalancerArns[0]',
      });
      await expect(aws.catalog.describeTags(['not-an-arn'])).rejects.toMatchObject({
        path: 'resourceArns[0]',
      });
      expect(rec.calls).toEqual([]);
    });
  });
});
