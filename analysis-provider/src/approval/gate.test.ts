import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { createTelemetry } from '../telemetry.js';
import type { Telemetry } from '../telemetry.js';
import { InMemoryMetrics, InMemoryTargetHealth, ManualClock, emptyCatalog } from '@draingate/core/testing';
import { RecordingSender } from '../testing/github.js';
import { LB_ARN } from '../testing/harness.js';
import { createRecord, recordNameOf, releaseLease, startPosting } from './decision-record.js';
import { MemoryDecisionStore } from './decision-store.js';
import type { DecisionStore } from './decision-store.js';
import { ApprovalGate } from './gate.js';
import type { ProtectionRuleRequest } from './gate.js';
import { GitHubApiError } from './github-client.js';
import { parseApprovalPolicy } from './policy.js';

const POLICY = `
environments:
  production:
    observeSeconds: 60
    onInconclusive: approve
    deadlineMinutes: 30
    checks: [ { check: elb-5xx, loadBalancerArn: "${LB_ARN}" } ]
  strict:
    observeSeconds: 60
    interimComments: false
    checks: [ { check: elb-5xx, loadBalancerArn: "${LB_ARN}" } ]
  long:
    observeSeconds: 900
    onInconclusive: approve
    interimEverySeconds: 300
    checks: [ { check: elb-5xx, loadBalancerArn: "${LB_ARN}" } ]
  shadow:
    observeSeconds: 0
    dryRun: true
    interimComments: false
    checks: [ { check: elb-5xx, loadBalancerArn: "${LB_ARN}" } ]
`;
const parsed = parseApprovalPolicy(POLICY, 'policy.yaml');
if (!parsed.policy) throw new Error(parsed.errors.join('\n'));
const policy = parsed.policy;
const LEASE_MS = 30_000;

function aRequest(overrides: Partial<ProtectionRuleRequest> = {}): ProtectionRuleRequest {
  return {
    deliveryId: 'd-1',
    environment: 'production',
    repository: 'shop/web',
    target: { owner: 'shop', repo: 'web', runId: '4242', repositoryId: 1, installationId: 77 },
    receivedAt: new Date('2026-01-01T12:00:00Z'),
    deploymentId: 501,
    ...overrides,
  };
}

/** A store one replica sees: `cut()` makes it unreachable for that replica only (a killed or partitioned pod). */
function aView(shared: DecisionStore): DecisionStore & { cut(): void } {
  let cut = false;
  const guard = <T>(run: () => Promise<T>): Promise<T> =>
    cut ? Promise.reject(new Error('connection refused')) : run();
  return {
    description: shared.description,
    create: (name, record) => guard(() => shared.create(name, record)),
    read: (name) => guard(() => shared.read(name)),
    replace: (name, record, version) => guard(() => shared.replace(name, record, version)),
    list: () => guard(() => shared.list()),
    remove: (name, version) => guard(() => shared.remove(name, version)),
    cut: () => {
      cut = true;
    },
  };
}

describe('the approval gate over a shared decision store', () => {
  let clock: ManualClock;

  /** Moves the clock, then lets what woke up run until it sleeps or waits again. */
  async function advance(ms: number): Promise<void> {
    clock.advance(ms);
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
  }
  let store: MemoryDecisionStore;
  let sender: RecordingSender;
  let gates: ApprovalGate[] = [];
  let logs: Record<string, unknown>[];
  let telemetry: Telemetry;

  function aReplica(id: string, view: DecisionStore = store): ApprovalGate {
    const gate = new ApprovalGate({
      policy: () => policy,
      ports: {
        clock,
        metrics: new InMemoryMetrics(),
        targetHealth: new InMemoryTargetHealth(),
        catalog: emptyCatalog,
      },
      sender,
      store: view,
      replicaId: id,
      logger: createLogger(
        { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) },
        'debug',
      ),
      telemetry,
      leaseMs: LEASE_MS,
      retryMs: 1000,
      retentionMs: 3_600_000,
    });
    gates.push(gate);
    return gate;
  }

  function setUp(): void {
    clock = new ManualClock('2026-01-01T12:00:00Z');
    store = new MemoryDecisionStore();
    sender = new RecordingSender();
    logs = [];
    telemetry = createTelemetry({ defaults: false });
  }

  async function settle(): Promise<void> {
    await Promise.all(gates.map((g) => g.whenIdle()));
  }

  afterEach(async () => {
    await Promise.all(gates.map((g) => g.close()));
    gates = [];
  });

  it('the same deployment to two replicas at once → one record, one owner, one review', async () => {
    setUp();
    const [a, b] = [aReplica('a'), aReplica('b')];
    const results = await Promise.all([a.submit(aRequest()), b.submit(aRequest({ deliveryId: 'd-2' }))]);
    expect(results.sort()).toEqual(['accepted', 'duplicate']);
    expect((await store.list()).map((r) => r.record.owner)).toHaveLength(1);
    await advance(60_000);
    await settle();
    expect(sender.reviews.map((r) => r.review.state)).toEqual(['approved']);
    expect((await store.list())[0]?.record).toMatchObject({ phase: 'done', outcome: 'approved' });
  });

  it('the first status comment says what is measured, when, and the deadline', async () => {
    setUp();
    const a = aReplica('a');
    await a.submit(aRequest());
    await advance(0);
    expect(sender.comments.map((c) => c.review.comment)).toEqual([
      '**draingate observing** production: measures elb-5xx at 2026-01-01T12:01:00.000Z and answers by 2026-01-01T12:30:00.000Z at the latest.',
    ]);
    expect(sender.comments[0]?.review.state).toBeUndefined();
  });

  it('a long observation posts the numbers so far every interimEverySeconds, then decides once', async () => {
    setUp();
    const a = aReplica('a');
    await a.submit(aRequest({ environment: 'long' }));
    await advance(0);
    await advance(300_000);
    await advance(300_000);
    expect(sender.comments).toHaveLength(3);
    expect(sender.reviews).toHaveLength(0);
    expect(sender.comments[1]?.review.comment).toMatch(
      /^\*\*draingate observing\*\* long: the numbers so far; the decision is measured at 2026\\-01\\-01T12\\:15\\:00\\\.000Z\\\.\n- \*\*elb\\-5xx\*\* inconclusive \(value 0%, threshold 1\\\.00%\): 0 ELB 5xx/,
    );
    await advance(300_000);
    await settle();
    expect(sender.comments).toHaveLength(3);
    expect(sender.reviews.map((r) => r.review.state)).toEqual(['approved']);
  });

  it('the owner killed mid-observation → after its lease another replica finishes, one review', async () => {
    setUp();
    const view = aView(store);
    const [a, b] = [aReplica('a', view), aReplica('b')];
    expect(await a.submit(aRequest())).toBe('accepted');
    await advance(10_000);
    view.cut(); // killed: it can neither renew nor release
    await a.close();
    await b.sweep();
    expect(b.pending).toBe(0); // the lease has 20 s left
    await advance(LEASE_MS);
    await b.sweep();
    expect(b.pending).toBe(1);
    await advance(60_000);
    await settle();
    expect(sender.reviews.map((r) => r.review.state)).toEqual(['approved']);
    // The first comment was posted once, by the first owner: the new one does not repeat it.
    expect(sender.comments).toHaveLength(1);
    expect((await store.list())[0]?.record).toMatchObject({ owner: 'b', takeovers: 1, outcome: 'approved' });
  });

  it('the owner shut down → it releases its claim and another replica takes over at once', async () => {
    setUp();
    const [a, b] = [aReplica('a'), aReplica('b')];
    await a.submit(aRequest());
    await a.close();
    expect(logs.some((l) => l['msg'] === 'approval decision handed over at shutdown')).toBe(true);
    await b.sweep();
    expect(b.pending).toBe(1);
    await advance(60_000);
    await settle();
    expect(sender.reviews).toHaveLength(1);
  });

  it('taken over while posting → the fixed decision is sent again; GitHub 422 → already decided, info', async () => {
    setUp();
    const request = {
      deliveryId: 'd-1',
      environment: 'strict',
      repository: 'shop/web',
      target: aRequest().target,
      receivedAt: '2026-01-01T12:00:00.000Z',
      deploymentId: 9,
    };
    const record = createRecord(request, 'gone', clock.now().getTime(), LEASE_MS, 1_800_000);
    const posting = releaseLease(
      startPosting(record, { state: 'rejected', comment: 'fixed' }, clock.now().getTime(), LEASE_MS),
      clock.now().getTime(),
    );
    await store.create(recordNameOf(record.key), posting);
    sender.failNext(
      new GitHubApiError(
        'ReviewCustomGatesForRun',
        422,
        'POST … answered 422: {"message":"No pending custom deployment protection rule"}',
        false,
      ),
    );
    const b = aReplica('b');
    await b.sweep();
    await settle();
    expect((await store.list())[0]?.record).toMatchObject({ phase: 'done', outcome: 'already-decided' });
    expect(
      logs.find((l) => l['msg'] === 'approval decision already made: GitHub has no pending rule for the run'),
    ).toMatchObject({ level: 'info', runId: '4242', environment: 'strict' });
    expect(await telemetry.registry.metrics()).toContain(
      'draingate_provider_approval_decisions_total{outcome="already-decided"} 1',
    );
  });

  it('the store unreachable → new requests are refused; a pending decision waits, then resumes and posts once', async () => {
    setUp();
    const a = aReplica('a');
    await a.submit(aRequest());
    store.unavailable = true;
    expect(await a.submit(aRequest({ deploymentId: 777 }))).toBe('unavailable');
    await advance(60_000);
    await advance(5_000);
    expect(sender.reviews).toHaveLength(0);
    expect(a.pending).toBe(1);
    store.unavailable = false;
    await advance(1_000);
    await settle();
    expect(sender.reviews.map((r) => r.review.state)).toEqual(['approved']);
  });

  it('found after its deadline → rejected, saying so', async () => {
    setUp();
    const view = aView(store);
    const a = aReplica('a', view);
    await a.submit(aRequest({ environment: 'strict' }));
    view.cut();
    await a.close();
    await advance(121 * 60_000);
    const b = aReplica('b');
    await b.sweep();
    await settle();
    expect(sender.reviews.map((r) => [r.review.state, r.review.comment])).toEqual([
      [
        'rejected',
        '**draingate rejected** strict: no decision within the answer deadline \\(deadlineMinutes\\: 120\\)\\.',
      ],
    ]);
  });

  it('shadow mode (dryRun) → approved, the comment gives the real verdict', async () => {
    setUp();
    const a = aReplica('a');
    await a.submit(aRequest({ environment: 'shadow' }));
    await settle();
    expect(sender.reviews[0]?.review.state).toBe('approved');
    expect(sender.reviews[0]?.review.comment).toMatch(
      /^\*\*draingate shadow mode\*\* \(dryRun\): approved; the checks would have REJECTED\.\n\*\*draingate rejected\*\* shadow: 1 of 1 check inconclusive \\\(onInconclusive\\: reject\\\)\\\.\n- \*\*elb\\-5xx\*\* inconclusive/,
    );
    expect(logs.find((l) => l['msg'] === 'approval shadow verdict')).toMatchObject({ wouldBe: 'rejected' });
  });

  it('answered records are kept for the retention (redeliveries are duplicates), then deleted', async () => {
    setUp();
    const a = aReplica('a');
    await a.submit(aRequest({ environment: 'shadow' }));
    await settle();
    expect(await a.submit(aRequest({ environment: 'shadow', deliveryId: 'd-9' }))).toBe('duplicate');
    await advance(3_599_000);
    await a.sweep();
    expect(await store.list()).toHaveLength(1);
    await advance(1_000);
    await a.sweep();
    expect(await store.list()).toHaveLength(0);
  });
});
