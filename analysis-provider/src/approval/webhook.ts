import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Clock } from '@draingate/core';
import { locals, sendError } from '../api/context.js';
import { ApiError } from '../api/errors.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import type { ApprovalGate } from './gate.js';
import { parseProtectionRuleEvent, parseReviewTarget } from './payload.js';
import { verifyWebhookSignature } from './signature.js';

/** What the webhook endpoint needs. */
export interface WebhookDependencies {
  readonly secret: Uint8Array;
  readonly gate: ApprovalGate;
  readonly apiUrl: URL;
  readonly bodyLimitBytes: number;
  /** The whole body must have arrived within this long (default 10 s). */
  readonly bodyTimeoutMs?: number;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  readonly logger: Logger;
  /** While the provider drains, a decision started now would be abandoned: refuse it (503) instead. */
  readonly lifecycle?: { readonly draining: boolean };
}

const DELIVERY_ID = /^[A-Za-z0-9-]{1,64}$/;

type BodyRead = { body: Buffer } | { problem: 'too-large' | 'too-slow' | 'aborted' };

/**
 * Reads the raw body up to `limit` bytes within `timeoutMs`. Stops reading at once when either is exceeded —
 * a chunked body has no length to check in advance, and waiting for its end would let a sender hold the
 * connection as long as it likes.
 */
function readBoundedBody(req: Request, limit: number, timeoutMs: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
      if (!('body' in result)) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) finish({ problem: 'too-large' });
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish({ body: Buffer.concat(chunks, size) });
    const onError = (): void => finish({ problem: 'aborted' });
    const timer = setTimeout(() => finish({ problem: 'too-slow' }), timeoutMs);
    const declared = Number(req.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > limit) {
      finish({ problem: 'too-large' });
      return;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}

/**
 * `POST /github/webhook`: reads the raw body (bounded), verifies `X-Hub-Signature-256` over exactly those bytes
 * before anything parses them, refuses a delivery id already seen, validates the payload, hands a
 * `deployment_protection_rule` request to the gate and answers at once (202); the decision follows
 * asynchronously. Every answer is counted by result.
 */
export function createWebhookHandler(deps: WebhookDependencies): RequestHandler {
  const { telemetry, logger } = deps;
  const refuse = (res: Response, result: string, error: ApiError): void => {
    telemetry.observeWebhook(result);
    sendError(res, error);
  };
  /** A refused payload, logged with its reason and delivery id (GitHub's delivery log shows only the status). */
  const refusePayload = (res: Response, deliveryId: string, result: string, error: ApiError): void => {
    logger.warn('webhook refused', {
      requestId: locals(res).requestId,
      deliveryId,
      result,
      status: error.status,
      reason: error.message,
      ...(error.extra.field === undefined ? {} : { field: error.extra.field }),
    });
    refuse(res, result, error);
  };
  const answer = (res: Response, status: number, result: string, body: Record<string, unknown>): void => {
    telemetry.observeWebhook(result);
    res.status(status).json(body);
  };

  const handle = async (req: Request, res: Response, raw: Buffer): Promise<void> => {
    const signature = verifyWebhookSignature(raw, req.get('x-hub-signature-256'), deps.secret);
    if (signature !== 'valid') {
      logger.warn('webhook refused: bad signature', {
        requestId: locals(res).requestId,
        // Unverified, and shown only so an operator can find the delivery in GitHub's log.
        deliveryId: (req.get('x-github-delivery') ?? '').slice(0, 64),
        signature,
      });
      refuse(
        res,
        signature === 'missing' ? 'missing-signature' : 'invalid-signature',
        new ApiError(
          401,
          'unauthenticated',
          signature === 'missing'
            ? 'X-Hub-Signature-256 is missing: set a webhook secret on the GitHub App'
            : 'X-Hub-Signature-256 does not match the body and the webhook secret',
        ),
      );
      return;
    }
    const event = req.get('x-github-event') ?? '';
    const deliveryId = req.get('x-github-delivery') ?? '';
    if (!DELIVERY_ID.test(deliveryId)) {
      refusePayload(
        res,
        deliveryId.slice(0, 64),
        'malformed',
        new ApiError(400, 'invalid-input', 'X-GitHub-Delivery is missing or malformed', {
          field: 'X-GitHub-Delivery',
        }),
      );
      return;
    }
    if (event === 'ping') {
      answer(res, 200, 'ping', { status: 'pong' });
      return;
    }
    if (event !== 'deployment_protection_rule') {
      answer(res, 200, 'ignored', {
        status: 'ignored',
        reason: `event ${JSON.stringify(event.slice(0, 64))}`,
      });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      refusePayload(
        res,
        deliveryId,
        'malformed',
        new ApiError(400, 'invalid-input', 'the body is not valid JSON', { field: '(body)' }),
      );
      return;
    }
    const parsed = parseProtectionRuleEvent(json);
    if (!('event' in parsed)) {
      refusePayload(
        res,
        deliveryId,
        parsed.field === 'installation' ? 'no-installation' : 'malformed',
        new ApiError(400, 'invalid-input', parsed.message, { field: parsed.field }),
      );
      return;
    }
    const payload = parsed.event;
    if (payload.action !== 'requested') {
      answer(res, 200, 'ignored', { status: 'ignored', reason: `action ${JSON.stringify(payload.action)}` });
      return;
    }
    if (deps.lifecycle?.draining === true) {
      refuse(
        res,
        'shutting-down',
        new ApiError(503, 'shutting-down', 'the provider is shutting down; redeliver the webhook', {
          retryAfterSeconds: 10,
        }),
      );
      return;
    }
    const target = parseReviewTarget(payload, deps.apiUrl);
    if ('problem' in target) {
      refusePayload(
        res,
        deliveryId,
        'malformed',
        new ApiError(400, 'invalid-input', target.problem, { field: 'deployment_callback_url' }),
      );
      return;
    }
    const request = {
      deliveryId,
      environment: payload.environment,
      repository: `${payload.repository.owner.login}/${payload.repository.name}`,
      target: target.target,
      receivedAt: deps.clock.now(),
      ...(payload.deployment ? { deploymentId: payload.deployment.id } : {}),
      ...(payload.sha === undefined ? {} : { sha: payload.sha }),
      ...(payload.ref === undefined ? {} : { ref: payload.ref }),
    };
    const result = await deps.gate.submit(request);
    logger.info('protection rule requested', {
      requestId: locals(res).requestId,
      deliveryId,
      repository: request.repository,
      runId: request.target.runId,
      environment: request.environment,
      result,
    });
    switch (result) {
      case 'accepted':
        answer(res, 202, 'accepted', { status: 'accepted', deliveryId });
        return;
      case 'duplicate':
        answer(res, 200, 'duplicate', {
          status: 'duplicate',
          reason: 'a decision for this deployment is pending or was sent',
        });
        return;
      case 'unavailable':
        refuse(
          res,
          'unavailable',
          new ApiError(503, 'upstream-unavailable', 'the decision store cannot be reached; redeliver later', {
            retryAfterSeconds: 30,
          }),
        );
        return;
      case 'ignored':
        answer(res, 200, 'unknown-environment', {
          status: 'ignored',
          reason: `no policy for environment ${JSON.stringify(request.environment)}`,
        });
        return;
      case 'overloaded':
        refuse(
          res,
          'overloaded',
          new ApiError(503, 'overloaded', 'too many decisions are pending; redeliver later', {
            retryAfterSeconds: 60,
          }),
        );
        return;
    }
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    if (!req.is('application/json')) {
      refuse(
        res,
        'unsupported-media-type',
        new ApiError(
          415,
          'unsupported-media-type',
          "send JSON: set the GitHub App's webhook content type to application/json",
        ),
      );
      return;
    }
    if ((req.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity') {
      refuse(
        res,
        'malformed',
        new ApiError(415, 'unsupported-media-type', 'send the body as UTF-8 JSON without a content encoding'),
      );
      return;
    }
    void readBoundedBody(req, deps.bodyLimitBytes, deps.bodyTimeoutMs ?? 10_000).then((read) => {
      if (!('body' in read)) {
        // Whatever else the sender has is not read: the answer closes the connection.
        res.setHeader('connection', 'close');
        res.on('finish', () => req.socket.destroy());
        if (read.problem === 'aborted') {
          req.socket.destroy();
          return;
        }
        refuse(
          res,
          read.problem,
          read.problem === 'too-large'
            ? new ApiError(413, 'payload-too-large', `the body is larger than ${deps.bodyLimitBytes} bytes`)
            : new ApiError(408, 'request-timeout', 'the body did not arrive in time'),
        );
        return;
      }
      handle(req, res, read.body).catch((failure: unknown) => next(failure));
    });
  };
}
