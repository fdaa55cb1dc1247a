// Narrow readers over JSON the API server returned. Objects read through CustomObjectsApi arrive as `any`;
// these keep every access typed without trusting the shape.

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** `value` when it is a JSON object (not an array), else undefined. */
export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

/** The value at `path` below `root`, or undefined when any step is missing or not an object. */
export function at(root: unknown, ...path: readonly string[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    const object = asObject(current);
    if (object === undefined) return undefined;
    current = object[key];
  }
  return current;
}

/** The string at `path`, or undefined. */
export function stringAt(root: unknown, ...path: readonly string[]): string | undefined {
  const value = at(root, ...path);
  return typeof value === 'string' ? value : undefined;
}

/** The finite number at `path`, or undefined. */
export function numberAt(root: unknown, ...path: readonly string[]): number | undefined {
  const value = at(root, ...path);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The boolean at `path`, or undefined. */
export function booleanAt(root: unknown, ...path: readonly string[]): boolean | undefined {
  const value = at(root, ...path);
  return typeof value === 'boolean' ? value : undefined;
}

/** The array at `path`, or an empty array. */
export function arrayAt(root: unknown, ...path: readonly string[]): readonly unknown[] {
  const value = at(root, ...path);
  return Array.isArray(value) ? value : [];
}

/** The string-valued entries of the object at `path` (labels, annotations, matchLabels). */
export function stringMapAt(root: unknown, ...path: readonly string[]): Record<string, string> {
  const object = asObject(at(root, ...path));
  const out: Record<string, string> = {};
  if (object === undefined) return out;
  for (const [key, value] of Object.entries(object)) if (typeof value === 'string') out[key] = value;
  return out;
}

/** A deep copy of JSON data (structuredClone keeps Dates; the API's JSON has none). */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}

/** Structural equality of JSON values, ignoring key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  const oa = asObject(a);
  const ob = asObject(b);
  if (oa === undefined || ob === undefined) return false;
  const keysA = Object.keys(oa).filter((k) => oa[k] !== undefined);
  const keysB = Object.keys(ob).filter((k) => ob[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => Object.hasOwn(ob, key) && jsonEqual(oa[key], ob[key]));
}
