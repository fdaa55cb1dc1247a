// Test helpers of the approval gate: protection-rule payloads as GitHub sends them, signed deliveries, an app
// key pair, and a review sender that records instead of calling GitHub.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Review, ReviewSender } from '../approval/github-client.js';
import type { ReviewTarget } from '../approval/payload.js';
import { signWebhookBody } from '../approval/signature.js';
import type { ApprovalPolicy } from '../approval/policy.js';
import type { ApprovalSetup } from '../approval/setup.js';

export const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdef';
export const GITHUB_API = 'https://api.github.com';

let keys: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

/** One RSA key pair per test process (generating one takes a while). */
export function appKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  keys ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return keys;
}

/** What a protection-rule request is about. */
export interface EventShape {
  readonly environment?: string;
  readonly owner?: string;
  readonly repo?: string;
  readonly runId?: number;
  readonly repositoryId?: number;
  readonly installationId?: number;
  readonly apiUrl?: string;
  readonly callbackUrl?: string;
  readonly action?: string;
}

/** A `deployment_protection_rule` payload with the fields GitHub sends (trimmed where the gate ignores them). */
export function aProtectionRuleEvent(shape: EventShape = {}): Record<string, unknown> {
  const owner = shape.owner ?? 'shop';
  const repo = shape.repo ?? 'web';
  const runId = shape.runId ?? 4242;
  const api = shape.apiUrl ?? GITHUB_API;
  return {
    action: shape.action ?? 'requested',
    environment: shape.environment ?? 'production',
    event: 'push',
    sha: 'a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d',
    ref: 'refs/heads/main',
    deployment_callback_url:
      shape.callbackUrl ?? `${api}/repos/${owner}/${repo}/actions/runs/${runId}/deployment_protection_rule`,
    deployment: null,
    pull_requests: [],
    repository: {
      id: shape.repositoryId ?? 1296269,
      node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
      name: repo,
      full_name: `${owner}/${repo}`,
      private: false,
      owner: { login: owner, id: 1, type: 'Organization' },
    },
    organization: { login: owner, id: 1 },
    installation: { id: shape.installationId ?? 77, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=' },
    sender: { login: 'octocat', id: 583231, type: 'User' },
  };
}

/** A delivery as GitHub posts it: JSON body and its headers, signed with `secret` unless told otherwise. */
export function aDelivery(
  body: unknown,
  options: { event?: string; deliveryId?: string; secret?: string; signature?: string | null } = {},
): { body: string; headers: Record<string, string> } {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const signature =
    options.signature === undefined
      ? signWebhookBody(Buffer.from(text), Buffer.from(options.secret ?? WEBHOOK_SECRET))
      : options.signature;
  return {
    body: text,
    headers: {
      'content-type': 'application/json',
      'x-github-event': options.event ?? 'deployment_protection_rule',
      'x-github-delivery': options.deliveryId ?? randomUUID(),
      'user-agent': 'GitHub-Hookshot/test',
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
    },
  };
}

/**
 * A ReviewSender that records each review (with a state) and each status comment (without); `failNext` makes
 * the next sends of reviews throw.
 */
export class RecordingSender implements ReviewSender {
  readonly reviews: { target: ReviewTarget; review: Review }[] = [];
  readonly comments: { target: ReviewTarget; review: Review }[] = [];
  readonly #failures: Error[] = [];

  failNext(error: Error): void {
    this.#failures.push(error);
  }

  async sendReview(target: ReviewTarget, review: Review): Promise<void> {
    if (review.state === undefined) {
      this.comments.push({ target, review });
      return;
    }
    const failure = this.#failures.shift();
    if (failure) throw failure;
    this.reviews.push({ target, review });
  }
}

/** An approval setup for tests: decisions in memory, no re-drive, the policy file never re-read. */
export function anApprovalSetup(
  policy: ApprovalPolicy,
  overrides: Partial<ApprovalSetup> & { readonly leaseMs?: number } = {},
): ApprovalSetup {
  const { leaseMs, ...rest } = overrides;
  return {
    appId: '1',
    privateKey: appKeyPair().privateKey,
    webhookSecret: Buffer.from(WEBHOOK_SECRET),
    apiUrl: new URL(GITHUB_API),
    policy,
    policyPath: 'policy.yaml',
    policyReloadMs: 3_600_000,
    state: {
      kubeTimeoutMs: 1000,
      replicaId: 'replica-a',
      leaseMs: leaseMs ?? 30_000,
      retentionMs: 7 * 86_400_000,
    },
    redrive: { minutes: 0, max: 100 },
    bodyLimitBytes: 64 * 1024,
    timeoutMs: 1000,
    ...rest,
  };
}
