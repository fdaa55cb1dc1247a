import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import {
  ParameterValueError,
  defaultOf,
  flagOf,
  helpOf,
  offeredOn,
  parseDuration,
  parseParameterText,
  placeholderOf,
} from '@draingate/core';
import type { GrammarValue, Parameter } from '@draingate/core';

/** Runs a shared parser; its message becomes commander's, which names the flag and the value. */
function asFlagValue<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ParameterValueError) throw new InvalidArgumentError(`${error.message}.`);
    throw error;
  }
}

/**
 * A number of seconds for a `--…-seconds` flag, in the shared duration grammar (`15`, `15s`, `2m`), from 0 to a
 * day; commander reports the flag and the value.
 */
export function parseSeconds(value: string): number {
  return asFlagValue(() => parseDuration(value, { minSeconds: 0, maxSeconds: 86_400 }));
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

/** Collects a repeatable flag's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The commander option of a parameter: its flag, placeholder, help and the shared parser. */
export function parameterOption(parameter: Parameter): Option {
  const long = flagOf(parameter);
  const short = /^(-\w), /.exec(parameter.flag ?? '')?.[1];
  const lead = short ? `${short}, ` : '';
  if (parameter.grammar.kind === 'boolean') {
    // A switch: on when given, or, for one that is on by default, off when --no-… is given.
    const negated = parameter.default === 'true';
    return new Option(
      `${lead}--${negated ? 'no-' : ''}${long}`,
      negated ? `do not ${parameter.description} (on by default)` : parameter.description,
    );
  }
  const option = new Option(`${lead}--${long} <${placeholderOf(parameter)}>`, helpOf(parameter));
  if (parameter.repeatable) return option.argParser(collect);
  return option.argParser((text: string) => asFlagValue(() => parseParameterText(parameter, text)));
}

/** Adds the CLI's options of a parameter table to a command (`except` names ones given another way). */
export function addParameterOptions(
  command: Command,
  table: readonly Parameter[],
  except: readonly string[] = [],
): Command {
  for (const parameter of table) {
    if (offeredOn(parameter, 'cli') && !except.includes(parameter.name))
      command.addOption(parameterOption(parameter));
  }
  return command;
}

/**
 * The values of a table's flags by request field, defaults applied: what the Action's inputs and the provider's
 * fields give for the same table.
 */
export function parameterValues(
  table: readonly Parameter[],
  flags: Readonly<Record<string, unknown>>,
): Record<string, GrammarValue> {
  const values: Record<string, GrammarValue> = {};
  for (const parameter of table) {
    if (!offeredOn(parameter, 'cli')) continue;
    const given = flags[parameterOption(parameter).attributeName()] as GrammarValue | undefined;
    const value = given ?? defaultOf(parameter);
    if (value !== undefined) values[parameter.field] = value;
  }
  return values;
}
