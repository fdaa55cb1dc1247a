import { UpstreamError, type UpstreamFailure } from '@draingate/core';

/** The AWS services the adapters call, as `UpstreamError.service` names them. */
export type AwsService = 'cloudwatch' | 'elbv2';

// Error codes as the services send them (Query `<Code>`, JSON `__type`, `x-amzn-query-error`), compared after
// normalizeErrorCode strips a namespace and an `Exception` suffix, so `TargetGroupNotFoundException`,
// `TargetGroupNotFound` and `com.amazonaws.elasticloadbalancing#TargetGroupNotFound` are one code.
const THROTTLED = new Set([
  'Throttling',
  'Throttled',
  'RequestThrottled',
  'TooManyRequests',
  'RequestLimitExceeded',
  'SlowDown',
  'BandwidthLimitExceeded',
  'ProvisionedThroughputExceeded',
  'TransactionInProgress',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'UnauthorizedOperation',
  'Unauthorized',
  'UnrecognizedClient',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidSignature',
  'MissingAuthenticationToken',
  'ExpiredToken',
  'RequestExpired',
  'AuthFailure',
  'OptInRequired',
  'CredentialsProviderError',
  'NotAuthorized',
]);
const NOT_FOUND = new Set([
  'TargetGroupNotFound',
  'LoadBalancerNotFound',
  'ListenerNotFound',
  'RuleNotFound',
  'TrustStoreNotFound',
  'ResourceNotFound',
  'NotFound',
]);
const TIMEOUT = new Set(['TimeoutError', 'RequestTimeout', 'Timeout', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const UNAVAILABLE = new Set([
  'ServiceUnavailable',
  'Unavailable',
  'InternalFailure',
  'InternalServiceError',
  'InternalServiceFault',
  'InternalError',
  'InternalServerError',
  'HealthUnavailable',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'NetworkingError',
]);
const INVALID_REQUEST = new Set([
  'Validation',
  'ValidationError',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'InvalidParameterInput',
  'InvalidParameter',
  'MissingParameter',
  'MissingRequiredParameter',
  'InvalidConfigurationRequest',
  'InvalidTarget',
  'InvalidNextToken',
  'InvalidAction',
  'InvalidQueryParameter',
  'MalformedQueryString',
  'InvalidFormat',
  'LimitExceeded',
  'UnsupportedProtocol',
  'OperationNotPermitted',
]);

/** `com.amazonaws.cloudwatch#ThrottlingException` → `Throttling`; `TargetGroupNotFoundException` → `TargetGroupNotFound`. */
export function normalizeErrorCode(code: string): string {
  const bare = code.slice(code.lastIndexOf('#') + 1).split(':')[0] ?? '';
  return bare.endsWith('Exception') && bare !== 'Exception' ? bare.slice(0, -'Exception'.length) : bare;
}

/** What an SDK error says about itself: its code (name, `Code`, Node's `code`) and HTTP status. */
export interface AwsErrorShape {
  readonly code: string;
  readonly status?: number;
  readonly message: string;
}

function field(obj: object, key: string): unknown {
  return (obj as Record<string, unknown>)[key];
}

/** Reads the code, HTTP status and message off anything an SDK call can reject with. */
export function describeAwsError(err: unknown): AwsErrorShape {
  if (typeof err !== 'object' || err === null) return { code: 'Unknown', message: String(err) };
  const errorObj = field(err, 'Error');
  const candidates = [
    field(err, 'Code'),
    typeof errorObj === 'object' && errorObj !== null ? field(errorObj, 'Code') : undefined,
    field(err, 'code'),
    field(err, 'name'),
  ];
  const code =
    candidates.find((c): c is string => typeof c === 'string' && c !== '' && c !== 'Error') ?? 'Unknown';
  const metadata = field(err, '$metadata');
  const status =
    typeof metadata === 'object' && metadata !== null ? field(metadata, 'httpStatusCode') : undefined;
  const message =
    typeof field(err, 'message') === 'string' ? cleanSdkMessage(field(err, 'message') as string) : '';
  return {
    code,
    ...(typeof status === 'number' ? { status } : {}),
    message:
      message !== ''
        ? message
        : typeof status === 'number'
          ? `HTTP ${status} with a body that is not an AWS error`
          : code,
  };
}

/**
 * The SDK's advice to its own programmers ("inspect the hidden field {error}.$response on this object") means
 * nothing to someone reading a 503 or a log line: it is cut, and so is the "Deserialization error:" it follows.
 */
export function cleanSdkMessage(message: string): string {
  return message
    .replace(
      /(Deserialization error: )?to see the raw response,? inspect the hidden field \{error\}\.\$response on this object\.?/gi,
      '',
    )
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[:;,]$/, '');
}

/** Maps an error code and HTTP status to the failure a caller can act on. Pure; the table of codes is above. */
export function classifyAwsError(shape: AwsErrorShape): UpstreamFailure {
  const code = normalizeErrorCode(shape.code);
  if (THROTTLED.has(code) || shape.status === 429) return 'throttled';
  if (ACCESS_DENIED.has(code)) return 'access-denied';
  if (NOT_FOUND.has(code)) return 'not-found';
  if (TIMEOUT.has(code)) return 'timeout';
  if (UNAVAILABLE.has(code)) return 'unavailable';
  if (INVALID_REQUEST.has(code)) return 'invalid-request';
  // The SDK throws a plain Error before sending when it cannot resolve a region: a configuration mistake.
  if (/region is missing/i.test(shape.message)) return 'invalid-request';
  if (shape.status === 401 || shape.status === 403) return 'access-denied';
  if (shape.status === 404) return 'not-found';
  if (shape.status === 408 || shape.status === 504) return 'timeout';
  if (shape.status !== undefined && shape.status >= 500) return 'unavailable';
  if (shape.status !== undefined && shape.status >= 400) return 'invalid-request';
  return 'unknown';
}

/** Why a call ended early, when it did: our per-call deadline, or the caller's own signal. */
export type AbortCause =
  { readonly by: 'deadline'; readonly ms: number } | { readonly by: 'caller'; readonly reason: unknown };

/**
 * Turns whatever an SDK call rejected with into an `UpstreamError` naming the service, operation and region.
 * An abort is a `timeout`: retryable when our deadline fired, not when the caller gave up.
 */
export function toUpstreamError(
  service: AwsService,
  operation: string,
  err: unknown,
  context: { region?: string; aborted?: AbortCause } = {},
): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const where = context.region ? ` in ${context.region}` : '';
  if (context.aborted?.by === 'deadline') {
    return new UpstreamError(
      service,
      operation,
      'timeout',
      `no answer within the ${context.aborted.ms} ms deadline${where}`,
      {
        cause: err,
        retryable: true,
      },
    );
  }
  if (context.aborted?.by === 'caller') {
    const reason = context.aborted.reason;
    const why = reason instanceof Error ? reason.message : String(reason ?? 'aborted');
    return new UpstreamError(service, operation, 'timeout', `aborted by the caller${where}: ${why}`, {
      cause: err,
      retryable: false,
    });
  }
  const shape = describeAwsError(err);
  const failure = classifyAwsError(shape);
  const status = shape.status !== undefined ? ` HTTP ${shape.status}` : '';
  return new UpstreamError(
    service,
    operation,
    failure,
    `${failure} (${shape.code}${status}${where}): ${shape.message}`,
    {
      cause: err,
    },
  );
}
