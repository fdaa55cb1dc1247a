import type { RequestHandler } from 'express';
import { KubeLeaseStore, loadKubeConfig } from '@draingate/kube';
import type { CheckPorts } from '../api/run-check.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import { MemoryDecisionStore } from './decision-store.js';
import type { DecisionStore } from './decision-store.js';
import { ApprovalGate } from './gate.js';
import { GitHubApp } from './github-client.js';
import type { ReviewSender } from './github-client.js';
import { DECISION_LABEL, LeaseDecisionStore } from './lease-decision-store.js';
import { PolicySource } from './policy-source.js';
import { selectRedeliveries } from './redrive.js';
import type { ApprovalSetup } from './setup.js';
import { createWebhookHandler } from './webhook.js';

/** The approval gate wired up: its webhook handler, and how to start and stop it. */
export interface ApprovalService {
  readonly handler: RequestHandler;
  readonly gate: ApprovalGate;
  readonly policy: PolicySource;
  readonly store: DecisionStore;
  /** Sweeps the store (resuming what was left), watches the policy, and re-drives missed deliveries. */
  start(): void;
  /** Resolves when the start's re-drive is done (tests). */
  readonly redriven: Promise<number>;
  close(): Promise<void>;
}

/** The decision store of a setup: Leases in the configured namespace, or memory. */
export function createDecisionStore(
  setup: ApprovalSetup,
  deps: { readonly ports: CheckPorts; readonly telemetry: Telemetry },
): DecisionStore {
  const { state } = setup;
  if (state.namespace === undefined) return new MemoryDecisionStore();
  const config = loadKubeConfig({
    ...(state.kubeconfig ? { kubeconfig: state.kubeconfig } : {}),
    ...(state.kubeContext ? { context: state.kubeContext } : {}),
  });
  const leases = new KubeLeaseStore(
    config,
    state.namespace,
    DECISION_LABEL,
    state.kubeTimeoutMs,
    (operation, outcome, ms) => deps.telemetry.observeUpstream('kubernetes', operation, outcome, ms),
  );
  return new LeaseDecisionStore(leases, deps.ports.clock);
}

/**
 * Builds the GitHub App client, the decision store, the gate and the webhook handler from a loaded setup.
 * `sender` replaces the GitHub client and `store` the decision store (tests of the logic).
 */
export function createApprovalService(
  setup: ApprovalSetup,
  deps: {
    readonly ports: CheckPorts;
    readonly telemetry: Telemetry;
    readonly logger: Logger;
    /** While draining, new requests are refused (503) instead of accepted and then handed over. */
    readonly lifecycle?: { readonly draining: boolean };
    readonly sender?: ReviewSender;
    readonly store?: DecisionStore;
  },
): ApprovalService {
  const { ports, telemetry, logger } = deps;
  const clock = ports.clock;
  const app = new GitHubApp({
    appId: setup.appId,
    privateKey: setup.privateKey,
    apiUrl: setup.apiUrl,
    clock,
    timeoutMs: setup.timeoutMs,
    ...(setup.retry?.maxAttempts === undefined ? {} : { maxAttempts: setup.retry.maxAttempts }),
    ...(setup.retry?.baseDelayMs === undefined ? {} : { baseDelayMs: setup.retry.baseDelayMs }),
    onCall: (operation, outcome, ms) => telemetry.observeUpstream('github', operation, outcome, ms),
  });
  const sender = deps.sender ?? app;
  const store = deps.store ?? createDecisionStore(setup, deps);
  if (setup.state.namespace === undefined)
    logger.warn('approval decisions are kept in memory: run one replica, or set --approval-state-namespace');
  const policy = new PolicySource(setup.policy, setup.policyPath, logger);
  const gate = new ApprovalGate({
    policy: () => policy.current,
    ports,
    sender,
    store,
    replicaId: setup.state.replicaId,
    leaseMs: setup.state.leaseMs,
    retentionMs: setup.state.retentionMs,
    retryMs: Math.min(2000, setup.state.leaseMs / 3),
    ...(setup.state.postRetryMs === undefined ? {} : { postRetryMs: setup.state.postRetryMs }),
    logger,
    telemetry,
  });
  const handler = createWebhookHandler({
    secret: setup.webhookSecret,
    gate,
    apiUrl: setup.apiUrl,
    bodyLimitBytes: setup.bodyLimitBytes,
    clock,
    telemetry,
    logger,
    ...(deps.lifecycle ? { lifecycle: deps.lifecycle } : {}),
  });
  let resolveRedriven: (count: number) => void = () => undefined;
  const redriven = new Promise<number>((resolve) => {
    resolveRedriven = resolve;
  });
  const stop = new AbortController();

  /** Asks GitHub to send again the protection-rule deliveries that got no 2xx answer (any replica's). */
  const redrive = async (): Promise<number> => {
    if (setup.redrive.minutes === 0) return 0;
    const since = new Date(clock.now().getTime() - setup.redrive.minutes * 60_000);
    try {
      const deliveries = await app.listDeliveries(since, 1000, stop.signal);
      const chosen = selectRedeliveries(deliveries, setup.redrive.max);
      for (const delivery of chosen) await app.redeliver(delivery.id, stop.signal);
      logger.info('missed protection-rule deliveries redelivered', {
        listed: deliveries.length,
        redelivered: chosen.length,
        sinceMinutes: setup.redrive.minutes,
        guids: chosen.map((d) => d.guid).slice(0, 20),
      });
      return chosen.length;
    } catch (error) {
      if (!stop.signal.aborted)
        logger.warn('missed deliveries not re-driven: GitHub could not be asked', {
          error: error instanceof Error ? error.message.slice(0, 300) : String(error),
        });
      return 0;
    }
  };

  return {
    handler,
    gate,
    policy,
    store,
    redriven,
    start: () => {
      logger.info('approval gate started', {
        store: store.description,
        replica: setup.state.replicaId,
        leaseSeconds: setup.state.leaseMs / 1000,
      });
      gate.start();
      policy.start(setup.policyReloadMs);
      void redrive().then(resolveRedriven);
    },
    close: async () => {
      stop.abort(new Error('the provider is shutting down'));
      policy.close();
      await gate.close();
    },
  };
}
