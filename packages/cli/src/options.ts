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
