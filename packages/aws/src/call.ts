import { UpstreamError, type UpstreamFailure } from '@draingate/core';
import { toUpstreamError, type AbortCause, type AwsService } from './errors.js';

/** How one AWS call ended: `ok`, or the failure it was mapped to. */
export type AwsCallOutcome = 'ok' | UpstreamFailure;

/**
 * Called once per AWS API call (one SDK command, its retries included) when it ends, e.g. to export
 * `draingate_aws_calls_total{service,operation,outcome}` and a latency histogram. It must not throw; if it does,
 * the error is ignored so that metrics never break a check.
 */
export type AwsCallHook = (
  service: AwsService,
  operation: string,
  outcome: AwsCallOutcome,
  ms: number,
) => void;

/** What every call shares: its deadline and the hook. */
export interface CallSettings {
  /** Deadline of one AWS call, retries included. */
  readonly timeoutMs: number;
  readonly onCall?: AwsCallHook;
}

/** The reason our own deadline aborts with, so it can be told apart from the caller's abort. */
class DeadlineExceeded extends Error {
  override readonly name = 'TimeoutError';
}

function report(
  settings: CallSettings,
  service: AwsService,
  operation: string,
  outcome: AwsCallOutcome,
  started: number,
): void {
  try {
    settings.onCall?.(service, operation, outcome, performance.now() - started);
  } catch {
    // A broken metrics hook must not turn a good answer into a failure.
  }
}

/**
 * Runs one AWS call under a deadline: `send` gets a signal that aborts after `timeoutMs` or when the caller's
 * `signal` aborts, whichever comes first, and the returned promise settles by then even if the SDK is still
 * inside a retry back-off or a hung socket. Every rejection becomes an `UpstreamError`.
 */
export async function callAws<T>(
  settings: CallSettings,
  service: AwsService,
  operation: string,
  region: string | undefined,
  signal: AbortSignal | undefined,
  send: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const context = region === undefined ? {} : { region };
  if (signal?.aborted) {
    throw toUpstreamError(service, operation, signal.reason, {
      ...context,
      aborted: { by: 'caller', reason: signal.reason },
    });
  }
  const started = performance.now();
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new DeadlineExceeded(`deadline of ${settings.timeoutMs} ms exceeded`)),
    settings.timeoutMs,
  );
  const combined = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(combined.reason);
    combined.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const out = await Promise.race([send(combined), aborted]);
    report(settings, service, operation, 'ok', started);
    return out;
  } catch (err) {
    const cause: AbortCause | undefined = signal?.aborted
      ? { by: 'caller', reason: signal.reason }
      : deadline.signal.aborted
        ? { by: 'deadline', ms: settings.timeoutMs }
        : undefined;
    const mapped =
      err instanceof UpstreamError
        ? err
        : toUpstreamError(service, operation, err, { ...context, ...(cause ? { aborted: cause } : {}) });
    report(settings, service, operation, mapped.failure, started);
    throw mapped;
  } finally {
    clearTimeout(timer);
    if (onAbort) combined.removeEventListener('abort', onAbort);
  }
}
