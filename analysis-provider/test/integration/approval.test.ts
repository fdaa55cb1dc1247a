// The approval gate end to end: signed webhooks into the provider, checks over the test world's in-memory
// AWS, and every request the provider makes to a loopback GitHub judged against GitHub's published OpenAPI
// description (@octokit/openapi) — method, templated path, path parameters, body schema, Authorization.
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsClientConfig, hasPeer } from '../../../test/peers/index.js';
import { loadApprovalSetup } from '../../src/approval/setup.js';
import { loadProviderConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startProvider } from '../../src/server.js';
import { systemClock } from '../../src/services.js';
import type { RunningProvider } from '../../src/server.js';
import {
  InMemoryMetrics,
  InMemoryTargetHealth,
  aTarget,
  anUpstreamError,
  emptyCatalog,
} from '@draingate/core/testing';
import { WEBHOOK_SECRET, aDelivery, aProtectionRuleEvent, appKeyPair } from '../../src/testing/github.js';
import type { EventShape } from '../../src/testing/github.js';
import { LB_ARN, TG_ARN } from '../../src/testing/harness.js';
import { startFakeGitHub } from './fake-github.js';
import type { FakeGitHub } from './fake-github.js';
import { GitHubOpenApiJudge, loadGitHubOpenApi } from './github-openapi.js';
import { createAlb, putTraffic } from './world.js';

const APP_ID = 4321;
const REPO_ID = 1296269;
const LB_DIM = 'app/web/0123456789abcdef';
const TG_DIM = 'targetgroup/web/fedcba9876543210';
const judge = new GitHubOpenApiJudge(loadGitHubOpenApi());

const POLICY = `
unknownEnvironments: reject
environments:
  production:
    repositories: [shop/*]
    observeSeconds: 0
    checks:
      - { check: elb-5xx, loadBalancerArn: "${LB_ARN}", targetGroupArns: ["${TG_ARN}"], maxRate: 0.01 }
      - { check: target-health, targetGroupArn: "${TG_ARN}", minHealthy: 2 }
  patient:
    observeSeconds: 0
    onUpstreamError: retry
    retry: { attempts: 3, delaySeconds: 1 }
    checks:
      - { check: elb-5xx, loadBalancerArn: "${LB_ARN}", maxRate: 0.01 }
`;

describe("the OpenAPI judge catches what GitHub's API would refuse", () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rules = {
    appId: APP_ID,
    appPublicKey: appKeyPair().publicKey,
    isInstallationToken: (token: string) => (token === 'ghs_good' ? undefined : 'unknown token'),
    now: () => new Date(),
  };
  const base = {
    'user-agent': 'test',
    accept: 'application/vnd.github+json',
    'content-type': 'application/json',
  };
  const review = '/repos/shop/web/actions/runs/42/deployment_protection_rule';
  const jwt = (key = appKeyPair().privateKey, claims: Record<string, unknown> = {}): string => {
    const now = Math.floor(Date.now() / 1000);
    const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const signed = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iat: now - 60, exp: now + 540, iss: APP_ID, ...claims })}`;
    return `${signed}.${sign('sha256', Buffer.from(signed), key).toString('base64url')}`;
  };

  it.each([
    {
      name: 'a conforming review passes',
      path: review,
      body: { environment_name: 'p', state: 'approved', comment: 'ok' },
      auth: 'token ghs_good',
      problem: undefined,
    },
    {
      name: 'a state GitHub does not know',
      path: review,
      body: { environment_name: 'p', state: 'approve' },
      auth: 'token ghs_good',
      problem: /body/,
    },
    {
      name: 'a misspelt field',
      path: review,
      body: { environment: 'p', state: 'approved' },
      auth: 'token ghs_good',
      problem: /body/,
    },
    {
      name: 'a run id that is no integer',
      path: '/repos/shop/web/actions/runs/abc/deployment_protection_rule',
      body: { environment_name: 'p', comment: 'x' },
      auth: 'token ghs_good',
      problem: /run_id/,
    },
    {
      name: 'a path GitHub does not have',
      path: '/repos/shop/web/actions/runs/42/gates',
      body: {},
      auth: 'token ghs_good',
      problem: /no such operation/,
    },
    {
      name: 'a token this app was not issued',
      path: review,
      body: { environment_name: 'p', comment: 'x' },
      auth: 'Bearer ghs_bad',
      problem: /unknown token/,
    },
    {
      name: 'an installation token where a JWT belongs',
      path: '/app/installations/1/access_tokens',
      body: {},
      auth: 'Bearer ghs_good',
      problem: /not a JWT/,
    },
    {
      name: 'a JWT signed by another key',
      path: '/app/installations/1/access_tokens',
      body: {},
      auth: `Bearer ${jwt(other.privateKey)}`,
      problem: /does not verify/,
    },
    {
      name: 'a JWT living longer than 10 minutes',
      path: '/app/installations/1/access_tokens',
      body: {},
      auth: `Bearer ${jwt(undefined, { exp: Math.floor(Date.now() / 1000) + 900 })}`,
      problem: /10 minutes/,
    },
    {
      name: 'a JWT of another app',
      path: '/app/installations/1/access_tokens',
      body: {},
      auth: `Bearer ${jwt(undefined, { iss: 1 })}`,
      problem: /iss/,
    },
    {
      name: 'a token request with a bad permission level',
      path: '/app/installations/1/access_tokens',
      body: { permissions: { deployments: 'admin' } },
      auth: `Bearer ${jwt()}`,
      problem: /body/,
    },
  ])('$name', ({ path, body, auth, problem }) => {
    const { problems } = judge.judge(
      { method: 'POST', path, headers: { ...base, authorization: auth }, body: JSON.stringify(body) },
      rules,
    );
    if (problem === undefined) expect(problems).toEqual([]);
    else
      expect(
        problems.some((p) => problem.test(p)),
        problems.join('\n'),
      ).toBe(true);
  });

  it("the test payloads hold every field GitHub's webhook schema requires", () => {
    const validate = judge.componentValidator('webhook-deployment-protection-rule-requested');
    const documented = {
      ...judge.sample('webhook-deployment-protection-rule-requested'),
      ...aProtectionRuleEvent(),
    };
    // The sample fills what the schema requires; the trimmed test payload replaces the parts the gate reads.
    expect(
      validate(judge.sample('webhook-deployment-protection-rule-requested')),
      JSON.stringify(validate.errors),
    ).toBe(true);
    expect(documented['deployment_callback_url']).toMatch(/deployment_protection_rule$/);
  });
});

describe('the approval gate against a loopback GitHub judged by its OpenAPI description', () => {
  let github: FakeGitHub;
  let provider: RunningProvider;
  let metrics: InMemoryMetrics;
  let targetHealth: InMemoryTargetHealth;
  const logs: string[] = [];
  let runId = 1000;

  /** A full payload: GitHub's documented shape (every required field) with the gate's fields filled in. */
  function aDocumentedEvent(shape: EventShape = {}): Record<string, unknown> {
    const sample = judge.sample('webhook-deployment-protection-rule-requested');
    const ours = aProtectionRuleEvent({ apiUrl: github.url, repositoryId: REPO_ID, ...shape });
    const repository = { ...(sample['repository'] as object), ...(ours['repository'] as object) };
    return { ...sample, ...ours, repository, pull_requests: [] };
  }

  async function deliver(
    body: unknown,
    options: Parameters<typeof aDelivery>[1] = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const delivery = aDelivery(body, options);
    const res = await fetch(`${provider.url}/github/webhook`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function settled(): Promise<void> {
    await provider.approval?.gate.whenIdle();
  }

  function traffic(requests: number, elb5xx = 0): void {
    const now = Date.now();
    for (let minute = 0; minute <= 12; minute += 1) {
      const at = new Date(Math.floor(now / 60_000) * 60_000 - minute * 60_000);
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

  async function upstreamCalls(operation: string): Promise<Record<string, number>> {
    const metric = provider.telemetry.registry.getSingleMetric('draingate_provider_upstream_calls_total');
    const values = (await metric?.get())?.values ?? [];
    return Object.fromEntries(
      values
        .filter((v) => v.labels['service'] === 'github' && v.labels['operation'] === operation)
        .map((v) => [String(v.labels['outcome']), v.value]),
    );
  }

  beforeAll(async () => {
    github = await startFakeGitHub({
      judge,
      appId: APP_ID,
      appPublicKey: appKeyPair().publicKey,
      repositories: { 'shop/web': REPO_ID },
      basePath: '/api/v3',
    });
    const dir = mkdtempSync(join(tmpdir(), 'draingate-approval-'));
    const file = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const { config, errors } = loadProviderConfig([
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--insecure-no-auth',
      '--shutdown-delay-seconds',
      '0',
      '--shutdown-timeout-seconds',
      '1',
      '--log-level',
      'debug',
      '--github-app-id',
      String(APP_ID),
      '--github-private-key-file',
      file('app.pem', appKeyPair().privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
      '--github-webhook-secret-file',
      file('secret', `${WEBHOOK_SECRET}\n`),
      '--approval-policy',
      file('policy.yaml', POLICY),
      '--github-api-url',
      github.url,
      '--webhook-body-limit-bytes',
      '65536',
    ]);
    const approval = loadApprovalSetup(config);
    expect([...errors, ...approval.errors]).toEqual([]);
    if (!approval.setup) throw new Error('no approval setup');
    metrics = new InMemoryMetrics();
    targetHealth = new InMemoryTargetHealth();
    provider = await startProvider({
      config,
      logger: createLogger({ write: (line: string) => logs.push(line) }, 'debug'),
      // The real clock: the fake GitHub judges JWT lifetimes by it, and leases expire by it.
      ports: { clock: systemClock, metrics, targetHealth, catalog: emptyCatalog },
      approval: {
        ...approval.setup,
        retry: { baseDelayMs: 5, maxAttempts: 4 },
        state: { ...approval.setup.state, postRetryMs: 300 },
      },
    });
  });

  beforeEach(() => {
    runId += 1;
    metrics.clear();
    targetHealth.set(TG_ARN, [aTarget('10.0.0.1', 'healthy'), aTarget('10.0.0.2', 'healthy')]);
  });

  afterEach(() => {
    expect(github.problems()).toEqual([]);
  });

  afterAll(async () => {
    await provider?.shutdown('test');
    await github?.close();
  });

  it('healthy → 202 at once, then a token for the repository and an approval, both as GitHub documents them', async () => {
    traffic(1000);
    const before = github.requests.length;
    const res = await deliver(aDocumentedEvent({ runId }));
    expect(res.status).toBe(202);
    await settled();
    const made = github.requests.slice(before);
    expect(made.map((r) => r.operationId)).toContain('actions/review-custom-gates-for-run');
    const review = github.reviews.find((r) => r.runId === String(runId));
    expect(review).toMatchObject({
      owner: 'shop',
      repo: 'web',
      environment_name: 'production',
      state: 'approved',
    });
    expect(review?.comment).toContain('2 of 2 checks passed');
    expect(review?.comment.length).toBeLessThanOrEqual(1024);
  });

  it('ELB 5xx over the limit → rejected with the rate in the comment', async () => {
    const before = github.reviews.length;
    traffic(1000, 40);
    await deliver(aDocumentedEvent({ runId }));
    await settled();
    const review = github.reviews.at(-1);
    expect(github.reviews.length).toBe(before + 1);
    expect(review?.state).toBe('rejected');
    expect(review?.comment).toMatch(/elb\\-5xx\*\* FAILED \(value \d\\\.\d+%, threshold 1\\\.00%\)/);
  });

  it('AWS down, policy reject → rejected at once; policy retry → measured again, then decided', async () => {
    metrics.failNext(anUpstreamError('unavailable'));
    await deliver(aDocumentedEvent({ runId }));
    await settled();
    expect(github.reviews.at(-1)).toMatchObject({ runId: String(runId), state: 'rejected' });
    expect(github.reviews.at(-1)?.comment).toContain('could not measure');

    const reads = metrics.reads;
    metrics.failNext(anUpstreamError('throttled'));
    await deliver(aDocumentedEvent({ runId: runId + 500, environment: 'patient' }));
    await settled();
    expect(metrics.reads - reads).toBe(2);
    expect(github.reviews.at(-1)).toMatchObject({ runId: String(runId + 500), environment_name: 'patient' });
  });

  it('GitHub 502, a dropped connection and 429 → retried with backoff, then sent once', async () => {
    github.script('actions/review-custom-gates-for-run', [502, 'drop', 429]);
    const before = await upstreamCalls('ReviewCustomGatesForRun');
    await deliver(aDocumentedEvent({ runId }));
    await settled();
    expect(github.reviews.filter((r) => r.runId === String(runId))).toHaveLength(1);
    const after = await upstreamCalls('ReviewCustomGatesForRun');
    expect((after['502'] ?? 0) - (before['502'] ?? 0)).toBe(1);
    expect((after['429'] ?? 0) - (before['429'] ?? 0)).toBe(1);
    expect((after['network'] ?? 0) - (before['network'] ?? 0)).toBe(1);
  });

  it('GitHub failing throughout → logged, retried later from the store, sent once; a redelivery meanwhile is a duplicate', async () => {
    traffic(1000);
    // Four attempts for the status comment (dropped: it is only a comment), four for the decision.
    github.script('actions/review-custom-gates-for-run', [500, 500, 500, 500, 500, 500, 500, 500]);
    const delivery = aDelivery(aDocumentedEvent({ runId }));
    const post = (): Promise<Response> =>
      fetch(`${provider.url}/github/webhook`, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      });
    expect((await post()).status).toBe(202);
    await settled();
    expect(github.reviews.some((r) => r.runId === String(runId))).toBe(false);
    const retrying = logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => l['msg'] === 'approval decision not sent yet: retrying' && l['runId'] === String(runId));
    expect(retrying?.['error']).toMatch(/ReviewCustomGatesForRun.*500.*after 4 attempts/);
    expect((await post()).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await provider.approval?.gate.sweep();
    await settled();
    expect(github.reviews.filter((r) => r.runId === String(runId))).toHaveLength(1);
  });

  it('a redelivery after the decision (same or new delivery id: the key is the signed body) → 200 duplicate; one review', async () => {
    traffic(1000);
    const delivery = aDelivery(aDocumentedEvent({ runId }));
    const post = (headers: Record<string, string>): Promise<Response> =>
      fetch(`${provider.url}/github/webhook`, { method: 'POST', headers, body: delivery.body });
    expect((await post(delivery.headers)).status).toBe(202);
    await settled();
    expect((await post(delivery.headers)).status).toBe(200);
    expect((await post({ ...delivery.headers, 'x-github-delivery': randomUUID() })).status).toBe(200);
    await settled();
    expect(github.reviews.filter((r) => r.runId === String(runId))).toHaveLength(1);
  });

  it('the installation token is reused across decisions for the same repository', async () => {
    traffic(1000);
    await deliver(aDocumentedEvent({ runId }));
    await settled();
    const tokens = github.requests.filter(
      (r) => r.operationId === 'apps/create-installation-access-token',
    ).length;
    await deliver(aDocumentedEvent({ runId: runId + 1000 }));
    await settled();
    expect(
      github.requests.filter((r) => r.operationId === 'apps/create-installation-access-token'),
    ).toHaveLength(tokens);
  });

  it('an unknown environment → rejected without measuring; another repository is unknown too', async () => {
    const reads = metrics.reads;
    await deliver(aDocumentedEvent({ runId, environment: 'qa' }));
    await settled();
    expect(github.reviews.at(-1)).toMatchObject({
      runId: String(runId),
      environment_name: 'qa',
      state: 'rejected',
    });
    expect(metrics.reads).toBe(reads);
  });

  it('bad or missing signatures, malformed and huge payloads, and foreign callback URLs reach no GitHub endpoint', async () => {
    const before = github.requests.length;
    const event = aDocumentedEvent({ runId });
    expect((await deliver(event, { signature: null })).status).toBe(401);
    expect((await deliver(event, { secret: 'another-secret-0123456789' })).status).toBe(401);
    expect((await deliver('{"action": "requested"', {})).status).toBe(400);
    expect((await deliver({ ...event, pull_requests: ['x'.repeat(70_000)] })).status).toBe(413);
    const foreign = aDocumentedEvent({
      runId,
      callbackUrl: 'https://api.github.com/repos/shop/web/actions/runs/1/deployment_protection_rule',
    });
    expect((await deliver(foreign)).status).toBe(400);
    await settled();
    expect(github.requests.length).toBe(before);
    const text = await provider.telemetry.registry.metrics();
    expect(text).toMatch(/draingate_provider_webhook_deliveries_total\{result="invalid-signature"\} [1-9]/);
    expect(text).toMatch(/draingate_provider_approval_decisions_total\{outcome="approved"\} [1-9]/);
    expect(logs.join('\n')).not.toContain(WEBHOOK_SECRET);
  });
});

describe.skipIf(!hasPeer('aws'))('the approval gate over moto_server (real AWS adapters)', () => {
  let github: FakeGitHub;
  let provider: RunningProvider;

  beforeAll(async () => {
    const healthy = await createAlb('gate-ok', 1, [['172.31.30.1', '172.31.30.2']]);
    const hurting = await createAlb('gate-5xx', 1, [['172.31.31.1']]);
    const now = new Date();
    await putTraffic(healthy, 0, { requests: 1000 }, now);
    await putTraffic(hurting, 0, { requests: 1000, elb5xx: 60 }, now);
    github = await startFakeGitHub({
      judge,
      appId: APP_ID,
      appPublicKey: appKeyPair().publicKey,
      repositories: { 'shop/web': REPO_ID },
    });
    const policy = `
environments:
  production:
    observeSeconds: 0
    checks: [ { check: elb-5xx, loadBalancerArn: "${healthy.lbArn}", targetGroupArns: ["${healthy.tgArns[0] ?? ''}"] } ]
  hurting:
    observeSeconds: 0
    checks: [ { check: elb-5xx, loadBalancerArn: "${hurting.lbArn}", maxRate: 0.01 } ]
`;
    const dir = mkdtempSync(join(tmpdir(), 'draingate-approval-moto-'));
    writeFileSync(join(dir, 'app.pem'), appKeyPair().privateKey.export({ type: 'pkcs1', format: 'pem' }));
    writeFileSync(join(dir, 'secret'), WEBHOOK_SECRET);
    writeFileSync(join(dir, 'policy.yaml'), policy);
    const aws = awsClientConfig();
    const { config, errors } = loadProviderConfig([
      ...['--host', '127.0.0.1', '--port', '0', '--insecure-no-auth', '--kube', 'off'],
      ...['--aws-endpoint', aws.endpoint, '--aws-region', aws.region, '--shutdown-delay-seconds', '0'],
      ...['--github-app-id', String(APP_ID), '--github-api-url', github.url],
      ...[
        '--github-private-key-file',
        join(dir, 'app.pem'),
        '--github-webhook-secret-file',
        join(dir, 'secret'),
      ],
      ...['--approval-policy', join(dir, 'policy.yaml'), '--log-level', 'silent'],
    ]);
    const approval = loadApprovalSetup(config);
    expect([...errors, ...approval.errors]).toEqual([]);
    if (!approval.setup) throw new Error('no approval setup');
    provider = await startProvider({
      config,
      logger: createLogger({ write: () => undefined }),
      approval: approval.setup,
    });
  });

  afterAll(async () => {
    await provider?.shutdown('test');
    await github?.close();
  });

  it.each([
    { name: 'a healthy ALB → approved', environment: 'production', runId: 1, state: 'approved' },
    { name: 'an ALB answering 5xx → rejected', environment: 'hurting', runId: 2, state: 'rejected' },
  ])('$name', async ({ environment, runId, state }) => {
    const delivery = aDelivery(
      aProtectionRuleEvent({ apiUrl: github.url, repositoryId: REPO_ID, environment, runId }),
    );
    const res = await fetch(`${provider.url}/github/webhook`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    expect(res.status).toBe(202);
    await provider.approval?.gate.whenIdle();
    expect(github.reviews.find((r) => r.runId === String(runId))).toMatchObject({
      environment_name: environment,
      state,
    });
    expect(github.problems()).toEqual([]);
  });
});
