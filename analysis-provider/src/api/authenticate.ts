import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AllowList } from '../security/access.js';
import type { RateLimit } from '../security/rate-limit.js';
import { RateLimiter } from '../security/rate-limit.js';
import type { Telemetry } from '../telemetry.js';
import { locals, sendError } from './context.js';
import { ApiError } from './errors.js';

/** Who may call, and how often. */
export interface AccessPolicy {
  /** Resolves a presented bearer token to a client name; undefined when no token matches. */
  authenticate(token: string): string | undefined;
  /** Development only: accept requests without a token (client `anonymous`). */
  readonly allowAnonymous?: boolean;
  readonly allow?: AllowList;
  readonly rateLimit: RateLimit;
  /** Per-client allow-lists and rate limits, by client name. */
  readonly clients?: Readonly<Record<string, { readonly allow?: AllowList; readonly rateLimit?: RateLimit }>>;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Authenticates the bearer token (401 with a `WWW-Authenticate` challenge otherwise) and takes one token from
 * the client's bucket (429 with Retry-After when it is empty). Only the client's name goes further.
 */
export function createAuthenticate(access: AccessPolicy, telemetry: Telemetry): RequestHandler {
  const limiter = new RateLimiter();
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization');
    if (header === undefined && access.allowAnonymous) {
      locals(res).client = 'anonymous';
      next();
      return;
    }
    const challenge = { 'WWW-Authenticate': 'Bearer realm="draingate"' };
    if (header === undefined || header === '') {
      telemetry.observeDenied('unauthenticated');
      sendError(
        res,
        new ApiError(401, 'unauthenticated', 'missing bearer token: send "Authorization: Bearer <token>"', {
          headers: challenge,
        }),
      );
      return;
    }
    const token = BEARER.exec(header)?.[1];
    const client = token === undefined ? undefined : access.authenticate(token);
    if (client === undefined) {
      telemetry.observeDenied('unauthenticated');
      sendError(
        res,
        new ApiError(
          401,
          'unauthenticated',
          token === undefined
            ? 'the Authorization header is not "Bearer <token>"'
            : 'the bearer token is not valid',
          {
            headers: { 'WWW-Authenticate': 'Bearer realm="draingate", error="invalid_token"' },
          },
        ),
      );
      return;
    }
    locals(res).client = client;
    const limit = access.clients?.[client]?.rateLimit ?? access.rateLimit;
    const taken = limiter.take(client, limit);
    if (!taken.allowed) {
      telemetry.observeDenied('rate-limited');
      sendError(
        res,
        new ApiError(
          429,
          'rate-limited',
          `too many requests for this token: at most ${limit.ratePerSecond}/s with bursts of ${limit.burst}`,
          {
            retryAfterSeconds: taken.retryAfterSeconds,
          },
        ),
      );
      return;
    }
    next();
  };
}
