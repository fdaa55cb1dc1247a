import { stringify } from 'yaml';

/**
 * The YAML of a fix snippet, exactly as `stringify(body, { lineWidth: 0 })` of the `yaml` package writes
 * it. `stringify` builds a whole document model for every call, and on a large input the snippets of
 * thousands of findings took most of the rules' time. A snippet is a few nested mappings, so the common
 * case is written here directly: block mappings and sequences of non-empty mappings, safe integers, and
 * strings that every YAML reader takes as plain strings. Anything else (an empty collection, a boolean, a
 * string that would need quotes or could read as a number) goes to `stringify`, so the text is the same
 * either way; `snippet-yaml.test.ts` compares the two.
 */
export function stringifySnippet(body: Readonly<Record<string, unknown>>): string {
  return writePlainSnippet(body) ?? stringify(body, { lineWidth: 0 });
}

/** The common case of `stringifySnippet`, or undefined when the body holds something it leaves to `yaml`. */
export function writePlainSnippet(body: Readonly<Record<string, unknown>>): string | undefined {
  const lines: string[] = [];
  return writeMapping(body, '', lines) ? `${lines.join('\n')}\n` : undefined;
}

/** Appends a block mapping at `indent`; false when it holds something only `stringify` writes right. */
function writeMapping(map: Readonly<Record<string, unknown>>, indent: string, lines: string[]): boolean {
  const keys = Object.keys(map);
  if (keys.length === 0) return false;
  for (const key of keys) {
    if (!isPlainString(key)) return false;
    const value = map[key];
    const scalar = plainScalar(value);
    if (scalar !== undefined) {
      lines.push(`${indent}${key}: ${scalar}`);
    } else if (Array.isArray(value)) {
      lines.push(`${indent}${key}:`);
      if (!writeSequence(value, `${indent}  `, lines)) return false;
    } else if (isMapping(value)) {
      lines.push(`${indent}${key}:`);
      if (!writeMapping(value, `${indent}  `, lines)) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** Appends a block sequence of mappings, `- ` at `indent`, as `yaml` indents one under its key. */
function writeSequence(items: readonly unknown[], indent: string, lines: string[]): boolean {
  if (items.length === 0) return false;
  for (const item of items) {
    if (!isMapping(item)) return false;
    // The item's first key goes on the dash's line; the others line up under it.
    const first = lines.length;
    if (!writeMapping(item, `${indent}  `, lines)) return false;
    lines[first] = `${indent}- ${lines[first]!.slice(indent.length + 2)}`;
  }
  return true;
}

function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A scalar as a plain YAML scalar, or undefined when it is a collection or needs `stringify`. */
function plainScalar(value: unknown): string | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  if (isPlainString(value)) return value;
  // A string of digits (a target group attribute's value, "30") reads as a number when plain: `yaml`
  // double-quotes it, with nothing to escape.
  return DIGITS.test(value) ? `"${value}"` : undefined;
}

const DIGITS = /^[0-9]{1,40}$/;

// A letter, `_` or `/` first (so never a number, an indicator or a document marker), then no spaces, colons,
// `#` or quotes: a plain scalar in YAML 1.1 and 1.2 alike, as long as it is not a boolean or null word.
const PLAIN_STRING = /^[A-Za-z_/][A-Za-z0-9_./=-]*$/;
const RESERVED_WORDS = /^(?:true|false|null|yes|no|on|off|y|n)$/i;

function isPlainString(text: string): boolean {
  return text.length <= 200 && PLAIN_STRING.test(text) && !RESERVED_WORDS.test(text);
}
