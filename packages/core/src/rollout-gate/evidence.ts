import type { MetricWindow } from '../ports/metrics.js';
import type { Verdict } from '../ports/verdict.js';

/**
 * The CloudWatch window a gate judges: from the start of the period in which it started to the end of the
 * period that contains `now`, so every minute of the rollout is counted and the newest, still filling minute
 * is included (and marked) rather than dropped.
 */
export function gateMetricWindow(startedAt: Date, now: Date, periodSeconds = 60): MetricWindow {
  const periodMs = periodSeconds * 1000;
  const start = Math.floor(startedAt.getTime() / periodMs) * periodMs;
  const end = Math.max(start + periodMs, Math.ceil(now.getTime() / periodMs) * periodMs);
  return { start: new Date(start), end: new Date(end), periodSeconds };
}

/** The 5xx, request and rate totals of an `elb-5xx` verdict (zero when it carries none). */
export function elb5xxTotals(verdict: Verdict | undefined): {
  errors: number;
  requests: number;
  rate: number;
} {
  const totals = verdict?.details['totals'] as
    { errors?: unknown; requests?: unknown; elb5xx?: unknown; rate?: unknown } | undefined;
  const number = (value: unknown): number =>
    typeof value === 'number' && Number.isFinite(value) ? value : 0;
  return {
    errors: number(totals?.errors),
    // The denominator the rate used: requests that reached a target plus the ELB's own 5xx.
    requests: number(totals?.requests) + number(totals?.elb5xx),
    rate: number(totals?.rate),
  };
}

/** Healthy, total and draining targets over several `target-health` verdicts. */
export function targetTotals(verdicts: readonly Verdict[]): {
  healthy: number;
  targets: number;
  draining: number;
} {
  let healthy = 0;
  let targets = 0;
  let draining = 0;
  for (const verdict of verdicts) {
    const details = verdict.details as {
      healthy?: unknown;
      targets?: unknown;
      byState?: { draining?: unknown };
    };
    healthy += typeof details.healthy === 'number' ? details.healthy : 0;
    targets += typeof details.targets === 'number' ? details.targets : 0;
    draining += typeof details.byState?.draining === 'number' ? details.byState.draining : 0;
  }
  return { healthy, targets, draining };
}

/** `75 s`, `2 min 5 s`: durations in decisions and summaries. */
export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}
