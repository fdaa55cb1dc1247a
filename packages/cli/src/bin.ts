#!/usr/bin/env node
import { enableCompileCache } from 'node:module';

// Start-up is much of a typical run, and compiling draingate's modules a good part of it: let Node keep
// them compiled on disk (in the temporary directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off). It
// applies to modules loaded after this call, hence the dynamic import.
enableCompileCache();
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
