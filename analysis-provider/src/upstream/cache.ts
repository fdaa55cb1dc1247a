import { WaiterGroup, raceSignal } from './signals.js';

/** What a cache lookup turned out to be, for the `/metrics` counters. */
export type CacheEvent = 'hit' | 'miss' | 'coalesced';

/** Options of a `CoalescingCache`. */
export interface CoalescingCacheOptions {
  /** Name in metrics. */
  readonly name: string;
  /** How long a loaded value is served (ms); 0 keeps nothing once loaded, only coalesces loads in flight. */
  readonly ttlMs: number;
  /** Entries kept at most; the oldest go first. */
  readonly maxEntries?: number;
  /** Monotonic milliseconds (`performance.now()` by default); tests pass their own. */
  readonly now?: () => number;
  readonly onEvent?: (cache: string, event: CacheEvent) => void;
}

interface Entry<V> {
  readonly promise: Promise<V>;
  readonly waiters: WaiterGroup;
  /** Set once the load resolved. */
  expiresAt?: number;
}

/**
 * A read-through cache that runs at most one load per key at a time (callers that arrive while it runs wait
 * for it) and serves the value for `ttlMs` after it resolved. Failures are not cached. Each caller waits with
 * its own signal; the load's signal aborts only when every waiting caller has aborted.
 */
export class CoalescingCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #options: CoalescingCacheOptions;
  readonly #now: () => number;
  readonly #maxEntries: number;

  constructor(options: CoalescingCacheOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /** Entries held (loaded or loading). */
  get size(): number {
    return this.#entries.size;
  }

  /** The value of `key`: cached, the load in flight, or a new load. */
  get(key: string, load: (signal: AbortSignal) => Promise<V>, signal?: AbortSignal): Promise<V> {
    const now = this.#now();
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      if (entry.expiresAt === undefined) {
        this.#emit('coalesced');
        entry.waiters.join(signal);
        return raceSignal(entry.promise, signal);
      }
      if (entry.expiresAt > now) {
        this.#emit('hit');
        return entry.promise;
      }
      this.#entries.delete(key);
    }
    this.#emit('miss');
    const waiters = new WaiterGroup();
    waiters.join(signal);
    const promise = Promise.resolve().then(() => load(waiters.signal));
    const fresh: Entry<V> = { promise, waiters };
    this.#entries.set(key, fresh);
    this.#evict();
    promise.then(
      () => {
        if (this.#options.ttlMs <= 0) {
          if (this.#entries.get(key) === fresh) this.#entries.delete(key);
        } else fresh.expiresAt = this.#now() + this.#options.ttlMs;
      },
      () => {
        if (this.#entries.get(key) === fresh) this.#entries.delete(key);
      },
    );
    return raceSignal(promise, signal);
  }

  /** Forgets one key. */
  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Forgets everything (tests, reconfiguration). */
  clear(): void {
    this.#entries.clear();
  }

  #evict(): void {
    if (this.#entries.size <= this.#maxEntries) return;
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#entries.delete(key);
    }
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(key);
    }
  }

  #emit(event: CacheEvent): void {
    this.#options.onEvent?.(this.#options.name, event);
  }
}
