import type { Command } from 'commander';
import type { CliIo } from '../io.js';

/**
 * `draingate serve`: runs the Argo Rollouts analysis provider in the foreground until SIGTERM/SIGINT. Its
 * options are the provider's own (flags, `DRAINGATE_*` environment variables, `--config` file), parsed by the
 * provider so that `draingate serve` and `node dist/main.js` accept exactly the same ones.
 */
export function registerServe(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void = () => undefined,
): void {
  program
    .command('serve')
    .description('Serve the runtime checks to Argo Rollouts (provider: web); see `draingate serve --help`.')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[options...]', 'provider options (see --help)')
    .addHelpText('after', '\nThe provider’s options: draingate serve --help')
    .action(async (args: string[]) => {
      // Loaded on use: the provider brings express and both SDKs, which offline commands never need.
      const { runProvider } = await import('@draingate/analysis-provider');
      setExit(await runProvider(args, io.env, io, 'draingate serve'));
    });
}
