/**
 * The grammars of the values users type for checks and commands: durations, rates, counts, numbers, choices,
 * booleans and times. One parser per grammar, shared by every front end (flags, Action inputs, query
 * parameters and JSON bodies); each front end names the parameter in its own terms around the same message.
 */

/** A value does not fit its parameter's grammar or bounds. `message` reads after the parameter's name. */
export class ParameterValueError extends Error {
  override readonly name = 'ParameterValueError';
}

/** How a parameter's text is read, and the bounds of the value it gives. */
export type Grammar =
  | {
      readonly kind: 'duration';
      /** What the value is counted in, and what a bare number means. Default seconds. */
      readonly unit?: 'seconds' | 'minutes';
      /** Bounds in seconds. */
      readonly minSeconds?: number;
      readonly exclusiveMin?: boolean;
      readonly maxSeconds?: number;
      /** The value must be a whole number of its unit (CloudWatch reads whole minutes). */
      readonly whole?: boolean;
    }
  | { readonly kind: 'rate' }
  | { readonly kind: 'count'; readonly min?: number; readonly max?: number }
  | {
      readonly kind: 'number';
      readonly min?: number;
      readonly exclusiveMin?: boolean;
      readonly max?: number;
    }
  | { readonly kind: 'choice'; readonly choices: readonly string[] }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'time' }
  | { readonly kind: 'text' }
  | { readonly kind: 'list' };

const BARE = /^\d+(?:\.\d+)?$/;
// Go's and Kubernetes' order: hours, minutes, seconds, each at most once (`1h30m`, `1m30s`).
const WITH_UNITS = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function shown(text: string): string {
  return JSON.stringify(text);
}

/** `90 s`, `10 min`, `1 h`, `1 h 30 min`: how bounds and defaults read in messages and docs. */
export function durationText(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/**
 * A duration: `90` or `90s` (seconds, unless the parameter counts in minutes), `10m`, `1h`, `1m30s`; returns
 * seconds. Bounds are in seconds.
 */
export function parseDuration(
  text: string,
  grammar: Omit<Extract<Grammar, { kind: 'duration' }>, 'kind'> = {},
): number {
  const trimmed = text.trim();
  const unit = grammar.unit ?? 'seconds';
  if (BARE.test(trimmed))
    return checkDuration(Number(trimmed) * (unit === 'minutes' ? 60 : 1), grammar, shown(text));
  const match = WITH_UNITS.exec(trimmed);
  if (trimmed === '' || !match || match.slice(1).every((part) => part === undefined)) {
    throw new ParameterValueError(
      `must be a duration such as 90s, 10m or 1h${unit === 'minutes' ? ' (a bare number is minutes)' : ''}, got ${shown(text)}`,
    );
  }
  const [hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  return checkDuration((hours ?? 0) * 3600 + (minutes ?? 0) * 60 + (seconds ?? 0), grammar, shown(text));
}

/** A duration already in seconds, checked against the bounds; `shownAs` is how the user wrote it. */
export function checkDuration(
  seconds: number,
  grammar: Omit<Extract<Grammar, { kind: 'duration' }>, 'kind'>,
  shownAs: string,
): number {
  const min = grammar.minSeconds ?? 0;
  if (grammar.exclusiveMin ? seconds <= min : seconds < min) {
    throw new ParameterValueError(
      grammar.exclusiveMin && min === 0
        ? `must be longer than 0, got ${shownAs}`
        : `must be at least ${durationText(min)}, got ${shownAs}`,
    );
  }
  if (grammar.maxSeconds !== undefined && seconds > grammar.maxSeconds) {
    throw new ParameterValueError(`must be at most ${durationText(grammar.maxSeconds)}, got ${shownAs}`);
  }
  if (grammar.whole && grammar.unit === 'minutes' && seconds % 60 !== 0) {
    throw new ParameterValueError(`must be whole minutes (CloudWatch's periods), got ${shownAs}`);
  }
  if (grammar.whole && grammar.unit !== 'minutes' && !Number.isInteger(seconds)) {
    throw new ParameterValueError(`must be whole seconds, got ${shownAs}`);
  }
  return seconds;
}

/** A rate in [0, 1]: `0.5%` or `0.005`. */
export function parseRate(text: string): number {
  const trimmed = text.trim();
  const percent = trimmed.endsWith('%');
  const digits = percent ? trimmed.slice(0, -1).trim() : trimmed;
  const rate = NUMBER.test(digits) ? Number(digits) / (percent ? 100 : 1) : Number.NaN;
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new ParameterValueError(`must be a rate from 0 to 1 such as 1% or 0.01, got ${shown(text)}`);
  }
  return rate;
}

/** A rate given as a JSON number: the same bounds. */
export function checkRate(rate: number, shownAs: string): number {
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new ParameterValueError(`must be a rate from 0 to 1 such as 1% or 0.01, got ${shownAs}`);
  }
  return rate;
}

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

/** A whole number within bounds (min defaults to 0). */
export function checkCount(value: number, grammar: { min?: number; max?: number }, shownAs: string): number {
  const min = grammar.min ?? 0;
  if (!Number.isInteger(value) || value < min || (grammar.max !== undefined && value > grammar.max)) {
    throw new ParameterValueError(`must be a whole number${range(min, grammar.max)}, got ${shownAs}`);
  }
  return value;
}

/** A number within bounds. */
export function checkNumber(
  value: number,
  grammar: { min?: number; exclusiveMin?: boolean; max?: number },
  shownAs: string,
): number {
  const low =
    grammar.min === undefined ? true : grammar.exclusiveMin ? value > grammar.min : value >= grammar.min;
  if (!Number.isFinite(value) || !low || (grammar.max !== undefined && value > grammar.max)) {
    const lower =
      grammar.min === undefined ? '' : `${grammar.exclusiveMin ? 'above' : 'from'} ${grammar.min}`;
    const upper = grammar.max === undefined ? '' : `${lower ? ' to' : 'at most'} ${grammar.max}`;
    throw new ParameterValueError(
      `must be a number${lower || upper ? ` ${lower}${upper}` : ''}, got ${shownAs}`,
    );
  }
  return value;
}

function parseNumberText(text: string): number {
  const trimmed = text.trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/** `true`/`false` (also yes/no, on/off, 1/0, as YAML and Actions users write them). */
export function parseBoolean(text: string): boolean {
  const lower = text.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(lower)) return true;
  if (['false', 'no', 'off', '0'].includes(lower)) return false;
  throw new ParameterValueError(`must be true or false, got ${shown(text)}`);
}

/** An RFC 3339 time with its offset, such as 2026-11-23T17:00:00Z. */
export function parseTime(text: string): Date {
  const trimmed = text.trim();
  const date = new Date(trimmed);
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(trimmed) ||
    Number.isNaN(date.getTime())
  ) {
    throw new ParameterValueError(
      `must be a time with its offset such as 2026-11-23T17:00:00Z, got ${shown(text)}`,
    );
  }
  return date;
}

/** A list: one item per line or comma, blanks and `#` comments dropped. */
export function parseList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'));
}

/** The value a grammar gives: seconds or minutes (durations), numbers, words, booleans, times, lists. */
export type GrammarValue = number | string | boolean | Date | readonly string[];

/**
 * Reads a value as text (a flag, an Action input, a query parameter, a string in a JSON body). Durations are
 * returned in the parameter's unit. Throws a ParameterValueError whose message reads after the name.
 */
export function parseText(grammar: Grammar, text: string): GrammarValue {
  switch (grammar.kind) {
    case 'duration': {
      const seconds = parseDuration(text, grammar);
      return grammar.unit === 'minutes' ? seconds / 60 : seconds;
    }
    case 'rate':
      return parseRate(text);
    case 'count': {
      const trimmed = text.trim();
      return checkCount(/^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN, grammar, shown(text));
    }
    case 'number':
      return checkNumber(parseNumberText(text), grammar, shown(text));
    case 'choice':
      if (!grammar.choices.includes(text.trim()))
        throw new ParameterValueError(`must be one of ${grammar.choices.join(', ')}, got ${shown(text)}`);
      return text.trim();
    case 'boolean':
      return parseBoolean(text);
    case 'time':
      return parseTime(text);
    case 'text':
      if (text.trim() === '') throw new ParameterValueError('must not be empty');
      return text.trim();
    case 'list':
      return parseList(text);
  }
}

/**
 * Reads a value from JSON: a number is taken in the parameter's unit and checked against the same bounds; a
 * string is read as text (`"1%"`, `"10m"`), since Argo's args are strings. Other types are refused.
 */
export function parseJson(grammar: Grammar, value: unknown): GrammarValue {
  if (typeof value === 'string') return parseText(grammar, value);
  const shownAs = JSON.stringify(value) ?? String(value);
  if (typeof value === 'number') {
    switch (grammar.kind) {
      case 'duration': {
        const minutes = grammar.unit === 'minutes';
        const seconds = checkDuration(
          value * (minutes ? 60 : 1),
          grammar,
          `${shownAs} ${minutes ? 'minutes' : 'seconds'}`,
        );
        return grammar.unit === 'minutes' ? seconds / 60 : seconds;
      }
      case 'rate':
        return checkRate(value, shownAs);
      case 'count':
        return checkCount(value, grammar, shownAs);
      case 'number':
        return checkNumber(value, grammar, shownAs);
      default:
        break;
    }
  }
  if (typeof value === 'boolean' && grammar.kind === 'boolean') return value;
  if (Array.isArray(value) && grammar.kind === 'list' && value.every((item) => typeof item === 'string'))
    return value.filter((item) => item !== '');
  throw new ParameterValueError(`must be ${describeGrammar(grammar)}, got ${shownAs}`);
}

/** The grammar in a few words, for messages, help and docs. */
export function describeGrammar(grammar: Grammar): string {
  switch (grammar.kind) {
    case 'duration': {
      const low =
        grammar.minSeconds !== undefined && grammar.minSeconds > 0
          ? `from ${durationText(grammar.minSeconds)}`
          : grammar.exclusiveMin
            ? 'above 0'
            : 'from 0';
      const high = grammar.maxSeconds !== undefined ? ` to ${durationText(grammar.maxSeconds)}` : '';
      const bare = grammar.unit === 'minutes' ? '; a bare number is minutes' : '';
      return `a duration (90s, 10m, 1h${bare}) ${low}${high}${grammar.whole && grammar.unit === 'minutes' ? ', whole minutes' : ''}`;
    }
    case 'rate':
      return 'a rate from 0 to 1 (1% or 0.01)';
    case 'count':
      return `a whole number${range(grammar.min ?? 0, grammar.max)}`;
    case 'number': {
      const lower =
        grammar.min === undefined ? '' : ` ${grammar.exclusiveMin ? 'above' : 'from'} ${grammar.min}`;
      const upper = grammar.max === undefined ? '' : ` ${lower ? 'to' : 'at most'} ${grammar.max}`;
      return `a number${lower}${upper}`;
    }
    case 'choice':
      return `one of ${grammar.choices.join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'time':
      return 'a time such as 2026-11-23T17:00:00Z';
    case 'text':
      return 'text';
    case 'list':
      return 'a list, one per line or comma-separated';
  }
}
