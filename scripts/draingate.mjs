// `npm run draingate -- ARGS`: the built CLI, from a checkout, on the Node the repository pins. npm runs
// scripts from the repository root, so this returns to the directory npm was started in (INIT_CWD) first:
// relative paths in ARGS then mean what they say.
process.chdir(process.env.INIT_CWD ?? process.cwd());
await import('../packages/cli/dist/draingate.js');
