import type { Command } from 'commander';
import { addServeOptions } from '@draingate/analysis-provider/options';
import type { CliIo } from '../io.js';

/**
 * `draingate serve`: runs the Argo Rollouts analysis provider in the foreground until SIGTERM/SIGINT. Its
 * options are the provider's own (flags, `DRAINGATE_*` environment variables, `--config` file), declared by the
 * provider so that `draingate serve` and `node dist/main.js` accept exactly the same ones, and parsed here by
 * commander like every other command's.
 */
export function registerServe(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void = () => undefined,
): void {
  addServeOptions(
    program
      .command('serve')
      .description('Serve the runtime checks to Argo Rollouts (provider: web) until SIGTERM or SIGINT.'),
  ).action(async (options: Record<string, unknown>) => {
    // Loaded on use: the provider brings express and both SDKs, which offline commands never need.
    const { serveWithOptions } = await import('@draingate/analysis-provider');
    setExit(await serveWithOptions(options, io));
  });
}
