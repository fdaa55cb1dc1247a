// Bundles the action into ONE ESM file, dist/index.js, that the runner starts with node24.
//   node build.mjs          rebuild dist/index.js
//   node build.mjs --check  rebuild into a temporary directory and fail when dist/index.js differs (stale)
// The build is deterministic: same sources and lockfile, same bytes (no timestamps, no absolute paths).
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** esbuild options; `outfile` varies between a build and a check. */
export function options(outfile) {
  return {
    absWorkingDir: root,
    entryPoints: [join(here, 'src/index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    // The workspace packages are bundled from their TypeScript sources, not from a possibly stale dist/.
    conditions: ['source'],
    mainFields: ['module', 'main'],
    minify: true,
    keepNames: false,
    legalComments: 'none',
    sourcemap: false,
    charset: 'ascii',
    logLevel: 'warning',
    // Some dependencies are CommonJS and call require() on Node built-ins: give the ESM bundle a real one.
    plugins: [sideEffectFree],
    banner: {
      js: "import { createRequire as __draingateCreateRequire } from 'node:module'; const require = __draingateCreateRequire(import.meta.url);",
    },
  };
}

const check = process.argv.includes('--check');
const committed = join(here, 'dist/index.js');
if (check) {
  const dir = await mkdtemp(join(tmpdir(), 'draingate-action-'));
  try {
    const fresh = join(dir, 'index.js');
    await build(options(fresh));
    const [a, b] = await Promise.all([readFile(fresh), readFile(committed).catch(() => Buffer.alloc(0))]);
    if (!a.equals(b)) {
      console.error(
        'action/dist/index.js is stale: it differs from a fresh build of action/src. Run `npm run bundle -w action` and commit dist/.',
      );
      process.exit(1);
    }
    console.log(`action/dist/index.js is up to date (${a.length} bytes).`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
} else {
  await build(options(committed));
  const size = (await readFile(committed)).length;
  console.log(`action/dist/index.js: ${size} bytes`);
}
