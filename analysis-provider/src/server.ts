import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '@draingate/core';
import { createApp } from './api/app.js';
import { createApprovalService } from './approval/index.js';
import type { ApprovalService } from './approval/index.js';
import type { ReviewSender } from './approval/github-client.js';
import type { ApprovalSetup } from './approval/setup.js';
import type { Lifecycle } from './api/app.js';
import type { CheckPorts } from './api/run-check.js';
import type { ProviderConfig } from './config.js';
import type { Logger } from './logger.js';
import { TokenStore } from './security/tokens.js';
import { createServices } from './services.js';
import { createTelemetry } from './telemetry.js';
import type { Telemetry } from './telemetry.js';

/** A running provider. */
export interface RunningProvider {
  /** `http://host:port` it listens on (127.0.0.1 when bound to every address). */
  readonly url: string;
  readonly server: Server;
  readonly telemetry: Telemetry;
  readonly lifecycle: Lifecycle;
  /** The approval gate, when the GitHub App is configured. */
  readonly approval?: ApprovalService;
  /** Re-reads the token files now (they are also re-read periodically and on change). */
  reloadTokens(): Promise<void>;
  /**
   * Drains and stops, following draingate's own rules: readiness fails at once, requests keep being served for
   * `shutdownDelaySeconds` (the time the caller needs to stop sending, as a preStop sleep gives it), then the
   * listener closes, idle keep-alive connections close, requests in flight finish (answers carry
   * `Connection: close`), and after `shutdownTimeoutSeconds` whatever is left is cut. Resolves when done.
   */
  shutdown(reason?: string): Promise<void>;
}

/** What `startProvider` needs; tests pass their own ports and clock. */
export interface StartOptions {
  readonly config: ProviderConfig;
  readonly logger: Logger;
  readonly ports?: CheckPorts;
  readonly clock?: Clock;
  readonly telemetry?: Telemetry;
  /** The approval gate's configuration (`loadApprovalSetup`); without it `/github/webhook` does not exist. */
  readonly approval?: ApprovalSetup;
  /** Replaces the GitHub client of the approval gate (tests). */
  readonly reviewSender?: ReviewSender;
}

/** Builds the services, loads the tokens, listens, and becomes ready. */
export async function startProvider(options: StartOptions): Promise<RunningProvider> {
  const { config, logger } = options;
  const telemetry = options.telemetry ?? createTelemetry();
  const services = options.ports
    ? { ports: options.ports, close: () => undefined }
    : createServices(config, telemetry, logger, options.clock);
  const tokens =
    config.tokens === undefined
      ? undefined
      : new TokenStore(config.tokens, logger, (n) => telemetry.setTokens(n));
  await tokens?.start(config.tokenReloadSeconds * 1000);
  if (!tokens) logger.warn('serving WITHOUT authentication (--insecure-no-auth): for development only');
  const lifecycle: Lifecycle = { ready: false, draining: false };
  const approval = options.approval
    ? createApprovalService(options.approval, {
        ports: services.ports,
        telemetry,
        logger,
        lifecycle,
        ...(options.reviewSender ? { sender: options.reviewSender } : {}),
      })
    : undefined;
  const app = createApp({
    ports: services.ports,
    access: {
      authenticate: (token) => tokens?.authenticate(token),
      allowAnonymous: tokens === undefined,
      ...(config.allow ? { allow: config.allow } : {}),
      rateLimit: { ratePerSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst },
      ...(config.clients ? { clients: config.clients } : {}),
    },
    telemetry,
    logger,
    lifecycle,
    deadlineMs: config.deadlineMs,
    verdictCacheMs: config.metricsCacheSeconds * 1000,
    bodyLimitBytes: config.bodyLimitBytes,
    ...(approval ? { webhook: approval.handler } : {}),
  });
  const server = createServer(
    {
      keepAliveTimeout: config.keepAliveTimeoutSeconds * 1000,
      // Above keepAliveTimeout, so a request that starts as the connection idles out is never cut mid-headers.
      headersTimeout: config.keepAliveTimeoutSeconds * 1000 + 5000,
      requestTimeout: config.keepAliveTimeoutSeconds * 1000 + 10_000,
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host === '' ? undefined : config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  lifecycle.ready = true;
  approval?.start();
  logger.info('listening', {
    url,
    port: address.port,
    auth: tokens ? 'bearer' : 'none',
    approvalGate: approval !== undefined,
    deadlineMs: config.deadlineMs,
  });

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown'): Promise<void> => {
    stopping ??= (async () => {
      lifecycle.ready = false;
      lifecycle.draining = true;
      // Pending decisions are handed over at once (released in the decision store, reviews already being sent
      // let finish), so other replicas carry on while this one drains its connections.
      const approvalClosed = approval?.close();
      logger.info('draining', {
        reason,
        delaySeconds: config.shutdownDelaySeconds,
        timeoutSeconds: config.shutdownTimeoutSeconds,
      });
      await new Promise((resolve) => setTimeout(resolve, config.shutdownDelaySeconds * 1000));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timedOut = await Promise.race([
        closed.then(() => false),
        new Promise<boolean>((resolve) =>
          setTimeout(() => resolve(true), config.shutdownTimeoutSeconds * 1000).unref(),
        ),
      ]);
      if (timedOut) {
        logger.warn('shutdown timeout: closing the remaining connections');
        server.closeAllConnections();
        await closed;
      }
      await approvalClosed;
      tokens?.close();
      services.close();
      logger.info('stopped', { reason });
    })();
    return stopping;
  };

  return {
    url,
    server,
    telemetry,
    lifecycle,
    ...(approval ? { approval } : {}),
    reloadTokens: () => tokens?.reload() ?? Promise.resolve(),
    shutdown,
  };
}
