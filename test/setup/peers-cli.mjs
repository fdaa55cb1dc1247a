#!/usr/bin/env node
// `npm run peers` — builds or reuses the integration-test peers without running any test, so CI can warm the
// cache in its own step. Usage: npm run peers [-- build [aws|kube|helm|argo …] | path]
// Node ≥ 23.6 runs the TypeScript module directly (type stripping); vitest imports the same file.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 23 || (major === 23 && minor < 6)) {
  process.stderr.write(
    `draingate peers: Node ${process.versions.node} cannot run TypeScript; use \`npm run peers\` (the repo's Node 24).\n`,
  );
  process.exit(2);
}
const { runCli } = await import('./toolchain.ts');
process.exitCode = await runCli(process.argv.slice(2));
