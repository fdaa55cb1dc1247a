import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  InMemoryCluster,
  InMemoryMetrics,
  InMemoryTargetHealth,
  aFixedClock,
  aPod,
  aTarget,
  anUpstreamError,
  emptyCatalog,
} from '@draingate/core/testing';
import type { CheckPorts } from './run-check.js';
import { LB_ARN, OTHER_TOKEN, TG2_ARN, TG_ARN, TOKEN, startTestApp } from '../testing/harness.js';
import type { TestApp } from '../testing/harness.js';
import { createOpenApiDocument } from './openapi.js';

const LB_DIM = 'app/web/0123456789abcdef';
const TG_DIM = 'targetgroup/web/fedcba9876543210';
const NOW = '2026-01-01T12:00:30Z';

const openApi = createOpenApiDocument() as { components: { schemas: Record<string, object> } };
const ajv = new Ajv2020({ strict: false });
for (const [name, schema] of Object.entries(openApi.components.schemas))
  ajv.addSchema(schema, `#/components/schemas/${name}`);
const isVerdict = ajv.compile({ $ref: '#/components/schemas/Verdict' });
const isError = ajv.compile({ $ref: '#/components/schemas/Error' });

/** Asserts the body fits the OpenAPI schema of its status and returns it typed loosely. */
function conforming(res: { status: number; body: unknown }): Record<string, unknown> {
  const validate = res.status === 200 ? isVerdict : isError;
  expect(validate(res.body), JSON.stringify(validate.errors)).toBe(true);
  return res.body as Record<string, unknown>;
}

function errorOf(res: { body: unknown }): Record<string, unknown> {
  return (res.body as { error: Record<string, unknown> }).error;
}

describe('the provider over in-memory ports', () => {
  let metrics: InMemoryMetrics;
  let targetHealth: InMemoryTargetHealth;
  let cluster: InMemoryCluster;
  let clock: ReturnType<typeof aFixedClock>;
  let app: TestApp;

  /** `requests` per minute on the target group and `elb5xx` per minute on the load balancer, last 10 minutes. */
  function traffic(requests: number, elb5xx = 0): void {
    for (let minute = 1; minute <= 12; minute += 1) {
      const at = new Date(Date.parse('2026-01-01T12:00:00Z') - minute * 60_000);
      metrics.put(
        { metricName: 'RequestCount', dimensions: { LoadBalancer: LB_DIM, TargetGroup: TG_DIM } },
        at,
        requests,
      );
      if (elb5xx > 0)
        metrics.put(
          { metricName: 'HTTPCode_ELB_5XX_Count', dimensions: { LoadBalancer: LB_DIM } },
          at,
          elb5xx,
        );
    }
  }

  async function start(options: Parameters<typeof startTestApp>[1] = {}): Promise<void> {
    const ports: CheckPorts = { clock, metrics, targetHealth, catalog: emptyCatalog, cluster };
    app = await startTestApp(ports, options);
  }

  beforeEach(async () => {
    clock = aFixedClock(NOW);
    metrics = new InMemoryMetrics();
    targetHealth = new InMemoryTargetHealth();
    cluster = new InMemoryCluster();
    await start();
  });
  afterEach(async () => app.close());

  const elb = `/v1/checks/elb-5xx?loadBalancerArn=${LB_ARN}&targetGroupArns=${TG_ARN}`;

  it.each([
    { name: 'healthy traffic → Successful', requests: 1000, errors: 0, phase: 'Successful' },
    { name: '5xx above 1 % → Failed', requests: 1000, errors: 50, phase: 'Failed' },
    { name: 'too little traffic → Inconclusive', requests: 5, errors: 0, phase: 'Inconclusive' },
  ])('GET elb-5xx: $name', async ({ requests, errors, phase }) => {
    traffic(requests, errors);
    const res = await app.get(elb);
    expect(res.status).toBe(200);
    const body = conforming(res);
    expect(body['phase']).toBe(phase);
    expect(body['pass']).toBe(phase === 'Successful');
    expect(typeof body['value']).toBe('number');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('POST takes the same parameters as JSON, numbers also as strings (Argo args are strings)', async () => {
    traffic(1000, 5);
    const res = await app.post('/v1/checks/elb-5xx', {
      loadBalancerArn: LB_ARN,
      targetGroupArns: [TG_ARN],
      maxRate: '0.001',
      windowMinutes: 5,
    });
    expect(res.status).toBe(200);
    expect(conforming(res)['phase']).toBe('Failed');
    expect(conforming(res)['threshold']).toBe(0.001);
  });

  it.each([
    {
      name: 'throttling → 503 with Retry-After',
      failure: 'throttled' as const,
      status: 503,
      code: 'upstream-throttled',
    },
    {
      name: 'AWS unreachable → 503',
      failure: 'unavailable' as const,
      status: 503,
      code: 'upstream-unavailable',
    },
    { name: 'AWS timeout → 504', failure: 'timeout' as const, status: 504, code: 'upstream-timeout' },
    { name: 'access denied → 502', failure: 'access-denied' as const, status: 502, code: 'upstream-error' },
  ])('an upstream failure is a non-2xx JSON error: $name', async ({ failure, status, code }) => {
    metrics.failNext(anUpstreamError(failure));
    const res = await app.get(elb);
    expect(res.status).toBe(status);
    const error = errorOf(res);
    conforming(res);
    expect(error['code']).toBe(code);
    expect(String(error['message'])).toContain('GetMetricData');
    if (status === 503) expect(res.headers.get('retry-after')).toBe('10');
  });

  it('target-health cross-references pods; a draining target whose pod is gone fails', async () => {
    targetHealth.set(TG_ARN, [
      aTarget('10.0.0.1', 'healthy'),
      aTarget('10.0.0.2', 'draining', 'Target.DeregistrationInProgress'),
    ]);
    cluster.setPods([aPod('web-1', '10.0.0.1')]);
    const res = await app.post('/v1/checks/target-health', {
      targetGroupArn: TG_ARN,
      namespace: 'shop',
      selector: { app: 'web' },
    });
    expect(res.status).toBe(200);
    expect(conforming(res)['phase']).toBe('Failed');
    const get = await app.get(
      `/v1/checks/target-health?targetGroupArn=${TG_ARN}&namespace=shop&selector=app=web`,
    );
    expect(conforming(get)['phase']).toBe('Failed');
  });

  it('an unknown target group → 404', async () => {
    const res = await app.get(`/v1/checks/target-health?targetGroupArn=${TG_ARN}`);
    expect(res.status).toBe(404);
    expect(errorOf(res)['code']).toBe('not-found');
  });

  it.each([
    {
      name: 'malformed ARN',
      path: '/v1/checks/elb-5xx?loadBalancerArn=arn:aws:s3:::bucket',
      field: 'loadBalancerArn',
      message: /Application Load Balancer ARN/,
    },
    {
      name: 'network load balancer',
      path: `/v1/checks/elb-5xx?loadBalancerArn=${LB_ARN.replace('/app/', '/net/')}`,
      field: 'loadBalancerArn',
      message: /Application Load Balancer/,
    },
    {
      name: 'unknown parameter',
      path: `${elb}&maxRat=0.1`,
      field: 'maxRat',
      message: /not a parameter of elb-5xx/,
    },
    {
      name: 'wrong type',
      path: `${elb}&maxRate=lots`,
      field: 'maxRate',
      message: /^must be a rate from 0 to 1 such as 1% or 0\.01, got "lots"$/,
    },
    {
      name: 'absurd window',
      path: `${elb}&windowMinutes=100000`,
      field: 'windowMinutes',
      message: /^must be at most 24h, got "100000"$/,
    },
    {
      name: 'zero window',
      path: `${elb}&windowMinutes=0`,
      field: 'windowMinutes',
      message: /^must be at least 1m, got "0"$/,
    },
    {
      name: 'a window of seconds (CloudWatch reads whole minutes)',
      path: `${elb}&windowMinutes=90s`,
      field: 'windowMinutes',
      message: /^must be whole minutes \(CloudWatch's periods\), got "90s"$/,
    },
    {
      name: 'rate above 1',
      path: `${elb}&maxRate=2`,
      field: 'maxRate',
      message: /^must be a rate from 0 to 1 such as 1% or 0\.01, got "2"$/,
    },
    {
      name: 'repeated scalar',
      path: `${elb}&maxRate=0.1&maxRate=0.2`,
      field: 'maxRate',
      message: /more than once/,
    },
    { name: 'missing ARN', path: '/v1/checks/elb-5xx', field: 'loadBalancerArn', message: /expected string/ },
    {
      name: 'baseline without deployedAt',
      path: `${elb}&baselineMinutes=10`,
      field: 'deployedAt',
      message: /required with baselineMinutes/,
    },
    {
      name: 'deployedAt in the future',
      path: `${elb}&deployedAt=2027-01-01T00:00:00Z`,
      field: 'deployedAt',
      message: /future/,
    },
    {
      name: 'deployedAt too old',
      path: `${elb}&deployedAt=2025-01-01T00:00:00Z`,
      field: 'deployedAt',
      message: /15 days/,
    },
    { name: 'prototype key', path: `${elb}&__proto__=1`, field: '__proto__', message: /not a parameter/ },
    {
      name: 'selector without namespace',
      path: `/v1/checks/target-health?targetGroupArn=${TG_ARN}&selector=app=web`,
      field: 'namespace',
      message: /required with selector/,
    },
    {
      name: 'bad selector',
      path: `/v1/checks/target-health?targetGroupArn=${TG_ARN}&namespace=shop&selector=app`,
      field: 'selector',
      message: /key=value/,
    },
    {
      name: 'bad namespace',
      path: `/v1/checks/drain-timing?namespace=Shop_1&name=web`,
      field: 'namespace',
      message: /DNS-1123/,
    },
    {
      name: 'canary equals stable',
      path: `/v1/checks/canary?loadBalancerArn=${LB_ARN}&canaryTargetGroupArn=${TG_ARN}&stableTargetGroupArn=${TG_ARN}`,
      field: 'stableTargetGroupArn',
      message: /differ/,
    },
  ])('bad input → 400 naming the field: $name', async ({ path, field, message }) => {
    const res = await app.get(path);
    expect(res.status).toBe(400);
    const error = errorOf(res);
    conforming(res);
    expect(error['field']).toBe(field);
    expect(String(error['message'])).toMatch(message);
  });

  it.each([
    { name: 'an array', body: [1, 2], status: 400, field: '(body)' },
    { name: 'a string', body: '"x"', status: 400, field: '(body)' },
    { name: 'invalid JSON', body: '{"loadBalancerArn": ', status: 400, field: '(body)' },
    {
      name: 'a nested unknown field',
      body: { loadBalancerArn: LB_ARN, extra: { a: 1 } },
      status: 400,
      field: 'extra',
    },
    {
      name: 'a list of the wrong type',
      body: { loadBalancerArn: LB_ARN, targetGroupArns: 'x' },
      status: 400,
      field: 'targetGroupArns',
    },
    {
      name: 'a JSON __proto__ key',
      body: `{"loadBalancerArn":"${LB_ARN}","__proto__":{"polluted":1}}`,
      status: 400,
      field: '__proto__',
    },
  ])('bad JSON body → 400: $name', async ({ body, status, field }) => {
    const res = await app.post('/v1/checks/elb-5xx', body);
    expect(res.status).toBe(status);
    expect(errorOf(res)['field']).toBe(field);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('a body over the limit → 413, deeply nested JSON → 400, never a stack', async () => {
    const big = await app.post('/v1/checks/elb-5xx', { loadBalancerArn: LB_ARN, pad: 'x'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect(errorOf(big)['code']).toBe('payload-too-large');
    const deep = await app.post('/v1/checks/elb-5xx', `${'['.repeat(8000)}${']'.repeat(8000)}`);
    expect(deep.status).toBe(400);
    expect(JSON.stringify(deep.body)).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it.each([
    { name: 'text/plain', type: 'text/plain' },
    { name: 'form', type: 'application/x-www-form-urlencoded' },
    { name: 'no content type', type: undefined },
  ])('POST with a non-JSON content type → 415: $name', async ({ type }) => {
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
    if (type) headers['content-type'] = type;
    const res = await app.post('/v1/checks/elb-5xx', `loadBalancerArn=${LB_ARN}`, headers);
    expect(res.status).toBe(415);
    conforming(res);
  });

  it.each([
    { name: 'no Authorization header', headers: {}, message: /missing bearer token/ },
    {
      name: 'a wrong token',
      headers: { authorization: 'Bearer wrong-token-0123456789abcdef' },
      message: /not valid/,
    },
    { name: 'basic auth', headers: { authorization: 'Basic dXNlcjpwYXNz' }, message: /not "Bearer <token>"/ },
    { name: 'an empty bearer', headers: { authorization: 'Bearer ' }, message: /not "Bearer <token>"/ },
  ])('auth failure → 401: $name', async ({ headers, message }) => {
    const res = await app.get(elb, headers as Record<string, string>);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(String(errorOf(res)['message'])).toMatch(message);
    conforming(res);
  });

  it('never logs a token, and logs the client name instead', async () => {
    traffic(1000);
    await app.get(elb);
    await app.get(elb, { authorization: 'Bearer wrong-token-0123456789abcdef' });
    const logs = app.logs.join('\n');
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain('wrong-token-0123456789abcdef');
    expect(logs).toContain('"client":"ci"');
  });

  it('allow-lists: global and per token → 403 naming the object', async () => {
    await app.close();
    // TG_ARN is attached to the allowed load balancer, TG2_ARN to another one.
    const catalog = {
      ...emptyCatalog,
      describeTargetGroups: async (arns: readonly string[]) =>
        arns.map((arn) => ({
          arn,
          name: 'web',
          targetType: 'ip' as const,
          loadBalancerArns:
            arn === TG_ARN ? [LB_ARN] : [LB_ARN.replace('0123456789abcdef', 'bbbbbbbbbbbbbbbb')],
          healthCheck: {
            intervalSeconds: 15,
            timeoutSeconds: 5,
            healthyThresholdCount: 2,
            unhealthyThresholdCount: 2,
          },
        })),
    };
    app = await startTestApp(
      { clock, metrics, targetHealth, catalog, cluster },
      {
        access: {
          allow: { loadBalancers: [LB_ARN], namespaces: ['shop', 'team-*'] },
          clients: { other: { allow: { targetGroups: [TG2_ARN] } } },
        },
      },
    );
    targetHealth.set(TG2_ARN, [aTarget('10.0.0.1', 'healthy')]);
    // A list of load balancers alone also limits target groups: to those of the allowed load balancers.
    const foreignGroup = await app.get(`/v1/checks/target-health?targetGroupArn=${TG2_ARN}`);
    expect(foreignGroup.status).toBe(403);
    expect(String(errorOf(foreignGroup)['message'])).toContain(
      'attached to no load balancer the token may read',
    );
    traffic(1000);
    expect((await app.get(elb)).status).toBe(200);
    const otherLb = await app.get(
      `/v1/checks/elb-5xx?loadBalancerArn=${LB_ARN.replace('0123456789abcdef', 'aaaaaaaaaaaaaaaa')}`,
    );
    expect(otherLb.status).toBe(403);
    expect(String(errorOf(otherLb)['message'])).toContain('load balancer');
    const ns = await app.post('/v1/checks/drain-timing', { namespace: 'kube-system', name: 'web' });
    expect(ns.status).toBe(403);
    expect(String(errorOf(ns)['message'])).toContain('namespace kube-system');
    const byOther = await app.get(elb, { authorization: `Bearer ${OTHER_TOKEN}` });
    expect(byOther.status).toBe(403);
    expect(String(errorOf(byOther)['message'])).toContain(TG_ARN);
  });

  it('rate limit per token → 429 with Retry-After; another token is unaffected', async () => {
    await app.close();
    await start({ access: { rateLimit: { ratePerSecond: 1, burst: 2 } } });
    traffic(1000);
    const statuses = [];
    for (let index = 0; index < 3; index += 1) statuses.push((await app.get(elb)).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await app.get(elb);
    expect(limited.headers.get('retry-after')).toBe('1');
    conforming(limited);
    expect((await app.get(elb, { authorization: `Bearer ${OTHER_TOKEN}` })).status).toBe(200);
  });

  it('a check slower than the deadline → 504 at the deadline, never a late verdict', async () => {
    await app.close();
    const slow = {
      readMetrics: (_q: unknown, _w: unknown, signal?: AbortSignal) =>
        new Promise<never>((_resolve, reject) =>
          signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    };
    app = await startTestApp(
      { clock, metrics: slow, targetHealth, catalog: emptyCatalog },
      { deadlineMs: 300 },
    );
    const started = performance.now();
    const res = await app.get(elb);
    expect(res.status).toBe(504);
    expect(errorOf(res)['code']).toBe('deadline-exceeded');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('unknown routes, checks and methods → JSON 404 / 405', async () => {
    expect((await app.get('/v1/checks/nope')).status).toBe(404);
    expect(errorOf(await app.get('/nope'))['code']).toBe('not-found');
    const put = await fetch(`${app.url}/v1/checks/elb-5xx`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
  });

  it('health, readiness, metrics and the OpenAPI document', async () => {
    expect((await app.get('/healthz', {})).status).toBe(200);
    expect((await app.get('/readyz', {})).status).toBe(200);
    app.lifecycle.ready = false;
    app.lifecycle.draining = true;
    expect((await app.get('/readyz', {})).body).toEqual({ status: 'draining' });
    traffic(1000);
    await app.get(elb);
    const text = String((await app.get('/metrics', {})).body);
    expect(text).toContain(
      'draingate_provider_requests_total{route="/v1/checks/elb-5xx",method="GET",status="200"} 1',
    );
    expect(text).toContain('draingate_provider_verdicts_total{check="elb-5xx",phase="Successful"} 1');
    const doc = (await app.get('/openapi.json', {})).body as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/checks/elb-5xx', '/v1/checks/canary']),
    );
  });

  it('an error and a verdict of the same check are counted under the same route', async () => {
    traffic(1000);
    await app.get(elb);
    await app.get(`/v1/checks/elb-5xx?loadBalancerArn=nope`);
    await app.get(elb, {});
    const text = String((await app.get('/metrics', {})).body);
    for (const status of [200, 400, 401])
      expect(text).toContain(
        `draingate_provider_requests_total{route="/v1/checks/elb-5xx",method="GET",status="${status}"} 1`,
      );
  });

  it("Node's process metrics keep their standard names", async () => {
    await app.close();
    const ports: CheckPorts = { clock, metrics, targetHealth, catalog: emptyCatalog, cluster };
    app = await startTestApp(ports, { telemetryDefaults: true });
    const text = String((await app.get('/metrics', {})).body);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).not.toContain('draingate_provider_process_');
  });

  it('a malformed percent escape in the path → 400, not 500', async () => {
    const res = await app.get('/v1/checks/%E0%A4%A');
    expect(res.status).toBe(400);
    conforming(res);
    expect(errorOf(res)).toMatchObject({ code: 'invalid-input', field: '(path)' });
  });

  it("an error answer's log line carries the check, the target and the cause; never the token", async () => {
    metrics.failNext(anUpstreamError('unavailable'));
    const res = await app.post('/v1/checks/elb-5xx', { loadBalancerArn: LB_ARN, targetGroupArns: [TG_ARN] });
    expect(res.status).toBe(503);
    const line = app.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['msg'] === 'request' && l['status'] === 503);
    expect(line).toMatchObject({
      level: 'warn',
      check: 'elb-5xx',
      target: { loadBalancers: [LB_ARN], targetGroups: [TG_ARN] },
      error: {
        code: 'upstream-unavailable',
        details: { service: 'cloudwatch', operation: 'GetMetricData', failure: 'unavailable' },
      },
    });
    expect(String((line?.['error'] as { message: string }).message)).toContain('simulated unavailable');
    expect(app.logs.join('\n')).not.toContain(TOKEN);
  });

  it.each([
    { phase: 'Failed', errors: 100, reason: /above the limit of 1\.00%/ },
    { phase: 'Successful', errors: 0, reason: /over 10,000 requests .*: a rate of 0%, within 1\.00%\.$/ },
  ])("a $phase verdict's log line carries its reason", async ({ phase, errors, reason }) => {
    traffic(1000, errors);
    await app.get(elb);
    const line = app.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['phase'] === phase);
    expect(String(line?.['reason'])).toMatch(reason);
  });

  it('an empty string in a list (an optional arg left empty) is dropped', async () => {
    traffic(1000);
    const res = await app.post('/v1/checks/elb-5xx', {
      loadBalancerArn: LB_ARN,
      targetGroupArns: [TG_ARN, ''],
    });
    expect(res.status).toBe(200);
    expect((conforming(res)['details'] as { targetGroups: unknown[] }).targetGroups).toHaveLength(1);
  });

  it('the OpenAPI document takes numbers as strings, as the templates send them, and lists the webhook only when it exists', async () => {
    const doc = (await app.get('/openapi.json', {})).body as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    expect(Object.keys(doc.paths)).not.toContain('/github/webhook');
    const body = doc.components.schemas['Elb5xxRequest'];
    const maxRate = body?.properties['maxRate'] as { anyOf: { type: string }[] };
    expect(maxRate.anyOf.map((s) => s.type)).toEqual(['number', 'string']);
    const validateBody = ajv.compile({ ...body, $id: 'elb5xx-request' });
    expect(
      validateBody({
        loadBalancerArn: LB_ARN,
        maxRate: '0.01',
        minRequests: '100',
        targetGroupArns: [TG_ARN, ''],
      }),
    ).toBe(true);
    expect(Object.keys((createOpenApiDocument({ webhook: true }) as { paths: object }).paths)).toContain(
      '/github/webhook',
    );
  });

  it('a request id from the caller is echoed when it is safe, replaced when it is not', async () => {
    traffic(1000);
    const ok = await app.get(elb, { authorization: `Bearer ${TOKEN}`, 'x-request-id': 'argo-123' });
    expect(ok.headers.get('x-request-id')).toBe('argo-123');
    const evil = await app.get(elb, { authorization: `Bearer ${TOKEN}`, 'x-request-id': 'a"b{}'.repeat(30) });
    expect(evil.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
