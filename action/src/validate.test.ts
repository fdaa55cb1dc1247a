import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandManifests } from './validate.js';

let workspace: string;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'draingate-expand-'));
  await mkdir(join(workspace, 'k8s/prod'), { recursive: true });
  await writeFile(join(workspace, 'k8s/app.yaml'), 'kind: List\n');
  await writeFile(join(workspace, 'k8s/prod/app.yaml'), 'kind: List\n');
  await writeFile(join(workspace, 'README.md'), '# not a manifest\n');
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

interface Case {
  name: string;
  patterns: string[];
  paths: string[];
  problem?: string;
}

describe('manifests: directories are walked as the CLI walks them', () => {
  it.each<Case>([
    { name: 'a directory by name → the directory', patterns: ['k8s'], paths: ['k8s'] },
    { name: 'a directory with a trailing slash → the directory', patterns: ['k8s/'], paths: ['k8s'] },
    { name: 'a directory below ./ → the directory', patterns: ['./k8s/prod'], paths: ['k8s/prod'] },
    { name: 'the workspace itself, as . → the workspace', patterns: ['.'], paths: ['.'] },
    { name: 'the workspace itself, as ./ → the workspace', patterns: ['./'], paths: ['.'] },
    {
      name: 'a glob → its manifest files, not the directories it also matches',
      patterns: ['k8s/*'],
      paths: ['k8s/app.yaml'],
    },
    {
      name: 'the parent of the workspace → refused, nothing read',
      patterns: ['..'],
      paths: [],
      problem: 'manifests pattern ".." names "..", outside the workspace',
    },
    {
      name: 'a directory that does not exist → a problem naming the pattern',
      patterns: ['deploy/'],
      paths: [],
      problem: 'manifests pattern "deploy/" matched no .yaml, .yml or .json file',
    },
  ])('$name', async ({ patterns, paths, problem }) => {
    const expanded = await expandManifests(patterns, { workspace });
    expect(expanded.paths).toEqual(paths);
    if (problem === undefined) expect(expanded.problems).toEqual([]);
    else expect(expanded.problems[0]?.message).toContain(problem);
  });
});
