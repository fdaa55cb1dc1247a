// The provider over HTTP, wired to moto_server and the real API server: verdicts and their OpenAPI shape,
// coalescing, upstream faults, token rotation, and a SIGTERM while requests are in flight.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig, awsEndpoint, hasPeer } from '../../../test/peers/index.js';
import { cloudWatchError, elbError, startFakeAws } from '../../../test/peers/fake-aws.js';
import type { FakeAws } from '../../../test/peers/fake-aws.js';
import type { RunningProvider } from '../../src/server.js';
import { startDelayingProxy } from './delaying-proxy.js';
import {
  TOKEN,
  aStoppedClock,
  aTokenFile,
  createAlb,
  createWorkload,
  putTraffic,
  startPeerProvider,
} from './world.js';
import type { Alb } from './world.js';

const auth = { authorization: `Bearer ${TOKEN}` };

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function get(base: string, path: string, headers: Record<string, string> = auth): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

async function post(base: string, path: string, body: unknown): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

function errorOf(answer: Answer): Record<string, unknown> {
  return answer.body['error'] as Record<string, unknown>;
}

/** Sum of a counter's samples whose labels include `labels`. */
async function counter(
  provider: RunningProvider,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = provider.telemetry.registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

describe.skipIf(!hasPeer('aws') || !hasPeer('kube'))(
  'the provider against moto_server and the API server',
  () => {
    let alb: Alb;
    let namespace: string;
    let tokens: string;
    let provider: RunningProvider;
    const started: { shutdown(): Promise<void> }[] = [];
    let validate: (status: number, body: unknown) => void;

    beforeAll(async () => {
      alb = await createAlb('http', 2, [['172.31.20.1', '172.31.20.2'], ['172.31.20.3']]);
      const now = new Date();
      await putTraffic(alb, 0, { requests: 1000 }, now);
      await putTraffic(alb, 1, { requests: 400 }, now);
      namespace = await createWorkload('web', alb.tgArns[0] ?? '', {
        preStopSeconds: 30,
        podIps: ['172.31.20.1', '172.31.20.2'],
      });
      tokens = aTokenFile();
      provider = await startPeerProvider(tokens);
      started.push(provider);
      const doc = (await (await fetch(`${provider.url}/openapi.json`)).json()) as {
        components: { schemas: Record<string, object> };
      };
      const ajv = new Ajv2020({ strict: false });
      for (const [name, schema] of Object.entries(doc.components.schemas))
        ajv.addSchema(schema, `#/components/schemas/${name}`);
      const verdict = ajv.compile({ $ref: '#/components/schemas/Verdict' });
      const error = ajv.compile({ $ref: '#/components/schemas/Error' });
      validate = (status, body) => {
        const check = status === 200 ? verdict : error;
        expect(check(body), JSON.stringify(check.errors)).toBe(true);
      };
    });
    afterAll(async () => {
      for (const running of started) await running.shutdown();
    });

    it('every check answers GET and POST with a verdict that fits the OpenAPI document', async () => {
      const [stable, canary] = alb.tgArns as [string, string];
      const cases: [string, Record<string, unknown>, string][] = [
        ['elb-5xx', { loadBalancerArn: alb.lbArn, targetGroupArns: [stable] }, 'Successful'],
        ['target-health', { targetGroupArn: stable, namespace, selector: { app: 'web' } }, 'Successful'],
        ['drain-timing', { namespace, name: 'web', kind: 'Deployment' }, 'Successful'],
        [
          'canary',
          { loadBalancerArn: alb.lbArn, canaryTargetGroupArn: canary, stableTargetGroupArn: stable },
          'Successful',
        ],
      ];
      for (const [check, body, phase] of cases) {
        const byPost = await post(provider.url, `/v1/checks/${check}`, body);
        expect(byPost.status, JSON.stringify(byPost.body)).toBe(200);
        validate(byPost.status, byPost.body);
        expect(byPost.body['phase']).toBe(phase);
        const query = new URLSearchParams(
          Object.entries(body).map(([key, value]): [string, string] => [
            key,
            Array.isArray(value)
              ? value.join(',')
              : typeof value === 'object'
                ? Object.entries(value as object)
                    .map(([k, v]) => `${k}=${String(v)}`)
                    .join(',')
                : String(value),
          ]),
        );
        const byGet = await get(provider.url, `/v1/checks/${check}?${query}`);
        expect(byGet.status).toBe(200);
        validate(byGet.status, byGet.body);
        expect(byGet.body['phase']).toBe(phase);
      }
    });

    it('errors fit the OpenAPI document too: unknown target group → 404, bad ARN → 400', async () => {
      const missing = await post(provider.url, '/v1/checks/target-health', {
        targetGroupArn: alb.tgArns[0]?.replace(/[0-9a-f]{16}$/, '0000000000000000'),
      });
      expect(missing.status).toBe(404);
      validate(missing.status, missing.body);
      const bad = await get(provider.url, '/v1/checks/elb-5xx?loadBalancerArn=nope');
      expect(bad.status).toBe(400);
      validate(bad.status, bad.body);
    });

    it('200 concurrent identical requests on a cold cache → exactly 1 GetMetricData call', async () => {
      const cold = await startPeerProvider(tokens, ['--rate-limit-burst', '1000'], aStoppedClock(new Date()));
      started.push(cold);
      const path = `/v1/checks/elb-5xx?loadBalancerArn=${alb.lbArn}&targetGroupArns=${alb.tgArns[0] ?? ''}`;
      const answers = await Promise.all(Array.from({ length: 200 }, () => get(cold.url, path)));
      expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 200 }, () => 200));
      expect(new Set(answers.map((answer) => answer.body['value'])).size).toBe(1);
      expect(
        await counter(cold, 'draingate_provider_upstream_calls_total', {
          service: 'cloudwatch',
          operation: 'GetMetricData',
        }),
      ).toBe(1);
      // One evaluation (its 4 metrics one miss each); the other 199 requests waited for it or reused it.
      expect(
        await counter(cold, 'draingate_provider_cache_lookups_total', { cache: 'metrics', result: 'miss' }),
      ).toBe(4);
      expect(await counter(cold, 'draingate_provider_cache_lookups_total', { cache: 'verdicts' })).toBe(200);
      expect(
        await counter(cold, 'draingate_provider_cache_lookups_total', { cache: 'verdicts', result: 'miss' }),
      ).toBe(1);
      // Warm: served from memory for the rest of the period.
      await get(cold.url, path);
      expect(
        await counter(cold, 'draingate_provider_upstream_calls_total', {
          service: 'cloudwatch',
          operation: 'GetMetricData',
        }),
      ).toBe(1);
    });

    describe('AWS faults', () => {
      let fake: FakeAws;
      let mode: 'throttle' | 'hang' = 'throttle';
      beforeAll(async () => {
        fake = await startFakeAws((req) => {
          if (mode === 'hang') return 'hang';
          return req.service === 'cloudwatch'
            ? cloudWatchError(400, 'Throttling', 'Rate exceeded')
            : elbError(400, 'Throttling', 'Rate exceeded');
        });
      });
      afterAll(async () => fake.close());

      it('throttling → 503 with Retry-After, the operation in the message', async () => {
        mode = 'throttle';
        const throttled = await startPeerProvider(tokens, [
          '--aws-endpoint',
          fake.endpoint,
          '--aws-max-attempts',
          '2',
        ]);
        started.push(throttled);
        const metrics = await get(throttled.url, `/v1/checks/elb-5xx?loadBalancerArn=${alb.lbArn}`);
        expect(metrics.status).toBe(503);
        expect(metrics.headers.get('retry-after')).toBe('10');
        expect(errorOf(metrics)).toMatchObject({
          code: 'upstream-throttled',
          details: { service: 'cloudwatch', operation: 'GetMetricData', failure: 'throttled' },
        });
        validate(metrics.status, metrics.body);
        const health = await get(
          throttled.url,
          `/v1/checks/target-health?targetGroupArn=${alb.tgArns[0] ?? ''}`,
        );
        expect(health.status).toBe(503);
        // DescribeTargetHealth and DescribeTargetGroups (the registration window) run together; either fails first.
        expect(String(errorOf(health)['message'])).toMatch(
          /elbv2 DescribeTarget(Health|Groups) failed \(throttled/,
        );
        expect(
          await counter(throttled, 'draingate_provider_upstream_calls_total', { outcome: 'throttled' }),
        ).toBeGreaterThanOrEqual(2);
      });

      it('AWS that never answers: 504 at the provider deadline, never later', async () => {
        mode = 'hang';
        const hung = await startPeerProvider(tokens, [
          '--aws-endpoint',
          fake.endpoint,
          '--deadline-ms',
          '1500',
          '--aws-timeout-ms',
          '5000',
        ]);
        started.push(hung);
        const begun = performance.now();
        const answer = await get(hung.url, `/v1/checks/elb-5xx?loadBalancerArn=${alb.lbArn}`);
        const took = performance.now() - begun;
        expect(answer.status).toBe(504);
        expect(errorOf(answer)['code']).toBe('deadline-exceeded');
        expect(took).toBeGreaterThanOrEqual(1400);
        expect(took).toBeLessThan(3000);
      });

      it('an AWS call slower than its own timeout → 504 upstream-timeout', async () => {
        const proxy = await startDelayingProxy(awsEndpoint(), 3000);
        const slow = await startPeerProvider(tokens, [
          '--aws-endpoint',
          proxy.endpoint,
          '--aws-timeout-ms',
          '500',
          '--aws-max-attempts',
          '1',
        ]);
        started.push(slow);
        const answer = await get(slow.url, `/v1/checks/target-health?targetGroupArn=${alb.tgArns[0] ?? ''}`);
        expect(answer.status).toBe(504);
        expect(errorOf(answer)['code']).toBe('upstream-timeout');
        await proxy.close();
      });
    });

    it('Kubernetes API down: drain-timing and pod cross-references → 5xx JSON error, AWS-only checks still answer', async () => {
      const dead = join(tokens, '..', 'dead-kubeconfig');
      writeFileSync(
        dead,
        `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: x}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n`,
      );
      const noKube = await startPeerProvider(tokens, ['--kubeconfig', dead]);
      started.push(noKube);
      const drain = await post(noKube.url, '/v1/checks/drain-timing', { namespace, name: 'web' });
      // 503 when the kube adapter classifies a refused connection as `unavailable`; it reports `unknown` today (502).
      expect([502, 503]).toContain(drain.status);
      expect(errorOf(drain)).toMatchObject({ details: { service: 'kubernetes', check: 'drain-timing' } });
      expect(String(errorOf(drain)['message'])).toContain('could not measure: kubernetes');
      validate(drain.status, drain.body);
      const pods = await post(noKube.url, '/v1/checks/target-health', {
        targetGroupArn: alb.tgArns[0],
        namespace,
        selector: { app: 'web' },
      });
      expect([502, 503]).toContain(pods.status);
      expect(errorOf(pods)).toMatchObject({ details: { service: 'kubernetes' } });
      const metricsOnly = await post(noKube.url, '/v1/checks/elb-5xx', { loadBalancerArn: alb.lbArn });
      expect(metricsOnly.status).toBe(200);
    });

    it('a removed token file: the next reload refuses the token (401), and nothing secret is logged', async () => {
      const file = aTokenFile();
      const rotating = await startPeerProvider(file);
      started.push(rotating);
      const path = `/v1/checks/elb-5xx?loadBalancerArn=${alb.lbArn}`;
      expect((await get(rotating.url, path)).status).toBe(200);
      rmSync(file);
      await rotating.reloadTokens();
      const refused = await get(rotating.url, path);
      expect(refused.status).toBe(401);
      writeFileSync(file, `argo ${TOKEN}\n`);
      await rotating.reloadTokens();
      expect((await get(rotating.url, path)).status).toBe(200);
      const logs = rotating.logs.join('');
      expect(logs).not.toContain(TOKEN);
      expect(logs).not.toContain(awsClientConfig().credentials.secretAccessKey);
      expect(logs).not.toMatch(/\n\s+at /);
    });

    it('SIGTERM while requests are in flight: readiness fails at once, every request is answered, the process exits in time', async () => {
      const proxy = await startDelayingProxy(awsEndpoint(), 1500);
      const main = join(import.meta.dirname, '../../dist/main.js');
      const child = spawn(
        process.execPath,
        [
          main,
          '--host',
          '127.0.0.1',
          '--port',
          '0',
          '--tokens',
          tokens,
          '--aws-endpoint',
          proxy.endpoint,
          '--aws-region',
          awsClientConfig().region,
          '--kube',
          'off',
          '--metrics-cache-seconds',
          '0',
          '--shutdown-delay-seconds',
          '1',
          '--shutdown-timeout-seconds',
          '10',
          '--rate-limit-burst',
          '100',
        ],
        { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line: ${output}`)), 20_000);
        child.stdout.on('data', () => {
          const match = /"msg":"listening","url":"([^"]+)"/.exec(output);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
        child.on('exit', (code) => resolve({ code, at: performance.now() })),
      );
      const inFlight = Array.from({ length: 20 }, (_, index) =>
        get(url, `/v1/checks/elb-5xx?loadBalancerArn=${alb.lbArn}&windowMinutes=${(index % 10) + 1}`).then(
          (answer) => answer.status,
          (error: unknown) => `failed: ${String(error)}`,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const signalled = performance.now();
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('connection')).toBe('close');
      expect(await Promise.all(inFlight)).toEqual(Array.from({ length: 20 }, () => 200));
      const { code, at } = await exited;
      expect(code).toBe(0);
      // 1 s of shutdown delay, the 1.5 s upstream, and no wait for idle keep-alive connections.
      expect(at - signalled).toBeLessThan(6000);
      expect(output).toContain('"msg":"stopped"');
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
      await proxy.close();
    });
  },
);
