import { describe, expect, it } from 'vitest';
import { parseManifests } from './parse.js';

describe('parseManifests', () => {
  it('reads every document of a multi-document file with its position', () => {
    const text =
      '# rendered by helm\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\n# Source: chart/templates/b.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n  namespace: shop\n';
    const parsed = parseManifests(text, 'all.yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.objects.map((o) => [o.name, o.namespace, o.source?.line])).toEqual([
      ['a', undefined, 3],
      ['b', 'shop', 9],
    ]);
  });

  it('points at a field, or at its nearest written ancestor when the field is absent', () => {
    const text =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: x\n';
    const [object] = parseManifests(text, 'd.yaml').objects;
    expect(object?.positionOf(['spec', 'template', 'spec', 'containers', 0, 'image'])).toEqual({
      file: 'd.yaml',
      line: 10,
      column: 11,
    });
    expect(object?.positionOf(['spec', 'template', 'spec', 'containers', 0, 'lifecycle', 'preStop'])).toEqual(
      { file: 'd.yaml', line: 9, column: 11 },
    );
  });

  it('flattens kind: List as kubectl get -o yaml prints it', () => {
    const text =
      'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Namespace\n    metadata:\n      name: a\n  - apiVersion: v1\n    kind: Namespace\n    metadata:\n      name: b\n';
    const parsed = parseManifests(text, 'list.yaml');
    expect(parsed.objects.map((o) => [o.name, o.source?.line])).toEqual([
      ['a', 4],
      ['b', 8],
    ]);
  });

  it('a document that is no object among objects → a notice that names its line, the objects still read', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\nreplicaCount: 2\n---\n- a\n';
    const parsed = parseManifests(text, 'mixed.yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.objects.map((o) => o.name)).toEqual(['a']);
    expect(parsed.notices).toEqual([
      {
        code: 'not-kubernetes',
        at: { file: 'mixed.yaml', line: 6, column: 1 },
        message: 'document skipped: a mapping without apiVersion and kind, not a Kubernetes object',
      },
      {
        code: 'not-kubernetes',
        at: { file: 'mixed.yaml', line: 8, column: 1 },
        message: 'document skipped: a list at the top, not a Kubernetes object',
      },
    ]);
  });

  it.each([
    {
      name: 'a compose override with custom tags → skipped, as it names no apiVersion or kind',
      text: 'services:\n  ui:\n    ports: !override\n      - 8888:8080\n',
      notice:
        'skipped: holds no Kubernetes object (YAML draingate cannot read (invalid YAML: unknown tag !<!override>) without an apiVersion or a kind)',
    },
    {
      name: 'a node configuration without metadata (never sent to the API server) → skipped',
      text: 'apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster: {}\n',
      notice:
        'skipped: holds no Kubernetes object (a NodeConfig without metadata.name, which draingate does not read)',
    },
  ])('$name', ({ text, notice }) => {
    const parsed = parseManifests(text, 'other.yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.notices.map((n) => n.message)).toEqual([notice]);
  });

  it('a manifest that does not parse is still an input problem', () => {
    const parsed = parseManifests(
      'apiVersion: v1\nkind: Service\nmetadata: !custom\n  name: a\n',
      'bad.yaml',
    );
    expect(parsed.problems.map((p) => `${p.at.line}: ${p.message}`)).toEqual([
      '5: invalid YAML: unknown tag !<!custom>',
    ]);
  });

  it('accepts JSON', () => {
    const parsed = parseManifests(
      '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}}',
      'ns.json',
    );
    expect(parsed.objects.map((o) => o.name)).toEqual(['x']);
  });

  const hostile = [
    {
      name: 'invalid YAML → its line, the next document still read',
      text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ok\n',
      line: 5,
      message: /invalid YAML/,
      objects: ['ok'],
    },
    {
      name: 'duplicate keys → rejected with the key’s line',
      text: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n',
      line: 5,
      message: /invalid YAML: duplicated mapping key/,
      objects: [],
    },
    {
      name: 'a scalar document → must be a mapping',
      text: 'just a string\n',
      line: 1,
      message: /must be a mapping, got a string/,
      objects: [],
    },
    {
      name: 'kind not a string',
      text: 'apiVersion: v1\nkind: 3\nmetadata:\n  name: a\n',
      line: 2,
      message: /must be a non-empty string, got 3/,
      objects: [],
    },
    {
      name: 'no metadata.name',
      text: 'apiVersion: v1\nkind: Service\nmetadata:\n  labels: {}\n',
      line: 3,
      message: /must be a non-empty string, got nothing/,
      objects: [],
    },
    {
      name: 'binary garbage → not a text file',
      text: '\u0000\u0001\u0002binary\u00ff',
      line: 1,
      message: /not a text file/,
      objects: [],
    },
    {
      name: 'a tab-indented mess',
      text: 'apiVersion: v1\nkind: Service\nmetadata:\n\tname: x\n',
      line: 4,
      message: /invalid YAML/,
      objects: [],
    },
  ];
  it.each(hostile)('$name', ({ text, line, message, objects }) => {
    const parsed = parseManifests(text, 'bad.yaml');
    expect(parsed.problems.length).toBeGreaterThan(0);
    expect(parsed.problems[0]?.at.line).toBe(line);
    expect(parsed.problems[0]?.message).toMatch(message);
    expect(parsed.objects.map((o) => o.name)).toEqual(objects);
  });

  it('rejects a YAML alias bomb quickly and without exhausting memory', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
    const started = performance.now();
    const parsed = parseManifests(text, 'bomb.yaml');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(parsed.objects).toEqual([]);
    expect(parsed.problems[0]?.message).toMatch(/too many YAML aliases/);
  });

  it('skips empty and comment-only documents', () => {
    const parsed = parseManifests('---\n# nothing\n---\n\n', 'empty.yaml');
    expect(parsed.objects).toEqual([]);
    expect(parsed.problems).toEqual([]);
  });
});

describe('YAML the way the API server’s clients read it', () => {
  it('honours << merge keys, as kubectl and kustomize do', () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - &web',
      '          name: web',
      '          image: x',
      '          lifecycle:',
      '            preStop:',
      '              sleep:',
      '                seconds: 30',
      '        - <<: *web',
      '          name: sidecar',
      '',
    ].join('\n');
    const parsed = parseManifests(text, 'merge.yaml');
    expect(parsed.problems).toEqual([]);
    const spec = parsed.objects[0]?.body['spec'] as { template: { spec: { containers: unknown[] } } };
    expect(spec.template.spec.containers[1]).toEqual({
      name: 'sidecar',
      image: 'x',
      lifecycle: { preStop: { sleep: { seconds: 30 } } },
    });
  });

  it('a plain block mapping with a << key is merged too (not kept as a key named "<<")', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  <<: {x: "1"}\n  y: "2"\n';
    expect(parseManifests(text, 'm.yaml').objects[0]?.body['data']).toEqual({ x: '1', y: '2' });
  });

  it('counts aliases, not the * of a crontab in a block scalar, a quoted string or a comment', () => {
    const cron = Array.from({ length: 80 }, (_, i) => `    */${(i % 59) + 1} * * * * /bin/job-${i}`).join(
      '\n',
    );
    const quoted = Array.from({ length: 80 }, (_, i) => `  q${i}: "*/5 * * * *" # *every *five`).join('\n');
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cron\ndata:\n  crontab: |\n${cron}\n${quoted}\n`;
    const parsed = parseManifests(text, 'cron.yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.objects.map((o) => o.name)).toEqual(['cron']);
  });

  it('reads a %YAML 1.1 directive before the document it applies to', () => {
    const parsed = parseManifests(
      '%YAML 1.1\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n',
      'd.yaml',
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.objects.map((o) => [o.name, o.source?.line])).toEqual([['a', 3]]);
  });

  it('reads CR-only line ends, with the lines an editor shows', () => {
    const text =
      'apiVersion: v1\rkind: Service\rmetadata:\r  name: a\r---\rapiVersion: v1\rkind: Service\rmetadata:\r  name: b\r';
    const parsed = parseManifests(text, 'cr.yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.objects.map((o) => [o.name, o.positionOf(['metadata', 'name'])?.line])).toEqual([
      ['a', 4],
      ['b', 9],
    ]);
  });

  it('drops a UTF-8 byte-order mark without shifting columns', () => {
    const parsed = parseManifests('\ufeffapiVersion: v1\nkind: Service\nmetadata:\n  name: a\n', 'bom.yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.objects[0]?.positionOf(['kind'])).toEqual({ file: 'bom.yaml', line: 2, column: 1 });
    expect(parsed.objects[0]?.positionOf(['apiVersion'])).toEqual({ file: 'bom.yaml', line: 1, column: 1 });
  });

  it('says UTF-16 read without its byte-order mark is not supported, not "contains NUL bytes"', () => {
    const text = Buffer.from('apiVersion: v1\n', 'utf16le').toString('utf8');
    expect(parseManifests(text, 'w.yaml').problems).toEqual([
      {
        at: { file: 'w.yaml', line: 1, column: 1 },
        message: 'UTF-16 is not supported without a byte-order mark: save the file as UTF-8',
      },
    ]);
  });

  it.each([
    {
      name: 'a duplicated key in a block mapping → an error naming both lines',
      text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels:\n    app: a\n  name: b\n',
      at: { file: 'dup.yaml', line: 7, column: 3 },
      message:
        'invalid YAML: duplicated mapping key (first at line 4; kubectl would keep this one, YAML forbids both)',
    },
    {
      name: 'a duplicated key in a list item → the first line is the item’s',
      text: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: a\n      image: x\n      name: b\n',
      at: { file: 'dup.yaml', line: 9, column: 7 },
      message:
        'invalid YAML: duplicated mapping key (first at line 7; kubectl would keep this one, YAML forbids both)',
    },
  ])('$name', ({ text, at, message }) => {
    expect(parseManifests(text, 'dup.yaml').problems).toEqual([{ at, message }]);
  });
});
