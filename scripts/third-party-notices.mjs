#!/usr/bin/env node
// Writes the third-party notices of what draingate redistributes, from the dependency tree in package-lock.json
// and the licence files of the installed packages:
//   action/dist/licenses.txt              the Action bundle (esbuild inlines @draingate/action's dependencies)
//   packages/cli/THIRD-PARTY-NOTICES.txt  the `draingate` bundle in @draingate/cli, and the container image,
//                                         which installs @draingate/cli with its production dependencies
//
//   node scripts/third-party-notices.mjs          regenerate both files
//   node scripts/third-party-notices.mjs --check  exit 1 when a committed file differs from a fresh one
//
// Each list is the production closure of a workspace in the lockfile (dependencies and optional dependencies,
// resolved the way Node resolves them: the nearest node_modules up the tree), plus the peers that resolve. It may
// name a package the bundler drops as unused; it never misses one that ships (action/build.mjs --check verifies
// that against esbuild's metafile for the Action).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The files generated, and the workspace each one covers. */
export const NOTICES = [
  { file: 'action/dist/licenses.txt', workspace: 'action', what: 'the draingate GitHub Action bundle' },
  {
    file: 'packages/cli/THIRD-PARTY-NOTICES.txt',
    workspace: 'packages/cli',
    what: 'the bundled `draingate` command of @draingate/cli and the draingate container image',
  },
];

/** Finds where `name` resolves from the lockfile entry at `from`, as Node's resolution would. */
function resolveInLock(packages, from, name) {
  let dir = from;
  for (;;) {
    const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (dir === '') return undefined;
    const idx = dir.lastIndexOf('/node_modules/');
    dir = idx === -1 ? '' : dir.slice(0, idx);
  }
}

/** Every third-party package (lockfile path) the workspace needs at run time. */
export function productionClosure(lock, workspace) {
  const packages = lock.packages;
  const seen = new Set();
  const thirdParty = new Set();
  const visit = (path) => {
    if (seen.has(path)) return;
    seen.add(path);
    let entry = packages[path];
    if (entry?.link) {
      path = entry.resolved;
      entry = packages[path];
      if (seen.has(`resolved:${path}`)) return;
      seen.add(`resolved:${path}`);
    }
    if (!entry) throw new Error(`package-lock.json has no entry for ${path}`);
    const isWorkspace = !path.includes('node_modules/');
    if (!isWorkspace) thirdParty.add(path);
    const deps = { ...entry.dependencies, ...entry.optionalDependencies };
    for (const name of Object.keys(deps).sort()) {
      const at = resolveInLock(packages, path, name);
      if (at === undefined) {
        if (entry.optionalDependencies?.[name]) continue;
        throw new Error(`cannot resolve ${name} from ${path || 'the root'} in package-lock.json`);
      }
      visit(at);
    }
    // A peer the package requires only when it is there (debug's supports-color) ends up in a bundle whenever
    // the install has it, even as another package's dev dependency: follow peers that resolve.
    const peers = { ...entry.peerDependencies, ...entry.peerDependenciesMeta };
    for (const name of Object.keys(peers).sort()) {
      const at = resolveInLock(packages, path, name);
      if (at !== undefined) visit(at);
    }
  };
  visit(workspace);
  return [...thirdParty];
}

const LICENSE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt|markdown|mit|apache2?))?$/i;

function licenceTexts(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => LICENSE_FILE.test(f))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8').replace(/\r\n/g, '\n').trimEnd() }));
}

function packageName(lockPath) {
  return lockPath.slice(lockPath.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** The notices file for one workspace, as text. */
export function renderNotices(lock, workspace, what, base = root) {
  const byId = new Map();
  for (const path of productionClosure(lock, workspace)) {
    const entry = lock.packages[path];
    const name = entry.name ?? packageName(path);
    const id = `${name}@${entry.version}`;
    if (byId.has(id)) continue;
    const manifestPath = join(base, path, 'package.json');
    const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : {};
    const licence =
      entry.license ?? (typeof manifest.license === 'string' ? manifest.license : undefined) ?? 'UNKNOWN';
    const texts = licenceTexts(join(base, path));
    byId.set(id, { id, licence, texts });
  }
  const list = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const out = [
    `Third-party software in ${what}`,
    '',
    `Generated from package-lock.json by scripts/third-party-notices.mjs; do not edit. ${list.length} packages.`,
    '',
    ...list.map((p) => `  ${p.id}  ${p.licence}`),
    '',
  ];
  for (const p of list) {
    out.push('='.repeat(100), `${p.id}  ${p.licence}`, '='.repeat(100), '');
    if (p.texts.length === 0)
      out.push(`(the package ships no licence file; its package.json says ${p.licence})`, '');
    for (const t of p.texts) out.push(`--- ${t.name}`, '', t.text, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Packages whose licence is missing or unknown: the caller decides whether that blocks a release. */
export function unknownLicences(lock, workspace) {
  return productionClosure(lock, workspace)
    .map((path) => ({ path, licence: lock.packages[path].license }))
    .filter((p) => !p.licence || p.licence === 'UNKNOWN');
}

function main() {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { file, workspace, what } of NOTICES) {
    const fresh = renderNotices(lock, workspace, what);
    const target = join(root, file);
    if (check) {
      const committed = existsSync(target) ? readFileSync(target, 'utf8') : '';
      if (committed !== fresh) {
        stale++;
        process.stderr.write(`${file} is stale: run \`npm run notices\` and commit it.\n`);
      }
    } else {
      writeFileSync(target, fresh);
      process.stdout.write(`wrote ${relative(root, target)}\n`);
    }
  }
  if (stale > 0) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
