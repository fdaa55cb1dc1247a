import { request } from 'node:http';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  InMemoryMetrics,
  InMemoryTargetHealth,
  aFixedClock,
  anUpstreamError,
  emptyCatalog,
} from '@draingate/core/testing';
import {
  RecordingSender,
  WEBHOOK_SECRET,
  aDelivery,
  aProtectionRuleEvent,
  anApprovalSetup,
} from '../testing/github.js';
import { LB_ARN, TG_ARN, startTestApp } from '../testing/harness.js';
import type { TestApp } from '../testing/harness.js';
import { parseApprovalPolicy } from './policy.js';
import type { ApprovalSetup } from './setup.js';

const LB_DIM = 'app/web/0123456789abcdef';
const TG_DIM = 'targetgroup/web/fedcba9876543210';
const HOOK = '/github/webhook';

function policyText(unknownEnvironments: 'reject' | 'ignore' = 'reject'): string {
  const elb = `{ check: elb-5xx, loadBalancerArn: "${LB_ARN}", targetGroupArns: ["${TG_ARN}"], maxRate: 0.01 }`;
  return `
unknownEnvironments: ${unknownEnvironments}
environments:
  production: { observeSeconds: 0, checks: [ ${elb} ] }
  patient:
    observeSeconds: 0
    onUpstreamError: retry
    retry: { attempts: 3, delaySeconds: 1 }
    checks: [ ${elb} ]
  sparse: { observeSeconds: 0, onInconclusive: approve, checks: [ ${elb.replace('maxRate: 0.01', 'minRequests: 1000000')} ] }
`;
}

describe('the approval webhook over in-memory ports', () => {
  let app: TestApp | undefined;
  let metrics: InMemoryMetrics;
  let sender: RecordingSender;
  let clock: ReturnType<typeof aFixedClock>;

  async function start(options: { unknownEnvironments?: 'reject' | 'ignore'; bodyLimitBytes?: number } = {}) {
    clock = aFixedClock('2026-01-01T12:00:30Z');
    metrics = new InMemoryMetrics();
    sender = new RecordingSender();
    const { policy, errors } = parseApprovalPolicy(policyText(options.unknownEnvironments), 'policy.yaml');
    if (!policy) throw new Error(errors.join('\n'));
    const setup: ApprovalSetup = anApprovalSetup(policy, {
      bodyLimitBytes: options.bodyLimitBytes ?? 64 * 1024,
    });
    app = await startTestApp(
      { clock, metrics, targetHealth: new InMemoryTargetHealth(), catalog: emptyCatalog },
      { approval: { setup, sender } },
    );
    return app;
  }

  /** `requests` per minute on the target group and `elb5xx` per minute on the load balancer. */
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

  async function deliver(
    target: TestApp,
    payload: unknown,
    options: Parameters<typeof aDelivery>[1] = {},
  ): Promise<{ status: number; body: unknown }> {
    const delivery = aDelivery(payload, options);
    return target.post(HOOK, delivery.body, delivery.headers);
  }

  async function settled(target: TestApp): Promise<void> {
    await target.approval?.gate.whenIdle();
  }

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('a healthy ALB → 202 at once, then approved with the numbers', async () => {
    const gate = await start();
    traffic(1000);
    const res = await deliver(gate, aProtectionRuleEvent({ runId: 7 }));
    expect(res.status).toBe(202);
    await settled(gate);
    expect(sender.reviews).toHaveLength(1);
    const [sent] = sender.reviews;
    expect(sent?.target).toEqual({
      owner: 'shop',
      repo: 'web',
      runId: '7',
      repositoryId: 1296269,
      installationId: 77,
    });
    expect(sent?.review.state).toBe('approved');
    expect(sent?.review.environmentName).toBe('production');
    expect(sent?.review.comment).toMatch(/^\*\*draingate approved\*\* production: 1 of 1 check passed/);
  });

  it('ELB 5xx over the limit → rejected, the rate and counts in the comment', async () => {
    const gate = await start();
    traffic(1000, 50);
    expect((await deliver(gate, aProtectionRuleEvent())).status).toBe(202);
    await settled(gate);
    const review = sender.reviews[0]?.review;
    expect(review?.state).toBe('rejected');
    expect(review?.comment).toContain('FAILED');
    expect(review?.comment).toMatch(/4\\\.76%/);
  });

  it('AWS down and onUpstreamError reject → rejected at once, saying it could not measure', async () => {
    const gate = await start();
    traffic(1000);
    metrics.failNext(anUpstreamError('unavailable'));
    await deliver(gate, aProtectionRuleEvent());
    await settled(gate);
    expect(sender.reviews[0]?.review.state).toBe('rejected');
    expect(sender.reviews[0]?.review.comment).toContain('could not measure');
    expect(metrics.reads).toBe(1);
  });

  it('AWS down and onUpstreamError retry → measured again, approved once AWS answers', async () => {
    const gate = await start();
    traffic(1000);
    metrics.failNext(anUpstreamError('throttled'));
    await deliver(gate, aProtectionRuleEvent({ environment: 'patient' }));
    await settled(gate);
    expect(metrics.reads).toBe(2);
    expect(sender.reviews.map((r) => r.review.state)).toEqual(['approved']);
  });

  it('AWS down through every retry → rejected, naming the attempts', async () => {
    const gate = await start();
    for (let i = 0; i < 3; i += 1) metrics.failNext(anUpstreamError('unavailable'));
    await deliver(gate, aProtectionRuleEvent({ environment: 'patient' }));
    await settled(gate);
    expect(metrics.reads).toBe(3);
    expect(sender.reviews[0]?.review.comment).toContain('could not measure after 3 attempts');
  }, 10_000);

  it('Inconclusive with onInconclusive approve → approved', async () => {
    const gate = await start();
    traffic(10);
    await deliver(gate, aProtectionRuleEvent({ environment: 'sparse' }));
    await settled(gate);
    expect(sender.reviews[0]?.review.state).toBe('approved');
    expect(sender.reviews[0]?.review.comment).toContain('inconclusive');
  });

  it.each([
    { name: 'a missing signature → 401', signature: null, result: 'missing-signature' },
    {
      name: 'a signature with another secret → 401',
      secret: 'not-the-secret-0123456789',
      result: 'invalid-signature',
    },
    { name: 'a malformed signature → 401', signature: 'sha256=xyz', result: 'invalid-signature' },
  ])('$name, nothing decided', async ({ signature, secret, result }) => {
    const gate = await start();
    const res = await deliver(gate, aProtectionRuleEvent(), {
      ...(signature === undefined ? {} : { signature }),
      ...(secret === undefined ? {} : { secret }),
    });
    expect(res.status).toBe(401);
    await settled(gate);
    expect(sender.reviews).toHaveLength(0);
    const text = await gate.telemetry.registry.metrics();
    expect(text).toContain(`draingate_provider_webhook_deliveries_total{result="${result}"} 1`);
  });

  it('the same delivery again (a GitHub redelivery keeps its id) → 200 duplicate, decided once', async () => {
    const gate = await start();
    traffic(1000);
    const delivery = aDelivery(aProtectionRuleEvent());
    expect((await gate.post(HOOK, delivery.body, delivery.headers)).status).toBe(202);
    const replay = await gate.post(HOOK, delivery.body, delivery.headers);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ status: 'duplicate' });
    await settled(gate);
    expect(sender.reviews).toHaveLength(1);
  });

  it('a re-run after a rejection (same run id, a new deployment id) → a new decision', async () => {
    const gate = await start();
    traffic(1000, 100);
    const attempt = (deploymentId: number) => ({
      ...aProtectionRuleEvent(),
      deployment: { id: deploymentId },
    });
    expect((await deliver(gate, attempt(501))).status).toBe(202);
    await settled(gate);
    metrics.clear();
    traffic(1000);
    expect((await deliver(gate, attempt(501))).body).toMatchObject({ status: 'duplicate' });
    expect((await deliver(gate, attempt(502))).status).toBe(202);
    await settled(gate);
    expect(sender.reviews.map((r) => [r.target.runId, r.review.state])).toEqual([
      ['4242', 'rejected'],
      ['4242', 'approved'],
    ]);
  });

  it('the same run redelivered under a new delivery id → 200 duplicate, decided once', async () => {
    const gate = await start();
    traffic(1000);
    expect((await deliver(gate, aProtectionRuleEvent())).status).toBe(202);
    await settled(gate);
    const again = await deliver(gate, aProtectionRuleEvent());
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate' });
    await settled(gate);
    expect(sender.reviews).toHaveLength(1);
  });

  it('a decision GitHub refused (502) is logged, and the next sweep after the retry delay sends it', async () => {
    const gate = await start();
    traffic(1000);
    sender.failNext(new Error('github ReviewCustomGatesForRun: answered 502 (after 5 attempts)'));
    const delivery = aDelivery(aProtectionRuleEvent());
    expect((await gate.post(HOOK, delivery.body, delivery.headers)).status).toBe(202);
    await settled(gate);
    expect(sender.reviews).toHaveLength(0);
    const warning = gate.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => l['msg'] === 'approval decision not sent yet: retrying');
    // The deadline is 120 min away: a tenth of it, capped at 60 s.
    expect(warning).toMatchObject({ runId: '4242', environment: 'production', retryInSeconds: 60 });
    expect(await gate.telemetry.registry.metrics()).toContain(
      'draingate_provider_approval_decisions_total{outcome="retrying"} 1',
    );
    await gate.approval?.gate.sweep();
    await settled(gate);
    expect(sender.reviews).toHaveLength(0);
    clock.set('2026-01-01T12:01:31Z');
    await gate.approval?.gate.sweep();
    await settled(gate);
    expect(sender.reviews.map((r) => r.review.state)).toEqual(['approved']);
    expect(await gate.telemetry.registry.metrics()).toContain(
      'draingate_provider_approval_decisions_total{outcome="approved"} 1',
    );
  });

  it.each([
    { name: 'not JSON → 400 (body)', body: '{"action":', field: '(body)' },
    {
      name: 'no installation → 400 installation',
      body: { ...aProtectionRuleEvent(), installation: null },
      field: 'installation',
    },
    {
      name: 'a callback URL elsewhere → 400 deployment_callback_url, nothing called',
      body: aProtectionRuleEvent({
        callbackUrl: 'https://169.254.169.254/repos/shop/web/actions/runs/1/deployment_protection_rule',
      }),
      field: 'deployment_callback_url',
    },
  ])('$name', async ({ body, field }) => {
    const gate = await start();
    const res = await deliver(gate, body);
    expect(res.status).toBe(400);
    expect((res.body as { error: { field: string } }).error.field).toBe(field);
    await settled(gate);
    expect(sender.reviews).toHaveLength(0);
  });

  it('a payload refused → logged with its reason, field and delivery id', async () => {
    const gate = await start();
    const { installation: _dropped, ...withoutInstallation } = aProtectionRuleEvent();
    const res = await deliver(gate, withoutInstallation, { deliveryId: 'delivery-0001' });
    expect(res.status).toBe(400);
    const message =
      "is missing: this delivery comes from a repository or organization webhook; deployment protection rules need the GitHub App's own webhook (set it in the App settings and remove the other)";
    expect((res.body as { error: { message: string } }).error.message).toBe(message);
    const logged = gate.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => l['msg'] === 'webhook refused');
    expect(logged).toMatchObject({
      level: 'warn',
      deliveryId: 'delivery-0001',
      result: 'no-installation',
      status: 400,
      field: 'installation',
      reason: message,
    });
  });

  it('a bad signature is logged with the delivery id GitHub shows', async () => {
    const gate = await start();
    await deliver(gate, aProtectionRuleEvent(), {
      deliveryId: 'delivery-0002',
      secret: 'another-secret-0123456789',
    });
    const logged = gate.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => l['msg'] === 'webhook refused: bad signature');
    expect(logged).toMatchObject({ deliveryId: 'delivery-0002', signature: 'invalid' });
  });

  it('pending decisions are a gauge: this replica, and the whole store at the last sweep', async () => {
    const gate = await start();
    traffic(1000);
    await deliver(gate, aProtectionRuleEvent({ environment: 'production' }));
    await settled(gate);
    await gate.approval?.gate.sweep();
    const text = await gate.telemetry.registry.metrics();
    expect(text).toContain('draingate_provider_approval_pending_decisions{scope="replica"} 0');
    expect(text).toContain('draingate_provider_approval_pending_decisions{scope="store"} 0');
  });

  it('a chunked body that never ends, over the limit → 413 at once and the connection closed', async () => {
    const gate = await start({ bodyLimitBytes: 2048 });
    const { hostname, port } = new URL(gate.url);
    const started = performance.now();
    const outcome = await new Promise<{ status: number; closed: boolean }>((resolve, reject) => {
      const req = request({
        hostname,
        port,
        method: 'POST',
        path: HOOK,
        headers: { 'content-type': 'application/json' },
      });
      const timer = setInterval(() => req.write('x'.repeat(1024)), 5);
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => {
          clearInterval(timer);
          resolve({ status: res.statusCode ?? 0, closed: res.headers.connection === 'close' });
        });
      });
      req.on('error', (error) => {
        clearInterval(timer);
        reject(error);
      });
    });
    expect(outcome).toEqual({ status: 413, closed: true });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('an unknown environment → rejected, saying there is no policy for it', async () => {
    const gate = await start();
    expect((await deliver(gate, aProtectionRuleEvent({ environment: 'qa' }))).status).toBe(202);
    await settled(gate);
    expect(sender.reviews[0]?.review).toMatchObject({ state: 'rejected', environmentName: 'qa' });
    expect(sender.reviews[0]?.review.comment).toContain('no policy for environment "qa"');
    expect(metrics.reads).toBe(0);
  });

  it('an unknown environment with unknownEnvironments ignore → 200, left pending', async () => {
    const gate = await start({ unknownEnvironments: 'ignore' });
    const res = await deliver(gate, aProtectionRuleEvent({ environment: 'qa' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ignored' });
    await settled(gate);
    expect(sender.reviews).toHaveLength(0);
  });

  it('a body over the limit → 413 before anything is parsed', async () => {
    const gate = await start({ bodyLimitBytes: 2048 });
    const huge = { ...aProtectionRuleEvent(), pull_requests: ['x'.repeat(4096)] };
    const res = await deliver(gate, huge);
    expect(res.status).toBe(413);
    expect(await gate.telemetry.registry.metrics()).toContain(
      'draingate_provider_webhook_deliveries_total{result="too-large"} 1',
    );
  });

  it('not JSON content → 415; a ping → 200; another event or action → 200 ignored; GET → 405', async () => {
    const gate = await start();
    const form = aDelivery('payload=%7B%7D');
    expect(
      (
        await gate.post(HOOK, form.body, {
          ...form.headers,
          'content-type': 'application/x-www-form-urlencoded',
        })
      ).status,
    ).toBe(415);
    expect((await deliver(gate, { zen: 'Design for failure.' }, { event: 'ping' })).body).toEqual({
      status: 'pong',
    });
    expect((await deliver(gate, aProtectionRuleEvent(), { event: 'push' })).body).toMatchObject({
      status: 'ignored',
    });
    expect((await deliver(gate, aProtectionRuleEvent({ action: 'completed' }))).body).toMatchObject({
      status: 'ignored',
    });
    expect((await gate.get(HOOK, {})).status).toBe(405);
    await settled(gate);
    expect(sender.reviews).toHaveLength(0);
  });

  it('the webhook secret never reaches the logs', async () => {
    const gate = await start();
    traffic(1000);
    await deliver(gate, aProtectionRuleEvent());
    await deliver(gate, aProtectionRuleEvent(), { signature: 'sha256=00' });
    await settled(gate);
    expect(gate.logs.join('\n')).not.toContain(WEBHOOK_SECRET);
    const decision = gate.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => l['msg'] === 'approval decision sent');
    expect(decision).toMatchObject({
      state: 'approved',
      repository: 'shop/web',
      runId: '4242',
      environment: 'production',
    });
  });

  it('while draining → 503, and the same delivery is accepted again elsewhere later', async () => {
    const gate = await start();
    traffic(1000);
    const delivery = aDelivery(aProtectionRuleEvent());
    gate.lifecycle.draining = true;
    const refused = await gate.post(HOOK, delivery.body, delivery.headers);
    expect(refused.status).toBe(503);
    gate.lifecycle.draining = false;
    expect((await gate.post(HOOK, delivery.body, delivery.headers)).status).toBe(202);
    await settled(gate);
    expect(sender.reviews).toHaveLength(1);
  });

  it('any signed JSON is answered 200, 202 or 400 — never a 5xx, never a review to anywhere but GitHub', async () => {
    const gate = await start({ unknownEnvironments: 'ignore' });
    const base = aProtectionRuleEvent();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc
            .record({ environment: fc.string(), deployment_callback_url: fc.webUrl() })
            .map((fields) => ({ ...base, ...fields })),
          fc.dictionary(fc.constantFrom(...Object.keys(base), '__proto__', 'constructor'), fc.jsonValue()),
        ),
        async (payload) => {
          const res = await deliver(gate, payload);
          expect([200, 202, 400]).toContain(res.status);
        },
      ),
      { numRuns: 150 },
    );
    await settled(gate);
    for (const { target } of sender.reviews) expect(target.owner).toBe('shop');
    // 150 deliveries through express: well under a second alone, several on a loaded 2-core runner.
  }, 30_000);
});
