import { InputError } from '../ports/errors.js';
import type { MetricWindow } from '../ports/metrics.js';

/** Bounds a numeric parameter must respect. */
export interface NumberBounds {
  readonly min?: number;
  /** The value must be strictly greater than `min`. */
  readonly exclusiveMin?: boolean;
  readonly max?: number;
  readonly integer?: boolean;
}

/**
 * A numeric parameter, or an InputError naming its path. Checks are called with values a user typed (flags,
 * request bodies), so NaN, infinities and negative thresholds are input errors, not programmer errors.
 */
export function requireNumber(path: string, value: unknown, bounds: NumberBounds = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InputError(path, `must be a finite number, got ${describe(value)}`);
  }
  if (bounds.integer && !Number.isInteger(value)) {
    throw new InputError(path, `must be a whole number, got ${value}`);
  }
  if (bounds.min !== undefined) {
    if (bounds.exclusiveMin ? value <= bounds.min : value < bounds.min) {
      throw new InputError(
        path,
        `must be ${bounds.exclusiveMin ? 'greater than' : 'at least'} ${bounds.min}, got ${value}`,
      );
    }
  }
  if (bounds.max !== undefined && value > bounds.max) {
    throw new InputError(path, `must be at most ${bounds.max}, got ${value}`);
  }
  return value;
}

/** An optional numeric parameter: its default when absent, else validated like `requireNumber`. */
export function optionalNumber(
  path: string,
  value: unknown,
  fallback: number,
  bounds: NumberBounds = {},
): number {
  return value === undefined ? fallback : requireNumber(path, value, bounds);
}

/** A valid Date, or an InputError naming its path. */
export function requireDate(path: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new InputError(path, `must be a valid time, got ${describe(value)}`);
  }
  return value;
}

/** A window with a positive whole number of periods, or an InputError naming its path. */
export function requireWindow(path: string, window: MetricWindow | undefined): MetricWindow {
  if (window === undefined) throw new InputError(path, 'is required');
  const period = requireNumber(`${path}.periodSeconds`, window.periodSeconds, {
    min: 0,
    exclusiveMin: true,
    integer: true,
  });
  const start = requireDate(`${path}.start`, window.start).getTime();
  const end = requireDate(`${path}.end`, window.end).getTime();
  if (end <= start) {
    throw new InputError(
      path,
      `must end after it starts (${window.start.toISOString()} – ${window.end.toISOString()})`,
    );
  }
  if ((end - start) % (period * 1000) !== 0) {
    throw new InputError(path, `must be a whole number of ${period} s periods`);
  }
  return window;
}

/** A non-empty string, or an InputError naming its path. */
export function requireString(path: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InputError(path, `must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return 'an invalid date';
  return typeof value;
}
