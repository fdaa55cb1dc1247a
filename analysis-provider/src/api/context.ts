import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import { errorBody } from './errors.js';
import type { ApiError } from './errors.js';
import { CHECK_NAMES } from './schemas.js';
import type { CheckName } from './schemas.js';

/** What the middlewares learn about a request, for the handler, the log line and the metrics. */
export interface Locals {
  requestId: string;
  client?: string;
  check?: string;
  phase?: string;
  /** The route as metrics and logs name it, set as soon as a route matched (errors keep it). */
  route?: string;
  /** What the request asked about, for the log line: load balancer, target groups, workload. */
  target?: Readonly<Record<string, unknown>>;
  /** Why the verdict is what it is, or why no verdict was made: for the log line only. */
  reason?: string;
  error?: {
    readonly code: string;
    readonly message: string;
    readonly details?: Readonly<Record<string, unknown>>;
  };
}

/** The request's Locals. */
export function locals(res: Response): Locals {
  return res.locals as Locals;
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/** Whether `name` is one of the checks. */
export function isCheckName(name: string): name is CheckName {
  return (CHECK_NAMES as readonly string[]).includes(name);
}

/** Answers with an error body, its Retry-After and its extra headers. */
export function sendError(res: Response, error: ApiError): void {
  if (error.extra.retryAfterSeconds !== undefined)
    res.setHeader('Retry-After', String(error.extra.retryAfterSeconds));
  for (const [name, value] of Object.entries(error.extra.headers ?? {})) res.setHeader(name, value);
  locals(res).error = {
    code: error.code,
    message: error.message,
    ...(error.extra.details === undefined ? {} : { details: error.extra.details }),
  };
  res.status(error.status).json(errorBody(error, locals(res).requestId));
}

/**
 * A low-cardinality route label for metrics and logs. A check's answers carry `/v1/checks/<check>` whether they
 * are verdicts or errors: the label is fixed when the route matches, not read from whichever handler answered.
 */
export function routeLabel(req: Request, res?: Response): string {
  const known = res ? locals(res).route : undefined;
  if (known !== undefined) return known;
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') {
    const check = String(req.params['check'] ?? '');
    return route.includes(':check') && isCheckName(check) ? `/v1/checks/${check}` : route;
  }
  return 'unmatched';
}

/**
 * The first middleware: a request id (the caller's `X-Request-Id` when it is safe, else a new one), no caching,
 * `Connection: close` while draining, and one log line and the request metrics when the answer is sent.
 */
export function requestContext(
  telemetry: Telemetry,
  logger: Logger,
  lifecycle: { readonly draining: boolean },
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    const given = req.get('x-request-id');
    const requestId = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
    locals(res).requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('Cache-Control', 'no-store');
    // While draining, every answer — also of a request that began before — closes its connection, so that
    // keep-alive callers reconnect to another replica instead of reusing one that is about to close.
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
    (res as { writeHead: (...args: unknown[]) => Response }).writeHead = (...args: unknown[]) => {
      if (lifecycle.draining && !res.headersSent) res.setHeader('Connection', 'close');
      return writeHead(...args);
    };
    res.on('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      const route = routeLabel(req, res);
      telemetry.observeRequest(route, req.method, res.statusCode, seconds);
      const { client, check, phase, target, reason, error } = locals(res);
      // Argo keeps only "received non 2xx response code: 503" of an error answer: the cause must be here. The
      // fields are the provider's own words and the request's object names; headers (the token) never are.
      const fields = {
        requestId,
        method: req.method,
        route,
        status: res.statusCode,
        ms: Math.round(seconds * 10_000) / 10,
        ...(client === undefined ? {} : { client }),
        ...(check === undefined ? {} : { check }),
        ...(phase === undefined ? {} : { phase }),
        ...(target === undefined ? {} : { target }),
        ...(reason === undefined ? {} : { reason }),
        ...(error === undefined ? {} : { error }),
      };
      if (res.statusCode >= 500) logger.warn('request', fields);
      else logger.info('request', fields);
    });
    next();
  };
}
