// End to end through Argo Rollouts' own controller: Rollouts rolled by the real rollouts-controller (pods by
// kube-controller-manager's ReplicaSet controller and the kubelet stand-in), analysed with the chart's
// ClusterAnalysisTemplates as helm installs them, measured by the provider against moto_server.

import { join } from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  TOKEN,
  aTokenFile,
  createAlb,
  putTraffic,
  startPeerProvider,
  type Alb,
  type Traffic,
} from '../../analysis-provider/test/integration/world.js';
import type { RunningProvider } from '../../analysis-provider/src/server.js';
import { adminKubeConfig, hasPeer, runHelm, uniqueName } from '../peers/index.js';
import { startControlPlane, type ControlPlane } from '../setup/control-plane.js';

const CHART = join(import.meta.dirname, '../../charts/draingate');
const ARGO = { group: 'argoproj.io', version: 'v1alpha1' };
/** How far ahead the clock of the provider behind the sequential template runs: 8 minutes into the canary. */
const AHEAD_MS = 8 * 60_000;

interface RolloutStatus {
  phase?: string;
  message?: string;
  abort?: boolean;
  stableRS?: string;
  currentPodHash?: string;
  observedGeneration?: string;
  currentStepIndex?: number;
  pauseConditions?: { reason: string }[];
}
interface AnalysisRun {
  metadata: { name: string; creationTimestamp?: string; labels?: Record<string, string> };
  status?: {
    phase?: string;
    message?: string;
    startedAt?: string;
    metricResults?: {
      name: string;
      phase: string;
      consecutiveError?: number;
      error?: number;
      measurements?: { phase: string; startedAt?: string; finishedAt?: string; message?: string }[];
    }[];
  };
}

async function until<T>(what: string, timeoutMs: number, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await read();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe.skipIf(!hasPeer('control') || !hasPeer('aws') || !hasPeer('helm'))(
  'Argo Rollouts end to end: the chart templates, the provider, the real controller',
  () => {
    let kc: KubeConfig;
    let custom: CustomObjectsApi;
    let control: ControlPlane;
    let provider: RunningProvider;
    let deadAws: RunningProvider;
    let ahead: RunningProvider & { logs: string[] };
    let namespace: string;
    let prefix: string;
    const release = uniqueName('dg');
    const releaseNamespace = uniqueName('dg-system');

    const rollout = async (
      name: string,
    ): Promise<{ spec: Record<string, unknown>; status?: RolloutStatus }> =>
      (await custom.getNamespacedCustomObject({ ...ARGO, namespace, plural: 'rollouts', name })) as {
        spec: Record<string, unknown>;
        status?: RolloutStatus;
      };

    const analysisRuns = async (rolloutName: string): Promise<AnalysisRun[]> => {
      const list = (await custom.listNamespacedCustomObject({
        ...ARGO,
        namespace,
        plural: 'analysisruns',
      })) as {
        items: AnalysisRun[];
      };
      return list.items.filter((run) => run.metadata.name.startsWith(`${rolloutName}-`));
    };

    /** A canary Rollout: 50 %, then an analysis step with the chart's template `templateName`, then 100 %. */
    const rolloutWithAnalysis = (
      name: string,
      templateName: string,
      args: ({ name: string; value: string } | { name: string; valueFrom: unknown })[],
    ) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name, namespace },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        strategy: {
          canary: {
            steps: [
              { setWeight: 50 },
              { analysis: { templates: [{ templateName, clusterScope: true }], args } },
              { setWeight: 100 },
            ],
          },
        },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            terminationGracePeriodSeconds: 5,
            containers: [
              {
                name: 'web',
                image: 'ghcr.io/example/web:1',
                lifecycle: { preStop: { sleep: { seconds: 1 } } },
              },
            ],
          },
        },
      },
    });

    /** A canary Rollout whose second step is the chart's elb-5xx template on the canary's target group. */
    const canaryRollout = (
      name: string,
      alb: Alb,
      analysisArgs: { name: string; value: string }[],
      templatePrefix = prefix,
    ) =>
      rolloutWithAnalysis(name, `${templatePrefix}elb-5xx`, [
        { name: 'load-balancer-arn', value: alb.lbArn },
        { name: 'target-group-arn', value: alb.tgArns[1] ?? '' },
        ...analysisArgs,
      ]);

    /** An ALB with a stable (0) and a canary (1) target group, 1,000 requests a minute each, no 5xx. */
    const anAlbWithTraffic = async (): Promise<Alb> => {
      const alb = await createAlb('e2e', 2);
      const now = new Date();
      await putTraffic(alb, 0, { requests: 1000 }, now);
      await putTraffic(alb, 1, { requests: 1000 }, now);
      return alb;
    };

    const createRollout = async (body: object): Promise<void> => {
      await custom.createNamespacedCustomObject({ ...ARGO, namespace, plural: 'rollouts', body });
    };

    const firstRevisionHealthy = async (name: string): Promise<string | undefined> => {
      await until(`${name}: the first revision Healthy`, 120_000, async () =>
        (await rollout(name)).status?.phase === 'Healthy' ? true : undefined,
      );
      return (await rollout(name)).status?.stableRS;
    };

    const setImage = async (name: string, image: string): Promise<void> => {
      await custom.patchNamespacedCustomObject(
        {
          ...ARGO,
          namespace,
          plural: 'rollouts',
          name,
          body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image }],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
    };

    beforeAll(async () => {
      kc = adminKubeConfig();
      custom = kc.makeApiClient(CustomObjectsApi);
      const core = kc.makeApiClient(CoreV1Api);
      control = await startControlPlane(inject('peers'), kc, { kubelet: { startSeconds: 1 } });
      const tokens = aTokenFile();
      provider = await startPeerProvider(tokens, ['--metrics-cache-seconds', '0']);
      deadAws = await startPeerProvider(tokens, [
        '--aws-endpoint',
        'http://127.0.0.1:1',
        '--aws-max-attempts',
        '1',
        '--aws-timeout-ms',
        '1000',
      ]);
      // A provider whose clock runs AHEAD_MS ahead: each of its measurements is the one Argo would take that
      // many minutes into the canary, so the sequential test has complete minutes since the canary's start to
      // judge without the test waiting for them. The start itself is real: the canary pods' Ready time, read
      // from the API server (the provider runs with --kube on and the admin kubeconfig).
      ahead = await startPeerProvider(tokens, ['--metrics-cache-seconds', '0'], {
        now: () => new Date(Date.now() + AHEAD_MS),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      });
      // The chart's ClusterAnalysisTemplates, installed by helm, pointed at a provider on loopback: the
      // provider reading moto; one that cannot reach AWS; the provider whose clock runs ahead.
      prefix = `${release}-`;
      const installTemplates = (suffix: string, url: string): Promise<unknown> =>
        runHelm([
          'install',
          `${release}${suffix}`,
          CHART,
          '--namespace',
          `${releaseNamespace}${suffix}`,
          '--create-namespace',
          '--wait=false',
          '--set',
          `analysisTemplates.namePrefix=${prefix}${suffix === '' ? '' : `${suffix.slice(1)}-`}`,
          '--set',
          `analysisTemplates.url=${url}`,
          '--set',
          'tokens.existingSecret=draingate-tokens',
        ]);
      await installTemplates('', provider.url);
      await installTemplates('-outage', deadAws.url);
      await installTemplates('-ahead', ahead.url);
      namespace = uniqueName('e2e-argo');
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      await core.createNamespacedSecret({
        namespace,
        body: { metadata: { name: 'draingate-provider-token' }, stringData: { token: TOKEN } },
      });
    }, 300_000);

    afterAll(async () => {
      await control?.stop();
      await provider?.shutdown();
      await deadAws?.shutdown();
      await ahead?.shutdown();
    });

    it('a canary with healthy 5xx numbers passes its analysis step and is promoted', async () => {
      const name = 'healthy';
      const alb = await anAlbWithTraffic();
      await createRollout(
        canaryRollout(name, alb, [
          { name: 'count', value: '2' },
          { name: 'interval', value: '3s' },
        ]),
      );
      const first = await firstRevisionHealthy(name);
      await setImage(name, 'ghcr.io/example/web:2');
      const promoted = await until('the second revision promoted', 180_000, async () => {
        const status = (await rollout(name)).status;
        if (status?.abort) throw new Error(`aborted: ${status.message}`);
        return status?.phase === 'Healthy' && status.stableRS !== first ? status : undefined;
      });
      expect(promoted.stableRS).toBe(promoted.currentPodHash);
      const [run] = await analysisRuns(name);
      expect(run?.status?.phase).toBe('Successful');
      expect(run?.status?.metricResults?.[0]?.measurements?.map((m) => m.phase)).toEqual([
        'Successful',
        'Successful',
      ]);
    }, 300_000);

    it("5xx in the canary's target group fail the analysis and abort the rollout", async () => {
      const name = 'failing';
      const alb = await anAlbWithTraffic();
      await createRollout(
        canaryRollout(name, alb, [
          { name: 'count', value: '2' },
          { name: 'interval', value: '3s' },
        ]),
      );
      const stable = await firstRevisionHealthy(name);
      // The canary answers 5xx: 50 of every 1,000 requests on its target group, in every minute judged.
      await putTraffic(alb, 1, { target5xx: 50 }, new Date());
      await setImage(name, 'ghcr.io/example/web:2');
      const aborted = await until('the rollout aborted', 180_000, async () => {
        const status = (await rollout(name)).status;
        return status?.abort ? status : undefined;
      });
      expect(aborted.phase).toBe('Degraded');
      expect(aborted.stableRS).toBe(stable);
      const [run] = await analysisRuns(name);
      expect(run?.status?.phase).toBe('Failed');
      const measurement = run?.status?.metricResults?.[0]?.measurements?.[0];
      expect(measurement?.phase).toBe('Failed');
    }, 300_000);

    it('background analysis counts the canary target group: 5xx there abort the rollout', async () => {
      const name = 'background';
      const alb = await anAlbWithTraffic();
      await createRollout({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name, namespace },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: name } },
          strategy: {
            canary: {
              analysis: {
                templates: [{ templateName: `${prefix}elb-5xx`, clusterScope: true }],
                args: [
                  { name: 'count', value: '0' },
                  { name: 'interval', value: '3s' },
                  { name: 'load-balancer-arn', value: alb.lbArn },
                  { name: 'target-group-arn', value: alb.tgArns[0] ?? '' },
                  { name: 'canary-target-group-arn', value: alb.tgArns[1] ?? '' },
                ],
              },
              steps: [{ setWeight: 50 }, { pause: {} }],
            },
          },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: 'web', image: 'ghcr.io/example/web:1' }] },
          },
        },
      });
      const stable = await firstRevisionHealthy(name);
      // Only the canary's target group answers 5xx; the stable one stays clean.
      await putTraffic(alb, 1, { target5xx: 50 }, new Date());
      await setImage(name, 'ghcr.io/example/web:2');
      const aborted = await until('the rollout aborted by its background analysis', 120_000, async () => {
        const status = (await rollout(name)).status;
        return status?.abort ? status : undefined;
      });
      expect(aborted.stableRS).toBe(stable);
      const [run] = await analysisRuns(name);
      expect(run?.status?.phase).toBe('Failed');
      expect(run?.status?.metricResults?.[0]?.measurements?.at(-1)?.phase).toBe('Failed');
    }, 300_000);

    it('blue-green: pre-promotion analysis on the preview target group, post-promotion on the active one', async () => {
      const name = 'bluegreen';
      const alb = await anAlbWithTraffic();
      const core = kc.makeApiClient(CoreV1Api);
      for (const service of [`${name}-active`, `${name}-preview`]) {
        await core.createNamespacedService({
          namespace,
          body: {
            metadata: { name: service },
            spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
          },
        });
      }
      const analysis = (targetGroup: string) => ({
        templates: [{ templateName: `${prefix}elb-5xx`, clusterScope: true }],
        args: [
          { name: 'count', value: '2' },
          { name: 'interval', value: '3s' },
          { name: 'load-balancer-arn', value: alb.lbArn },
          { name: 'target-group-arn', value: targetGroup },
        ],
      });
      await createRollout({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name, namespace },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: name } },
          strategy: {
            blueGreen: {
              activeService: `${name}-active`,
              previewService: `${name}-preview`,
              autoPromotionEnabled: true,
              scaleDownDelaySeconds: 5,
              prePromotionAnalysis: analysis(alb.tgArns[1] ?? ''),
              postPromotionAnalysis: analysis(alb.tgArns[0] ?? ''),
            },
          },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: 'web', image: 'ghcr.io/example/web:1' }] },
          },
        },
      });
      const first = await firstRevisionHealthy(name);
      await setImage(name, 'ghcr.io/example/web:2');
      const promoted = await until('the new revision promoted and Healthy', 180_000, async () => {
        const status = (await rollout(name)).status;
        if (status?.abort) throw new Error(`aborted: ${status.message}`);
        return status?.phase === 'Healthy' && status.stableRS !== first ? status : undefined;
      });
      expect(promoted.stableRS).toBe(promoted.currentPodHash);
      const runs = await until('both analyses finished', 60_000, async () => {
        const all = await analysisRuns(name);
        return all.length >= 2 && all.every((r) => r.status?.phase === 'Successful') ? all : undefined;
      });
      const kinds = runs.map((r) => r.metadata.labels?.['rollout-type']).sort();
      expect(kinds).toEqual(['PostPromotion', 'PrePromotion']);
      const active = await core.readNamespacedService({ name: `${name}-active`, namespace });
      expect(active.spec?.selector?.['rollouts-pod-template-hash']).toBe(promoted.stableRS);
    }, 300_000);

    it('an AWS outage: Error measurements retried every 10 s, the analysis errors after consecutive-error-limit, the rollout aborts', async () => {
      const name = 'outage';
      const alb = await anAlbWithTraffic();
      const limit = 2;
      await createRollout(
        canaryRollout(
          name,
          alb,
          [
            { name: 'count', value: '5' },
            // The interval does not pace errors: Argo retries an errored measurement after 10 s.
            { name: 'interval', value: '3s' },
            { name: 'consecutive-error-limit', value: String(limit) },
          ],
          `${prefix}outage-`,
        ),
      );
      await firstRevisionHealthy(name);
      await setImage(name, 'ghcr.io/example/web:2');
      const aborted = await until('the rollout aborted', 180_000, async () => {
        const status = (await rollout(name)).status;
        return status?.abort ? status : undefined;
      });
      expect(aborted.phase).toBe('Degraded');
      const [run] = await analysisRuns(name);
      expect(run?.status?.phase).toBe('Error');
      const measurements = run?.status?.metricResults?.[0]?.measurements ?? [];
      // limit + 1 errors in a row: the one that exceeds the limit ends the metric.
      expect(measurements.map((m) => m.phase)).toEqual(Array(limit + 1).fill('Error'));
      expect(measurements[0]?.message).toMatch(/received non 2xx response code: 50[234]/);
      const starts = measurements.map((m) => Date.parse(m.startedAt ?? ''));
      const gaps = starts.slice(1).map((t, i) => (t - (starts[i] ?? t)) / 1000);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(9);
      const tolerated = ((starts.at(-1) ?? 0) - (starts[0] ?? 0)) / 1000;
      // About limit × 10 s of trouble, whatever the interval (3 s) — 20 s here, 40 s with the default 4.
      expect(tolerated).toBeGreaterThanOrEqual(limit * 10 - 2);
      expect(tolerated).toBeLessThanOrEqual(limit * 10 + 6);
      process.stderr.write(
        `draingate e2e: consecutive-error-limit ${limit} tolerated ${tolerated} s of AWS outage (gaps ${gaps.join(', ')} s)\n`,
      );
    }, 300_000);

    /**
     * A canary Rollout whose second step is the chart's `template` (canary-sequential or latency) comparing the
     * canary's target group (1) with the stable one's (0); the namespace and the canary's pod-template hash reach
     * the template as the chart documents (fieldRef metadata.namespace, podTemplateHashValue Latest).
     */
    const sequentialRollout = (name: string, alb: Alb, template: string) =>
      rolloutWithAnalysis(name, `${prefix}ahead-${template}`, [
        { name: 'count', value: '2' },
        { name: 'interval', value: '3s' },
        { name: 'load-balancer-arn', value: alb.lbArn },
        { name: 'canary-target-group-arn', value: alb.tgArns[1] ?? '' },
        { name: 'stable-target-group-arn', value: alb.tgArns[0] ?? '' },
        { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'canary-pod-template-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
      ]);

    /** The provider's request log lines (phase, reason) for `check` from log line `from` on. */
    const requestsLogged = (from: number, check: string) =>
      ahead.logs
        .slice(from)
        .map((line) => JSON.parse(line) as { msg: string; check?: string; phase?: string; reason?: string })
        .filter((line) => line.msg === 'request' && line.check === check);

    /** Publishes both groups' minutes up to the provider's ahead clock: those since the canary's start. */
    const putTrafficSinceNow = async (alb: Alb, stable: Traffic, canary: Traffic): Promise<void> => {
      const until = new Date(Date.now() + AHEAD_MS + 2 * 60_000);
      await putTraffic(alb, 0, stable, until);
      await putTraffic(alb, 1, canary, until);
    };

    it("canary-sequential: the canary's 5xx rate as the stable one's since its pods became ready → every measurement Successful, promoted", async () => {
      const name = 'seq-healthy';
      const alb = await createAlb('e2e', 2);
      await putTrafficSinceNow(alb, { requests: 1000, target5xx: 2 }, { requests: 1000, target5xx: 2 });
      await createRollout(sequentialRollout(name, alb, 'canary-sequential'));
      const first = await firstRevisionHealthy(name);
      const logged = ahead.logs.length;
      await setImage(name, 'ghcr.io/example/web:2');
      const promoted = await until('the second revision promoted', 120_000, async () => {
        const status = (await rollout(name)).status;
        if (status?.abort) throw new Error(`aborted: ${status.message}`);
        return status?.phase === 'Healthy' && status.stableRS !== first ? status : undefined;
      });
      expect(promoted.stableRS).toBe(promoted.currentPodHash);
      const [run] = await analysisRuns(name);
      expect(run?.status?.phase).toBe('Successful');
      const measurements = run?.status?.metricResults?.[0]?.measurements ?? [];
      expect(measurements.map((m) => m.phase)).toEqual(['Successful', 'Successful']);
      // The provider judged the sequential method with the canary's start read from its pods (a 404 or 400
      // would have been an Error measurement).
      expect(requestsLogged(logged, 'canary').map((line) => line.phase)).toEqual([
        'Successful',
        'Successful',
      ]);
    }, 300_000);

    it("canary-sequential: 5 % 5xx in the canary's target group against 0.1 % in the stable one's → the analysis fails, the rollout aborts", async () => {
      const name = 'seq-failing';
      const alb = await createAlb('e2e', 2);
      await putTrafficSinceNow(alb, { requests: 1000, target5xx: 1 }, { requests: 1000, target5xx: 50 });
      await createRollout(sequentialRollout(name, alb, 'canary-sequential'));
      const stable = await firstRevisionHealthy(name);
      const logged = ahead.logs.length;
      await setImage(name, 'ghcr.io/example/web:2');
      const aborted = await until('the rollout aborted', 120_000, async () => {
        const status = (await rollout(name)).status;
        return status?.abort ? status : undefined;
      });
      expect(aborted.phase).toBe('Degraded');
      expect(aborted.stableRS).toBe(stable);
      const [run] = await analysisRuns(name);
      expect(run?.status?.phase).toBe('Failed');
      const measurements = run?.status?.metricResults?.[0]?.measurements ?? [];
      expect(measurements.map((m) => m.phase)).toEqual(['Failed']);
      // Judged on the minutes since the canary's pod became ready: 6 or 7 complete minutes of the provider's
      // clock 8 minutes on (the newest two are incomplete), not the 12 minutes published before it.
      const [judged] = requestsLogged(logged, 'canary');
      expect(judged?.phase).toBe('Failed');
      expect(judged?.reason).toMatch(
        /^canary (300\/6,000|350\/7,000) errors \(5\.00%\) vs stable (6\/6,000|7\/7,000) \(0\.10%\): the canary's error rate is higher than the stable one's \(e-value .* ≥ 20 \(1\/α\) over [67] minutes at a canary share of 50\.00%\)\.$/,
      );
    }, 300_000);

    it('latency against moto, which keeps no percentiles: the measurement is Inconclusive and Argo pauses the rollout, neither promoted nor aborted', async () => {
      const name = 'latency';
      const alb = await createAlb('e2e', 2);
      await putTrafficSinceNow(alb, { requests: 1000 }, { requests: 1000 });
      await createRollout(sequentialRollout(name, alb, 'latency'));
      const stable = await firstRevisionHealthy(name);
      const logged = ahead.logs.length;
      await setImage(name, 'ghcr.io/example/web:2');
      const paused = await until('the rollout paused by its inconclusive analysis', 120_000, async () => {
        const status = (await rollout(name)).status;
        if (status?.abort) throw new Error(`aborted: ${status.message}`);
        return status?.pauseConditions?.some((c) => c.reason === 'InconclusiveAnalysisRun')
          ? status
          : undefined;
      });
      expect(paused.phase).toBe('Paused');
      expect(paused.stableRS).toBe(stable);
      const [run] = await analysisRuns(name);
      expect(run?.status?.phase).toBe('Inconclusive');
      const measurements = run?.status?.metricResults?.[0]?.measurements ?? [];
      expect(measurements.map((m) => m.phase)).toEqual(['Inconclusive']);
      const [judged] = requestsLogged(logged, 'latency');
      expect(judged?.phase).toBe('Inconclusive');
      expect(judged?.reason).toMatch(
        /^canary p99 above 1\.1× the stable p99 in 0 of 0 judged minutes: fewer than the 5 minutes needed to judge/,
      );
    }, 300_000);
  },
);
