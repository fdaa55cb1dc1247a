/** Latency figures of a load tester's report, in milliseconds. */
export interface LatencySummary {
  readonly minMs: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

// Log-spaced buckets 1 % wide from 10 µs to ~1,000 s: every quantile is within 0.5 % of the truth, in 15 KB
// whatever the number of requests.
const LOWEST_MS = 0.01;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(1e6 / LOWEST_MS) / LOG_GROWTH) + 1;

/** A fixed-memory latency histogram: exact count, sum, min and max; quantiles within one bucket. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private count = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;

  record(ms: number): void {
    this.count += 1;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    const index =
      ms <= LOWEST_MS ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(ms / LOWEST_MS) / LOG_GROWTH));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
  }

  /** The value below which `q` of the recorded latencies fall. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let index = 0; index < BUCKETS; index += 1) {
      seen += this.counts[index] ?? 0;
      if (seen >= rank) {
        const middle = LOWEST_MS * GROWTH ** (index + 0.5);
        return Math.min(this.max, Math.max(this.min, middle));
      }
    }
    return this.max;
  }

  summarize(): LatencySummary {
    if (this.count === 0) return { minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
    return {
      minMs: this.min,
      meanMs: this.sum / this.count,
      p50Ms: this.quantile(0.5),
      p90Ms: this.quantile(0.9),
      p95Ms: this.quantile(0.95),
      p99Ms: this.quantile(0.99),
      maxMs: this.max,
    };
  }
}
