/** A user's input could not be used: a flag, a request field, a file. `path` names the field. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
  }
}

/** How an upstream call failed, in terms a caller can act on. */
export type UpstreamFailure =
  | 'throttled'
  | 'access-denied'
  | 'not-found'
  | 'timeout'
  | 'unavailable'
  | 'invalid-request'
  | 'conflict'
  | 'unknown';

/** A call to AWS or the Kubernetes API failed. Adapters map their SDK's errors to this. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly service: string,
    readonly operation: string,
    readonly failure: UpstreamFailure,
    message: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(`${service} ${operation}: ${message}`, options);
    this.retryable =
      options?.retryable ?? (failure === 'throttled' || failure === 'timeout' || failure === 'unavailable');
  }
  readonly retryable: boolean;
}
