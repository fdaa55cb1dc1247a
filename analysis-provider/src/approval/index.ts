import type { RequestHandler } from 'express';
import type { CheckPorts } from '../api/run-check.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import { ExpiringMap } from './expiring-map.js';
import { ApprovalGate } from './gate.js';
import { GitHubApp } from './github-client.js';
import type { ReviewSender } from './github-client.js';
import type { ApprovalSetup } from './setup.js';
import { createWebhookHandler } from './webhook.js';

/** The approval gate wired up: its webhook handler, and how to wait for or abandon pending decisions. */
export interface ApprovalService {
  readonly handler: RequestHandler;
  readonly gate: ApprovalGate;
  close(): Promise<void>;
}

/** Remember delivery ids a day, at most this many (bounded memory; the decision record outlives them). */
const DELIVERY_TTL_MS = 86_400_000;
const MAX_DELIVERIES = 10_000;

/**
 * Builds the GitHub App client, the gate and the webhook handler from a loaded setup. `sender` replaces the
 * GitHub client (tests of the logic).
 */
export function createApprovalService(
  setup: ApprovalSetup,
  deps: {
    readonly ports: CheckPorts;
    readonly telemetry: Telemetry;
    readonly logger: Logger;
    /** While draining, new requests are refused (503) instead of accepted and then abandoned. */
    readonly lifecycle?: { readonly draining: boolean };
    readonly sender?: ReviewSender;
  },
): ApprovalService {
  const { ports, telemetry, logger } = deps;
  const clock = ports.clock;
  const deliveries = new ExpiringMap<true>(DELIVERY_TTL_MS, MAX_DELIVERIES, () => clock.now().getTime());
  const sender =
    deps.sender ??
    new GitHubApp({
      appId: setup.appId,
      privateKey: setup.privateKey,
      apiUrl: setup.apiUrl,
      clock,
      timeoutMs: setup.timeoutMs,
      ...(setup.retry?.maxAttempts === undefined ? {} : { maxAttempts: setup.retry.maxAttempts }),
      ...(setup.retry?.baseDelayMs === undefined ? {} : { baseDelayMs: setup.retry.baseDelayMs }),
      onCall: (operation, outcome, ms) => telemetry.observeUpstream('github', operation, outcome, ms),
    });
  const gate = new ApprovalGate({
    policy: setup.policy,
    ports,
    sender,
    logger,
    telemetry,
    // A decision that could not be sent may be retried by redelivering the same webhook.
    onAbandoned: (request) => deliveries.delete(request.deliveryId),
  });
  const handler = createWebhookHandler({
    secret: setup.webhookSecret,
    gate,
    deliveries,
    apiUrl: setup.apiUrl,
    bodyLimitBytes: setup.bodyLimitBytes,
    clock,
    telemetry,
    logger,
    ...(deps.lifecycle ? { lifecycle: deps.lifecycle } : {}),
  });
  return { handler, gate, close: () => gate.close() };
}
