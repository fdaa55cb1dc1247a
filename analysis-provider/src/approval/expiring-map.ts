/**
 * Keys remembered for a while, in bounded memory: each entry expires `ttlMs` after it was added, and when
 * `maxEntries` are held the oldest is forgotten first. Used for webhook delivery ids (replays) and for the
 * decisions already taken (idempotency). Time comes from `now`, so tests can move it.
 */
export class ExpiringMap<V> {
  // A Map iterates in insertion order, and entries are never updated in place: the first is the oldest.
  readonly #entries = new Map<string, { readonly value: V; readonly expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  /** How many live entries are held. */
  get size(): number {
    this.#sweep();
    return this.#entries.size;
  }

  /** The value under `key`, or undefined when it was never set, has expired or was evicted. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Sets `key` (its expiry starts again), evicting the oldest entries beyond the bound. */
  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    this.#sweep();
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  /**
   * Sets `key` only when it is not held: true when this call added it. The check-and-set is one synchronous
   * step, so two deliveries racing on the event loop cannot both win.
   */
  add(key: string, value: V): boolean {
    if (this.has(key)) return false;
    this.set(key, value);
    return true;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops expired entries from the front (the oldest expire first: every entry has the same ttl). */
  #sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) break;
      this.#entries.delete(key);
    }
  }
}
