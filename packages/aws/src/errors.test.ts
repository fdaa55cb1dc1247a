import { UpstreamError } from '@draingate/core';
import { describe, expect, it } from 'vitest';
import { classifyAwsError, describeAwsError, normalizeErrorCode, toUpstreamError } from './errors.js';

/** An error shaped like the SDK's service exceptions. */
function anSdkError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    ...(status !== undefined ? { $metadata: { httpStatusCode: status } } : {}),
    ...extra,
  });
}

describe('normalizeErrorCode', () => {
  it.each([
    { name: 'Exception suffix', code: 'TargetGroupNotFoundException', want: 'TargetGroupNotFound' },
    { name: 'bare Query code', code: 'TargetGroupNotFound', want: 'TargetGroupNotFound' },
    {
      name: 'JSON __type with namespace',
      code: 'com.amazonaws.cloudwatch#ThrottlingException',
      want: 'Throttling',
    },
    { name: 'type with a URI suffix', code: 'AccessDeniedException:http://internal', want: 'AccessDenied' },
    { name: 'the word Exception alone', code: 'Exception', want: 'Exception' },
  ])('$name: $code → $want', ({ code, want }) => {
    expect(normalizeErrorCode(code)).toBe(want);
  });
});

describe('classifyAwsError', () => {
  it.each([
    { name: 'Query throttling code', code: 'Throttling', status: 400, want: 'throttled' },
    { name: 'JSON throttling type', code: 'ThrottlingException', status: 400, want: 'throttled' },
    { name: 'HTTP 429 with any code', code: 'Whatever', status: 429, want: 'throttled' },
    { name: 'AccessDenied', code: 'AccessDenied', status: 403, want: 'access-denied' },
    { name: 'AccessDeniedException', code: 'AccessDeniedException', status: 400, want: 'access-denied' },
    { name: 'bad signature', code: 'SignatureDoesNotMatch', status: 403, want: 'access-denied' },
    { name: 'expired token', code: 'ExpiredTokenException', status: 400, want: 'access-denied' },
    { name: 'no credentials at all', code: 'CredentialsProviderError', want: 'access-denied' },
    { name: 'unknown 403', code: 'Weird', status: 403, want: 'access-denied' },
    { name: 'unknown target group', code: 'TargetGroupNotFoundException', status: 400, want: 'not-found' },
    { name: 'unknown load balancer', code: 'LoadBalancerNotFound', status: 400, want: 'not-found' },
    { name: 'socket timeout', code: 'TimeoutError', want: 'timeout' },
    { name: 'gateway timeout', code: 'Weird', status: 504, want: 'timeout' },
    { name: 'connection refused', code: 'ECONNREFUSED', want: 'unavailable' },
    { name: 'internal failure', code: 'InternalFailure', status: 500, want: 'unavailable' },
    { name: 'unknown 503', code: 'Weird', status: 503, want: 'unavailable' },
    { name: 'validation error', code: 'ValidationError', status: 400, want: 'invalid-request' },
    {
      name: 'invalid parameter',
      code: 'InvalidParameterValueException',
      status: 400,
      want: 'invalid-request',
    },
    { name: 'unknown 400', code: 'Weird', status: 400, want: 'invalid-request' },
    { name: 'no status, unknown code', code: 'Weird', want: 'unknown' },
  ])('$name → $want', ({ code, status, want }) => {
    expect(classifyAwsError({ code, ...(status !== undefined ? { status } : {}), message: '' })).toBe(want);
  });

  it('a missing region (the SDK throws before sending) → invalid-request', () => {
    expect(classifyAwsError(describeAwsError(new Error('Region is missing')))).toBe('invalid-request');
  });
});

describe('describeAwsError', () => {
  it('prefers the service code over the class name', () => {
    const err = anSdkError('CloudWatchServiceException', 400, { Code: 'Throttling' });
    expect(describeAwsError(err)).toEqual({
      code: 'Throttling',
      status: 400,
      message: 'CloudWatchServiceException happened',
    });
  });

  it("reads Node's errno code off a network error", () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(describeAwsError(err).code).toBe('ECONNREFUSED');
  });

  it.each([
    {
      name: 'only the SDK sentence (a 503 whose body is not XML) → the status says what happened',
      message:
        'Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.',
      expected: 'HTTP 503 with a body that is not an AWS error',
    },
    {
      name: 'the SDK sentence after a real message → the real message alone',
      message:
        'Service Unavailable. Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.',
      expected: 'Service Unavailable.',
    },
  ])('$name', ({ message, expected }) => {
    const err = Object.assign(new Error(message), {
      name: 'CloudWatchServiceException',
      $metadata: { httpStatusCode: 503 },
    });
    expect(describeAwsError(err).message).toBe(expected);
    expect(toUpstreamError('cloudwatch', 'GetMetricData', err).message).not.toContain('$response');
  });

  it('copes with a non-error rejection', () => {
    expect(describeAwsError('boom')).toEqual({ code: 'Unknown', message: 'boom' });
  });
});

describe('toUpstreamError', () => {
  it('names the service, operation, code, status and region', () => {
    const err = toUpstreamError(
      'elbv2',
      'DescribeTargetGroups',
      anSdkError('TargetGroupNotFoundException', 400),
      {
        region: 'eu-west-1',
      },
    );
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({
      service: 'elbv2',
      operation: 'DescribeTargetGroups',
      failure: 'not-found',
      retryable: false,
    });
    expect(err.message).toBe(
      'elbv2 DescribeTargetGroups: not-found (TargetGroupNotFoundException HTTP 400 in eu-west-1): TargetGroupNotFoundException happened',
    );
  });

  it('throttling is retryable, access denied is not', () => {
    expect(toUpstreamError('cloudwatch', 'GetMetricData', anSdkError('Throttling', 400)).retryable).toBe(
      true,
    );
    expect(toUpstreamError('cloudwatch', 'GetMetricData', anSdkError('AccessDenied', 403)).retryable).toBe(
      false,
    );
  });

  it('our deadline firing → a retryable timeout that says how long it waited', () => {
    const err = toUpstreamError('cloudwatch', 'GetMetricData', new Error('aborted'), {
      aborted: { by: 'deadline', ms: 250 },
    });
    expect(err).toMatchObject({ failure: 'timeout', retryable: true });
    expect(err.message).toContain('250 ms deadline');
  });

  it('the caller aborting → a timeout that is not retryable', () => {
    const err = toUpstreamError('elbv2', 'DescribeTags', new Error('aborted'), {
      aborted: { by: 'caller', reason: new Error('budget spent') },
    });
    expect(err).toMatchObject({ failure: 'timeout', retryable: false });
    expect(err.message).toContain('budget spent');
  });

  it('passes an UpstreamError through unchanged', () => {
    const original = new UpstreamError('elbv2', 'DescribeTags', 'throttled', 'x');
    expect(toUpstreamError('elbv2', 'DescribeTags', original)).toBe(original);
  });
});
