// Reads charts/draingate/values.yaml the way helm-docs does: a `# -- text` comment (continued by the `#` lines
// under it) documents the key that follows, and everything below a documented key is its default. Used to check
// that every key is documented and to keep the chart README's values table equal to values.yaml.

import { parse } from 'yaml';

export interface ValueRow {
  readonly key: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

export interface ValuesDocs {
  readonly rows: ValueRow[];
  /** Leaf keys with no `# --` comment on them or on a parent. */
  readonly undocumented: string[];
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return typeof value;
}

function at(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

/** The documented keys of a values.yaml text, in file order. */
export function readValuesDocs(text: string): ValuesDocs {
  const values: unknown = parse(text);
  const rows: ValueRow[] = [];
  const undocumented: string[] = [];
  const stack: { indent: number; key: string }[] = [];
  let comment: string[] | undefined;
  let skipDeeperThan: number | undefined;
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    const trimmed = line.trim();
    if (skipDeeperThan !== undefined) {
      if (trimmed === '' || indent > skipDeeperThan) continue;
      skipDeeperThan = undefined;
    }
    if (trimmed === '') {
      comment = undefined;
      continue;
    }
    if (trimmed.startsWith('# --')) {
      comment = [trimmed.slice(4).trim()];
      continue;
    }
    if (trimmed.startsWith('#')) {
      // Continuation of a `# --` comment; lines indented further (`#   key: value`) are examples, left out.
      if (comment && !/^#\s{2,}/.test(trimmed)) comment.push(trimmed.slice(1).trim());
      continue;
    }
    const match = /^([A-Za-z0-9_.-]+):(.*)$/.exec(trimmed);
    if (!match) continue;
    const key = match[1] ?? '';
    const rest = (match[2] ?? '').replace(/\s+#.*$/, '').trim();
    while (stack.length > 0 && (stack.at(-1)?.indent ?? 0) >= indent) stack.pop();
    const path = [...stack.map((s) => s.key), key];
    if (comment) {
      const value = at(values, path);
      rows.push({
        key: path.join('.'),
        type: typeOf(value),
        default: JSON.stringify(value),
        description: comment.join(' ').replace(/\s+/g, ' '),
      });
      comment = undefined;
      skipDeeperThan = indent;
      continue;
    }
    if (rest === '') stack.push({ indent, key });
    else undocumented.push(path.join('.'));
  }
  return { rows, undocumented };
}

/** The Markdown table of the chart README. */
export function renderValuesTable(rows: readonly ValueRow[]): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  return [
    '| key | type | default | description |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (row) => `| \`${cell(row.key)}\` | ${row.type} | \`${cell(row.default)}\` | ${cell(row.description)} |`,
    ),
  ].join('\n');
}
