import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { BlockYamlReader, NOT_PLAIN, readBlockYaml } from './block-yaml.js';
import { MANIFEST_SCHEMA, splitDocuments } from './documents.js';

/** What js-yaml makes of a document with the schema manifests are loaded with, or the error it raises. */
function jsYaml(text: string): { value: unknown } | { error: string } {
  try {
    return { value: load(text, { schema: MANIFEST_SCHEMA }) };
  } catch (error) {
    return { error: String(error) };
  }
}

describe('the block YAML reader', () => {
  const read = [
    {
      name: 'a Deployment as people and Helm write it',
      text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: web\n          ports:\n            - containerPort: 8080\n              name: http\n',
      value: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: {
          replicas: 3,
          template: {
            spec: { containers: [{ name: 'web', ports: [{ containerPort: 8080, name: 'http' }] }] },
          },
        },
      },
    },
    {
      name: 'a sequence at its key’s own column, then the next key',
      text: 'args:\n- a\n- b\nnext: 1\n',
      value: { args: ['a', 'b'], next: 1 },
    },
    {
      name: 'comments, blank lines and trailing comments',
      text: '# Source: chart/templates/x.yaml\na: 1 # one\n\n  # indented comment\nb: "two" # two\nc: # nothing here\n',
      value: { a: 1, b: 'two', c: null },
    },
    {
      name: 'scalars resolved by the core schema, quoted ones left as written',
      text: "a: 0x1F\nb: 1_000\nc: .5\nd: ~\ne: \"true\"\nf: yes\ng: 2024-01-01\nh: 'it''s'\ni: True\nj: -.inf\nk: 25%\n",
      value: {
        a: 31,
        b: '1_000',
        c: 0.5,
        d: null,
        e: 'true',
        f: 'yes',
        g: '2024-01-01',
        h: "it's",
        i: true,
        j: -Infinity,
        k: '25%',
      },
    },
    {
      name: 'keys that resolve to numbers or null become their strings, as js-yaml keeps them',
      text: '1: a\n0x10: b\nnull: c\n',
      value: { '1': 'a', '16': 'b', null: 'c' },
    },
    {
      name: 'one-line flow collections of plain scalars',
      text: 'resources: { cpu: 100m, memory: 128Mi }\ncommand: [sleep, 30, -x]\nempty: []\nnone: {}\n',
      value: {
        resources: { cpu: '100m', memory: '128Mi' },
        command: ['sleep', 30, '-x'],
        empty: [],
        none: {},
      },
    },
    {
      name: 'CRLF line ends',
      text: 'a: 1 # c\r\nb:\r\n  - x\r\n  - [y, z]\r\n\r\n',
      value: { a: 1, b: ['x', ['y', 'z']] },
    },
    {
      name: 'text beyond ASCII',
      text: '# ports → targets — see below\nnote: café — ok\n',
      value: { note: 'café — ok' },
    },
    {
      name: 'colons and hashes inside plain scalars',
      text: 'image: registry.example.com/app:1.0\nurl: http://x/#frag\nnote: a#b\n',
      value: { image: 'registry.example.com/app:1.0', url: 'http://x/#frag', note: 'a#b' },
    },
  ];
  it.each(read)('reads $name exactly as js-yaml does', ({ text, value }) => {
    expect(readBlockYaml(text)).toEqual(value);
    expect(jsYaml(text)).toEqual({ value });
  });

  const leftToJsYaml = [
    { name: 'an anchor and an alias', text: 'a: &x 1\nb: *x\n' },
    { name: 'a tag', text: 'a: !!str 1\n' },
    { name: 'a block scalar', text: 'a: |\n  line\n' },
    { name: 'a plain scalar over two lines', text: 'a: one\n  two\n' },
    { name: 'a quoted scalar over two lines', text: 'a: "one\n  two"\n' },
    { name: 'an escape in double quotes', text: 'a: "tab\\there"\n' },
    { name: 'a tab', text: 'a:\tb\n' },
    { name: 'a CR on its own (a line break to YAML)', text: 'a: 1\rb: 2\n' },
    { name: 'an empty item, then a less indented item (js-yaml takes it in)', text: '-\n -\n-' },
    {
      name: 'an empty item of a nested sequence, then an item of the outer one',
      text: 'items:\n- name: a\n  args:\n  -\n- name: b\n',
    },
    { name: 'a document marker with no space after it', text: '---x: 1\n' },
    { name: 'a document marker after a comment', text: '# c\n---a: b\n' },
    { name: 'a document end marker before more content', text: 'a: 1\n... b: 2\n' },
    { name: 'a byte-order mark', text: '\ufeffa: 1\n' },
    { name: 'a character outside the Basic Multilingual Plane', text: 'a: \u{1F600}\n' },
    { name: 'a duplicated key (js-yaml reports it)', text: 'a: 1\na: 2\n' },
    { name: 'a __proto__ key', text: '__proto__: 1\n' },
    { name: 'a << merge key with a flow mapping', text: 'a:\n  <<: {b: 1}\n  c: 2\n' },
    { name: 'a << merge key in a flow mapping', text: 'a: {<<: {b: 1}, c: 2}\n' },
    { name: 'a quoted key', text: '"a": 1\n' },
    { name: 'an explicit key', text: '? a\n: 1\n' },
    { name: 'a mapping on a value’s line', text: 'a: b: c\n' },
    { name: 'a compact nested sequence', text: '- - a\n' },
    { name: 'a flow collection over two lines', text: 'a: [1,\n  2]\n' },
    { name: 'a flow mapping entry without a value', text: 'a: {b}\n' },
    { name: 'a trailing comma in a flow sequence', text: 'a: [1, ]\n' },
    { name: 'a key indented deeper than its siblings', text: 'a: 1\n  b: 2\n' },
    { name: 'a sequence item indented less than its siblings', text: 'a:\n  - 1\n - 2\n' },
    { name: 'a document that is a scalar', text: 'just text\n' },
    { name: 'a document of comments only', text: '# nothing\n' },
    { name: 'a directive', text: '%YAML 1.2\n---\na: 1\n' },
    {
      name: 'nesting 45 levels deep',
      text: Array.from({ length: 45 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'),
    },
    {
      name: 'nesting 10,000 levels deep (no stack overflow)',
      text: Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i)}- `).join('\n'),
    },
  ];
  it.each(leftToJsYaml)('leaves $name to js-yaml', ({ text }) => {
    expect(readBlockYaml(text)).toBe(NOT_PLAIN);
  });

  it('reads a 10 MB scalar', () => {
    const long = 'x'.repeat(10_000_000);
    expect(readBlockYaml(`a: ${long}\n`)).toEqual({ a: long });
  });

  it('gives js-yaml’s answer for every document of the examples, the rule fixtures and the chart it reads', () => {
    const root = join(import.meta.dirname, '../../../..');
    const files = ['examples', 'charts', 'packages/core/src/rules/fixtures'].flatMap((dir) =>
      yamlFiles(join(root, dir)),
    );
    let answered = 0;
    for (const file of files) {
      for (const document of splitDocuments(readFileSync(file, 'utf8'))) {
        const value = readBlockYaml(document.text);
        if (value === NOT_PLAIN) continue;
        answered += 1;
        expect({ file, line: document.firstLine, ...jsYaml(document.text) }).toEqual({
          file,
          line: document.firstLine,
          value,
        });
      }
    }
    expect(answered).toBeGreaterThan(60);
  });

  it('gives js-yaml’s answer, or leaves the document to it, on 4,000 generated tricky documents', () => {
    const random = seededRandom(2);
    let answered = 0;
    let left = 0;
    for (let i = 0; i < 4_000; i++) {
      const text = generateDocument(random);
      const value = readBlockYaml(text);
      if (value === NOT_PLAIN) {
        left += 1;
        continue;
      }
      answered += 1;
      // Equal values and equal key order: what the reader answers is what js-yaml would have.
      const expected = jsYaml(text);
      expect({ text, ...expected }).toEqual({ text, value });
      expect(JSON.stringify(value)).toBe(JSON.stringify((expected as { value: unknown }).value));
      // The same document with CRLF line ends reads the same, or is left to js-yaml.
      const crlf = text.replaceAll('\n', '\r\n');
      const crlfValue = readBlockYaml(crlf);
      if (crlfValue !== NOT_PLAIN) expect({ crlf, ...jsYaml(crlf) }).toEqual({ crlf, value: crlfValue });
    }
    // Both outcomes are exercised, so the comparison above cannot pass by never running.
    expect(answered).toBeGreaterThan(1_000);
    expect(left).toBeGreaterThan(1_000);
  });
});

describe('one reader for the documents of a file', () => {
  /** Every document of `text`, read in place by one reader and alone by `readBlockYaml`. */
  function bothWays(text: string): { inPlace: unknown; alone: unknown; line: number }[] {
    const reader = new BlockYamlReader(text);
    return splitDocuments(text).map((document) => ({
      inPlace: reader.read(document),
      alone: readBlockYaml(document.text),
      line: document.firstLine,
    }));
  }

  it('reads each of 1,000 generated documents of one file as it reads the document alone', () => {
    const random = seededRandom(7);
    const documents = Array.from({ length: 1_000 }, () => generateDocument(random));
    const text = documents
      .map((document) => (document.endsWith('\n') ? document : `${document}\n`))
      .join('---\n');
    const read = bothWays(text);
    expect(read).toHaveLength(1_000);
    for (const { inPlace, alone, line } of read)
      expect({ line, value: inPlace }).toEqual({ line, value: alone });
    // Both outcomes occur, so the comparison covers documents read and documents left to js-yaml.
    expect(read.filter(({ alone }) => alone !== NOT_PLAIN).length).toBeGreaterThan(200);
    expect(read.filter(({ alone }) => alone === NOT_PLAIN).length).toBeGreaterThan(200);
  });

  it('leaves only the document with a tab to js-yaml, and reads the others of its file', () => {
    const text = 'a: 1\n---\nb: "x\ty"\n---\nc: 3\n';
    expect(bothWays(text).map(({ inPlace }) => inPlace)).toEqual([{ a: 1 }, NOT_PLAIN, { c: 3 }]);
  });

  it('stops each document at its own end, though the file goes on', () => {
    // Read on, the first document's `a` would take the next one's `b` as its value.
    const text = 'a:\n---\n  b: 1\n';
    expect(bothWays(text).map(({ inPlace }) => inPlace)).toEqual([{ a: null }, { b: 1 }]);
  });

  it('keys every mapping right after 5,000 different keys have crowded its table of keys seen', () => {
    const keys = Array.from({ length: 5_000 }, (_, i) => `k${i.toString(36)}`);
    // Each key twice (the second read is the table's), and keys the core schema reads as a number and a
    // boolean, which key their mappings with the string of that value ("31", "true"), not as written.
    const text = [...keys, '0x1F', 'True', ...keys, '0x1F', 'True'].map((key, i) => `${key}: ${i}`);
    // The same two keys in two documents in a row: the second reads them from the table.
    const documents = ['0x1F: a\nTrue: b\n', '0x1F: c\nTrue: d\n'];
    for (let i = 0; i < text.length; i += 100) documents.push(`${text.slice(i, i + 100).join('\n')}\n`);
    const read = bothWays(documents.join('---\n'));
    for (const { inPlace, alone, line } of read)
      expect({ line, value: inPlace }).toEqual({ line, value: alone });
    const merged = Object.assign({}, ...read.map(({ inPlace }) => inPlace as object)) as Record<
      string,
      number
    >;
    expect(Object.keys(merged)).toHaveLength(5_002);
    expect(merged['k0']).toBe(5_002);
    expect(merged['31']).toBe(10_002);
    expect(merged['true']).toBe(10_003);
  });
});

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) && !path.includes('templates') ? [path] : [];
  });
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Keys and scalars at the edges of what the reader reads (values the core schema resolves, colons, hashes,
// quotes, flow collections), and a few it leaves to js-yaml, drawn now and then.
const KEYS = [
  'a',
  'b',
  'name',
  'app.kubernetes.io/name',
  '1',
  '0x1F',
  'true',
  'null',
  '~',
  'x y',
  'k:v',
  '-k',
  '<<',
  'a#b',
  'key ',
  'a,b',
  '[k',
  'toString',
  '.5',
  'é',
];
const EDGE_KEYS = [
  '---k',
  '...',
  '---',
  '"q"',
  "'s'",
  'a #b',
  '? x',
  '__proto__',
  '*x',
  '&x k',
  '!t k',
  ':k',
  '- k',
];
const SCALARS = [
  'v',
  '1',
  '-1',
  '0',
  '007',
  '0o17',
  '0x1F',
  '0b11',
  '1_000',
  '1e3',
  '1.5e-3',
  '.5',
  '+.inf',
  '-.inf',
  '.NaN',
  '~',
  'null',
  'Null',
  'NULL',
  'true',
  'False',
  'TRUE',
  'yes',
  'on',
  'a b',
  'a  b',
  'a #c',
  'a#b',
  'a:b',
  '"q"',
  '""',
  "''",
  "'s'",
  "'it''s'",
  '[a, b]',
  '[]',
  '{}',
  '{a: 1}',
  '{ a: 1, b: [x, y] }',
  '[a, [b, {c: d}]]',
  '[-x, -1]',
  '-x',
  '12:30',
  '2024-01-01',
  '+1',
  '25%',
  'http://h:80/p',
  'a ]',
  'a }',
  'café — ok',
  '[é]',
];
const EDGE_SCALARS = [
  'a: b',
  'x:',
  '"a\\"b"',
  "'a",
  '"a',
  '[a,]',
  '{a}',
  '{a: }',
  '{a:1}',
  '[ "q" ]',
  '&x v',
  '*x',
  '!!str 1',
  '|',
  '>-',
  '%x',
  '@x',
  '`x',
  '- x',
  '-',
  '?x',
  ':x',
  ',x',
  'a\tb',
  '[-, a]',
  '\u{1F600}',
];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function generateDocument(random: () => number): string {
  const lines: string[] = [];
  const comment = (): void => {
    const r = random();
    if (r < 0.05) lines.push('');
    else if (r < 0.1) lines.push(`${' '.repeat(Math.floor(random() * 6))}# note`);
  };
  const edge = (): boolean => random() < 0.015;
  const key = (): string => pick(random, edge() ? EDGE_KEYS : KEYS);
  const inline = (): string => {
    const trailing = random() < 0.1 ? ' # c' : '';
    return `${pick(random, edge() ? EDGE_SCALARS : SCALARS)}${trailing}`;
  };
  const block = (indent: number, depth: number): void => {
    if (random() < 0.5) mapping(indent, depth);
    else sequence(indent, depth);
  };
  const nestedIndent = (indent: number): number =>
    // Now and then one column off, which js-yaml may reject.
    random() < 0.01 ? indent + (random() < 0.5 ? 0 : 1) : indent + 2 + Math.floor(random() * 2);
  const value = (prefix: string, indent: number, depth: number, sameColumnSequence: boolean): void => {
    const r = random();
    if (depth > 3 || r < 0.55) {
      lines.push(`${prefix}${random() < 0.1 ? '  ' : ' '}${inline()}`);
    } else if (r < 0.6) {
      lines.push(`${prefix}${random() < 0.3 ? ' # c' : ''}`);
    } else if (sameColumnSequence && r < 0.68) {
      lines.push(prefix);
      sequence(indent, depth + 1);
    } else {
      lines.push(prefix);
      block(nestedIndent(indent), depth + 1);
    }
  };
  const mapping = (indent: number, depth: number): void => {
    const keys = 1 + Math.floor(random() * 4);
    for (let i = 0; i < keys; i++) {
      comment();
      value(`${' '.repeat(indent)}${key()}:`, indent, depth, true);
    }
  };
  const sequence = (indent: number, depth: number): void => {
    const items = 1 + Math.floor(random() * 3);
    for (let i = 0; i < items; i++) {
      comment();
      const dash = `${' '.repeat(indent)}-`;
      const r = random();
      if (depth > 3 || r < 0.4) {
        lines.push(`${dash} ${inline()}`);
      } else if (r < 0.75) {
        // A compact mapping: its first key on the dash's line, the others aligned under it.
        const column = indent + 2;
        value(`${dash} ${key()}:`, column, depth + 1, true);
        const more = Math.floor(random() * 3);
        for (let k = 0; k < more; k++) value(`${' '.repeat(column)}${key()}:`, column, depth + 1, true);
      } else if (r < 0.78) {
        lines.push(`${dash} - ${inline()}`);
      } else if (r < 0.84) {
        // An empty item: nothing after the dash, nothing nested under it.
        lines.push(random() < 0.5 ? dash : `${dash} # c`);
      } else {
        lines.push(dash);
        block(nestedIndent(indent), depth + 1);
      }
    }
  };
  block(random() < 0.9 ? 0 : 2, 0);
  return `${lines.join('\n')}${random() < 0.9 ? '\n' : ''}`;
}
