import { describeType, describeValue } from '../manifest/parse.js';
import type { ManifestObject } from '../manifest/parse.js';
import type { FieldPath, InputProblem, PositionFinder, SourceRef } from '../manifest/source.js';
import { formatFieldPath, keptString } from '../manifest/source.js';
import type { ObjectRef, Provenance } from './provenance.js';

/** The path of a reader of a whole object; one for all of them. */
const WHOLE_OBJECT: FieldPath = [];

/**
 * Reads fields of an untrusted manifest object. Every read validates the type and records a precise
 * problem (file:line, field, value) instead of throwing; a normalizer drops an object that had any.
 */
export class FieldReader {
  readonly ref: ObjectRef;
  readonly kind: string;
  readonly apiVersion: string;
  /** The reader of the whole object (this one, but for `within` readers): a problem anywhere fails it. */
  readonly #root: FieldReader;
  #failed = false;
  /** Where this reader reads from, as a path from the object's root (empty but for `within` readers). */
  readonly path: FieldPath;
  /** The parsed value at `path`; dropped by `release()` once normalized, so only positions stay in memory. */
  #body: unknown;
  readonly #problems: InputProblem[];
  readonly #positions: PositionFinder;
  /** Whether strings read are copied out of the parsed document (`ManifestObject.privateText`). */
  readonly #privateText: boolean;

  constructor(object: ManifestObject, problems: InputProblem[], defaultNamespace: string);
  /** A reader of the fields under `base` of the object `parent` reads (see `within`). */
  constructor(parent: FieldReader, base: FieldPath);
  constructor(
    from: ManifestObject | FieldReader,
    problemsOrBase: InputProblem[] | FieldPath,
    defaultNamespace?: string,
  ) {
    this.kind = from.kind;
    this.apiVersion = from.apiVersion;
    if (from instanceof FieldReader) {
      const base = problemsOrBase as FieldPath;
      this.ref = from.ref;
      this.#root = from.#root;
      this.path = from.path.concat(base);
      this.#body = from.raw(base);
      this.#problems = from.#problems;
      this.#positions = from.#positions;
      this.#privateText = from.#privateText;
    } else {
      this.#root = this;
      this.path = WHOLE_OBJECT;
      this.#body = from.body;
      this.#problems = problemsOrBase as InputProblem[];
      this.#positions = from.positions;
      this.#privateText = from.privateText === true;
      this.ref = new LazyObjectRef(from.kind, from.name, from.namespace ?? defaultNamespace!, from.positions);
    }
  }

  /**
   * A reader of the fields under `path` (a container, a port): it reads from there instead of walking
   * from the root for every field, and still names full paths in problems, positions and provenance.
   */
  within(path: FieldPath): FieldReader {
    return new FieldReader(this, path);
  }

  /** The object's reference in another namespace: cluster-scoped objects name none, or are one. */
  refInNamespace(namespace: string): ObjectRef {
    return new LazyObjectRef(this.ref.kind, this.ref.name, namespace, this.#positions);
  }

  /** Forgets the parsed object: normalizers read it once; later stages only need positions. */
  release(): void {
    this.#body = undefined;
  }

  /** Whether any read so far was invalid. */
  get ok(): boolean {
    return !this.#root.#failed;
  }

  at(path: FieldPath): SourceRef | undefined {
    return this.#positions.positionOf(this.#fromRoot(path));
  }

  /**
   * Provenance of an explicit field, with its position. `label` names the field instead of its path (a
   * function when building the name costs more than reading the field: it runs only if a message quotes it).
   */
  field(path: FieldPath, label?: string | (() => string)): Provenance {
    return new FieldProvenance(this.ref, this.path, path, label, this.#positions);
  }

  /** A lazily positioned annotation provenance; `path` defaults to the object's own annotation. */
  annotation(key: string, path?: FieldPath, attribute?: string): Provenance {
    return new AnnotationProvenance(this.ref, key, attribute, path && this.#fromRoot(path), this.#positions);
  }

  /** `path`, relative to this reader, as a path from the object's root. */
  #fromRoot(path: FieldPath): FieldPath {
    return this.path.length === 0 ? path : this.path.concat(path);
  }

  raw(path: FieldPath): unknown {
    let value: unknown = this.#body;
    for (const part of path) {
      if (value === null || value === undefined) return undefined;
      if (typeof part === 'number') {
        value = Array.isArray(value) ? value[part] : undefined;
      } else {
        value =
          typeof value === 'object' && !Array.isArray(value)
            ? (value as Record<string, unknown>)[part]
            : undefined;
      }
    }
    return value;
  }

  report(path: FieldPath, message: string): void {
    const fromRoot = this.#fromRoot(path);
    this.#root.#failed = true;
    this.#problems.push({
      at: this.#positions.positionOf(fromRoot) ?? liveSource(this.ref),
      object: `${this.ref.kind} ${this.ref.namespace}/${this.ref.name}`,
      field: formatFieldPath(fromRoot),
      message,
    });
  }

  string(path: FieldPath): string | undefined {
    const value = this.raw(path);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.report(path, `must be a string, got ${describeValue(value)}`);
      return undefined;
    }
    return keptString(value, this.#privateText);
  }

  integer(path: FieldPath, bounds: { min?: number; max?: number } = {}): number | undefined {
    const value = this.raw(path);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.report(path, `must be an integer, got ${describeValue(value)}`);
      return undefined;
    }
    if (bounds.min !== undefined && value < bounds.min) {
      this.report(path, `must be at least ${bounds.min}, got ${value}`);
      return undefined;
    }
    if (bounds.max !== undefined && value > bounds.max) {
      this.report(path, `must be at most ${bounds.max}, got ${value}`);
      return undefined;
    }
    return value;
  }

  boolean(path: FieldPath): boolean | undefined {
    const value = this.raw(path);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      this.report(path, `must be true or false, got ${describeValue(value)}`);
      return undefined;
    }
    return value;
  }

  /** An int-or-string (ports, maxSurge): an integer, or a string such as a port name or `25%`. */
  intOrString(path: FieldPath): number | string | undefined {
    const value = this.raw(path);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string' && value !== '') return keptString(value, this.#privateText);
    this.report(path, `must be an integer or a string, got ${describeValue(value)}`);
    return undefined;
  }

  mapping(path: FieldPath): Record<string, unknown> | undefined {
    const value = this.raw(path);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.report(path, `must be a mapping, got ${describeType(value)}`);
      return undefined;
    }
    return value as Record<string, unknown>;
  }

  list(path: FieldPath): unknown[] {
    const value = this.raw(path);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.report(path, `must be a list, got ${describeType(value)}`);
      return [];
    }
    return value;
  }

  /**
   * Labels, annotations, selectors: a mapping of strings (numbers and booleans are Kubernetes errors too;
   * a null value is the empty string, as the API server reads it).
   * A valid mapping from the block reader is returned as parsed, not copied; an absent one is a shared empty
   * mapping. A `__proto__` key (no valid label or annotation key) is dropped, as a copy always dropped it.
   */
  stringMap(path: FieldPath): Readonly<Record<string, string>> {
    const value = this.mapping(path);
    if (!value) return NO_ENTRIES;
    let valid = true;
    let nulls = false;
    for (const key of Object.keys(value)) {
      const entry = value[key];
      // `key:` with no value: the API server's decoder reads null into a string as "" and accepts it.
      if (entry === null) nulls = true;
      else if (typeof entry !== 'string') {
        this.report([...path, key], `must be a string, got ${describeValue(entry)}`);
        valid = false;
      }
    }
    if (valid && !nulls && !this.#privateText && !Object.hasOwn(value, '__proto__'))
      return value as Record<string, string>;
    const out: Record<string, string> = {};
    for (const key of Object.keys(value)) {
      const entry = value[key];
      if (key === '__proto__') continue;
      if (typeof entry === 'string') out[key] = keptString(entry, this.#privateText);
      else if (entry === null) out[key] = '';
    }
    return out;
  }
}

/** The mapping of an absent label, annotation or selector field; frozen, as every reader hands it out. */
const NO_ENTRIES: Readonly<Record<string, string>> = Object.freeze({});

/** Where a problem in an object read from a cluster is reported: the object itself, no line. */
export function liveSource(ref: ObjectRef): SourceRef {
  return { file: `${ref.kind}/${ref.namespace}/${ref.name}`, line: 0, column: 0 };
}

// The three classes below stand for plain objects with getters. They are classes because every normalized
// object holds several: V8 keeps an object literal with its own getters in slow dictionary mode, several
// times the size of a class instance whose getters live on the prototype, and allocating one costs a
// runtime call. Reading them is the same; only their own enumerable keys differ (the getters are inherited).

/** An object read from a manifest; where it starts is looked up on first read, as most are never named. */
class LazyObjectRef implements ObjectRef {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  #source: SourceRef | undefined;
  readonly #positions: PositionFinder;

  constructor(kind: string, name: string, namespace: string, positions: PositionFinder) {
    this.kind = kind;
    this.name = name;
    this.namespace = namespace;
    this.#positions = positions;
  }

  get source(): SourceRef | undefined {
    return (this.#source ??= this.#positions.positionOf([]));
  }
}

/**
 * An explicit field; its label and position are worked out only when a message reads them. The path is kept
 * as the reader's base and the path below it, both usually shared (a constant, a reader's own), and joined
 * only then: models keep tens of thousands of provenances, and an array each is most of their memory.
 */
class FieldProvenance {
  readonly kind = 'field';
  readonly object: ObjectRef;
  readonly #base: FieldPath;
  readonly #path: FieldPath;
  readonly #label: string | (() => string) | undefined;
  readonly #positions: PositionFinder;

  constructor(
    object: ObjectRef,
    base: FieldPath,
    path: FieldPath,
    label: string | (() => string) | undefined,
    positions: PositionFinder,
  ) {
    this.object = object;
    this.#base = base;
    this.#path = path;
    this.#label = label;
    this.#positions = positions;
  }

  get field(): string {
    const label = this.#label;
    return typeof label === 'function' ? label() : (label ?? formatFieldPath(this.#fullPath()));
  }

  get at(): SourceRef | undefined {
    return this.#positions.positionOf(this.#fullPath());
  }

  #fullPath(): FieldPath {
    return this.#base.length === 0 ? this.#path : this.#base.concat(this.#path);
  }
}

/** An annotation (or one `key=value` attribute in it); its position is looked up only when read. */
class AnnotationProvenance {
  readonly kind = 'annotation';
  readonly object: ObjectRef;
  readonly annotation: string;
  readonly key: string | undefined;
  /** Where the annotation is written; undefined for the object's own `metadata.annotations`. */
  readonly #path: FieldPath | undefined;
  readonly #positions: PositionFinder;

  constructor(
    object: ObjectRef,
    annotation: string,
    attribute: string | undefined,
    path: FieldPath | undefined,
    positions: PositionFinder,
  ) {
    this.object = object;
    this.annotation = annotation;
    // As before: no key unless an attribute was named (an empty one included).
    this.key = attribute ? attribute : undefined;
    this.#path = path;
    this.#positions = positions;
  }

  get at(): SourceRef | undefined {
    return this.#positions.positionOf(this.#path ?? ['metadata', 'annotations', this.annotation]);
  }
}
