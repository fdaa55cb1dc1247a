// Argo conformance: every metric of examples/argo/ is measured by Argo Rollouts' own web metric provider and
// condition evaluation (the argo-judge peer) against the provider wired to moto_server and the API server. The
// sequential canary templates read the canary's start from pods in the API server; their traffic is in moto.
// moto computes no percentile, so the latency templates are also measured against a provider whose CloudWatch is a
// loopback look-alike answering TargetResponseTime p99 (test/peers/fake-aws.ts).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { adminKubeConfig, argoJudge, hasPeer, uniqueName } from '../../../test/peers/index.js';
import type { RunningProvider } from '../../src/server.js';
import { startFakeAws } from '../../../test/peers/fake-aws.js';
import type { FakeAws } from '../../../test/peers/fake-aws.js';
import { TOKEN, aTokenFile, createAlb, createWorkload, putTraffic, startPeerProvider } from './world.js';
import type { Alb } from './world.js';

const EXAMPLES = join(import.meta.dirname, '../../../examples/argo');
const BASE = 'http://draingate-analysis-provider.draingate.svc:8080';
const CANARY_HASH = '6f7c9d8b5';

interface TemplateArg {
  name: string;
  value?: string;
}
interface ExampleMetric {
  template: string;
  check: string;
  args: TemplateArg[];
  metric: Record<string, unknown>;
}

/** Every metric of every (Cluster)AnalysisTemplate in examples/argo/. */
function exampleMetrics(): ExampleMetric[] {
  const metrics: ExampleMetric[] = [];
  for (const file of readdirSync(EXAMPLES).filter((name) => name.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(EXAMPLES, file), 'utf8'))) {
      const object = doc.toJS() as {
        kind?: string;
        metadata?: { name?: string };
        spec?: { args?: TemplateArg[]; metrics?: Record<string, unknown>[] };
      } | null;
      if (object?.kind !== 'AnalysisTemplate' && object?.kind !== 'ClusterAnalysisTemplate') continue;
      for (const metric of object.spec?.metrics ?? []) {
        const web = (metric['provider'] as { web: { url: string } }).web;
        const check = /\/v1\/checks\/([\w-]+)/.exec(web.url)?.[1] ?? '';
        metrics.push({
          template: `${object.kind}/${object.metadata?.name ?? ''}`,
          check,
          args: object.spec?.args ?? [],
          metric,
        });
      }
    }
  }
  return metrics;
}

/** The metric with args substituted as Argo does (text replacement) and the URL pointed at `url`. */
function resolveMetric(
  example: ExampleMetric,
  values: Readonly<Record<string, string>>,
  url: string,
): string {
  let text = JSON.stringify(example.metric).replaceAll(BASE, url);
  for (const arg of example.args) {
    const value = arg.name === 'token' ? TOKEN : (values[arg.name] ?? arg.value);
    if (value === undefined) throw new Error(`${example.template}: no value for arg ${arg.name}`);
    text = text.replaceAll(`{{args.${arg.name}}}`, value);
  }
  if (text.includes('{{args.')) throw new Error(`${example.template}: unresolved args in ${text}`);
  return text;
}

const METRICS = exampleMetrics();

/**
 * GetMetricData as CloudWatch answers it for the last 20 minutes: RequestCount 1,000 a minute on every target
 * group, and TargetResponseTime at the asked percentile from `seconds(targetGroupDimension)`.
 */
function percentileAnswers(seconds: (targetGroup: string) => number) {
  return (req: { operation: string; params: Readonly<Record<string, unknown>> }) => {
    const queries = (req.params['MetricDataQueries'] ?? []) as {
      Id: string;
      MetricStat: {
        Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] };
        Stat: string;
      };
    }[];
    const now = Math.floor(Date.now() / 60_000) * 60;
    const minutes = Array.from({ length: 20 }, (_, index) => now - (20 - index) * 60);
    const results = queries.map((query) => {
      const metric = query.MetricStat.Metric;
      const group = metric.Dimensions.find((d) => d.Name === 'TargetGroup')?.Value ?? '';
      const value = metric.MetricName === 'RequestCount' ? 1000 : seconds(group);
      return { Id: query.Id, Timestamps: minutes, Values: minutes.map(() => value), StatusCode: 'Complete' };
    });
    return { status: 200, body: JSON.stringify({ MetricDataResults: results }) };
  };
}

describe.skipIf(!hasPeer('aws') || !hasPeer('kube') || !hasPeer('argo'))(
  'Argo conformance of examples/argo/',
  () => {
    let provider: RunningProvider;
    let deadAws: RunningProvider;
    let busy: Alb;
    let quiet: Alb;
    const args: Record<string, Record<string, string>> = {};

    beforeAll(async () => {
      const now = new Date();
      busy = await createAlb('busy', 2, [['172.31.10.1', '172.31.10.2', '172.31.10.3'], ['172.31.10.4']]);
      quiet = await createAlb('quiet', 2);
      await putTraffic(busy, 0, { requests: 1000 }, now);
      await putTraffic(busy, 1, { requests: 500 }, now);
      // 5 requests a minute on each group: 50 in the templates' five judged minutes, below min-requests 100.
      await putTraffic(quiet, 0, { requests: 5 }, now);
      await putTraffic(quiet, 1, { requests: 5 }, now);
      // The pods carry a Rollout revision's label: the sequential canary reads its start (ready an hour ago) there.
      const podLabels = { 'rollouts-pod-template-hash': CANARY_HASH };
      const good = await createWorkload('web', busy.tgArns[0] ?? '', {
        preStopSeconds: 30,
        podIps: ['172.31.10.1', '172.31.10.2', '172.31.10.3'],
        podLabels,
      });
      const noPreStop = await createWorkload('web', busy.tgArns[0] ?? '', {});
      const notBehindAlb = await createWorkload('web', busy.tgArns[0] ?? '', {
        preStopSeconds: 30,
        behindAlb: false,
        podIps: ['172.31.10.9'],
        podLabels,
      });
      const common = (alb: Alb, namespace: string): Record<string, string> => ({
        'load-balancer-arn': alb.lbArn,
        'target-group-arn': alb.tgArns[0] ?? '',
        'stable-target-group-arn': alb.tgArns[0] ?? '',
        'canary-target-group-arn': alb.tgArns[1] ?? '',
        namespace,
        name: 'web',
        kind: 'Deployment',
        selector: 'app=web',
        'app-label': 'web',
        'canary-pod-template-hash': CANARY_HASH,
      });
      args['healthy'] = common(busy, good);
      args['failing'] = {
        ...common(busy, noPreStop),
        'target-group-arn': quiet.tgArns[0] ?? '',
        namespace: good,
      };
      args['failing-drain'] = common(busy, noPreStop);
      args['quiet'] = common(quiet, notBehindAlb);
      const tokens = aTokenFile();
      // No metric cache: the same ALB must read fresh datapoints once 5xx are injected.
      provider = await startPeerProvider(tokens, [
        '--metrics-cache-seconds',
        '0',
        '--target-health-cache-seconds',
        '0',
      ]);
      deadAws = await startPeerProvider(tokens, [
        '--aws-endpoint',
        'http://127.0.0.1:1',
        '--aws-max-attempts',
        '1',
        '--aws-timeout-ms',
        '2000',
      ]);
    });
    afterAll(async () => {
      await provider?.shutdown();
      await deadAws?.shutdown();
    });

    const judge = (example: ExampleMetric, scenario: string, target = provider) =>
      argoJudge(resolveMetric(example, args[scenario] ?? {}, target.url));

    it('every object in examples/argo/ is accepted by the API server with the Argo Rollouts CRDs (dry run)', async () => {
      const kc = adminKubeConfig();
      const objects = KubernetesObjectApi.makeApiClient(kc);
      // The examples' namespaces do not exist here: every namespaced object goes to a fresh one.
      const namespace = uniqueName('examples');
      await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
      const kinds: string[] = [];
      for (const file of readdirSync(EXAMPLES).filter((name) => name.endsWith('.yaml'))) {
        for (const doc of parseAllDocuments(readFileSync(join(EXAMPLES, file), 'utf8'))) {
          const object = doc.toJS() as KubernetesObject | null;
          if (!object?.kind || !object.metadata) continue;
          kinds.push(object.kind);
          if (object.metadata.namespace !== undefined) object.metadata.namespace = namespace;
          await objects.create(object, undefined, 'All');
        }
      }
      expect(new Set(kinds)).toEqual(
        new Set([
          'AnalysisTemplate',
          'ClusterAnalysisTemplate',
          'Rollout',
          'Secret',
          'Namespace',
          'Service',
          'Ingress',
          'PodDisruptionBudget',
        ]),
      );
    });

    it('examples/argo/ holds a GET and a POST metric for every check', () => {
      const byCheck = new Map<string, Set<string>>();
      for (const example of METRICS) {
        const web = (example.metric['provider'] as { web: { method?: string } }).web;
        byCheck.set(example.check, (byCheck.get(example.check) ?? new Set()).add(web.method ?? 'GET'));
      }
      expect(
        Object.fromEntries([...byCheck].map(([check, methods]) => [check, [...methods].sort()])),
      ).toEqual({
        'elb-5xx': ['GET', 'POST'],
        'target-health': ['GET', 'POST'],
        'drain-timing': ['GET', 'POST'],
        canary: ['GET', 'POST'],
        latency: ['GET', 'POST'],
      });
    });

    it.each(
      METRICS.filter((example) => example.check !== 'latency').map((example) => ({
        name: `${example.template} ${example.check}`,
        example,
      })),
    )('Successful when the ALB is healthy: $name', async ({ example }) => {
      const measurement = await judge(example, 'healthy');
      expect(measurement, measurement.message).toMatchObject({
        phase: 'Successful',
        value: '"Successful"',
      });
    });

    it.each(
      METRICS.filter((example) => example.check === 'elb-5xx' || example.check === 'canary').map(
        (example) => ({ name: `${example.template} ${example.check}`, example }),
      ),
    )('Inconclusive under the minimum traffic: $name', async ({ example }) => {
      const measurement = await judge(example, 'quiet');
      expect(measurement, measurement.message).toMatchObject({
        phase: 'Inconclusive',
        value: '"Inconclusive"',
      });
    });

    it.each(
      METRICS.filter((example) => example.check === 'drain-timing').map((example) => ({
        name: example.template,
        example,
      })),
    )(
      'drain-timing: Failed without a preStop hook, Inconclusive when no load balancer reaches the workload: $name',
      async ({ example }) => {
        expect((await judge(example, 'failing-drain')).phase).toBe('Failed');
        expect((await judge(example, 'quiet')).phase).toBe('Inconclusive');
      },
    );

    it.each(
      METRICS.filter((example) => example.check === 'target-health').map((example) => ({
        name: example.template,
        example,
      })),
    )('target-health: Failed when the target group has no healthy target: $name', async ({ example }) => {
      const measurement = await judge(example, 'failing');
      expect(measurement, measurement.message).toMatchObject({ phase: 'Failed' });
    });

    it.each(METRICS.map((example) => ({ name: `${example.template} ${example.check}`, example })))(
      'Error when AWS is unreachable: $name',
      async ({ example }) => {
        const measurement = await judge(example, 'healthy', deadAws);
        expect(measurement.phase).toBe('Error');
        expect(measurement.message).toMatch(/received non 2xx response code: 50[34]/);
      },
    );

    it.each(
      METRICS.filter((example) => example.check === 'latency').map((example) => ({
        name: example.template,
        example,
      })),
    )(
      'latency: Inconclusive against moto, which publishes no percentile; Successful and Failed when CloudWatch answers p99: $name',
      async ({ example }) => {
        const moto = await judge(example, 'healthy');
        expect(moto, moto.message).toMatchObject({ phase: 'Inconclusive', value: '"Inconclusive"' });
        const canaryDimension = (busy.tgArns[1] ?? '').split(':').at(-1) ?? '';
        for (const [canarySeconds, phase] of [
          [0.2, 'Successful'],
          [0.6, 'Failed'],
        ] as const) {
          let fake: FakeAws | undefined;
          let percentiles: RunningProvider | undefined;
          try {
            fake = await startFakeAws(
              percentileAnswers((group) => (group === canaryDimension ? canarySeconds : 0.2)),
            );
            percentiles = await startPeerProvider(aTokenFile(), [
              '--aws-endpoint',
              fake.endpoint,
              '--metrics-cache-seconds',
              '0',
            ]);
            const measurement = await judge(example, 'healthy', percentiles);
            expect(measurement, `canary p99 ${canarySeconds} s: ${measurement.message}`).toMatchObject({
              phase,
              value: `"${phase}"`,
            });
            const asked = fake.requests.flatMap(
              (r) => (r.params['MetricDataQueries'] ?? []) as { MetricStat: { Stat: string } }[],
            );
            expect(asked.map((q) => q.MetricStat.Stat).sort()).toEqual(['Sum', 'Sum', 'p99', 'p99']);
          } finally {
            await percentiles?.shutdown();
            await fake?.close();
          }
        }
      },
    );

    // Last: the datapoints stay in moto for the rest of the file.
    it('Failed after 5xx datapoints are injected (elb-5xx: ELB 5xx; canary: target 5xx of the canary)', async () => {
      await putTraffic(busy, 0, { elb5xx: 50 }, new Date());
      await putTraffic(busy, 1, { target5xx: 100 }, new Date());
      for (const example of METRICS.filter(
        (candidate) => candidate.check === 'elb-5xx' || candidate.check === 'canary',
      )) {
        const measurement = await judge(example, 'healthy');
        expect(measurement, `${example.template}: ${measurement.message}`).toMatchObject({
          phase: 'Failed',
          value: '"Failed"',
        });
      }
    });
  },
);
