import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findKustomizeRoots } from '@draingate/core';
import type { InputProblem, ManifestSource } from '@draingate/core';
import { UsageError } from './io.js';

const KUSTOMIZATION = /^(kustomization\.ya?ml|Kustomization)$/;
const SKIPPED = new Set(['node_modules', '.git']);

/** How to render a kustomization: `kustomize build`, or `kubectl kustomize` (kustomize built into kubectl). */
export interface Renderer {
  readonly command: string;
  readonly args: readonly string[];
}

/** The first of `kustomize` and `kubectl` on PATH, or a usage error that says neither is. */
export function findRenderer(path: string | undefined): Renderer {
  for (const dir of (path ?? '').split(':').filter(Boolean)) {
    for (const [name, args] of [
      ['kustomize', ['build']],
      ['kubectl', ['kustomize']],
    ] as const) {
      try {
        if (readdirSync(dir).includes(name)) return { command: join(dir, name), args };
      } catch {
        // an unreadable PATH entry
      }
    }
  }
  throw new UsageError(
    '--kustomize needs a kustomize or kubectl binary on PATH, and neither was found; or render it yourself: kustomize build DIR | draingate validate -',
  );
}

/**
 * Renders every kustomization under `dir` that no other one refers to (each overlay, or the directory
 * itself), one source each, named `DIR (kustomize build)` so that each is an environment of its own. A
 * kustomization that does not render is an input problem with kustomize's message.
 */
export async function renderKustomizations(
  dir: string,
  cwd: string,
  renderer: Renderer,
  maxBytes: number,
): Promise<{ sources: ManifestSource[]; problems: InputProblem[] }> {
  const found: { dir: string; text: string }[] = [];
  const walk = (path: string): void => {
    let entries;
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED.has(entry.name))
        walk(join(path, entry.name));
      else if (entry.isFile() && KUSTOMIZATION.test(entry.name))
        found.push({ dir: relative(cwd, path) || '.', text: readFileSync(join(path, entry.name), 'utf8') });
    }
  };
  walk(join(cwd, dir));
  const sources: ManifestSource[] = [];
  const problems: InputProblem[] = [];
  if (found.length === 0) {
    problems.push({
      at: { file: dir, line: 1, column: 1 },
      message: 'no kustomization.yaml in this directory or below',
    });
    return { sources, problems };
  }
  for (const root of findKustomizeRoots(found)) {
    const name = `${root} (kustomize build)`;
    try {
      sources.push({ file: name, text: await run(renderer, root, cwd, maxBytes) });
    } catch (error) {
      problems.push({
        at: { file: join(root, 'kustomization.yaml'), line: 1, column: 1 },
        message: `${renderer.command.split('/').pop()} ${renderer.args.join(' ')} failed: ${String((error as Error).message).split('\n')[0]}`,
      });
    }
  }
  return { sources, problems };
}

function run(renderer: Renderer, dir: string, cwd: string, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      renderer.command,
      [...renderer.args, dir],
      { cwd, maxBuffer: maxBytes, timeout: 120_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(stderr.trim() || error.message));
        else resolve(stdout);
      },
    );
  });
}
