import type { Command } from 'commander';
import { UpstreamError, parseWorkloadRef, preconditionsOf } from '@draingate/core';
import type { ActionResult } from '@draingate/core';
import type { CliIo } from '../io.js';
import { EXIT, UsageError } from '../io.js';
import { LIVE_DEPS, connectOrUsage, parseOrUsage } from './gate.js';
import type { LiveDeps } from './gate.js';

interface RollbackFlags {
  namespace: string;
  dryRun: boolean;
  undo: boolean;
  kubeconfig?: string;
  context?: string;
}

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
  program
    .command('rollback')
    .description('Roll a Deployment back to its previous revision, or abort an Argo Rollout.')
    .argument('<workload>', 'deployment/NAME or rollout/NAME')
    .option('-n, --namespace <ns>', 'namespace of the workload', 'default')
    .option('--dry-run', 'validate the change with the API server, change nothing', false)
    .option('--no-undo', 'Rollout: abort only, keep spec.template')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .addHelpText(
      'after',
      '\nExit status: 0 done (or would be, with --dry-run); 1 refused or failed; 2 usage error.',
    )
    .action(async (workloadText: string, flags: RollbackFlags) => {
      const workload = parseOrUsage(() => parseWorkloadRef(workloadText, flags.namespace));
      if (workload.kind !== 'Deployment' && workload.kind !== 'Rollout')
        throw new UsageError('rollback works on Deployments and Argo Rollouts');
      const ports = await connectOrUsage(deps, flags);
      try {
        const status = await ports.cluster.readRolloutStatus(workload);
        const preconditions = preconditionsOf({ generation: status.generation, revision: status.revision });
        const result: ActionResult =
          workload.kind === 'Rollout'
            ? await ports.actuator.abort(workload, preconditions, { dryRun: flags.dryRun, undo: flags.undo })
            : await ports.actuator.rollback(workload, preconditions, { dryRun: flags.dryRun });
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
