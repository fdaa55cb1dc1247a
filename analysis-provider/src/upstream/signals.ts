/**
 * The waiters of one shared upstream call. The call's signal aborts once every waiter has given up: a shared
 * call must outlive any single caller that leaves, and stop only when nobody waits for it any more. A waiter
 * without a signal (no deadline) keeps it alive.
 */
export class WaiterGroup {
  readonly #controller = new AbortController();
  #waiting = 0;
  #immortal = false;

  /** The signal to hand to the upstream call. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Adds a waiter. */
  join(signal: AbortSignal | undefined): void {
    if (this.#controller.signal.aborted || this.#immortal) return;
    if (signal === undefined) {
      this.#immortal = true;
      return;
    }
    if (signal.aborted) {
      if (this.#waiting === 0) this.#controller.abort(signal.reason);
      return;
    }
    this.#waiting += 1;
    signal.addEventListener(
      'abort',
      () => {
        this.#waiting -= 1;
        if (this.#waiting === 0 && !this.#immortal) this.#controller.abort(signal.reason);
      },
      { once: true },
    );
  }
}

/** Resolves or rejects like `promise`, or rejects with the signal's reason as soon as it aborts. */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(toError(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(toError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(toError(error));
      },
    );
  });
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
