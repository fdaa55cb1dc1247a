import { UpstreamError } from '@draingate/core';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger.js';
import { findDenied, needsAttachments } from '../security/access.js';
import type { Telemetry } from '../telemetry.js';
import { raceSignal } from '../upstream/signals.js';
import { createAuthenticate } from './authenticate.js';
import type { AccessPolicy } from './authenticate.js';
import { isCheckName, locals, requestContext, sendError } from './context.js';
import { ApiError } from './errors.js';
import { createOpenApiDocument } from './openapi.js';
import { coerceBody, parseCheckInput, queryToBody } from './parse-input.js';
import type { CheckPorts } from './run-check.js';
import { errorVerdictToApiError, requestedResources, runCheck } from './run-check.js';
import { createVerdictMemo } from './verdict-memo.js';
import { CHECK_NAMES } from './schemas.js';
import type { CheckInput, CheckName } from './schemas.js';
import { toApiError } from './to-api-error.js';

export type { AccessPolicy } from './authenticate.js';

/** The running state the health endpoints and the shutdown read. */
export interface Lifecycle {
  /** True once the provider can answer checks, false again as soon as it starts draining. */
  ready: boolean;
  /** Set on SIGTERM: answers carry `Connection: close` so keep-alive callers reconnect elsewhere. */
  draining: boolean;
}

/** Everything the HTTP layer needs. */
export interface AppDependencies {
  readonly ports: CheckPorts;
  readonly access: AccessPolicy;
  readonly telemetry: Telemetry;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  /** Reuse metric-based verdicts for identical requests in the same minute this long (ms); 0 turns it off. */
  readonly verdictCacheMs?: number;
  /** Answer within this many milliseconds or give up with a 504 (Argo's own timeout is 10 s). */
  readonly deadlineMs: number;
  readonly bodyLimitBytes: number;
  /** The approval gate's GitHub webhook (`POST /github/webhook`), when the GitHub App is configured. */
  readonly webhook?: express.RequestHandler;
}

/**
 * The load balancers each target group is attached to, for an allow-list of load balancers. A target group that
 * does not exist is attached to none (so the request is refused); any other failure means nothing was judged.
 */
async function readAttachments(
  ports: CheckPorts,
  targetGroups: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, readonly string[]>> {
  const attachments = new Map<string, readonly string[]>();
  await Promise.all(
    targetGroups.map(async (arn) => {
      try {
        for (const group of await ports.catalog.describeTargetGroups([arn], signal))
          attachments.set(group.arn, group.loadBalancerArns);
      } catch (error) {
        if (error instanceof UpstreamError && error.failure === 'not-found') return;
        if (error instanceof UpstreamError) {
          throw new ApiError(
            503,
            'upstream-unavailable',
            `could not check the allow-list: ${error.message}`,
            {
              retryAfterSeconds: 10,
              details: { service: error.service, operation: error.operation, failure: error.failure },
            },
          );
        }
        throw error;
      }
    }),
  );
  return attachments;
}

/** What a check request asks about, for the log line: object names only, never a header. */
function describeTarget(input: CheckInput): Record<string, unknown> {
  const requested = requestedResources(input);
  return {
    ...(requested.loadBalancers.length > 0 ? { loadBalancers: requested.loadBalancers } : {}),
    ...(requested.targetGroups.length > 0 ? { targetGroups: requested.targetGroups } : {}),
    ...(requested.namespaces.length > 0 ? { namespaces: requested.namespaces } : {}),
    ...(input.check === 'drain-timing'
      ? { workload: `${input.body.kind ?? 'Deployment'}/${input.body.name}` }
      : {}),
  };
}

/** Builds the express application: routes, validation, authentication, limits and the error handler. */
export function createApp(deps: AppDependencies): express.Express {
  const { telemetry, logger, lifecycle, access } = deps;
  const openApi = createOpenApiDocument({ webhook: deps.webhook !== undefined });
  const runMemo = createVerdictMemo(
    (input, signal) => runCheck(deps.ports, input, signal),
    deps.ports.clock,
    deps.verdictCacheMs ?? 0,
    (cache, event) => telemetry.observeCache(cache, event),
  );
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  app.use(requestContext(telemetry, logger, lifecycle));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    if (lifecycle.ready) res.json({ status: 'ready' });
    else res.status(503).json({ status: lifecycle.draining ? 'draining' : 'starting' });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', telemetry.registry.contentType);
    res.send(await telemetry.registry.metrics());
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  if (deps.webhook) {
    app.post('/github/webhook', deps.webhook);
    app.all('/github/webhook', (_req, res) => {
      sendError(
        res,
        new ApiError(405, 'method-not-allowed', 'GitHub delivers webhooks with POST', {
          headers: { Allow: 'POST' },
        }),
      );
    });
  }

  const checkRoute = '/v1/checks/:check';
  const known = (req: Request, res: Response, next: NextFunction): void => {
    const check = String(req.params['check']);
    if (!isCheckName(check)) {
      sendError(
        res,
        new ApiError(
          404,
          'not-found',
          `no check named ${JSON.stringify(check.slice(0, 64))}; the checks are ${CHECK_NAMES.join(', ')}`,
        ),
      );
      return;
    }
    locals(res).check = check;
    locals(res).route = `/v1/checks/${check}`;
    next();
  };
  const authenticate = createAuthenticate(access, telemetry);
  const jsonOnly = (req: Request, res: Response, next: NextFunction): void => {
    if (!req.is('application/json')) {
      sendError(
        res,
        new ApiError(
          415,
          'unsupported-media-type',
          'send the parameters as a JSON body with "Content-Type: application/json"',
        ),
      );
      return;
    }
    next();
  };
  const handle =
    (source: 'query' | 'body') =>
    async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      const controller = new AbortController();
      const timer = setTimeout(
        () =>
          controller.abort(
            new ApiError(
              504,
              'deadline-exceeded',
              `no answer within the provider's deadline of ${deps.deadlineMs} ms; nothing was judged`,
            ),
          ),
        deps.deadlineMs,
      );
      const onClose = (): void => {
        if (!res.writableFinished) controller.abort(new ApiError(499, 'internal', 'the caller went away'));
      };
      res.on('close', onClose);
      telemetry.setInFlight(1);
      try {
        const check = locals(res).check as CheckName;
        const raw: unknown =
          source === 'query'
            ? queryToBody(check, req.query as Record<string, unknown>)
            : coerceBody(check, req.body);
        const input = parseCheckInput(check, raw, deps.ports.clock.now());
        locals(res).target = describeTarget(input);
        const client = locals(res).client ?? 'anonymous';
        const requested = requestedResources(input);
        const lists = [access.allow, access.clients?.[client]?.allow];
        const attachments = needsAttachments(requested, lists)
          ? await readAttachments(deps.ports, requested.targetGroups, controller.signal)
          : undefined;
        const denied = findDenied(requested, lists, attachments);
        if (denied !== undefined) {
          telemetry.observeDenied('forbidden');
          throw new ApiError(403, 'forbidden', denied);
        }
        const verdict = await raceSignal(runMemo(input, controller.signal), controller.signal);
        // Anything later than the deadline is not sent: Argo has stopped listening, and a late verdict would lie.
        if (controller.signal.aborted) throw controller.signal.reason;
        telemetry.observeVerdict(verdict.check, verdict.phase);
        locals(res).phase = verdict.phase;
        // Every verdict's reason goes in its log line: a Successful one says what it passed on (the rate, the
        // requests counted), which is what an audit of a promoted rollout asks for.
        locals(res).reason = verdict.reason;
        if (verdict.phase === 'Error') throw errorVerdictToApiError(verdict);
        res.json(verdict);
      } catch (error) {
        next(controller.signal.aborted && !(error instanceof ApiError) ? controller.signal.reason : error);
      } finally {
        clearTimeout(timer);
        res.off('close', onClose);
        telemetry.setInFlight(-1);
      }
    };
  app.get(checkRoute, known, authenticate, handle('query'));
  app.post(
    checkRoute,
    known,
    authenticate,
    jsonOnly,
    express.json({ limit: deps.bodyLimitBytes, strict: true, type: 'application/json' }),
    handle('body'),
  );
  app.all(checkRoute, (_req, res) => {
    sendError(
      res,
      new ApiError(405, 'method-not-allowed', 'use GET with query parameters or POST with a JSON body', {
        headers: { Allow: 'GET, POST' },
      }),
    );
  });
  app.use((req, res) => {
    sendError(
      res,
      new ApiError(404, 'not-found', `no route ${req.method} ${req.path.slice(0, 128)}; see /openapi.json`),
    );
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500 && apiError.code === 'internal') {
      logger.error('internal error', {
        requestId: locals(res).requestId,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    if (apiError.status === 499) {
      res.status(499).end();
      return;
    }
    sendError(res, apiError);
  });
  return app;
}
