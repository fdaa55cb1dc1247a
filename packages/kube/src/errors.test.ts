import { UpstreamError } from '@draingate/core';
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { failureOfStatus, mapKubeError, statusMessage } from './errors.js';

const subject = { operation: 'readRolloutStatus', object: 'Deployment shop/web', timeoutMs: 500 };

function apiError(code: number, body: unknown): ApiException<unknown> {
  return new ApiException(code, 'Unknown API Status Code!', body, { authorization: 'Bearer secret-token' });
}

function socketError(code: string): Error {
  return new TypeError('fetch failed', {
    cause: Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code }),
  });
}

describe('failureOfStatus', () => {
  it.each([
    [401, 'access-denied'],
    [403, 'access-denied'],
    [404, 'not-found'],
    [409, 'conflict'],
    [410, 'conflict'],
    [422, 'invalid-request'],
    [400, 'invalid-request'],
    [429, 'throttled'],
    [500, 'unavailable'],
    [503, 'unavailable'],
    [504, 'timeout'],
    [418, 'unknown'],
  ] as const)('%i → %s', (status, failure) => {
    expect(failureOfStatus(status)).toBe(failure);
  });
});

describe('mapKubeError', () => {
  it.each([
    {
      name: '403 with a Status body → access-denied with the server’s reason',
      err: apiError(
        403,
        JSON.stringify({
          kind: 'Status',
          message: 'deployments.apps "web" is forbidden: User "x" cannot get',
        }),
      ),
      failure: 'access-denied',
      message: /access denied \(403\) to Deployment shop\/web: deployments.apps "web" is forbidden/,
      retryable: false,
    },
    {
      name: '404 → not-found naming the object',
      err: apiError(404, '{"kind":"Status","message":"deployments.apps \\"web\\" not found"}'),
      failure: 'not-found',
      message: /Deployment shop\/web not found/,
      retryable: false,
    },
    {
      name: '409 → conflict',
      err: apiError(409, undefined),
      failure: 'conflict',
      message: /answered 409/,
      retryable: false,
    },
    {
      name: '429 → throttled, retryable',
      err: apiError(429, '{}'),
      failure: 'throttled',
      message: /answered 429/,
      retryable: true,
    },
    {
      name: '503 → unavailable, retryable',
      err: apiError(503, 'upstream down'),
      failure: 'unavailable',
      message: /answered 503: upstream down/,
      retryable: true,
    },
    {
      name: 'connection refused → unavailable',
      err: socketError('ECONNREFUSED'),
      failure: 'unavailable',
      message: /cannot reach the API server \(ECONNREFUSED\)/,
      retryable: true,
    },
    {
      name: 'the deadline (TimeoutError) → timeout with the limit',
      err: new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      failure: 'timeout',
      message: /did not answer within 500 ms/,
      retryable: true,
    },
    {
      name: 'a caller’s abort → timeout, cancelled, not retryable',
      err: new DOMException('This operation was aborted', 'AbortError'),
      failure: 'timeout',
      message: /the call was cancelled/,
      retryable: false,
    },
    {
      name: 'a certificate problem → unavailable, not retryable',
      err: socketError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
      failure: 'unavailable',
      message: /UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
      retryable: false,
    },
    {
      name: 'anything else → unknown, first line only',
      err: new Error('boom\n  at x'),
      failure: 'unknown',
      message: /: boom$/,
      retryable: false,
    },
  ])('$name', ({ err, failure, message, retryable }) => {
    const mapped = mapKubeError(err, subject);
    expect(mapped).toBeInstanceOf(UpstreamError);
    expect(mapped).toMatchObject({
      service: 'kubernetes',
      operation: 'readRolloutStatus',
      failure,
      retryable,
    });
    expect(mapped.message).toMatch(message);
    // The client's exception text carries response headers; it must never reach the message.
    expect(mapped.message).not.toMatch(/secret-token|HTTP-Code/);
    expect(mapped.cause).toBe(err);
  });

  it('keeps an UpstreamError as it is', () => {
    const err = new UpstreamError('kubernetes', 'x', 'conflict', 'y');
    expect(mapKubeError(err, subject)).toBe(err);
  });
});

describe('statusMessage', () => {
  it('reads a Status body, parsed or as text, and falls back to short text', () => {
    expect(statusMessage({ message: 'm' })).toBe('m');
    expect(statusMessage('{"message":"n"}')).toBe('n');
    expect(statusMessage('404 page not found\n')).toBe('404 page not found');
    expect(statusMessage(undefined)).toBeUndefined();
    expect(statusMessage('')).toBeUndefined();
  });
});

describe('connection errors nested in causes', () => {
  it('an AggregateError of refused connections under "fetch failed" → unavailable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    const error = new TypeError('fetch failed', {
      cause: new AggregateError([refused, refused], 'all attempts failed'),
    });
    expect(
      mapKubeError(error, { operation: 'readRolloutStatus', object: 'Deployment shop/web' }).failure,
    ).toBe('unavailable');
  });
});
