/** Options of a token bucket per client. */
export interface RateLimit {
  /** Requests per second refilled. */
  readonly ratePerSecond: number;
  /** Requests that may be made at once. */
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * In-memory token buckets, one per client. `take` answers whether a request may go ahead, and when refused
 * how many seconds until one may (for Retry-After).
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  take(client: string, limit: RateLimit): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    const bucket = this.#buckets.get(client) ?? { tokens: limit.burst, updatedMs: now };
    bucket.tokens = Math.min(
      limit.burst,
      bucket.tokens + ((now - bucket.updatedMs) / 1000) * limit.ratePerSecond,
    );
    bucket.updatedMs = now;
    this.#buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.ratePerSecond)),
    };
  }
}
