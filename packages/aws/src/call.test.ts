import { UpstreamError } from '@draingate/core';
import { describe, expect, it } from 'vitest';
import { callAws, type AwsCallOutcome } from './call.js';

function recorder(): {
  calls: [string, string, AwsCallOutcome][];
  onCall: (s: string, o: string, r: AwsCallOutcome) => void;
} {
  const calls: [string, string, AwsCallOutcome][] = [];
  return { calls, onCall: (s, o, r) => calls.push([s, o, r]) };
}

const never = (): Promise<never> => new Promise<never>(() => undefined);

describe('callAws', () => {
  it('returns the answer and reports ok', async () => {
    const rec = recorder();
    const out = await callAws(
      { timeoutMs: 1000, onCall: rec.onCall },
      'elbv2',
      'DescribeTags',
      'eu-west-1',
      undefined,
      () => Promise.resolve(42),
    );
    expect(out).toBe(42);
    expect(rec.calls).toEqual([['elbv2', 'DescribeTags', 'ok']]);
  });

  it('a call that never answers fails as a timeout at the deadline, even if the SDK ignores the signal', async () => {
    const rec = recorder();
    const started = performance.now();
    const err = await callAws(
      { timeoutMs: 50, onCall: rec.onCall },
      'cloudwatch',
      'GetMetricData',
      undefined,
      undefined,
      never,
    ).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ failure: 'timeout', retryable: true, operation: 'GetMetricData' });
    expect(rec.calls).toEqual([['cloudwatch', 'GetMetricData', 'timeout']]);
  });

  it('hands the SDK a signal that aborts at the deadline', async () => {
    let seen: AbortSignal | undefined;
    await callAws({ timeoutMs: 20 }, 'elbv2', 'DescribeTags', undefined, undefined, (signal) => {
      seen = signal;
      return never();
    }).catch(() => undefined);
    expect(seen?.aborted).toBe(true);
  });

  it('the caller aborting ends the call at once, as a timeout that is not retryable', async () => {
    const controller = new AbortController();
    const pending = callAws(
      { timeoutMs: 60_000 },
      'elbv2',
      'DescribeTags',
      undefined,
      controller.signal,
      never,
    );
    controller.abort(new Error('budget spent'));
    await expect(pending).rejects.toMatchObject({ failure: 'timeout', retryable: false });
  });

  it('an already aborted signal makes no call', async () => {
    let called = false;
    const err = await callAws(
      { timeoutMs: 1000 },
      'elbv2',
      'DescribeTags',
      undefined,
      AbortSignal.abort(),
      () => {
        called = true;
        return Promise.resolve(1);
      },
    ).catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(err).toMatchObject({ failure: 'timeout' });
  });

  it('maps an SDK error and reports its failure kind', async () => {
    const rec = recorder();
    const sdkError = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      callAws(
        { timeoutMs: 1000, onCall: rec.onCall },
        'cloudwatch',
        'GetMetricData',
        'eu-west-1',
        undefined,
        () => Promise.reject(sdkError),
      ),
    ).rejects.toMatchObject({ failure: 'throttled', retryable: true, cause: sdkError });
    expect(rec.calls).toEqual([['cloudwatch', 'GetMetricData', 'throttled']]);
  });

  it('a throwing hook does not break the call', async () => {
    const onCall = (): void => {
      throw new Error('metrics broke');
    };
    await expect(
      callAws({ timeoutMs: 1000, onCall }, 'elbv2', 'DescribeTags', undefined, undefined, () =>
        Promise.resolve('ok'),
      ),
    ).resolves.toBe('ok');
  });
});
