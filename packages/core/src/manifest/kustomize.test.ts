import { describe, expect, it } from 'vitest';
import { findKustomizePatches, findKustomizeRoots, joinPath } from './kustomize.js';

describe('kustomize layouts', () => {
  it('renders the overlays, not the base they share', () => {
    expect(
      findKustomizeRoots([
        { dir: 'deploy/base', text: 'resources: [app.yaml]\n' },
        { dir: 'deploy/overlays/prod', text: 'resources:\n  - ../../base\n' },
        { dir: 'deploy/overlays/staging', text: 'bases: [../../base]\n' },
      ]),
    ).toEqual(['deploy/overlays/prod', 'deploy/overlays/staging']);
  });

  it('renders a lone kustomization itself', () => {
    expect(findKustomizeRoots([{ dir: '.', text: 'resources: [app.yaml]\n' }])).toEqual(['.']);
  });

  it('finds the patch files a kustomization names, relative to it', () => {
    const patches = findKustomizePatches([
      {
        file: 'k/overlays/prod/kustomization.yaml',
        text: 'patches:\n  - path: ./lifecycle.yaml\n  - patch: |-\n      - op: remove\npatchesStrategicMerge:\n  - ../common/replicas.yaml\n',
      },
    ]);
    expect([...patches]).toEqual([
      ['k/overlays/prod/lifecycle.yaml', 'k/overlays/prod/kustomization.yaml'],
      ['k/overlays/common/replicas.yaml', 'k/overlays/prod/kustomization.yaml'],
    ]);
  });

  it.each([
    { dir: 'a/b', path: '../c.yaml', joined: 'a/c.yaml' },
    { dir: '.', path: 'x.yaml', joined: 'x.yaml' },
    { dir: 'a', path: '../../x.yaml', joined: '../x.yaml' },
    { dir: '/r/a', path: './x.yaml', joined: '/r/a/x.yaml' },
  ])('joins $dir and $path as $joined', ({ dir, path, joined }) => {
    expect(joinPath(dir, path)).toBe(joined);
  });
});
