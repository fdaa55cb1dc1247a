import { Command, CommanderError } from 'commander';
import { loadApprovalSetup } from './approval/setup.js';
import { resolveProviderConfig } from './config.js';
import { addServeOptions } from './options.js';
import { createLogger } from './logger.js';
import { startProvider } from './server.js';

/** Where the provider writes: its logs on stdout, configuration errors on stderr. */
export interface ProviderIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** The provider's command: its options (flags with their DRAINGATE_* variables) and help. */
export function createServeCommand(name = 'node dist/main.js'): Command {
  return addServeOptions(
    new Command(name).description(
      'Serve the runtime checks to Argo Rollouts (provider: web) until SIGTERM or SIGINT, then drain.',
    ),
  );
}

/**
 * Runs the provider with the options commander parsed (`draingate serve`, or `runProvider`) until SIGTERM or
 * SIGINT, then drains and resolves 0; 2 for a configuration error (each printed as commander prints its own),
 * 1 when it cannot start.
 */
export async function serveWithOptions(
  options: Readonly<Record<string, unknown>>,
  io: ProviderIo,
): Promise<number> {
  const { config, errors } = resolveProviderConfig(options);
  const approval = errors.length === 0 ? loadApprovalSetup(config) : { errors: [] };
  const problems = [...errors, ...approval.errors];
  if (problems.length > 0) {
    for (const error of problems) io.stderr.write(`error: ${error}\n`);
    io.stderr.write('(add --help for usage)\n');
    return 2;
  }
  const logger = createLogger(io.stdout, config.logLevel);
  let provider;
  try {
    provider = await startProvider({
      config,
      logger,
      ...(approval.setup ? { approval: approval.setup } : {}),
    });
  } catch (error) {
    logger.error('cannot start', { error: error instanceof Error ? error.message : String(error) });
    return 1;
  }
  const running = provider;
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void running.shutdown(signal).then(() => resolve(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/** `node dist/main.js [options]`: parses the options (help and errors as commander writes them) and serves. */
export async function runProvider(
  argv: readonly string[],
  io: ProviderIo,
  name = 'node dist/main.js',
): Promise<number> {
  const command = createServeCommand(name)
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  try {
    command.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return serveWithOptions(command.opts(), io);
}
