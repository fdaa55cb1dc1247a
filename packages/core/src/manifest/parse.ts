import { binaryFileProblem, DEFAULT_MAX_ALIAS_COUNT, loadDocument, splitDocuments } from './documents.js';
import { DocumentPositions } from './positions.js';
import { keptString } from './source.js';
import type { FieldPath, InputProblem, PositionFinder, SourceRef } from './source.js';

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
  /** What finds the positions, apart from the object: keeping it keeps the file's text, not the body. */
  readonly positions: PositionFinder;
  /** Whether strings of `body` kept beyond normalizing must be copied (`LoadedDocument.privateText`). */
  readonly privateText?: boolean;
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

/** The path of an object that is a whole document; shared, as every such object's position lookup keeps it. */
const DOCUMENT_ROOT: FieldPath = [];

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
  const binary = binaryFileProblem(text, file);
  if (binary) return { problems: [binary], skippedDocuments };
  const maxAliases = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  const skip = (): void => {
    skippedDocuments += 1;
  };
  for (const document of splitDocuments(text)) {
    const loaded = loadDocument(document, file, maxAliases);
    if ('problem' in loaded) {
      problems.push(loaded.problem);
      continue;
    }
    const data = loaded.value;
    if (data === null || data === undefined) {
      skippedDocuments += 1;
      continue;
    }
    const positions = new DocumentPositions(
      file,
      document.source,
      document.firstLine,
      document.start,
      document.end,
    );
    if (!isPlainObject(data)) {
      problems.push({
        at: positions.positionOf([]),
        message: `a manifest document must be a mapping, got ${describeType(data)}`,
      });
      continue;
    }
    collectObjects(data, DOCUMENT_ROOT, positions, loaded.privateText, visit, problems, skip);
  }
  return { problems, skippedDocuments };
}

function collectObjects(
  data: Record<string, unknown>,
  root: FieldPath,
  positions: DocumentPositions,
  privateText: boolean,
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
  const finder = positionFinder(positions, root);
  const at = (path: FieldPath): SourceRef => finder.positionOf(path);
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
      collectObjects(item, ['items', index], positions, privateText, visit, problems, skip);
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
  visit(
    new ParsedManifestObject(
      keptString(apiVersion, privateText),
      keptString(kind, privateText),
      keptString(name, privateText),
      namespace === undefined ? undefined : keptString(namespace as string, privateText),
      data,
      finder,
      privateText,
    ),
  );
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
    readonly positions: DocumentPositions | ListItemPositions,
    readonly privateText: boolean,
  ) {}

  positionOf(path: FieldPath): SourceRef {
    return this.positions.positionOf(path);
  }

  get source(): SourceRef {
    return this.positions.positionOf([]);
  }
}

/** The positions of an object that is an item of a `kind: List` document. */
class ListItemPositions implements PositionFinder {
  constructor(
    private readonly document: DocumentPositions,
    private readonly root: FieldPath,
  ) {}

  positionOf(path: FieldPath): SourceRef {
    return this.document.positionOf(path, this.root);
  }
}

/**
 * The position finder of one object: the document's own for a whole document (most objects), one that
 * looks under the item's path for an item of a List.
 */
function positionFinder(
  positions: DocumentPositions,
  root: FieldPath,
): ListItemPositions | DocumentPositions {
  return root.length === 0 ? positions : new ListItemPositions(positions, root);
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
