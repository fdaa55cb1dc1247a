/** Argo Rollouts' measurement phases. `Error` means the check could not measure. */
export type Phase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** The outcome of one runtime check. Every field is always present, so Argo's jsonPath never misses. */
export interface Verdict {
  readonly check: string;
  readonly phase: Phase;
  /** phase is Successful. */
  readonly pass: boolean;
  /** The number the check judged (an error rate, a count of healthy targets, a p-value…). */
  readonly value: number;
  /** The threshold `value` was compared with. */
  readonly threshold: number;
  /** One sentence with the numbers. */
  readonly reason: string;
  /** The raw numbers the check used. */
  readonly details: Readonly<Record<string, unknown>>;
  /** When the evidence was read (ISO 8601). */
  readonly measuredAt: string;
}
