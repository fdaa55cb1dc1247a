import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { FieldPath, PositionFinder, SourceRef } from './source.js';

/**
 * Finds where a field was written in one YAML document, lazily: positions are only needed for the few
 * fields a finding or a problem points at, so parsing stays a single fast pass.
 *
 * The fast path reads block-style YAML (what people and Helm write) by indentation. When it cannot follow
 * a path all the way (flow style, JSON, quoted keys), the document is parsed once more with a full YAML
 * parser that tracks every node's range, and the answer is exact.
 */
export class DocumentPositions implements PositionFinder {
  private lines: { indent: number; text: string }[] | undefined;
  private exact: ReturnType<typeof parseDocument> | undefined;
  private exactCounter: LineCounter | undefined;

  constructor(
    private readonly file: string,
    /** The text the document is in: its file's (which the model keeps anyway), or its own. */
    private readonly source: string,
    /** 1-based line of the document's first line in the file. */
    private readonly firstLine: number,
    /** Where the document is in `source`. */
    private readonly start = 0,
    private readonly end = source.length,
  ) {}

  /** The document's text; sliced again when needed rather than kept, as most documents are never pointed at. */
  private get text(): string {
    return this.source.slice(this.start, this.end);
  }

  /**
   * The position of `path`, or of its deepest written ancestor; `root` is where the object starts. The
   * exact parser runs only when the fast scan stopped on something it cannot read (flow style, JSON).
   */
  positionOf(path: FieldPath, root: FieldPath = []): SourceRef {
    const full = root.length === 0 ? path : [...root, ...path];
    const fast = this.scan(full);
    if (fast.depth === full.length || fast.certain) return fast.at;
    return this.exactPosition(full) ?? fast.at;
  }

  /**
   * Follows `path` through block-style YAML by indentation. `certain` says a shortfall is real (the key is
   * not in its block mapping, or the value is a plain scalar) rather than a style the scan does not read.
   */
  private scan(path: FieldPath): { at: SourceRef; depth: number; certain: boolean } {
    const lines = (this.lines ??= this.text.split('\n').map((text) => ({ indent: indentOf(text), text })));
    let from = firstContentLine(lines, 0, lines.length);
    let to = lines.length;
    const indent = from < lines.length ? lines[from]!.indent : 0;
    let best: SourceRef = this.ref(Math.max(0, from), Math.max(0, indent));
    let depth = 0;
    // The column where the current mapping's keys start (after `- ` on an item's first line).
    let keyColumn = indent;
    const blockStyle = (line: number): boolean => {
      const c = lines[line]?.text[keyColumn];
      return c !== '{' && c !== '[' && c !== '"' && c !== "'";
    };
    for (const part of path) {
      if (typeof part === 'string') {
        const found = findKey(lines, from, to, keyColumn, part);
        if (found === undefined) return { at: best, depth, certain: from < lines.length && blockStyle(from) };
        best = this.ref(found, keyColumn);
        const end = blockEnd(lines, found, to, keyColumn);
        const rest = lines[found]!.text.slice(keyColumn + keyLength(lines[found]!.text, keyColumn)).trim();
        if (
          rest !== '' &&
          !rest.startsWith('#') &&
          !rest.startsWith('&') &&
          !rest.startsWith('|') &&
          !rest.startsWith('>')
        ) {
          // A value on the key's own line ends the walk: a plain scalar has no fields; flow style needs the
          // exact parser.
          depth += 1;
          if (depth < path.length) return { at: best, depth, certain: !/^[[{]/.test(rest) };
          continue;
        }
        const next = firstContentLine(lines, found + 1, end);
        if (next >= end) {
          depth += 1;
          if (depth < path.length) return { at: best, depth, certain: true };
          continue;
        }
        from = next;
        to = end;
        keyColumn = lines[next]!.indent;
        depth += 1;
      } else {
        const item = findItem(lines, from, to, keyColumn, part);
        if (item === undefined) return { at: best, depth, certain: from < lines.length && blockStyle(from) };
        const itemEnd = nextItem(lines, item + 1, to, keyColumn);
        const content =
          keyColumn +
          1 +
          (lines[item]!.text.slice(keyColumn + 1).length -
            lines[item]!.text.slice(keyColumn + 1).trimStart().length);
        from = item;
        to = itemEnd;
        keyColumn = content;
        best = this.ref(item, content);
        depth += 1;
      }
    }
    return { at: best, depth, certain: true };
  }

  private exactPosition(path: FieldPath): SourceRef | undefined {
    if (!this.exact) {
      this.exactCounter = new LineCounter();
      this.exact = parseDocument(this.text, { lineCounter: this.exactCounter, uniqueKeys: false });
    }
    let node: unknown = this.exact.contents;
    let best: number | undefined = (node as { range?: [number] } | null)?.range?.[0];
    for (const part of path) {
      if (isMap(node) && typeof part === 'string') {
        const pair = node.items.find(
          (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === part,
        );
        if (!pair) break;
        best = (pair.key as { range?: [number] }).range?.[0] ?? best;
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part] as { range?: [number] } | undefined;
        if (!item) break;
        best = item.range?.[0] ?? best;
        node = item;
      } else break;
    }
    if (best === undefined || !this.exactCounter) return undefined;
    const pos = this.exactCounter.linePos(best);
    return { file: this.file, line: this.firstLine + pos.line - 1, column: pos.col };
  }

  private ref(lineIndex: number, column: number): SourceRef {
    return { file: this.file, line: this.firstLine + lineIndex, column: column + 1 };
  }
}

function indentOf(text: string): number {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) === 32) i++;
  return i;
}

function isContent(text: string, indent: number): boolean {
  return indent < text.length && text[indent] !== '#' && text.trim() !== '';
}

function firstContentLine(lines: { indent: number; text: string }[], from: number, to: number): number {
  let i = from;
  while (i < to && !isContent(lines[i]!.text, lines[i]!.indent)) i++;
  return i;
}

/** The line of `key:` at exactly `column` within [from, to), where the key may follow a `- ` on `from`. */
function findKey(
  lines: { indent: number; text: string }[],
  from: number,
  to: number,
  column: number,
  key: string,
): number | undefined {
  for (let i = from; i < to; i++) {
    const line = lines[i]!;
    if (!isContent(line.text, line.indent)) continue;
    if (i !== from && line.indent < column) return undefined;
    const atColumn =
      i === from ? line.text.length > column && line.text[column] !== ' ' : line.indent === column;
    if (atColumn && startsWithKey(line.text, column, key)) return i;
  }
  return undefined;
}

function startsWithKey(text: string, column: number, key: string): boolean {
  if (text.startsWith(key, column)) {
    const after = text.charCodeAt(column + key.length);
    if (after === 58 /* : */) {
      const next = text.charCodeAt(column + key.length + 1);
      return Number.isNaN(next) || next === 32 || next === 13;
    }
    return false;
  }
  const quote = text[column];
  if ((quote === '"' || quote === "'") && text.startsWith(`${quote}${key}${quote}:`, column)) return true;
  return false;
}

function keyLength(text: string, column: number): number {
  const colon = text.indexOf(':', column);
  return colon < 0 ? text.length - column : colon - column + 1;
}

/** The end (exclusive) of the value block of the key on line `at`, whose key is at `column`. */
function blockEnd(lines: { indent: number; text: string }[], at: number, to: number, column: number): number {
  for (let i = at + 1; i < to; i++) {
    const line = lines[i]!;
    if (!isContent(line.text, line.indent)) continue;
    // Kubernetes style puts a sequence's `- ` at the key's own column.
    if (
      line.indent < column ||
      (line.indent === column && !line.text.startsWith('- ', column) && line.text.trimEnd() !== '-')
    )
      return i;
    if (line.indent === column && (line.text.startsWith('- ', column) || line.text.trimEnd() === '-')) {
      // A sequence at the key's column belongs to the key only if the key's value is empty on its line.
      const ownLine = lines[at]!.text;
      const rest = ownLine.slice(column + keyLength(ownLine, column)).trim();
      if (rest !== '' && !rest.startsWith('#')) return i;
    }
  }
  return to;
}

/** The line of the `index`-th `- ` item at `column` within [from, to). */
function findItem(
  lines: { indent: number; text: string }[],
  from: number,
  to: number,
  column: number,
  index: number,
): number | undefined {
  let seen = -1;
  for (let i = from; i < to; i++) {
    const line = lines[i]!;
    if (!isContent(line.text, line.indent)) continue;
    if (line.indent < column) return undefined;
    if (line.indent === column) {
      if (!(line.text.startsWith('- ', column) || line.text.trimEnd().endsWith('-'))) return undefined;
      seen += 1;
      if (seen === index) return i;
    }
  }
  return undefined;
}

function nextItem(
  lines: { indent: number; text: string }[],
  from: number,
  to: number,
  column: number,
): number {
  for (let i = from; i < to; i++) {
    const line = lines[i]!;
    if (!isContent(line.text, line.indent)) continue;
    if (line.indent <= column) return i;
  }
  return to;
}
