import { describeType, describeValue } from '../manifest/parse.js';
import type { ManifestObject } from '../manifest/parse.js';
import type { FieldPath, InputProblem, SourceRef } from '../manifest/source.js';
import { formatFieldPath } from '../manifest/source.js';
import type { ObjectRef, Provenance } from './provenance.js';

/**
 * Reads fields of an untrusted manifest object. Every read validates the type and records a precise
 * problem (file:line, field, value) instead of throwing; a normalizer drops an object that had any.
 */
export class FieldReader {
  readonly ref: ObjectRef;
  readonly kind: string;
  readonly apiVersion: string;
  private failed = false;
  /** The parsed object; dropped by `release()` once normalized, so only positions stay in memory. */
  private body: Readonly<Record<string, unknown>> | undefined;
  private readonly positionOf: (path: FieldPath) => SourceRef | undefined;

  constructor(
    object: ManifestObject,
    private readonly problems: InputProblem[],
    defaultNamespace: string,
  ) {
    this.kind = object.kind;
    this.apiVersion = object.apiVersion;
    this.body = object.body;
    const positionOf = object.positionOf;
    this.positionOf = positionOf;
    let source: SourceRef | undefined;
    this.ref = {
      kind: object.kind,
      name: object.name,
      namespace: object.namespace ?? defaultNamespace,
      get source() {
        return (source ??= positionOf([]));
      },
    };
  }

  /** Forgets the parsed object: normalizers read it once; later stages only need positions. */
  release(): void {
    this.body = undefined;
  }

  /** Whether any read so far was invalid. */
  get ok(): boolean {
    return !this.failed;
  }

  at(path: FieldPath): SourceRef | undefined {
    return this.positionOf(path);
  }

  /** Provenance of an explicit field, with its position. */
  field(path: FieldPath, label?: string): Provenance {
    const positionOf = this.positionOf;
    // The position is looked up only when someone reads it: most values never reach a message.
    return {
      kind: 'field',
      object: this.ref,
      get field() {
        return label ?? formatFieldPath(path);
      },
      get at() {
        return positionOf(path);
      },
    };
  }

  /** A lazily positioned annotation provenance. */
  annotation(
    key: string,
    path: FieldPath = ['metadata', 'annotations', key],
    attribute?: string,
  ): Provenance {
    const positionOf = this.positionOf;
    return {
      kind: 'annotation',
      object: this.ref,
      annotation: key,
      ...(attribute ? { key: attribute } : {}),
      get at() {
        return positionOf(path);
      },
    };
  }

  raw(path: FieldPath): unknown {
    let value: unknown = this.body;
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
    this.failed = true;
    this.problems.push({
      at: this.at(path) ?? liveSource(this.ref),
      object: `${this.ref.kind} ${this.ref.namespace}/${this.ref.name}`,
      field: formatFieldPath(path),
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
    return value;
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
    if (typeof value === 'string' && value !== '') return value;
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

  /** Labels, annotations, selectors: a mapping of strings (numbers and booleans are Kubernetes errors too). */
  stringMap(path: FieldPath): Record<string, string> {
    const value = this.mapping(path);
    if (!value) return {};
    const out: Record<string, string> = {};
    for (const [key, entry] of Object.entries(value)) {
      if (typeof entry !== 'string') {
        this.report([...path, key], `must be a string, got ${describeValue(entry)}`);
        continue;
      }
      out[key] = entry;
    }
    return out;
  }
}

/** Where a problem in an object read from a cluster is reported: the object itself, no line. */
export function liveSource(ref: ObjectRef): SourceRef {
  return { file: `${ref.kind}/${ref.namespace}/${ref.name}`, line: 0, column: 0 };
}
