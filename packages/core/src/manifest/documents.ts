import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import { NOT_PLAIN, readBlockYaml } from './block-yaml.js';
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
    if (chunk.trim() !== '') documents.push({ text: chunk, firstLine, source: text, start, end });
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
const ALIAS = /(?<=[\s[{,:-])\*[^\s,[\]{}]+/g;

/** A file that is not text at all, or undefined. Checked before splitting: such a file has no documents. */
export function binaryFileProblem(text: string, file: string): InputProblem | undefined {
  return text.includes('\u0000')
    ? { at: { file, line: 1, column: 1 }, message: 'not a text file (contains NUL bytes)' }
    : undefined;
}

/**
 * Parses one document with js-yaml's core schema (what Kubernetes accepts: no custom tags, no timestamps).
 * A document with more aliases than `maxAliases` is refused unparsed, as a likely resource-exhaustion attack.
 * Plain block YAML, most manifests, is read by a faster reader that gives the same result
 * (`block-yaml.ts`); everything else, errors included, by js-yaml.
 */
export function loadDocument(
  document: DocumentText,
  file: string,
  maxAliases: number = DEFAULT_MAX_ALIAS_COUNT,
): LoadedDocument {
  if (document.text.includes('*') && (document.text.match(ALIAS)?.length ?? 0) > maxAliases) {
    return {
      problem: {
        at: { file, line: document.firstLine, column: 1 },
        message: `document rejected: too many YAML aliases (over ${maxAliases}: a possible resource-exhaustion attack)`,
      },
    };
  }
  const plain = readBlockYaml(document.text);
  if (plain !== NOT_PLAIN) return { value: plain, privateText: false };
  try {
    return {
      value: load(document.text, { schema: CORE_SCHEMA, filename: file, json: false }),
      privateText: true,
    };
  } catch (error) {
    return { problem: yamlProblem(error, file, document.firstLine) };
  }
}

function yamlProblem(error: unknown, file: string, firstLine: number): InputProblem {
  if (error instanceof YAMLException) {
    const line = firstLine + (error.mark?.line ?? 0);
    const column = (error.mark?.column ?? 0) + 1;
    return { at: { file, line, column }, message: `invalid YAML: ${error.reason}` };
  }
  return {
    at: { file, line: firstLine, column: 1 },
    message: `invalid YAML: ${error instanceof Error ? error.message : String(error)}`,
  };
}
