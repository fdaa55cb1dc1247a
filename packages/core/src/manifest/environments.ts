import type { Notice, PositionFinder } from './source.js';
import { formatSourceRef } from './source.js';

/**
 * One object read from a file, as far as grouping needs it: who it is (two objects with one API group, kind,
 * namespace and name are the same object to the API server) and where it was written.
 */
export interface ObjectIdentity {
  /** Only its API group counts (`apps/v1` and `apps/v1beta1` name one object). */
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly positions: PositionFinder;
}

/** A source's name and the identities of the objects in it. */
export interface FileIdentities {
  readonly file: string;
  readonly objects: readonly ObjectIdentity[];
}

/** Sources grouped into environments: indices into the input, each group linked and judged on its own. */
export interface Environments {
  readonly groups: number[][];
  readonly notices: Notice[];
}

/** How many places a notice about one object shown more than once names at most. */
const SHOWN_COLLISIONS = 3;

interface DirectoryNode {
  readonly path: string;
  readonly directories: Map<string, DirectoryNode>;
  /** Sources directly in this directory. */
  readonly files: number[];
}

/**
 * Groups sources into environments. Repositories keep one application once per environment
 * (`overlays/staging`, `overlays/prod`, one Helm output per values file); linked together, the objects of
 * one environment would be taken for another's and findings lost. So the sources are grouped by the
 * directories they are in: the largest directory in which no object is defined twice is one group. Where a
 * directory holds one object twice in different files, its subdirectories (and each of its own files that
 * take part in that) become groups of their own; its other files (a shared Namespace or Ingress) join every
 * one of them. Objects defined twice within one group (one file, or standard input) stay together, with a
 * notice that names both places. Pure.
 */
export function groupEnvironments(files: readonly FileIdentities[]): Environments {
  const root: DirectoryNode = { path: '', directories: new Map(), files: [] };
  files.forEach((source, index) => {
    const parts = source.file.split('/');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      let child = node.directories.get(part);
      if (!child) {
        child = { path: node.path === '' ? part : `${node.path}/${part}`, directories: new Map(), files: [] };
        node.directories.set(part, child);
      }
      node = child;
    }
    node.files.push(index);
  });
  const notices: Notice[] = [];
  const all = files.map((_, index) => index);
  const whole = scan(all, files);
  // Most inputs are one environment: one pass finds that, and any object defined twice within a file.
  if (whole.collisions.length === 0) {
    return {
      groups: all.length > 0 ? [all] : [],
      notices: whole.duplicates.map((d) => duplicateNotice(d, files)),
    };
  }
  const groups: number[][] = [];
  split(root, [], files, groups, notices);
  const seen = new Set<string>();
  for (const group of groups) {
    // A shared file is in several groups: say what is wrong in it once.
    for (const duplicate of scan(group, files).duplicates) {
      const notice = duplicateNotice(duplicate, files);
      if (seen.has(notice.message)) continue;
      seen.add(notice.message);
      notices.push(notice);
    }
  }
  return { groups, notices };
}

function split(
  node: DirectoryNode,
  shared: readonly number[],
  files: readonly FileIdentities[],
  groups: number[][],
  notices: Notice[],
): void {
  const under = filesUnder(node);
  const { collisions } = scan(under, files);
  if (collisions.length === 0) {
    if (under.length > 0) groups.push([...shared, ...under]);
    return;
  }
  if (node.files.length === 0 && node.directories.size === 1) {
    // A directory with nothing but one subdirectory splits where that one does.
    split([...node.directories.values()][0]!, shared, files, groups, notices);
    return;
  }
  const involved = new Set(collisions.flatMap(([a, b]) => [a.file, b.file]));
  const shown = collisions
    .slice(0, SHOWN_COLLISIONS)
    .map(([a, b]) => `${labelOf(a.identity)} in ${placeOf(a, files)} and ${placeOf(b, files)}`)
    .join('; ');
  const more =
    collisions.length > SHOWN_COLLISIONS ? ` and ${collisions.length - SHOWN_COLLISIONS} more` : '';
  notices.push({
    code: 'environments',
    message: `${node.path === '' ? 'the input' : `${node.path}/`} defines the same objects more than once (${shown}${more}): each subdirectory and each such file is judged as an environment of its own`,
  });
  const ownShared = node.files.filter((file) => !involved.has(file));
  const nextShared = [...shared, ...ownShared];
  for (const child of [...node.directories.values()]) split(child, nextShared, files, groups, notices);
  for (const file of node.files) if (involved.has(file)) groups.push([...nextShared, file]);
}

function filesUnder(node: DirectoryNode): number[] {
  const out = [...node.files];
  for (const child of node.directories.values()) out.push(...filesUnder(child));
  return out;
}

interface Occurrence {
  readonly file: number;
  readonly identity: ObjectIdentity;
}

/**
 * Pairs of objects with one identity among the files `indices`, first occurrence first: `collisions` in
 * different files, `duplicates` within one. Keyed by name (a flat string the parser made) and compared on
 * the rest, which is cheaper than a key built for each object.
 */
function scan(
  indices: readonly number[],
  files: readonly FileIdentities[],
): { collisions: [Occurrence, Occurrence][]; duplicates: [Occurrence, Occurrence][] } {
  // The first object of each name directly, a list only for names that several objects share.
  const byName = new Map<string, Occurrence | Occurrence[]>();
  const collisions: [Occurrence, Occurrence][] = [];
  const duplicates: [Occurrence, Occurrence][] = [];
  for (const file of indices) {
    for (const identity of files[file]!.objects) {
      const entry = byName.get(identity.name);
      if (entry === undefined) {
        byName.set(identity.name, { file, identity });
        continue;
      }
      const bucket = Array.isArray(entry) ? entry : [entry];
      const seen = bucket.find((other) => sameObject(other.identity, identity));
      if (!seen) {
        bucket.push({ file, identity });
        if (bucket.length === 2) byName.set(identity.name, bucket);
      } else if (seen.file !== file) collisions.push([seen, { file, identity }]);
      else duplicates.push([seen, { file, identity }]);
    }
  }
  return { collisions, duplicates };
}

function sameObject(a: ObjectIdentity, b: ObjectIdentity): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && groupOf(a.apiVersion) === groupOf(b.apiVersion);
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function labelOf(identity: ObjectIdentity): string {
  return `${identity.kind} ${identity.namespace}/${identity.name}`;
}

/** A notice for an object defined twice within one group (which grouping cannot separate). */
function duplicateNotice(
  [first, second]: [Occurrence, Occurrence],
  files: readonly FileIdentities[],
): Notice {
  const at = second.identity.positions.positionOf([]);
  return {
    code: 'duplicate-object',
    message: `defined twice in one input, at ${placeOf(first, files)} and ${placeOf(second, files)}: both are kept in one environment and linked together (give each environment its own file or directory)`,
    object: labelOf(second.identity),
    ...(at ? { at } : {}),
  };
}

function placeOf(occurrence: Occurrence, files: readonly FileIdentities[]): string {
  const at = occurrence.identity.positions.positionOf([]);
  return at ? formatSourceRef(at) : files[occurrence.file]!.file;
}
