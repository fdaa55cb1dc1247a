#!/usr/bin/env node
import * as nodeModule from 'node:module';

/** The oldest Node.js major the command runs on: the `engines` of the published packages. */
const MIN_NODE_MAJOR = 24;

// An older Node would fail somewhere in the bundle with an error that names no cause; say it plainly instead.
const nodeMajor = Number.parseInt(process.versions.node, 10);
if (nodeMajor < MIN_NODE_MAJOR) {
  process.stderr.write(
    `draingate needs Node.js ${MIN_NODE_MAJOR} or later; this is Node.js ${process.versions.node}.\n`,
  );
  process.exit(2);
}

// Start-up is much of a typical run, and compiling draingate's modules a good part of it: let Node keep
// them compiled on disk (in the temporary directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off). It
// applies to modules loaded after this call, hence the dynamic import.
nodeModule.enableCompileCache();
const { main } = await import('./main.js');

// `draingate … | head` closes the pipe early: stop quietly, as Unix tools do, instead of crashing.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = code;
