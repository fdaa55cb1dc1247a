// docs/architecture.md is the map of the repository: it must name every folder that holds source, so a newcomer
// who reads it finds every place code lives. A folder added without a line there fails here.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** Folders with tracked source (code, chart templates), fixtures and the committed bundle aside. */
function sourceFolders(): string[] {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '');
  const folders = new Set<string>();
  for (const file of files) {
    if (/(^|\/)fixtures\//.test(file) || file.startsWith('action/dist/')) continue;
    const source = /\.(ts|mjs|js|go|tpl)$/.test(file) || file.startsWith('charts/');
    const folder = dirname(file);
    if (source && folder !== '.') folders.add(folder);
    // Every top-level folder, whatever it holds.
    const top = file.split('/')[0];
    if (top !== undefined && file.includes('/')) folders.add(top);
  }
  return [...folders].sort();
}

describe('docs/architecture.md', () => {
  const map = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const folders = sourceFolders();

  it('finds the folders to look for (the check can fail)', () => {
    expect(folders).toEqual(
      expect.arrayContaining([
        'packages/core/src/checks',
        'packages/core/src/rollout-gate',
        'analysis-provider/src/approval',
        'charts/draingate/templates',
        'test/peers',
        'bench',
      ]),
    );
    expect(folders.filter((folder) => /fixtures|action\/dist|node_modules/.test(folder))).toEqual([]);
  });

  it('names every source folder as `path/`', () => {
    expect(folders.filter((folder) => !map.includes(`\`${folder}/\``))).toEqual([]);
  });

  it('names no folder that does not exist', () => {
    const named = [
      ...map.matchAll(
        /`((?:packages|action|analysis-provider|charts|test|bench|scripts|examples|docs)(?:\/[\w.-]+)*)\/`/g,
      ),
    ].map((match) => match[1] ?? '');
    const known = new Set(
      execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
        .split('\0')
        .flatMap((file) => {
          const parts = file.split('/');
          return parts.slice(1).map((_, index) => parts.slice(0, index + 1).join('/'));
        }),
    );
    expect(named.filter((folder) => !known.has(folder))).toEqual([]);
  });
});
