import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import { DocumentPositions } from './positions.js';
import type { FieldPath, InputProblem, SourceRef } from './source.js';

/** One Kubernetes object read from a manifest, with a way back to where each of its fields was written. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
  /** The object as plain data. Untrusted: normalizers validate every field they read. */
  readonly body: Readonly<Record<string, unknown>>;
  /** Where the object starts; undefined for objects read live from a cluster. */
  readonly source: SourceRef | undefined;
  /** Where a field was written (the nearest written ancestor when it is absent); undefined when live. */
  positionOf(path: FieldPath): SourceRef | undefined;
}

export interface ParseOptions {
  /** Aliases allowed per document before it is rejected as a resource-exhaustion attempt. */
  readonly maxAliasCount?: number;
}

export interface ParsedManifests {
  readonly objects: ManifestObject[];
  readonly problems: InputProblem[];
  /** Documents that are not Kubernetes objects (no apiVersion/kind) or are empty. */
  readonly skippedDocuments: number;
}

// Rendered manifests almost never use aliases; the classic "billion laughs" needs 81.
const DEFAULT_MAX_ALIAS_COUNT = 64;
const ALIAS = /(?<=[\s[{,:-])\*[^\s,[\]{}]+/g;
/** The path of an object that is a whole document; shared, as every such object's position lookup keeps it. */
const DOCUMENT_ROOT: FieldPath = [];

/** One `---`-separated document of a file, with the line it starts on. */
interface DocumentText {
  readonly text: string;
  readonly firstLine: number;
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
    if (chunk.trim() !== '') documents.push({ text: chunk, firstLine });
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
          documents.push({ text: `   ${rest}`, firstLine: line });
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

/**
 * Parses multi-document YAML (or JSON) into Kubernetes objects with source positions. `kind: List` (as
 * `kubectl get -o yaml` prints it) is flattened into its items. A malformed document becomes a problem with
 * its position and does not hide the others.
 */
export function parseManifests(text: string, file: string, options: ParseOptions = {}): ParsedManifests {
  const objects: ManifestObject[] = [];
  const { problems, skippedDocuments } = parseEachManifest(
    text,
    file,
    (object) => objects.push(object),
    options,
  );
  return { objects, problems, skippedDocuments };
}

/**
 * `parseManifests`, handing each object to `visit` as soon as its document is parsed. A caller that
 * normalizes objects as they come lets each parsed document go at once instead of holding a whole file's:
 * the garbage collector then copies far less.
 */
export function parseEachManifest(
  text: string,
  file: string,
  visit: (object: ManifestObject) => void,
  options: ParseOptions = {},
): Omit<ParsedManifests, 'objects'> {
  const problems: InputProblem[] = [];
  let skippedDocuments = 0;
  if (text.includes('\u0000')) {
    return {
      problems: [{ at: { file, line: 1, column: 1 }, message: 'not a text file (contains NUL bytes)' }],
      skippedDocuments,
    };
  }
  const maxAliases = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  const skip = (): void => {
    skippedDocuments += 1;
  };
  for (const document of splitDocuments(text)) {
    if (document.text.includes('*') && (document.text.match(ALIAS)?.length ?? 0) > maxAliases) {
      problems.push({
        at: { file, line: document.firstLine, column: 1 },
        message: `document rejected: too many YAML aliases (over ${maxAliases}: a possible resource-exhaustion attack)`,
      });
      continue;
    }
    let data: unknown;
    try {
      data = load(document.text, { schema: CORE_SCHEMA, filename: file, json: false });
    } catch (error) {
      problems.push(yamlProblem(error, file, document.firstLine));
      continue;
    }
    if (data === null || data === undefined) {
      skippedDocuments += 1;
      continue;
    }
    const positions = new DocumentPositions(file, document.text, document.firstLine);
    if (!isPlainObject(data)) {
      problems.push({
        at: positions.positionOf([]),
        message: `a manifest document must be a mapping, got ${describeType(data)}`,
      });
      continue;
    }
    collectObjects(data, DOCUMENT_ROOT, positions, visit, problems, skip);
  }
  return { problems, skippedDocuments };
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

function collectObjects(
  data: Record<string, unknown>,
  root: FieldPath,
  positions: DocumentPositions,
  visit: (object: ManifestObject) => void,
  problems: InputProblem[],
  skip: () => void,
): void {
  const apiVersion = data['apiVersion'];
  const kind = data['kind'];
  if (apiVersion === undefined && kind === undefined) {
    skip();
    return;
  }
  const at = positionFinder(positions, root);
  const prefix = root.length > 0 ? `${root[0]}[${String(root[1])}].` : '';
  if (typeof kind !== 'string' || kind === '') {
    problems.push({
      at: at(['kind']),
      field: `${prefix}kind`,
      message: `must be a non-empty string, got ${describeValue(kind)}`,
    });
    return;
  }
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    problems.push({
      at: at(['apiVersion']),
      object: kind,
      field: `${prefix}apiVersion`,
      message: `must be a non-empty string, got ${describeValue(apiVersion)}`,
    });
    return;
  }
  if (root.length === 0 && (kind === 'List' || (kind.endsWith('List') && Array.isArray(data['items'])))) {
    const items = data['items'];
    if (!Array.isArray(items)) {
      problems.push({
        at: at(['items']),
        object: kind,
        field: 'items',
        message: `must be a list of objects, got ${describeType(items)}`,
      });
      return;
    }
    items.forEach((item, index) => {
      if (!isPlainObject(item)) {
        problems.push({
          at: at(['items', index]),
          object: kind,
          field: `items[${index}]`,
          message: `must be an object, got ${describeType(item)}`,
        });
        return;
      }
      collectObjects(item, ['items', index], positions, visit, problems, skip);
    });
    return;
  }
  const metadata = data['metadata'];
  if (!isPlainObject(metadata)) {
    problems.push({
      at: at(['metadata']),
      object: kind,
      field: `${prefix}metadata`,
      message: `must be a mapping with a name, got ${describeType(metadata)}`,
    });
    return;
  }
  const name = metadata['name'];
  if (typeof name !== 'string' || name === '') {
    problems.push({
      at: at(['metadata', 'name']),
      object: kind,
      field: `${prefix}metadata.name`,
      message: `must be a non-empty string, got ${describeValue(name)}`,
    });
    return;
  }
  const namespace = metadata['namespace'];
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace === '')) {
    problems.push({
      at: at(['metadata', 'namespace']),
      object: `${kind} ${name}`,
      field: `${prefix}metadata.namespace`,
      message: `must be a non-empty string, got ${describeValue(namespace)}`,
    });
    return;
  }
  visit(new ParsedManifestObject(apiVersion, kind, name, namespace as string | undefined, data, at));
}

/**
 * A parsed object. A class, not a literal with a `source` getter of its own, which V8 would keep in slow
 * dictionary mode; positions are still computed on first use, as most objects are never pointed at.
 */
class ParsedManifestObject implements ManifestObject {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
    readonly name: string,
    readonly namespace: string | undefined,
    readonly body: Record<string, unknown>,
    readonly positionOf: (path: FieldPath) => SourceRef,
  ) {}

  get source(): SourceRef {
    return this.positionOf([]);
  }
}

/**
 * A field-position lookup for one object. Built apart from `collectObjects` so that the closure keeps only
 * the document's positions alive, not the parsed documents around it.
 */
function positionFinder(positions: DocumentPositions, root: FieldPath): (path: FieldPath) => SourceRef {
  return (path) => positions.positionOf(path, root);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Describes a value for an error message without echoing a huge or hostile one back. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return describeType(value);
}

/** The YAML-ish name of a value's type. */
export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}
