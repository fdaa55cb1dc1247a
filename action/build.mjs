// Bundles the action into ESM files under dist/ that the runner starts with node24: dist/index.js, which is all
// `validate` loads, and chunks under dist/chunks/ that `gate` and `rollback` load on demand (the Kubernetes and
// AWS clients: esbuild code splitting at the dynamic import of ./ports.js).
//   node build.mjs          rebuild dist/
//   node build.mjs --check  rebuild into a temporary directory and fail when dist/ differs (stale)
// The build is deterministic: same sources and lockfile, same bytes (no timestamps, no absolute paths). The
// third-party notices of what the bundle contains are dist/licenses.txt (scripts/third-party-notices.mjs);
// every file points to it, and the check fails when a bundled package is missing from it.
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

/**
 * @actions/core imports its OIDC client (and with it @actions/http-client and undici, a megabyte) at the top
 * level although only getIDToken uses it. Marking those modules free of side effects lets esbuild drop them
 * when getIDToken is not called, which halves the bundle's start time.
 */
const sideEffectFree = {
  name: 'side-effect-free',
  setup(b) {
    b.onResolve({ filter: /^(\.\/oidc-utils\.js|@actions\/http-client(\/.*)?|undici)$/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'resolving',
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { ...resolved, sideEffects: false };
    });
  },
};

/** esbuild options; `outdir` varies between a build and a check. */
export function options(outdir) {
  return {
    absWorkingDir: root,
    entryPoints: [join(here, 'src/index.ts')],
    outdir,
    splitting: true,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    // The workspace packages are bundled from their TypeScript sources, not from a possibly stale dist/.
    conditions: ['source'],
    mainFields: ['module', 'main'],
    minify: true,
    keepNames: false,
    // Licence texts are in dist/licenses.txt, generated from the lockfile, rather than scattered comments.
    legalComments: 'none',
    sourcemap: false,
    charset: 'ascii',
    logLevel: 'warning',
    // Some dependencies are CommonJS and call require() on Node built-ins: give the ESM bundle a real one.
    plugins: [sideEffectFree],
    banner: {
      js: "// draingate GitHub Action; third-party notices in action/dist/licenses.txt.\nimport { createRequire as __draingateCreateRequire } from 'node:module'; const require = __draingateCreateRequire(import.meta.url);",
    },
  };
}

/** The .js files under `dir` (relative paths, sorted). */
async function bundleFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** Packages (name@version-less) whose files esbuild put into the bundle, from its metafile. */
function bundledPackages(metafile) {
  const names = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input.replaceAll('\\', '/'));
    if (match?.[1]) names.add(match[1]);
  }
  return [...names].sort();
}

/**
 * Packages of the AWS and Kubernetes clients that the entry point loads without a dynamic import: there must be
 * none, so that `validate` starts without them.
 */
function clientsLoadedAtStart(metafile) {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((file) => outputs[file].entryPoint?.endsWith('src/index.ts'));
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !outputs[file]) return;
    seen.add(file);
    for (const imported of outputs[file].imports)
      if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entry);
  const names = new Set();
  for (const file of seen) {
    for (const input of Object.keys(outputs[file].inputs)) {
      const match = /node_modules\/(@aws-sdk\/[^/]+|@smithy\/[^/]+|@kubernetes\/[^/]+)\//.exec(input);
      if (match?.[1]) names.add(match[1]);
    }
  }
  return [...names].sort();
}

/** Bundled packages that dist/licenses.txt does not name. */
async function missingNotices(metafile) {
  const notices = await readFile(join(here, 'dist/licenses.txt'), 'utf8');
  return bundledPackages(metafile).filter((name) => !notices.includes(`\n  ${name}@`));
}

const dist = join(here, 'dist');
const main = process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url;
const check = process.argv.includes('--check');
if (!main) {
  // Imported (bench/action.mjs): options only.
} else if (check) {
  const dir = await mkdtemp(join(tmpdir(), 'draingate-action-'));
  try {
    const { metafile } = await build(options(dir));
    const clients = clientsLoadedAtStart(metafile);
    if (clients.length > 0) {
      console.error(`action/dist/index.js loads ${clients.join(', ')} at start: validate must not.`);
      process.exit(1);
    }
    const [fresh, committed] = await Promise.all([bundleFiles(dir), bundleFiles(dist)]);
    const differs =
      fresh.join('\n') !== committed.join('\n') ||
      (
        await Promise.all(
          fresh.map(async (file) => {
            const [a, b] = await Promise.all([readFile(join(dir, file)), readFile(join(dist, file))]);
            return !a.equals(b);
          }),
        )
      ).some(Boolean);
    if (differs) {
      console.error(
        'action/dist is stale: it differs from a fresh build of action/src. Run `npm run bundle -w action` and commit dist/.',
      );
      process.exit(1);
    }
    const missing = await missingNotices(metafile);
    if (missing.length > 0) {
      console.error(
        `action/dist/licenses.txt does not name ${missing.join(', ')}, which the bundle contains. Run \`npm run notices\`.`,
      );
      process.exit(1);
    }
    console.log(
      `action/dist is up to date (${fresh.length} files; every bundled package has its notice; no AWS or Kubernetes client at start).`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
} else {
  // Chunk names carry a content hash: remove the old ones so dist/ holds only what this build wrote.
  for (const file of await bundleFiles(dist)) await rm(join(dist, file));
  await rm(join(dist, 'chunks'), { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  const { metafile } = await build(options(dist));
  for (const [file, output] of Object.entries(metafile.outputs)) {
    console.log(`${relative(root, join(root, file))}: ${output.bytes} bytes`);
  }
  const missing = await missingNotices(metafile);
  if (missing.length > 0) console.error(`action/dist/licenses.txt does not name: ${missing.join(', ')}`);
}
