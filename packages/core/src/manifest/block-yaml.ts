import * as jsYaml from 'js-yaml';

/**
 * A fast reader for the plain block YAML that people, Helm and kubectl write: block mappings and sequences,
 * plain and simply quoted scalars, one-line flow collections of plain scalars, comments. It returns what
 * js-yaml's `load` with the core schema returns for the same text, or `NOT_PLAIN` for anything outside
 * that subset (anchors, tags, block scalars, multi-line scalars, escapes, tabs, document markers, every
 * error): the caller then parses the document with js-yaml, which gives the answer or the error message.
 *
 * It exists for speed: most manifests are this simple, and reading them line by line costs about 30 % of
 * what js-yaml takes (on the validate benchmark's corpora, each file's documents read by one
 * `BlockYamlReader`). Its answers are checked against js-yaml's on generated documents
 * (`block-yaml.test.ts`).
 */
export const NOT_PLAIN: unique symbol = Symbol('not plain block YAML');

/** Thrown inside the reader to give up on a document; never escapes `readBlockYaml`. */
class NotPlain {}
const NOT_PLAIN_SIGNAL = new NotPlain();

// What js-yaml rejects as non-printable, and what this reader leaves to it: tabs, a CR not followed by a
// LF (a line break of its own to YAML), byte-order marks, surrogates (js-yaml checks their pairing). The
// lone CR is looked for apart, and only in text with a CR: one character class scans faster than an
// alternation.
const OUTSIDE_SUBSET =
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff\ufffe\uffff\ud800-\udfff]/;
const LONE_CR = /\r(?!\n)/;

export function readBlockYaml(text: string): unknown {
  return inSubset(text) ? readRange(text, 0, text.length, new KeyTable()) : NOT_PLAIN;
}

/**
 * Reads the documents of one file with `readBlockYaml`'s reader, sharing what they have in common: the
 * check of the file's characters (done once, not per document), the keys seen so far (`KeyTable`), and the
 * file's own text, which the reader reads in place. A document's text is a slice of the file's, and V8 reads
 * the characters of a slice more slowly than those of the string it was cut from.
 */
export class BlockYamlReader {
  private readonly keys = new KeyTable();
  private readonly plainCharacters: boolean;

  constructor(private readonly source: string) {
    this.plainCharacters = inSubset(source);
  }

  /** A document of the file (`text` is `source.slice(start, end)`), or of another text (checked alone). */
  read(document: {
    readonly text: string;
    readonly source: string;
    readonly start: number;
    readonly end: number;
  }): unknown {
    if (document.source === this.source && this.plainCharacters)
      return readRange(this.source, document.start, document.end, this.keys);
    // A file with a tab or a lone CR somewhere: each document is checked on its own.
    if (!inSubset(document.text)) return NOT_PLAIN;
    return readRange(document.text, 0, document.text.length, this.keys);
  }
}

function inSubset(text: string): boolean {
  return !OUTSIDE_SUBSET.test(text) && !(text.includes('\r') && LONE_CR.test(text));
}

function readRange(text: string, start: number, end: number, keys: KeyTable): unknown {
  const reader = new LineReader(text, keys, start, end);
  try {
    if (!reader.next()) return NOT_PLAIN;
    const root = reader.indent;
    const value = reader.isSequenceItem() ? reader.sequence(root) : reader.mapping(root);
    return reader.done ? value : NOT_PLAIN;
  } catch (error) {
    if (error === NOT_PLAIN_SIGNAL) return NOT_PLAIN;
    throw error;
  }
}

/** Nesting this reader follows, in blocks and in flow collections; js-yaml refuses 100 levels in all. */
const MAX_DEPTH = 40;
const MAX_FLOW_DEPTH = 20;

const SPACE = 0x20;
const CR = 0x0d;
const DOT = 0x2e;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function giveUp(): never {
  throw NOT_PLAIN_SIGNAL;
}

/** YAML's indicators: a plain scalar may not start with one (but see `startsPlain` for `-`). */
const INDICATOR = new Uint8Array(128);
for (const c of '-?:,[]{}#&*!|>\'"%@`') INDICATOR[c.charCodeAt(0)] = 1;

const FLOW_INDICATOR = new Uint8Array(128);
for (const c of ',[]{}') FLOW_INDICATOR[c.charCodeAt(0)] = 1;

/**
 * Whether a plain scalar may start at `at`: not on an indicator, but for a `-` followed by a character that
 * cannot end it (`-1`, `-x`).
 */
function startsPlain(text: string, at: number, end: number, inFlow: boolean): boolean {
  const c = text.charCodeAt(at);
  if (INDICATOR[c] !== 1) return true;
  if (c !== DASH || at + 1 >= end) return false;
  const next = text.charCodeAt(at + 1);
  return next !== SPACE && !(inFlow && FLOW_INDICATOR[next] === 1);
}

/** First characters of plain scalars the core schema may read as something else than a string. */
const MAY_RESOLVE = new Uint8Array(128);
for (const c of '-+.0123456789~nNtTfF') MAY_RESOLVE[c.charCodeAt(0)] = 1;
// The core schema's implicit types, in its order (js-yaml exports them; its type definitions do not).
const { types } = jsYaml as unknown as {
  types: Record<
    'null' | 'bool' | 'int' | 'float',
    { resolve(data: string): boolean; construct(data: string): unknown }
  >;
};
const IMPLICIT = [types.null, types.bool, types.int, types.float];

/** A plain scalar's value under the core schema, as js-yaml resolves it. */
function resolvePlain(scalar: string): unknown {
  if (MAY_RESOLVE[scalar.charCodeAt(0)] === 1) {
    for (const type of IMPLICIT) {
      if (type.resolve(scalar)) return type.construct(scalar);
    }
  }
  return scalar;
}

/** Walks a document's content lines: `start` of the line, its `indent`, `content` (first non-space), `end`. */
class LineReader {
  private start = 0;
  indent = 0;
  content = 0;
  end = 0;
  /** The position after the current line; where `next` looks for the following content line. */
  private following = 0;
  done = false;
  /** Collections open around the current line; deeper documents are left to js-yaml and its limit. */
  private depth = 0;

  /**
   * Reads `text` from `start` to `limit` (a document of a file), looking no further: each of its lines
   * ends at a LF (or at `limit`, the end of the file or the start of the next document's `---`).
   */
  constructor(
    private readonly text: string,
    private readonly keys: KeyTable,
    start: number,
    private readonly limit: number,
  ) {
    this.following = start;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) giveUp();
  }

  /** Moves to the next line with content (neither blank nor a comment); false (and `done`) at the end. */
  next(): boolean {
    const text = this.text;
    const limit = this.limit;
    let position = this.following;
    while (position < limit) {
      let newline = text.indexOf('\n', position);
      if (newline < 0 || newline > limit) newline = limit;
      // A CR before the LF ends the line too (CRs anywhere else are left to js-yaml, see OUTSIDE_SUBSET).
      const end = newline > position && text.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
      let content = position;
      while (content < end && text.charCodeAt(content) === SPACE) content += 1;
      if (content < end && text.charCodeAt(content) !== HASH) {
        // `---` and `...` at the start of a line are document markers to js-yaml, space after them or not.
        if (content === position && isMarker(text, content)) giveUp();
        this.start = position;
        this.indent = content - position;
        this.content = content;
        this.end = end;
        this.following = newline + 1;
        return true;
      }
      position = newline + 1;
    }
    this.following = limit;
    this.done = true;
    return false;
  }

  /** Whether the current line's content is `- …` or a lone `-`. */
  isSequenceItem(): boolean {
    return this.isItemAt(this.content);
  }

  private isItemAt(at: number): boolean {
    if (this.text.charCodeAt(at) !== DASH) return false;
    return at + 1 === this.end || this.text.charCodeAt(at + 1) === SPACE;
  }

  /** A block sequence whose `-` are at column `indent`; starts on the current line. */
  sequence(indent: number): unknown[] {
    this.enter();
    const items: unknown[] = [];
    const text = this.text;
    while (!this.done && this.indent === indent && this.isSequenceItem()) {
      let at = this.content + 1;
      while (at < this.end && text.charCodeAt(at) === SPACE) at += 1;
      if (at === this.end || text.charCodeAt(at) === HASH) {
        this.next();
        const value = this.blockValue(indent, false);
        // After an empty item js-yaml takes the next `-` line into the same sequence, however little it is
        // indented; such a document is left to it.
        if (value === null && !this.done && this.indent < indent && this.isSequenceItem()) giveUp();
        items.push(value);
      } else if (this.isItemAt(at)) {
        giveUp(); // `- - a`: a compact nested sequence
      } else if (keyEnd(text, at, this.end) >= 0) {
        // `- key: value`: a mapping whose keys line up with this first one.
        this.content = at;
        this.indent = at - this.start;
        items.push(this.mapping(this.indent));
      } else {
        items.push(this.inlineValue(at));
        this.next();
        if (!this.done && this.indent > indent) giveUp(); // a scalar continued on the next line
      }
    }
    if (!this.done && this.indent > indent) giveUp();
    this.depth -= 1;
    return items;
  }

  /** A block mapping whose keys are at column `indent`; starts on the current line. */
  mapping(indent: number): Record<string, unknown> {
    this.enter();
    const result: Record<string, unknown> = {};
    const text = this.text;
    while (!this.done && this.indent === indent) {
      if (this.isSequenceItem()) giveUp();
      const colon = keyEnd(text, this.content, this.end);
      if (colon < 0) giveUp();
      let keyLast = colon;
      while (text.charCodeAt(keyLast - 1) === SPACE) keyLast -= 1;
      const key = this.keys.key(text, this.content, keyLast);
      if (Object.hasOwn(result, key)) giveUp(); // js-yaml reports the duplicate
      let at = colon + 1;
      while (at < this.end && text.charCodeAt(at) === SPACE) at += 1;
      if (at === this.end || text.charCodeAt(at) === HASH) {
        this.next();
        result[key] = this.blockValue(indent, true);
      } else {
        result[key] = this.inlineValue(at);
        this.next();
        if (!this.done && this.indent > indent) giveUp(); // a scalar continued on the next line
      }
    }
    if (!this.done && this.indent > indent) giveUp();
    this.depth -= 1;
    return result;
  }

  /**
   * The value of a key or item with nothing after it on its line: a block below it (indented further, or a
   * sequence at the key's own column), or null.
   */
  private blockValue(parent: number, sequenceAtSameIndent: boolean): unknown {
    if (this.done || this.indent < parent) return null;
    if (this.indent > parent)
      return this.isSequenceItem() ? this.sequence(this.indent) : this.mapping(this.indent);
    if (sequenceAtSameIndent && this.isSequenceItem()) return this.sequence(parent);
    return null;
  }

  /** A value written on its line after `key: ` or `- `, from `at` to the end of the line (or a comment). */
  private inlineValue(at: number): unknown {
    const text = this.text;
    const first = text.charCodeAt(at);
    let end: number;
    let value: unknown;
    if (first === QUOTE) {
      let close = at + 1;
      for (; close < this.end; close++) {
        const c = text.charCodeAt(close);
        if (c === QUOTE) break;
        if (c === BACKSLASH) giveUp(); // escapes are js-yaml's
      }
      if (close === this.end) giveUp();
      value = text.slice(at + 1, close);
      end = close + 1;
    } else if (first === APOSTROPHE) {
      ({ value, end } = singleQuoted(text, at, this.end));
    } else if (first === OPEN_BRACKET || first === OPEN_BRACE) {
      const flow = new FlowReader(text, this.end);
      value = flow.node(at);
      end = flow.position;
    } else {
      if (!startsPlain(text, at, this.end, false)) giveUp();
      // Up to a comment or the end of the line. `a: b` or a trailing `:` would start a mapping where none
      // may: js-yaml's error to report.
      end = this.end;
      for (let i = at + 1; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c === HASH && text.charCodeAt(i - 1) === SPACE) {
          end = i;
          break;
        }
        if (c === COLON && (i + 1 === this.end || text.charCodeAt(i + 1) === SPACE)) giveUp();
      }
      while (text.charCodeAt(end - 1) === SPACE) end -= 1;
      return resolvePlain(text.slice(at, end));
    }
    trailingComment(text, end, this.end);
    return value;
  }
}

/** Whether `---` or `...` starts at `at`. */
function isMarker(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return (c === DASH || c === DOT) && text.charCodeAt(at + 1) === c && text.charCodeAt(at + 2) === c;
}

/** Nothing but spaces, or spaces and a comment, may follow a quoted or flow value on its line. */
function trailingComment(text: string, from: number, end: number): void {
  if (from === end) return;
  if (text.charCodeAt(from) !== SPACE) giveUp();
  let at = from;
  while (at < end && text.charCodeAt(at) === SPACE) at += 1;
  if (at < end && text.charCodeAt(at) !== HASH) giveUp();
}

/** A single-quoted scalar on one line (`''` is a quote). */
function singleQuoted(text: string, at: number, lineEnd: number): { value: string; end: number } {
  let value = '';
  let from = at + 1;
  for (;;) {
    let close = from;
    while (close < lineEnd && text.charCodeAt(close) !== APOSTROPHE) close += 1;
    if (close === lineEnd) giveUp();
    value += text.slice(from, close);
    if (text.charCodeAt(close + 1) !== APOSTROPHE) return { value, end: close + 1 };
    value += "'";
    from = close + 2;
  }
}

/**
 * Where the key of a `key: value` line ends (its `:`), or -1 when the content from `at` is no such key.
 * Keys here are plain scalars; quoted, explicit (`?`) and other keys are left to js-yaml.
 */
function keyEnd(text: string, at: number, end: number): number {
  const first = text.charCodeAt(at);
  if (!startsPlain(text, at, end, false)) {
    if (first === QUOTE || first === APOSTROPHE || first === 0x3f /* ? */ || first === COLON) giveUp();
    return -1;
  }
  for (let i = at + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === COLON) {
      if (i + 1 === end || text.charCodeAt(i + 1) === SPACE) return i;
    } else if (c === HASH && text.charCodeAt(i - 1) === SPACE) {
      return -1;
    }
  }
  return -1;
}

/**
 * Manifests repeat a few hundred keys (`name`, `metadata`, `containerPort`) thousands of times. A table
 * looks each key up by a hash of its characters among the keys seen before, so a known key costs no new
 * string and the same string object keys every mapping (V8 looks it up faster than an equal copy). A
 * collision only replaces an entry: the table holds strings, never answers of its own. The keys are slices
 * of the text read, so a table lives as long as its caller keeps it (one file's documents), not longer.
 */
class KeyTable {
  private static readonly SIZE = 2048;
  private readonly seen: string[] = new Array<string>(KeyTable.SIZE).fill('');

  /** `plainKey` of `text.slice(start, end)`. */
  key(text: string, start: number, end: number): string {
    // The length and three characters tell a manifest's keys apart well enough, without a pass over each.
    const length = end - start;
    let hash = Math.imul(length, 31) + text.charCodeAt(start);
    hash = Math.imul(hash, 31) + text.charCodeAt(start + (length >> 1));
    hash = Math.imul(hash, 31) + text.charCodeAt(end - 1);
    hash ^= hash >>> 11;
    const slot = hash & (KeyTable.SIZE - 1);
    const seen = this.seen[slot]!;
    if (seen.length === end - start && text.startsWith(seen, start)) return seen;
    const scalar = text.slice(start, end);
    const key = plainKey(scalar);
    // Only a key that is its own text is kept (`1` keys "1", `null` keys "null": those are read each time).
    if (key === scalar) this.seen[slot] = key;
    return key;
  }
}

/** A plain key as js-yaml keeps it: the string of what the scalar resolves to (`1` → "1", `null` → "null"). */
function plainKey(scalar: string): string {
  // `<<` merges a mapping into this one: js-yaml's to do.
  if (scalar === '__proto__' || scalar === '<<') giveUp();
  const value = resolvePlain(scalar);
  return typeof value === 'string' ? value : String(value);
}

/** A flow collection (`[a, b]`, `{ cpu: 100m }`) that ends on the line it starts on. */
class FlowReader {
  position = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly end: number,
  ) {}

  node(at: number): unknown {
    this.position = at;
    return this.value();
  }

  private skipSpaces(): void {
    while (this.position < this.end && this.text.charCodeAt(this.position) === SPACE) this.position += 1;
  }

  private value(): unknown {
    this.skipSpaces();
    const c = this.text.charCodeAt(this.position);
    if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++this.depth > MAX_FLOW_DEPTH) giveUp();
      const collection = c === OPEN_BRACKET ? this.sequence() : this.mapping();
      this.depth -= 1;
      return collection;
    }
    if (c === QUOTE || c === APOSTROPHE) giveUp();
    return resolvePlain(this.plain());
  }

  /** A plain scalar inside a flow collection: up to `,`, `]` or `}`; anything subtler is js-yaml's. */
  private plain(): string {
    const text = this.text;
    const start = this.position;
    if (!startsPlain(text, start, this.end, true)) giveUp();
    let at = start;
    while (at < this.end) {
      const c = text.charCodeAt(at);
      if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE) break;
      if (
        c === COLON ||
        c === HASH ||
        c === OPEN_BRACKET ||
        c === OPEN_BRACE ||
        c === QUOTE ||
        c === BACKSLASH
      )
        giveUp();
      at += 1;
    }
    let last = at;
    while (text.charCodeAt(last - 1) === SPACE) last -= 1;
    if (last === start) giveUp();
    this.position = at;
    return text.slice(start, last);
  }

  private sequence(): unknown[] {
    const items: unknown[] = [];
    this.position += 1;
    this.skipSpaces();
    if (this.text.charCodeAt(this.position) === CLOSE_BRACKET) {
      this.position += 1;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.skipSpaces();
      const c = this.text.charCodeAt(this.position);
      this.position += 1;
      if (c === CLOSE_BRACKET) return items;
      if (c !== COMMA || this.position >= this.end) giveUp();
    }
  }

  private mapping(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const text = this.text;
    this.position += 1;
    this.skipSpaces();
    if (text.charCodeAt(this.position) === CLOSE_BRACE) {
      this.position += 1;
      return result;
    }
    for (;;) {
      this.skipSpaces();
      const start = this.position;
      if (!startsPlain(text, start, this.end, true)) giveUp();
      let colon = start;
      while (colon < this.end && !(text.charCodeAt(colon) === COLON && text.charCodeAt(colon + 1) === SPACE))
        colon += 1;
      if (colon === this.end) giveUp();
      let last = colon;
      while (text.charCodeAt(last - 1) === SPACE) last -= 1;
      const raw = text.slice(start, last);
      if (/[,[\]{}#:"'\\]/.test(raw)) giveUp();
      const key = plainKey(raw);
      if (Object.hasOwn(result, key)) giveUp();
      this.position = colon + 2;
      this.skipSpaces();
      const c = text.charCodeAt(this.position);
      if (c === COMMA || c === CLOSE_BRACE) giveUp(); // `{a: }`: left to js-yaml
      result[key] = this.value();
      this.skipSpaces();
      const after = text.charCodeAt(this.position);
      this.position += 1;
      if (after === CLOSE_BRACE) return result;
      if (after !== COMMA || this.position >= this.end) giveUp();
    }
  }
}
