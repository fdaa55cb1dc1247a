import { CORE_SCHEMA, load } from 'js-yaml';

/** A source's name and text, as far as finding kustomize patches needs them. */
interface NamedText {
  readonly file: string;
  readonly text: string;
}

const KUSTOMIZATION_FILE = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

/**
 * The files kustomizations in the input name as patches, each with the kustomization that names it. A
 * patch is a part of an object (a strategic-merge patch names a Deployment but has no pod template), not
 * an object to judge: judged, it would be an input problem or a false finding. Pure: paths are resolved
 * against the kustomization's own name.
 */
export function findKustomizePatches(sources: readonly NamedText[]): Map<string, string> {
  const patches = new Map<string, string>();
  for (const source of sources) {
    if (!KUSTOMIZATION_FILE.test(source.file)) continue;
    let data: unknown;
    try {
      data = load(source.text, { schema: CORE_SCHEMA });
    } catch {
      continue; // not ours to report: the kustomization itself is skipped with a notice
    }
    if (typeof data !== 'object' || data === null) continue;
    const fields = data as Record<string, unknown>;
    const named: unknown[] = [];
    for (const key of ['patches', 'patchesJson6902', 'replacements']) {
      const list = fields[key];
      if (Array.isArray(list))
        for (const item of list)
          if (item && typeof item === 'object') named.push((item as { path?: unknown }).path);
    }
    const strategic = fields['patchesStrategicMerge'];
    if (Array.isArray(strategic)) named.push(...strategic);
    const dir = source.file.includes('/') ? source.file.slice(0, source.file.lastIndexOf('/')) : '';
    for (const path of named) {
      // An inline patch (a YAML string with line breaks) names no file.
      if (typeof path !== 'string' || path.includes('\n') || path === '') continue;
      patches.set(joinPath(dir, path), source.file);
    }
  }
  return patches;
}

/** `dir/path` with `.` and `..` resolved, as the reader names files (POSIX separators). */
export function joinPath(dir: string, path: string): string {
  const parts = path.startsWith('/') ? [] : dir.split('/').filter((part) => part !== '' && part !== '.');
  const absolute = path.startsWith('/') || (dir.startsWith('/') && !path.startsWith('/'));
  const up: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!absolute) up.push('..');
    } else parts.push(part);
  }
  const joined = [...up, ...parts].join('/');
  return absolute ? `/${joined}` : joined;
}

/**
 * The kustomizations to render, of those found (each named by its directory, POSIX separators): every one
 * that no other refers to as a resource, base or component, as overlays are. A base that only overlays
 * use is rendered through them. Pure.
 */
export function findKustomizeRoots(kustomizations: readonly { dir: string; text: string }[]): string[] {
  const dirs = new Set(kustomizations.map((k) => k.dir));
  const referenced = new Set<string>();
  for (const { dir, text } of kustomizations) {
    let data: unknown;
    try {
      data = load(text, { schema: CORE_SCHEMA });
    } catch {
      continue; // kustomize says what is wrong with it when it renders
    }
    if (typeof data !== 'object' || data === null) continue;
    const fields = data as Record<string, unknown>;
    for (const key of ['resources', 'bases', 'components']) {
      const list = fields[key];
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        if (typeof item !== 'string') continue;
        const target = joinPath(dir, item);
        if (dirs.has(target)) referenced.add(target);
      }
    }
  }
  return [...dirs].filter((dir) => !referenced.has(dir)).sort();
}
