import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Clock } from '@draingate/core';
import { locals, sendError } from '../api/context.js';
import { ApiError } from '../api/errors.js';
import { toApiError } from '../api/to-api-error.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import type { ApprovalGate } from './gate.js';
import type { ExpiringMap } from './expiring-map.js';
import { parseProtectionRuleEvent, parseReviewTarget } from './payload.js';
import { verifyWebhookSignature } from './signature.js';

/** What the webhook endpoint needs. */
export interface WebhookDependencies {
  readonly secret: Uint8Array;
  readonly gate: ApprovalGate;
  /** Delivery ids already handled: a delivery seen again is a replay. */
  readonly deliveries: ExpiringMap<true>;
  readonly apiUrl: URL;
  readonly bodyLimitBytes: number;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  readonly logger: Logger;
  /** While the provider drains, a decision started now would be abandoned: refuse it (503) instead. */
  readonly lifecycle?: { readonly draining: boolean };
}

const DELIVERY_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * `POST /github/webhook`: reads the raw body (bounded), verifies `X-Hub-Signature-256` over exactly those bytes
 * before anything parses them, refuses a delivery id already seen, validates the payload, hands a
 * `deployment_protection_rule` request to the gate and answers at once (202); the decision follows
 * asynchronously. Every answer is counted by result.
 */
export function createWebhookHandler(deps: WebhookDependencies): RequestHandler {
  const { telemetry, logger } = deps;
  // Any content type is read as bytes here; the JSON check comes first so nothing else is ever buffered.
  const readRaw = express.raw({ type: () => true, limit: deps.bodyLimitBytes });
  const refuse = (res: Response, result: string, error: ApiError): void => {
    telemetry.observeWebhook(result);
    sendError(res, error);
  };
  const answer = (res: Response, status: number, result: string, body: Record<string, unknown>): void => {
    telemetry.observeWebhook(result);
    res.status(status).json(body);
  };

  const handle = (req: Request, res: Response): void => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = verifyWebhookSignature(raw, req.get('x-hub-signature-256'), deps.secret);
    if (signature !== 'valid') {
      logger.warn('webhook refused: bad signature', { requestId: locals(res).requestId, signature });
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
      refuse(
        res,
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
    // Recorded only after the signature held, so that nobody without the secret can fill the set.
    if (!deps.deliveries.add(deliveryId, true)) {
      logger.warn('webhook refused: replayed delivery', { requestId: locals(res).requestId, deliveryId });
      refuse(res, 'replayed', new ApiError(409, 'replayed', `delivery ${deliveryId} was already handled`));
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      refuse(
        res,
        'malformed',
        new ApiError(400, 'invalid-input', 'the body is not valid JSON', { field: '(body)' }),
      );
      return;
    }
    const parsed = parseProtectionRuleEvent(json);
    if (!('event' in parsed)) {
      refuse(res, 'malformed', new ApiError(400, 'invalid-input', parsed.message, { field: parsed.field }));
      return;
    }
    const payload = parsed.event;
    if (payload.action !== 'requested') {
      answer(res, 200, 'ignored', { status: 'ignored', reason: `action ${JSON.stringify(payload.action)}` });
      return;
    }
    if (deps.lifecycle?.draining === true) {
      // Not acted on: a redelivery (same id) to a running replica must not count as a replay.
      deps.deliveries.delete(deliveryId);
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
      logger.warn('webhook refused: untrusted callback URL', {
        requestId: locals(res).requestId,
        deliveryId,
        problem: target.problem,
      });
      refuse(
        res,
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
      ...(payload.sha === undefined ? {} : { sha: payload.sha }),
      ...(payload.ref === undefined ? {} : { ref: payload.ref }),
    };
    const result = deps.gate.submit(request);
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
          reason: 'a decision for this run and environment is pending or was sent',
        });
        return;
      case 'ignored':
        answer(res, 200, 'unknown-environment', {
          status: 'ignored',
          reason: `no policy for environment ${JSON.stringify(request.environment)}`,
        });
        return;
      case 'overloaded':
        // The delivery was not acted on: a redelivery must not count as a replay.
        deps.deliveries.delete(deliveryId);
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
    readRaw(req, res, (error?: unknown) => {
      if (error !== undefined) {
        const apiError = toApiError(error);
        refuse(res, apiError.status === 413 ? 'too-large' : 'malformed', apiError);
        return;
      }
      try {
        handle(req, res);
      } catch (failure) {
        next(failure);
      }
    });
  };
}
