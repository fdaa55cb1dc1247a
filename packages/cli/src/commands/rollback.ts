import type { Command } from 'commander';
import { ROLLBACK_PARAMETERS, UpstreamError, parseWorkloadRef, preconditionsOf } from '@draingate/core';
import type { ActionResult } from '@draingate/core';
import type { CliIo } from '../io.js';
import { EXIT, UsageError } from '../io.js';
import { addParameterOptions, parameterValues } from '../options.js';
import { LIVE_DEPS, connectOrUsage, parseOrUsage } from './gate.js';
import type { LiveDeps } from './gate.js';

interface RollbackFlags {
  namespace?: string;
  dryRun?: boolean;
  undo: boolean;
  kubeconfig?: string;
  context?: string;
}

// The rollback's flags are the gate's rows of the same names; the workload is the argument, and `--no-undo`
// says what `on-failure` says to the gate.
const CLI_ROLLBACK_PARAMETERS = ROLLBACK_PARAMETERS.filter(
  (parameter) => parameter.name !== 'workload' && parameter.name !== 'on-failure',
);

/**
 * Registers `draingate rollback`: a Deployment back to its previous revision (`kubectl rollout undo`), an Argo
 * Rollout aborted (and with `--undo` set back to its stable template). Guarded by the generation and revision
 * read just before, so a concurrent edit is refused rather than overwritten.
 */
export function registerRollback(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
  deps: LiveDeps = LIVE_DEPS,
): void {
  const command = program
    .command('rollback')
    .description('Roll a Deployment back to its previous revision, or abort an Argo Rollout.')
    .argument('<workload>', 'deployment/NAME or rollout/NAME');
  addParameterOptions(command, CLI_ROLLBACK_PARAMETERS);
  command
    .option('--no-undo', 'Rollout: abort only, keep spec.template')
    .addHelpText(
      'after',
      '\nExit status: 0 done (or would be, with --dry-run); 1 refused or failed; 2 usage error.',
    )
    .action(async (workloadText: string, flags: RollbackFlags) => {
      const { namespace, dryRun } = parameterValues(CLI_ROLLBACK_PARAMETERS, { ...flags }) as {
        namespace: string;
        dryRun: boolean;
      };
      const workload = parseOrUsage(() => parseWorkloadRef(workloadText, namespace));
      if (workload.kind !== 'Deployment' && workload.kind !== 'Rollout')
        throw new UsageError('rollback works on Deployments and Argo Rollouts');
      const ports = await connectOrUsage(deps, flags);
      try {
        const status = await ports.cluster.readRolloutStatus(workload);
        const preconditions = preconditionsOf({ generation: status.generation, revision: status.revision });
        const result: ActionResult =
          workload.kind === 'Rollout'
            ? await ports.actuator.abort(workload, preconditions, { dryRun, undo: flags.undo })
            : await ports.actuator.rollback(workload, preconditions, { dryRun });
        io.stdout.write(`${result.description}\n`);
        setExit(EXIT.ok);
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error;
        io.stderr.write(
          `draingate: ${error.failure === 'conflict' ? 'refused' : 'failed'}: ${error.message}\n`,
        );
        setExit(EXIT.findings);
      } finally {
        ports.close();
      }
    });
}
