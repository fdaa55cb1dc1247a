import * as jsYaml from 'js-yaml';
import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import type { Schema } from 'js-yaml';
import { BlockYamlReader, NOT_PLAIN } from './block-yaml.js';
import type { InputProblem } from './source.js';

// The first stage of reading manifests, on its own so that it can run away from the rest (a worker thread
// loads only this module and js-yaml): split a file into documents and parse each into plain data.

/** One `---`-separated document of a file, with the line it starts on. */
export interface DocumentText {
  readonly text: string;
  readonly firstLine: number;
  /** Where `text` is in the file's text: `source.slice(start, end)`, kept so positions need no copy of it. */
  readonly source: string;
  readonly start: number;
  readonly end: number;
}

/** Text of nothing but directives, comments and blank lines. */
const DIRECTIVES_ONLY = /^(?:[ \t]*(?:[%#][^\n]*)?\r?\n)*[ \t]*(?:[%#][^\n]*)?$/;

/**
 * Splits a YAML stream at its document markers. A `---` or `...` at the start of a line always separates
 * documents in YAML, so each document is parsed on its own and an error in one cannot hide the others.
 */
export function splitDocuments(text: string): DocumentText[] {
  const documents: DocumentText[] = [];
  let start = 0;
  let firstLine = 1;
  let line = 1;
  let position = 0;
  const push = (end: number): void => {
    const chunk = text.slice(start, end);
    // Directives (`%YAML 1.1`) belong to the document their `---` starts, which is parsed on its own. A
    // document that starts with a key (most do) is neither empty nor directives: no need to look further.
    if (startsWithKey(text, start, end) || (chunk.trim() !== '' && !DIRECTIVES_ONLY.test(chunk)))
      documents.push({ text: chunk, firstLine, source: text, start, end });
  };
  while (position <= text.length) {
    const newline = text.indexOf('\n', position);
    const end = newline < 0 ? text.length : newline;
    const first = text.charCodeAt(position);
    // Most lines start with neither `-` nor `.`: only those can be markers.
    if (
      (first === 45 || first === 46) &&
      (text.startsWith('---', position) || text.startsWith('...', position))
    ) {
      const after = text.charCodeAt(position + 3);
      if (Number.isNaN(after) || after === 10 || after === 13 || after === 32 || after === 9) {
        push(position);
        // Keep what follows `--- ` on the marker's line (`--- # comment`, `--- {}`), columns intact.
        const rest = text.slice(position + 3, end);
        start = position;
        firstLine = line;
        if (text.startsWith('...', position) || rest.trim() === '' || rest.trim().startsWith('#')) {
          start = newline < 0 ? text.length : newline + 1;
          firstLine = line + 1;
        } else {
          const own = `   ${rest}`;
          documents.push({ text: own, firstLine: line, source: own, start: 0, end: own.length });
          start = newline < 0 ? text.length : newline + 1;
          firstLine = line + 1;
        }
      }
    }
    if (newline < 0) break;
    position = newline + 1;
    line += 1;
  }
  push(text.length);
  return documents;
}

/** Whether the text from `start` begins with a letter (`apiVersion:`, `kind:`), so holds content. */
function startsWithKey(text: string, start: number, end: number): boolean {
  const c = text.charCodeAt(start) | 0x20;
  return start < end && c >= 0x61 && c <= 0x7a;
}

/** What parsing one document gave: its data (null for an empty document), or why it could not be read. */
export type LoadedDocument =
  | {
      readonly value: unknown;
      /**
       * Whether the value's long strings are slices of the parser's own copy of the document (js-yaml's),
       * which nothing else keeps: a string kept from it keeps that copy, so kept strings are copied out.
       * The block reader's strings are slices of the file's text, which the position finders keep anyway.
       */
      readonly privateText: boolean;
    }
  | { readonly problem: InputProblem };

// Rendered manifests almost never use aliases; the classic "billion laughs" needs 81.
export const DEFAULT_MAX_ALIAS_COUNT = 64;
/** What may be an alias; a cheap first count that also finds `*` in block scalars and quoted strings. */
const ALIAS = /(?<=[\s[{,:-])\*[^\s,[\]{}]+/g;

/**
 * The core schema (what Kubernetes accepts: no custom tags, no timestamps) with `<<` merge keys, which
 * kubectl and kustomize read (their YAML library honours them).
 */
export const MANIFEST_SCHEMA: Schema = (
  CORE_SCHEMA as unknown as { extend(definition: { implicit: unknown[] }): Schema }
).extend({
  // js-yaml exports its types; its type definitions do not.
  implicit: [(jsYaml as unknown as { types: { merge: unknown } }).types.merge],
});

/** A file that is not text at all, or undefined. Checked before splitting: such a file has no documents. */
export function binaryFileProblem(text: string, file: string): InputProblem | undefined {
  const nul = text.indexOf('\u0000');
  if (nul < 0) return undefined;
  // UTF-16 without a byte-order mark, read as UTF-8: every other character is a NUL.
  const utf16 = nul <= 1 && text.length >= 4 && (text[nul + 2] === '\u0000' || text[nul - 2] === '\u0000');
  return {
    at: { file, line: 1, column: 1 },
    message: utf16
      ? 'UTF-16 is not supported without a byte-order mark: save the file as UTF-8'
      : 'not a text file (contains NUL bytes)',
  };
}

/**
 * Parses one document with js-yaml's core schema (what Kubernetes accepts: no custom tags, no timestamps).
 * A document with more aliases than `maxAliases` is refused unparsed, as a likely resource-exhaustion attack.
 * Plain block YAML, most manifests, is read by a faster reader that gives the same result
 * (`block-yaml.ts`), one `reader` for the documents of a file; everything else, errors included, by js-yaml.
 */
export function loadDocument(
  document: DocumentText,
  file: string,
  maxAliases: number = DEFAULT_MAX_ALIAS_COUNT,
  reader: BlockYamlReader = new BlockYamlReader(document.text),
): LoadedDocument {
  if (
    document.text.includes('*') &&
    (document.text.match(ALIAS)?.length ?? 0) > maxAliases &&
    countAliases(document.text) > maxAliases
  ) {
    return {
      problem: {
        at: { file, line: document.firstLine, column: 1 },
        message: `document rejected: too many YAML aliases (over ${maxAliases}: a possible resource-exhaustion attack)`,
      },
    };
  }
  const plain = reader.read(document);
  if (plain !== NOT_PLAIN) return { value: plain, privateText: false };
  try {
    return {
      value: load(document.text, { schema: MANIFEST_SCHEMA, filename: file, json: false }),
      privateText: true,
    };
  } catch (error) {
    return { problem: yamlProblem(error, file, document) };
  }
}

/**
 * The aliases (`*name` nodes) of a document, not counting `*` in comments, quoted strings and block
 * scalars (a crontab in a ConfigMap). Run only when the cheap count is over the limit.
 */
export function countAliases(text: string): number {
  let count = 0;
  /** Lines indented more than this are a block scalar's content; -1 outside one. */
  let blockIndent = -1;
  for (const line of text.split(/\r\n|\r|\n/)) {
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent += 1;
    if (blockIndent >= 0) {
      if (indent > blockIndent || indent === line.length) continue;
      blockIndent = -1;
    }
    let quote = '';
    let previous = ' ';
    let lastToken = '';
    for (let i = indent; i < line.length; i++) {
      const c = line[i]!;
      if (quote !== '') {
        if (c === quote) quote = '';
        else if (c === '\\' && quote === '"') i += 1;
        previous = c;
        continue;
      }
      if (c === '#' && /\s/.test(previous)) break;
      const atTokenStart = /[\s[{,:-]/.test(previous) || i === indent;
      if (atTokenStart && (c === '"' || c === "'")) quote = c;
      else if (atTokenStart && c === '*' && i + 1 < line.length && !/[\s,[\]{}]/.test(line[i + 1]!))
        count += 1;
      if (!/\s/.test(c)) lastToken = atTokenStart ? c : lastToken + c;
      previous = c;
    }
    // `key: |`, `- >-`, `key: |2`: the lines below, indented further, are the scalar's content.
    if (quote === '' && /^[|>][-+0-9]*$/.test(lastToken)) blockIndent = indent;
  }
  return count;
}

function yamlProblem(error: unknown, file: string, document: DocumentText): InputProblem {
  const firstLine = document.firstLine;
  if (error instanceof YAMLException) {
    const line = firstLine + (error.mark?.line ?? 0);
    const column = (error.mark?.column ?? 0) + 1;
    if (error.reason === 'duplicated mapping key' && error.mark) {
      const first = firstKeyLine(document.text, error.mark.line, error.mark.column);
      if (first !== undefined)
        return {
          at: { file, line, column },
          message: `invalid YAML: duplicated mapping key (first at line ${firstLine + first}; kubectl would keep this one, YAML forbids both)`,
        };
    }
    return { at: { file, line, column }, message: `invalid YAML: ${error.reason}` };
  }
  return {
    at: { file, line: firstLine, column: 1 },
    message: `invalid YAML: ${error instanceof Error ? error.message : String(error)}`,
  };
}

/**
 * The line (0-based, in the document) of the first of two equal keys, given where js-yaml found the second:
 * the nearest line above at the same column with the same key, within the same mapping (no line between
 * them indented less). Undefined when it cannot tell (flow mappings, quoted keys).
 */
function firstKeyLine(text: string, line: number, column: number): number | undefined {
  const lines = text.split(/\r\n|\r|\n/);
  const keyOf = (content: string): string | undefined =>
    /^([^\s#'"{[][^:#]*?)\s*:(?:\s|$)/.exec(content)?.[1];
  const second = lines[line];
  if (second === undefined) return undefined;
  const key = keyOf(second.slice(column));
  if (key === undefined) return undefined;
  for (let i = line - 1; i >= 0; i--) {
    const candidate = lines[i]!;
    let indent = 0;
    while (candidate.charCodeAt(indent) === 32) indent += 1;
    if (indent === candidate.length || candidate[indent] === '#') continue;
    // After `- ` (one or more), the content of an item starts further right.
    let content = indent;
    while (candidate.startsWith('- ', content)) {
      content += 2;
      while (candidate.charCodeAt(content) === 32) content += 1;
    }
    if (content === column && keyOf(candidate.slice(column)) === key) return i;
    // Left of the key's column: the mapping (or the item whose mapping it is) started below this line.
    if (indent < column) return undefined;
  }
  return undefined;
}
