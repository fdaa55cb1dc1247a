import { UpstreamError, type UpstreamFailure } from '@draingate/core';
import { ApiException } from '@kubernetes/client-node';
import { asObject, stringAt } from './json.js';

/** The service name every Kubernetes UpstreamError carries. */
export const KUBERNETES = 'kubernetes';

/** What a failed call was about, for the message: "read Deployment shop/web". */
export interface CallSubject {
  /** The port operation, e.g. `readRolloutStatus`, `rollback`. */
  readonly operation: string;
  /** The object or collection the call was about, e.g. `Deployment shop/web`, `Pods in shop`. */
  readonly object: string;
  /** How long the call was allowed, for the timeout message. */
  readonly timeoutMs?: number;
}

/** The failure class of an HTTP status from the API server. */
export function failureOfStatus(status: number): UpstreamFailure {
  if (status === 401 || status === 403) return 'access-denied';
  if (status === 404) return 'not-found';
  // 410 Gone: a list's continue token or a watch's resourceVersion expired; the object moved on under us.
  if (status === 409 || status === 410) return 'conflict';
  if (status === 429) return 'throttled';
  if (status === 504) return 'timeout';
  if (status >= 500) return 'unavailable';
  if (status === 400 || status === 422 || status === 413 || status === 415) return 'invalid-request';
  return 'unknown';
}

/** The `message` of a Kubernetes `Status` body, whether it arrived parsed or as text. */
export function statusMessage(body: unknown): string | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim() === '' ? undefined : body.trim().slice(0, 300);
    }
  }
  return asObject(parsed) ? stringAt(parsed, 'message') : undefined;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** OpenSSL and Node TLS error codes: a certificate the client does not trust, or a name it does not match. */
const TLS_CODE = /CERT|UNABLE_TO_VERIFY|SELF_SIGNED|^ERR_TLS|^ERR_SSL/;

/** The first `code` string on `err` or its `cause` chain (undici wraps socket errors in `fetch failed`). */
function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const code = asObject(current) ? stringAt(current, 'code') : undefined;
    if (code !== undefined) return code;
    // AggregateError (happy eyeballs trying ::1 and 127.0.0.1) keeps the real errors in `errors`, at any depth.
    const next: unknown = (current as { cause?: unknown }).cause;
    current = next === undefined && current instanceof AggregateError ? current.errors[0] : next;
  }
  return undefined;
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error || asObject(err) ? stringAt(err, 'name') : undefined;
}

/**
 * Maps anything a Kubernetes client call threw to an UpstreamError naming the object; the client's exception
 * (with headers and tokens in its message) is only kept as `cause`, never shown.
 */
export function mapKubeError(err: unknown, subject: CallSubject): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const { operation, object } = subject;
  if (err instanceof ApiException) {
    const code = (err as ApiException<unknown>).code;
    const failure = failureOfStatus(code);
    const detail = statusMessage((err as ApiException<unknown>).body);
    const what =
      failure === 'not-found'
        ? `${object} not found`
        : failure === 'access-denied'
          ? code === 401
            ? `the API server did not accept the credentials (401) for ${object}`
            : `access denied (403) to ${object}`
          : `${object}: the API server answered ${code}`;
    return new UpstreamError(KUBERNETES, operation, failure, detail ? `${what}: ${detail}` : what, {
      cause: err,
    });
  }
  const name = errorName(err);
  if (name === 'TimeoutError' || TIMEOUT_CODES.has(errorCode(err) ?? '')) {
    const limit = subject.timeoutMs !== undefined ? ` within ${subject.timeoutMs} ms` : '';
    return new UpstreamError(
      KUBERNETES,
      operation,
      'timeout',
      `${object}: the API server did not answer${limit}`,
      {
        cause: err,
      },
    );
  }
  if (name === 'AbortError') {
    return new UpstreamError(KUBERNETES, operation, 'timeout', `${object}: the call was cancelled`, {
      cause: err,
      retryable: false,
    });
  }
  const code = errorCode(err);
  if (code !== undefined && TLS_CODE.test(code)) {
    // Retrying will not fix a certificate: not retryable, so a gate fails fast.
    return new UpstreamError(
      KUBERNETES,
      operation,
      'unavailable',
      `${object}: cannot reach the API server: TLS failed (${code}); check the kubeconfig's certificate-authority`,
      { cause: err, retryable: false },
    );
  }
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    return new UpstreamError(
      KUBERNETES,
      operation,
      'unavailable',
      `${object}: cannot reach the API server (${code})`,
      {
        cause: err,
      },
    );
  }
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new UpstreamError(KUBERNETES, operation, 'unknown', `${object}: ${message}`, { cause: err });
}
