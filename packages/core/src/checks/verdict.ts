import { UpstreamError } from '../ports/errors.js';
import type { Phase, Verdict } from '../ports/verdict.js';

/** The names of the runtime checks, as verdicts, URLs and the CLI spell them. */
export type CheckName = 'elb-5xx' | 'target-health' | 'drain-timing' | 'canary' | 'latency';

/** Builds a verdict; `pass` follows from the phase so the two can never disagree. */
export function createVerdict(
  check: CheckName,
  phase: Phase,
  fields: {
    readonly value: number;
    readonly threshold: number;
    readonly reason: string;
    readonly details: Readonly<Record<string, unknown>>;
  },
  now: Date,
): Verdict {
  // Argo turns JSON numbers into float64 and the JSON encoder turns NaN and infinities into null: a verdict
  // that carried one would break every template's condition, so it is a bug in the check.
  if (!Number.isFinite(fields.value) || !Number.isFinite(fields.threshold)) {
    throw new Error(
      `${check}: verdict value ${fields.value} and threshold ${fields.threshold} must be finite`,
    );
  }
  return {
    check,
    phase,
    pass: phase === 'Successful',
    value: fields.value,
    threshold: fields.threshold,
    reason: fields.reason,
    details: fields.details,
    measuredAt: now.toISOString(),
  };
}

/**
 * The verdict of a check that could not measure because an upstream call failed: phase Error, with the
 * service, operation and failure kind in the reason so an operator knows what to fix (IAM, a throttle, a
 * wrong ARN).
 */
export function upstreamErrorVerdict(
  check: CheckName,
  error: UpstreamError,
  threshold: number,
  now: Date,
): Verdict {
  // UpstreamError's message starts with "service operation: "; the reason names them once.
  const prefix = `${error.service} ${error.operation}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return createVerdict(
    check,
    'Error',
    {
      value: 0,
      threshold,
      reason: `could not measure: ${error.service} ${error.operation} failed (${error.failure}${error.retryable ? ', retryable' : ''}): ${message.replace(/[.\s]*$/, '')}.`,
      details: {
        service: error.service,
        operation: error.operation,
        failure: error.failure,
        retryable: error.retryable,
        message,
      },
    },
    now,
  );
}

/**
 * Runs a check's read-and-evaluate step, turning an UpstreamError into an Error verdict. Anything else
 * (input errors, bugs, a caller's abort) propagates: those are not "could not measure".
 */
export async function withUpstreamErrors(
  check: CheckName,
  threshold: number,
  now: () => Date,
  body: () => Promise<Verdict>,
): Promise<Verdict> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UpstreamError) return upstreamErrorVerdict(check, error, threshold, now());
    throw error;
  }
}

/** An e-value (the evidence of a sequential test) as a person reads it: 3 digits, whole from 100, exponent form from a million. */
export function formatEvidence(e: number): string {
  return e >= 1e6
    ? e.toExponential(1)
    : e >= 100 || Number.isInteger(e)
      ? String(Math.round(e))
      : e.toPrecision(3);
}

/** A rate as people read it: `1.25%`, `0.0042%`, `0%`. */
export function formatRate(rate: number): string {
  if (rate === 0) return '0%';
  const percent = rate * 100;
  return `${percent >= 1 ? percent.toFixed(2) : percent.toPrecision(2)}%`;
}

// One formatter for every message (toLocaleString builds a new one per call, which dominated runElb5xx),
// made on first use: building it takes ~15 ms, which commands that never format a count should not pay.
let countFormat: Intl.NumberFormat | undefined;

/** `1,234,567`: counts with separators so large numbers stay readable in a reason. */
export function formatCount(count: number): string {
  countFormat ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  return countFormat.format(count);
}
