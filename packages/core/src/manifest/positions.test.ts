import { describe, expect, it } from 'vitest';
import { DocumentPositions } from './positions.js';
import { splitDocuments } from './documents.js';

const at = (text: string, path: (string | number)[], firstLine = 1) => {
  const { line, column } = new DocumentPositions('f.yaml', text, firstLine).positionOf(path);
  return `${line}:${column}`;
};

describe('finding where a field was written', () => {
  const block = [
    'apiVersion: apps/v1', // 1
    'kind: Deployment', // 2
    'spec:', // 3
    '  template:', // 4
    '    spec:', // 5
    '      containers:', // 6
    '      - name: sidecar', // 7  (Kubernetes style: the dash at the key's column)
    '        image: a', // 8
    '      - name: web', // 9
    '        # a comment', // 10
    '        lifecycle:', // 11
    '          preStop:', // 12
    '            exec:', // 13
    '              command: ["sh", "-c", "sleep 5"]', // 14
    '  notes: |', // 15
    '    replicas: 99', // 16  (inside a block scalar: not a key)
    '  replicas: 3', // 17
  ].join('\n');
  const cases = [
    { name: 'a top-level key', path: ['kind'], expected: '2:1' },
    {
      name: 'a key under a sequence item written dash-at-parent-column',
      path: ['spec', 'template', 'spec', 'containers', 1, 'lifecycle', 'preStop'],
      expected: '12:11',
    },
    { name: 'a sequence item', path: ['spec', 'template', 'spec', 'containers', 1], expected: '9:9' },
    {
      name: 'a key written after a block scalar that mentions it',
      path: ['spec', 'replicas'],
      expected: '17:3',
    },
    {
      name: 'an absent field: its nearest written ancestor',
      path: ['spec', 'template', 'spec', 'containers', 0, 'readinessProbe'],
      expected: '7:9',
    },
    {
      name: 'a value inside a flow sequence: exact fallback',
      path: ['spec', 'template', 'spec', 'containers', 1, 'lifecycle', 'preStop', 'exec', 'command', 2],
      expected: '14:37',
    },
  ];
  it.each(cases)('$name', ({ path, expected }) => {
    expect(at(block, path)).toBe(expected);
  });

  it('flow mappings and JSON are answered exactly', () => {
    expect(at('{"kind": "Service", "spec": {"ports": [{"port": 80}]}}', ['spec', 'ports', 0, 'port'])).toBe(
      '1:41',
    );
    expect(at('metadata: {name: a, labels: {app: web}}', ['metadata', 'labels', 'app'])).toBe('1:30');
  });

  it('quoted keys are found', () => {
    expect(at('metadata:\n  "name": x\n  \'namespace\': y\n', ['metadata', 'namespace'])).toBe('3:3');
  });

  it('positions are offset by the document’s first line in the file', () => {
    expect(at('kind: Service\nspec:\n  type: NodePort\n', ['spec', 'type'], 40)).toBe('42:3');
  });
});

describe('splitting a stream into documents', () => {
  it('splits at --- and ..., keeping each document’s first line', () => {
    const docs = splitDocuments('a: 1\n---\nb: 2\n...\n--- # comment\nc: 3\n---\n\n');
    expect(docs.map((d) => [d.firstLine, d.text.trim()])).toEqual([
      [1, 'a: 1'],
      [3, 'b: 2'],
      [6, 'c: 3'],
    ]);
  });

  it('does not split on --- inside a line or an indented block', () => {
    const docs = splitDocuments('a: |\n  ---\n  x\nb: c---d\n');
    expect(docs).toHaveLength(1);
  });
});
