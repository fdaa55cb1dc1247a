import { BlockYamlReader } from './block-yaml.js';
import { binaryFileProblem, DEFAULT_MAX_ALIAS_COUNT, loadDocument, splitDocuments } from './documents.js';
import { DocumentPositions } from './positions.js';
import { keptString } from './source.js';
import type { FieldPath, InputProblem, Notice, PositionFinder, SourceRef } from './source.js';

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
  /** Files and documents skipped on purpose (not Kubernetes objects), said so. */
  readonly notices: Notice[];
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
  const { problems, skippedDocuments, notices } = parseEachManifest(
    text,
    file,
    (object) => objects.push(object),
    options,
  );
  return { objects, problems, skippedDocuments, notices };
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
  const notices: Notice[] = [];
  text = normalizeLineEnds(text);
  const binary = binaryFileProblem(text, file);
  if (binary) return { problems: [binary], skippedDocuments: 0, notices };
  const maxAliases = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  const skipped: SkippedDocument[] = [];
  let objects = 0;
  const count = (object: ManifestObject): void => {
    objects += 1;
    visit(object);
  };
  let documents = 0;
  const reader = new BlockYamlReader(text);
  for (const document of splitDocuments(text)) {
    documents += 1;
    const loaded = loadDocument(document, file, maxAliases, reader);
    if ('problem' in loaded) {
      // YAML that does not parse and never names an apiVersion or a kind is another tool's file (a compose
      // override with custom tags, a templated values file), not a broken manifest.
      if (MENTIONS_OBJECT.test(document.text)) problems.push(loaded.problem);
      else
        skipped.push({
          at: loaded.problem.at,
          what: `YAML draingate cannot read (${loaded.problem.message}) without an apiVersion or a kind`,
        });
      continue;
    }
    const data = loaded.value;
    const at = (): SourceRef => ({ file, line: document.firstLine, column: 1 });
    if (data === null || data === undefined) continue;
    if (Array.isArray(data)) {
      // A list at the top is another tool's file (an Ansible playbook, a JSON array), never an object.
      skipped.push({ at: at(), what: 'a list at the top' });
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
      // A lone scalar is most often a mapping with a typo (`kind Deployment`, a missing colon).
      problems.push({
        at: positions.positionOf([]),
        message: `a manifest document must be a mapping, got ${describeType(data)}`,
      });
      continue;
    }
    const notObject = notAnObject(data);
    if (notObject !== undefined) {
      skipped.push({ at: at(), what: notObject });
      continue;
    }
    collectObjects(data, DOCUMENT_ROOT, positions, loaded.privateText, count, problems, (what) =>
      skipped.push({ at: at(), what }),
    );
  }
  if (objects === 0 && problems.length === 0) {
    notices.push({
      code: 'not-kubernetes',
      at: { file, line: 1, column: 1 },
      message:
        documents === 0
          ? 'skipped: the file is empty'
          : `skipped: holds no Kubernetes object (${describeSkipped(skipped)})`,
    });
  } else {
    for (const document of skipped) {
      notices.push({
        code: 'not-kubernetes',
        at: document.at,
        message: `document skipped: ${document.what}, not a Kubernetes object`,
      });
    }
  }
  return { problems, skippedDocuments: skipped.length, notices };
}

/**
 * The text with a byte-order mark dropped (it is no column of line 1) and old Mac line ends (a CR alone)
 * made LFs, so that documents split and lines count as an editor shows them. Text without either is
 * returned as it is, uncopied.
 */
function normalizeLineEnds(text: string): string {
  const bom = text.charCodeAt(0) === 0xfeff;
  const body = bom ? text.slice(1) : text;
  const cr = body.indexOf('\r');
  if (cr < 0 || !LONE_CR.test(body)) return body;
  return body.replace(LONE_CR_ALL, '\n');
}

const LONE_CR = /\r(?!\n)/;
const LONE_CR_ALL = /\r(?!\n)/g;

/** A line that starts with an `apiVersion` or `kind` key, as every manifest has. */
const MENTIONS_OBJECT = /^[ -]*["']?(?:apiVersion|kind)["']?[ \t]*:/m;

/**
 * The kinds draingate judges or links (see `normalizeObject`). An object of another kind without a name
 * is skipped, not refused: config files of other tools (`NodeConfig`, test reports) borrow apiVersion and
 * kind but are never sent to the API server.
 */
const READ_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Rollout',
  'Service',
  'Ingress',
  'IngressClass',
  'IngressClassParams',
  'TargetGroupBinding',
  'Namespace',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'ScaledObject',
  'GatewayClass',
  'Gateway',
  'HTTPRoute',
  'GRPCRoute',
  'TCPRoute',
  'UDPRoute',
  'TLSRoute',
  'ListenerSet',
  'ReferenceGrant',
  'TargetGroupConfiguration',
  'LoadBalancerConfiguration',
]);

interface SkippedDocument {
  readonly at: SourceRef;
  readonly what: string;
}

const KUSTOMIZE_GROUP = 'kustomize.config.k8s.io/';

/**
 * Why a mapping is no Kubernetes object, or undefined when it may be one: a kustomize Kustomization or
 * Component, a Helm `Chart.yaml`, or a mapping with neither a kind nor metadata (values files, compose
 * files, CI workflows). A mapping with metadata but no kind is an object with a mistake, reported as such.
 */
function notAnObject(data: Record<string, unknown>): string | undefined {
  const apiVersion = data['apiVersion'];
  const kind = data['kind'];
  if (typeof apiVersion === 'string' && apiVersion.startsWith(KUSTOMIZE_GROUP))
    return `a kustomize ${typeof kind === 'string' ? kind : 'file'} (render it: kustomize build DIR | draingate validate -)`;
  if (
    kind === undefined &&
    (apiVersion === 'v1' || apiVersion === 'v2') &&
    'name' in data &&
    'version' in data
  )
    return 'a Helm Chart.yaml (render the chart: helm template DIR | draingate validate -)';
  if (kind === undefined && data['metadata'] === undefined)
    return apiVersion === undefined
      ? 'a mapping without apiVersion and kind'
      : 'a mapping with an apiVersion but no kind or metadata';
  return undefined;
}

/** What the documents of a file without objects were, for its notice. */
function describeSkipped(skipped: readonly SkippedDocument[]): string {
  const kinds = [...new Set(skipped.map((document) => document.what))];
  return kinds.length === 0 ? 'only comments or empty documents' : kinds.join('; ');
}

function collectObjects(
  data: Record<string, unknown>,
  root: FieldPath,
  positions: DocumentPositions,
  privateText: boolean,
  visit: (object: ManifestObject) => void,
  problems: InputProblem[],
  skip: (what: string) => void,
): void {
  const apiVersion = data['apiVersion'];
  const kind = data['kind'];
  if (apiVersion === undefined && kind === undefined) {
    skip('a mapping without apiVersion and kind');
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
  if (!READ_KINDS.has(kind) && (!isPlainObject(metadata) || typeof metadata['name'] !== 'string')) {
    skip(`a ${kind} without metadata.name, which draingate does not read`);
    return;
  }
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
