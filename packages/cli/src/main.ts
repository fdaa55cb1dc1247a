import { Command, CommanderError } from 'commander';
import { DRAINGATE_VERSION } from '@draingate/core';
import type { CliIo } from './io.js';
import { EXIT, UsageError } from './io.js';
import { registerRules } from './commands/rules.js';
import { createManifestLoader, registerSimulate } from './commands/simulate.js';
import { loadConfig, registerValidate } from './commands/validate.js';
import { registerCheck } from './commands/check.js';
import { registerGate } from './commands/gate.js';
import { registerRollback } from './commands/rollback.js';
import { registerServe } from './commands/serve.js';
import { allowancesFrom } from '@draingate/core';

/** Builds the command tree. Exported for tests that inspect help. */
export function createProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('draingate')
    .description(
      'Zero-5xx Kubernetes rollouts behind AWS load balancers: validate drain timing, simulate a rollout, check and gate it.',
    )
    .version(DRAINGATE_VERSION, '-v, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  registerValidate(program, io, setExit);
  registerSimulate(program, io, async (paths, overrides) => {
    // Manifests are simulated with the same allowances validate uses (.draingate.yaml when present).
    const { config, file } = await loadConfig(io, undefined);
    return createManifestLoader(io, {
      allowances: allowancesFrom(config, file, {}),
      ...(config.cluster ? { cluster: config.cluster } : {}),
    })(paths, overrides);
  });
  registerCheck(program, io, setExit);
  registerGate(program, io, setExit);
  registerRollback(program, io, setExit);
  registerServe(program, io, setExit);
  registerRules(program, io);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and returns its exit status: 0 ok, 1 findings or a failed check, 2 usage or input error. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = createProgram(io, (next) => (code = next));
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error (it already printed why).
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`draingate: ${error.message}\n`);
      return EXIT.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`draingate: internal error: ${message}\n(please report it with the command you ran)\n`);
    return 70;
  }
}
