/** A place in an input file, 1-based. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Formats a place as `file:line:column`, the form editors and CI annotations understand. */
export function formatSourceRef(at: SourceRef): string {
  const file = escapeFileName(at.file);
  // Line 0 marks an object read live from a cluster: it has a name but no line.
  return at.line === 0 ? file : `${file}:${at.line}:${at.column}`;
}

/**
 * A file name as it can be printed on one line: a name with control characters (a newline would start a
 * line of its own, and could forge one in a CI log) is printed as a JSON string, escapes and quotes.
 */
export function escapeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  return /[\u0000-\u001f\u007f-\u009f]/.test(name) ? JSON.stringify(name) : name;
}

/** A problem with the input itself (unreadable file, malformed YAML, a field of the wrong type). */
export interface InputProblem {
  readonly at: SourceRef;
  readonly message: string;
  /** The object the problem is in, as `Kind ns/name`, when known. */
  readonly object?: string;
  /** The dotted path of the offending field, when there is one. */
  readonly field?: string;
}

/**
 * Something the reader or the linker chose not to judge, said so that nothing is skipped silently: a file
 * that holds no Kubernetes object, an Ingress whose class draingate cannot resolve. Not a problem: it does
 * not change the exit code.
 */
export interface Notice {
  /** A stable identifier of the kind of notice (`unresolved-ingress-class`, `not-kubernetes`, …). */
  readonly code: string;
  readonly message: string;
  readonly at?: SourceRef;
  /** The object the notice is about, as `Kind ns/name`, when there is one. */
  readonly object?: string;
}

/** Formats a notice as one line: `file:line:column: Kind ns/name: message`. */
export function formatNotice(notice: Notice): string {
  const parts: string[] = [];
  if (notice.at) parts.push(formatSourceRef(notice.at));
  if (notice.object) parts.push(notice.object);
  parts.push(notice.message);
  return parts.join(': ');
}

/** Formats an input problem as one line: `file:line:column: Kind ns/name: field: message`. */
export function formatInputProblem(problem: InputProblem): string {
  const parts = [formatSourceRef(problem.at)];
  if (problem.object) parts.push(problem.object);
  if (problem.field) parts.push(problem.field);
  parts.push(problem.message);
  return parts.join(': ');
}

/** Finds where the fields of one object were written. */
export interface PositionFinder {
  /** Where `path` was written, or its nearest written ancestor; undefined for an object read live. */
  positionOf(path: FieldPath): SourceRef | undefined;
}

/** The finder of an object read live from a cluster: it was written nowhere. */
export const NO_POSITIONS: PositionFinder = { positionOf: () => undefined };

/** A path into a manifest object, as the YAML has it (`['spec', 'template', 'spec', 'containers', 0]`). */
export type FieldPath = readonly (string | number)[];

/** Formats a field path the way `kubectl explain` does: `spec.template.spec.containers[0].lifecycle`. */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/**
 * A copy of a string that keeps nothing else alive. js-yaml returns every scalar of 13 or more characters as
 * a slice of its own copy of the document it parsed, so a kept apiVersion or annotation value would keep
 * that whole copy (see `LoadedDocument.privateText`). A new string costs ~80 ns.
 */
export function detach(value: string): string {
  return value.length < 13 ? value : (' ' + value).slice(1);
}

/** A string read from a parsed document, copied out only when it is a slice of a private copy (`detach`). */
export function keptString(value: string, privateText: boolean): string {
  return privateText ? detach(value) : value;
}
