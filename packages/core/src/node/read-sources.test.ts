import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatSourceRef } from '../manifest/source.js';
import { readManifestSources } from './read-sources.js';

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'draingate-read-'));
}

describe('readManifestSources', () => {
  it('skips a symbolic link to /dev/zero and a FIFO in a directory walk, each with a notice', async () => {
    const dir = scratch();
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    writeFileSync(join(dir, 'service.yaml'), SERVICE);
    const read = await readManifestSources(['.'], { cwd: dir });
    expect(read.sources.map((s) => s.file)).toEqual(['service.yaml']);
    expect(read.problems).toEqual([]);
    expect(read.notices).toEqual([
      {
        code: 'special-file',
        at: { file: 'fifo.yaml', line: 1, column: 1 },
        message: 'skipped: a named pipe (FIFO), not a file',
      },
      {
        code: 'special-file',
        at: { file: 'zero.yaml', line: 1, column: 1 },
        message: 'skipped: a device, not a file',
      },
    ]);
  });

  it('with allowed roots, refuses a link in a walked directory that leads outside them', async () => {
    const dir = scratch();
    const outside = scratch();
    writeFileSync(join(outside, 'secret.yaml'), SERVICE);
    mkdirSync(join(dir, 'k8s'));
    symlinkSync(join(outside, 'secret.yaml'), join(dir, 'k8s/link.yaml'));
    writeFileSync(join(dir, 'k8s/service.yaml'), SERVICE);
    const read = await readManifestSources(['k8s'], { cwd: dir, allowedRoots: [dir] });
    expect(read.sources.map((s) => s.file)).toEqual(['k8s/service.yaml']);
    expect(read.problems).toEqual([
      {
        at: { file: 'k8s/link.yaml', line: 1, column: 1 },
        message: 'leads outside the directories that may be read (a symbolic link?): not read',
      },
    ]);
  });

  it('stops reading a named device at --max-file-size, whatever stat says', async () => {
    const read = await readManifestSources(['/dev/zero'], {
      cwd: scratch(),
      maxFileBytes: 1024 * 1024,
      limitSetting: '--max-file-size',
    });
    expect(read.sources).toEqual([]);
    expect(read.problems).toEqual([
      {
        at: { file: '/dev/zero', line: 1, column: 1 },
        message: 'file is over the 1.0 MiB limit (--max-file-size)',
      },
    ]);
  });

  it('refuses a file larger than the limit without reading it, naming no setting the front end lacks', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'big.yaml'), Buffer.alloc(2048, 0x20));
    const read = await readManifestSources(['big.yaml'], { cwd: dir, maxFileBytes: 1024 });
    expect(read.problems.map((p) => p.message)).toEqual(['file is 2.0 KiB, over the 1.0 KiB limit']);
  });

  it('keeps a file name with a newline in it as it is (printing escapes it)', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'a\nb.yaml'), SERVICE);
    const read = await readManifestSources(['.'], { cwd: dir });
    expect(read.sources.map((s) => s.file)).toEqual(['a\nb.yaml']);
    expect(formatSourceRef({ file: read.sources[0]!.file, line: 1, column: 1 })).toBe('"a\\nb.yaml":1:1');
  });

  it.each([
    {
      name: 'UTF-16 little-endian with a byte-order mark → decoded',
      bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SERVICE, 'utf16le')]),
    },
    {
      name: 'UTF-16 big-endian with a byte-order mark → decoded',
      bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(SERVICE, 'utf16le').swap16()]),
    },
    {
      name: 'UTF-8 with a byte-order mark → the mark dropped',
      bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SERVICE)]),
    },
  ])('$name', async ({ bytes }) => {
    const dir = scratch();
    writeFileSync(join(dir, 'm.yaml'), bytes);
    const read = await readManifestSources(['m.yaml'], { cwd: dir });
    expect(read.sources).toEqual([{ file: 'm.yaml', text: SERVICE }]);
  });

  it('skips a Helm chart in a walk with a notice that says how to render it', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'chart/templates'), { recursive: true });
    writeFileSync(join(dir, 'chart/Chart.yaml'), 'apiVersion: v2\nname: shop\nversion: 1.0.0\n');
    writeFileSync(join(dir, 'chart/templates/svc.yaml'), 'name: {{ .Release.Name }}\n');
    writeFileSync(join(dir, 'service.yaml'), SERVICE);
    const read = await readManifestSources(['.'], { cwd: dir });
    expect(read.sources.map((s) => s.file)).toEqual(['service.yaml']);
    expect(read.notices).toEqual([
      {
        code: 'helm-chart',
        at: { file: 'chart/Chart.yaml', line: 1, column: 1 },
        message:
          'skipped: a Helm chart, whose templates are not manifests until rendered (helm template chart | draingate validate -)',
      },
    ]);
  });

  it.each([
    { name: 'empty standard input → nothing was read', input: '' },
    { name: 'standard input of blank lines → nothing was read', input: '\n\n  \n' },
  ])('$name', async ({ input }) => {
    const read = await readManifestSources(['-'], {
      cwd: scratch(),
      stdin: Readable.from([Buffer.from(input)]),
    });
    expect(read.sources).toEqual([]);
    expect(read.problems).toEqual([
      {
        at: { file: '-', line: 1, column: 1 },
        message:
          'nothing was read: standard input is empty (was the command before the pipe empty or did it fail?)',
      },
    ]);
  });

  it('a directory with no manifest file at all → a problem, as a glob that matches nothing', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'k8s'));
    writeFileSync(join(dir, 'k8s/README.md'), '# nothing here\n');
    const read = await readManifestSources(['k8s'], { cwd: dir });
    expect(read.problems).toEqual([
      {
        at: { file: 'k8s', line: 1, column: 1 },
        message: 'no .yaml, .yml or .json file in this directory or below',
      },
    ]);
  });
});
