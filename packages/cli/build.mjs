// Bundles the command-line tool for start-up speed: dist/draingate.js (the `draingate` bin) and its chunks.
// Loading one bundled module instead of ~100 small ones takes about 35 ms off every run. The commands that
// need AWS, Kubernetes or the analysis provider import them dynamically, so those land in chunks of their
// own that offline commands never load. Everything, the workspace packages included, is bundled: a package
// left outside would bring a second copy of @draingate/core, whose classes and errors would then fail
// `instanceof` against the bundle's. The entry enables Node's compile cache before it imports the rest.
import { chmod, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const out = join(here, 'dist');

await rm(join(out, 'chunks'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { draingate: join(here, 'src/bin.ts') },
  outdir: out,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // The workspace packages are bundled from their TypeScript sources, not from a possibly stale dist/.
  conditions: ['source'],
  mainFields: ['module', 'main'],
  legalComments: 'none',
  charset: 'ascii',
  logLevel: 'warning',
  // Some dependencies are CommonJS and call require() on Node built-ins: give the ESM output a real one.
  banner: {
    js: "import { createRequire as __draingateCreateRequire } from 'node:module'; const require = __draingateCreateRequire(import.meta.url);",
  },
});
await chmod(join(out, 'draingate.js'), 0o755);
