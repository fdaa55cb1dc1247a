import { LatencyHistogram } from './histogram.js';
import type { LatencySummary } from './histogram.js';
import { FAILURE_REASONS, STATUS_OF_REASON } from './result.js';
import type { FailureReason, SimulatedStatus } from './result.js';

/** Index of a failure reason in `FAILURE_REASONS`, or -1 for a success: the hot path counts with numbers. */
export type OutcomeCode = number;
export const SUCCESS: OutcomeCode = -1;

/** The code of a failure reason. */
export function codeOf(reason: FailureReason): OutcomeCode {
  return FAILURE_REASONS.indexOf(reason);
}

/**
 * Streaming request statistics: counts, a fixed-memory latency histogram, and per-second outcome counts.
 * Memory grows with simulated seconds, never with requests.
 */
export class OutcomeStats {
  private readonly histogram = new LatencyHistogram();
  private readonly reasonCounts = new Float64Array(FAILURE_REASONS.length);
  private successes = 0;
  private total = 0;
  // Per second of request start: [ok, 502, 503, 504] flattened.
  private perSecond: number[] = [];

  record(startSecond: number, code: OutcomeCode, latencyMs: number): void {
    this.total += 1;
    this.histogram.record(latencyMs);
    const second = Math.floor(startSecond);
    let column = 0;
    if (code === SUCCESS) {
      this.successes += 1;
    } else {
      this.reasonCounts[code] = (this.reasonCounts[code] ?? 0) + 1;
      const status = STATUS_OF_REASON[FAILURE_REASONS[code] as FailureReason];
      column = status === 502 ? 1 : status === 503 ? 2 : 3;
    }
    const index = second * 4 + column;
    while (this.perSecond.length <= index) this.perSecond.push(0);
    this.perSecond[index] = (this.perSecond[index] ?? 0) + 1;
  }

  get requests(): number {
    return this.total;
  }

  byReason(): Record<FailureReason, number> {
    const counts = {} as Record<FailureReason, number>;
    FAILURE_REASONS.forEach((reason, index) => {
      counts[reason] = this.reasonCounts[index] ?? 0;
    });
    return counts;
  }

  byStatus(): Record<SimulatedStatus, number> {
    const counts: Record<SimulatedStatus, number> = { 200: this.successes, 502: 0, 503: 0, 504: 0 };
    FAILURE_REASONS.forEach((reason, index) => {
      counts[STATUS_OF_REASON[reason]] += this.reasonCounts[index] ?? 0;
    });
    return counts;
  }

  latency(): LatencySummary {
    return this.histogram.summarize();
  }

  /** Requests that started in `second`, as [ok, 502, 503, 504]. */
  secondCounts(second: number): readonly [number, number, number, number] {
    const base = second * 4;
    const p = this.perSecond;
    return [p[base] ?? 0, p[base + 1] ?? 0, p[base + 2] ?? 0, p[base + 3] ?? 0];
  }
}
