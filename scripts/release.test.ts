// What a release needs from the repository itself: licences, notices that match the dependency tree, package
// metadata npm can publish with provenance, and one version for the packages, the Action and the chart.
// Installing the packed packages and the chart is tested in test/release/.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PUBLISHED } from '../test/release/packages.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  engines?: { node?: string };
  files?: string[];
  types?: string;
  exports?: Record<string, Record<string, string>>;
  bin?: Record<string, string>;
  repository?: { type: string; url: string; directory?: string };
  publishConfig?: { access?: string; provenance?: boolean };
  dependencies?: Record<string, string>;
}

const manifest = (dir: string): Manifest => JSON.parse(read(`${dir}/package.json`)) as Manifest;

function runScript(script: string, args: string[]): { code: number; output: string } {
  try {
    const output = execFileSync(process.execPath, [join(root, script), ...args], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, output };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('licences and notices', () => {
  it('the root LICENSE is the Apache License 2.0', () => {
    const licence = read('LICENSE');
    expect(licence).toContain('Apache License');
    expect(licence).toContain('Version 2.0, January 2004');
    expect(licence).toContain('END OF TERMS AND CONDITIONS');
  });

  it.each(PUBLISHED)('%s ships the same LICENSE as the root', (dir) => {
    expect(read(`${dir}/LICENSE`)).toBe(read('LICENSE'));
  });

  it('the third-party notices match the dependency tree (npm run notices)', () => {
    const { code, output } = runScript('scripts/third-party-notices.mjs', ['--check']);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it.each([
    ['action/dist/licenses.txt', '@actions/core@'],
    ['packages/cli/THIRD-PARTY-NOTICES.txt', 'express@'],
  ])('%s names every package with a licence and carries the licence texts', (file, expected) => {
    const text = read(file);
    expect(text).toContain(expected);
    const listed = text.split('\n').filter((line) => /^ {2}\S+@\S+ {2}\S/.test(line));
    expect(listed.length).toBeGreaterThan(50);
    expect(listed.filter((line) => line.endsWith('UNKNOWN'))).toEqual([]);
    expect(text).toContain('Permission is hereby granted'); // an MIT text
    expect(text).toContain('Apache License'); // an Apache text
  });
});

describe('published packages', () => {
  const release = manifest('packages/cli').version;

  it.each(PUBLISHED)('%s is publishable with provenance', (dir) => {
    const m = manifest(dir);
    expect(m.private).toBeUndefined();
    expect(m.license).toBe('Apache-2.0');
    expect(m.repository).toEqual({
      type: 'git',
      url: 'git+https://github.com/draingate/draingate.git',
      directory: dir,
    });
    expect(m.publishConfig).toEqual({ access: 'public', provenance: true });
    expect(m.engines?.node).toBe(manifest('packages/core').engines?.node);
    expect(m.types).toBe('./dist/index.d.ts');
    expect(m.files).toEqual(expect.arrayContaining(['dist', '!dist/**/*.map', '!dist/**/.tsbuildinfo']));
    expect(existsSync(join(root, dir, 'README.md'))).toBe(true);
    expect(existsSync(join(root, dir, 'CHANGELOG.md'))).toBe(true);
  });

  it.each(PUBLISHED)(
    '%s has the release version and depends on its siblings at exactly that version',
    (dir) => {
      const m = manifest(dir);
      expect(m.version).toBe(release);
      const internal = Object.entries(m.dependencies ?? {}).filter(([name]) =>
        name.startsWith('@draingate/'),
      );
      for (const [, range] of internal) expect(range).toBe(release);
    },
  );

  it('every export points into dist (besides the workspace-only source condition)', () => {
    for (const dir of PUBLISHED) {
      for (const conditions of Object.values(manifest(dir).exports ?? {})) {
        for (const [condition, target] of Object.entries(conditions)) {
          if (condition !== 'source') expect(target, `${dir} ${condition}`).toMatch(/^\.\/dist\//);
        }
      }
    }
  });

  it('the command refuses a Node older than the engines it declares, naming both versions', () => {
    const declared = /^>=(\d+)$/.exec(manifest('packages/cli').engines?.node ?? '')?.[1];
    const checked = /const MIN_NODE_MAJOR = (\d+);/.exec(read('packages/cli/src/bin.ts'))?.[1];
    expect(declared).toBeDefined();
    expect(checked).toBe(declared);
  });

  it('the CLI names its bundled command as the bin', () => {
    expect(manifest('packages/cli').bin).toEqual({ draingate: 'dist/draingate.js' });
  });
});

describe('one version for everything', () => {
  it('changesets releases every workspace package as one fixed group', () => {
    const config = JSON.parse(read('.changeset/config.json')) as { fixed: string[][] };
    const names = [...PUBLISHED, 'action'].map((dir) => manifest(dir).name).sort();
    expect(config.fixed).toHaveLength(1);
    expect([...(config.fixed[0] ?? [])].sort()).toEqual(names);
    expect(manifest('action').version).toBe(manifest('packages/cli').version);
  });

  it('the chart and the announced version follow the release', () => {
    const { code, output } = runScript('scripts/sync-release-version.mjs', ['--check']);
    expect(output).toBe('');
    expect(code).toBe(0);
    const chart = read('charts/draingate/Chart.yaml');
    expect(chart).toMatch(new RegExp(`^version: ${manifest('packages/cli').version}$`, 'm'));
    expect(chart).toMatch(new RegExp(`^appVersion: "${manifest('packages/cli').version}"$`, 'm'));
  });

  it('the documented Action tag is the major tag of the next release', () => {
    const current = Number.parseInt(manifest('packages/cli').version, 10);
    const pending = readdirSync(join(root, '.changeset')).filter(
      (f) => f.endsWith('.md') && f !== 'README.md',
    );
    const major = pending.some((f) => /^'[^']+': major$/m.test(read(`.changeset/${f}`)))
      ? current + 1
      : current;
    const documented = [
      'README.md',
      'action/README.md',
      'examples/workflows/deploy.yml',
      'examples/workflows/pull-request.yml',
    ].flatMap((file) => [...read(file).matchAll(/draingate\/draingate\/action@(v[^\s]+)/g)].map((m) => m[1]));
    expect(documented.length).toBeGreaterThan(0);
    expect(new Set(documented)).toEqual(new Set([`v${major}`]));
  });
});
