import { loadApprovalSetup } from './approval/setup.js';
import { loadProviderConfig, renderUsage } from './config.js';
import { createLogger } from './logger.js';
import { startProvider } from './server.js';

/**
 * Runs the provider until SIGTERM or SIGINT, then drains and exits 0 (2 for a configuration error, 1 when it
 * cannot start). Shared by `node dist/main.js` and `draingate serve`.
 */
export async function runProvider(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } },
  command = 'node dist/main.js',
): Promise<number> {
  const { config, errors, help } = loadProviderConfig(argv, env);
  if (help) {
    io.stdout.write(renderUsage(command));
    return 0;
  }
  const approval = errors.length === 0 ? loadApprovalSetup(config) : { errors: [] };
  const problems = [...errors, ...approval.errors];
  if (problems.length > 0) {
    for (const error of problems) io.stderr.write(`draingate serve: ${error}\n`);
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
