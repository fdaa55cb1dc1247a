import { InvalidArgumentError } from 'commander';

/** Parses a non-negative number of seconds for a flag; commander reports the flag and the value. */
export function parseSeconds(value: string): number {
  const trimmed = value.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed))
    throw new InvalidArgumentError(`expected a number of seconds such as 15, got ${JSON.stringify(value)}.`);
  const seconds = Number(trimmed);
  if (seconds > 86_400) throw new InvalidArgumentError(`expected at most 86400 seconds, got ${trimmed}.`);
  return seconds;
}

/** Parses one of a fixed set of words. */
export function oneOf<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}.`);
    }
    return value as T;
  };
}

/** Parses a size in MiB. */
export function parseMebibytes(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > 4096) {
    throw new InvalidArgumentError(
      `expected a whole number of MiB between 1 and 4096, got ${JSON.stringify(value)}.`,
    );
  }
  return Number(value) * 1024 * 1024;
}

/** Parses a duration: `90` or `90s` (seconds), `10m`, `1h`. Returns seconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(value.trim());
  if (!match)
    throw new InvalidArgumentError(
      `expected a duration such as 90s, 10m or 1h, got ${JSON.stringify(value)}.`,
    );
  const seconds = Number(match[1]) * (match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1);
  if (seconds <= 0 || seconds > 7 * 86_400)
    throw new InvalidArgumentError(
      `expected a duration above 0 and at most 7 days, got ${JSON.stringify(value)}.`,
    );
  return seconds;
}

/** Parses a non-negative number (a rate, a count, a probability). */
export function parseNumber(
  bounds: { min?: number; max?: number; integer?: boolean } = {},
): (value: string) => number {
  return (value) => {
    const trimmed = value.trim();
    const parsed = Number(trimmed);
    if (trimmed === '' || !Number.isFinite(parsed))
      throw new InvalidArgumentError(`expected a number, got ${JSON.stringify(value)}.`);
    if (bounds.integer && !Number.isInteger(parsed))
      throw new InvalidArgumentError(`expected a whole number, got ${JSON.stringify(value)}.`);
    if (bounds.min !== undefined && parsed < bounds.min)
      throw new InvalidArgumentError(`expected at least ${bounds.min}, got ${trimmed}.`);
    if (bounds.max !== undefined && parsed > bounds.max)
      throw new InvalidArgumentError(`expected at most ${bounds.max}, got ${trimmed}.`);
    return parsed;
  };
}

/** Collects a repeatable flag's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
