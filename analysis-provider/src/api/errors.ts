/** Machine-readable codes of the provider's error answers; the OpenAPI document's `Error.code` enum. */
export const API_ERROR_CODES = [
  'invalid-input',
  'unauthenticated',
  'forbidden',
  'not-found',
  'method-not-allowed',
  'payload-too-large',
  'request-timeout',
  'unsupported-media-type',
  'rate-limited',
  'overloaded',
  'deadline-exceeded',
  'shutting-down',
  'upstream-throttled',
  'upstream-unavailable',
  'upstream-timeout',
  'upstream-error',
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** An answer that is not a verdict: the request was refused, or the check could not measure. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly extra: {
      /** The request field at fault (400). */
      readonly field?: string;
      readonly retryAfterSeconds?: number;
      /** More about an upstream failure: service, operation, failure kind. */
      readonly details?: Readonly<Record<string, unknown>>;
      readonly headers?: Readonly<Record<string, string>>;
    } = {},
  ) {
    super(message);
  }
}

/** The JSON body of an error answer; the OpenAPI document's `Error` schema. */
export interface ErrorBody {
  readonly error: {
    readonly status: number;
    readonly code: ApiErrorCode;
    readonly message: string;
    readonly field?: string;
    readonly retryAfterSeconds?: number;
    readonly details?: Readonly<Record<string, unknown>>;
    readonly requestId: string;
  };
}

/** The body of an ApiError. */
export function errorBody(error: ApiError, requestId: string): ErrorBody {
  return {
    error: {
      status: error.status,
      code: error.code,
      message: error.message,
      ...(error.extra.field === undefined ? {} : { field: error.extra.field }),
      ...(error.extra.retryAfterSeconds === undefined
        ? {}
        : { retryAfterSeconds: error.extra.retryAfterSeconds }),
      ...(error.extra.details === undefined ? {} : { details: error.extra.details }),
      requestId,
    },
  };
}
