import type { Command } from 'commander';
import {
  GATE_PARAMETERS,
  InputError,
  UpstreamError,
  formatGateEvent,
  formatGateProgress,
  gateSettingsFrom,
  metricsRegionOf,
  prepareGate,
  renderGateText,
  watchRollout,
} from '@draingate/core';
import type { Clock, GateEvent } from '@draingate/core';
import { systemClock } from '@draingate/core/node';
import type { CliIo } from '../io.js';
import { EXIT, UsageError } from '../io.js';
import { addParameterOptions, oneOf, parameterValues } from '../options.js';
import { connectLive } from './gate-ports.js';
import type { ConnectOptions, LivePorts } from './gate-ports.js';

/** What the gate and rollback commands need from outside: tests pass in-memory ports and a manual clock. */
export interface LiveDeps {
  connect(options: ConnectOptions): LivePorts | Promise<LivePorts>;
  readonly clock: Clock;
}

/** The real adapters and the system clock. */
export const LIVE_DEPS: LiveDeps = { connect: connectLive, clock: systemClock };

interface GateFlags {
  namespace: string;
  kubeconfig?: string;
  context?: string;
  region?: string;
  output: 'text' | 'json';
}

/** Registers `draingate gate`: follow a rollout, watch the ALB, roll back or abort on harm. */
export function registerGate(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
  deps: LiveDeps = LIVE_DEPS,
): void {
  const command = program
    .command('gate')
    .description(
      'Follow a rollout to completion while watching the ALB; fail, and roll back or abort, on harm.',
    )
    .argument('<workload>', 'deployment/NAME, rollout/NAME, statefulset/NAME or daemonset/NAME');
  addParameterOptions(command, GATE_PARAMETERS, ['workload'])
    .option('-o, --output <format>', 'final summary: text or json', oneOf(['text', 'json'] as const), 'text')
    .addHelpText(
      'after',
      '\nExit status: 0 rolled out and settled; 1 failed (or could not measure); 2 usage or input error.\n\nExample:\n  draingate gate -n shop deployment/web --load-balancer arn:…:loadbalancer/app/shop/… --on-failure rollback',
    )
    .action(async (workloadText: string, flags: GateFlags & Record<string, unknown>) => {
      const settings = gateSettingsFrom({
        ...parameterValues(GATE_PARAMETERS, flags),
        workload: workloadText,
      });
      const region = metricsRegionOf(settings);
      const ports = await connectOrUsage(deps, { ...flags, ...(region !== undefined ? { region } : {}) });
      const controller = new AbortController();
      const stop = (): void => controller.abort(new Error('interrupted'));
      process.once('SIGINT', stop);
      try {
        const { options, notices } = await parseOrUsageAsync(() =>
          prepareGate(ports.cluster, settings, controller.signal),
        ).catch((error: unknown) => {
          if (error instanceof UpstreamError)
            throw new UsageError(`cannot read ${workloadText}: ${error.message}`);
          throw error;
        });
        const progress = createProgressPrinter(io, deps.clock);
        for (const notice of notices) io.stderr.write(`draingate: ${notice}\n`);
        const result = await parseOrUsageAsync(() =>
          watchRollout({ ...ports, clock: deps.clock }, options, {
            onEvent: progress,
            signal: controller.signal,
          }),
        );
        io.stdout.write(
          flags.output === 'json' ? `${JSON.stringify(result, null, 2)}\n` : renderGateText(result),
        );
        setExit(result.pass ? EXIT.ok : EXIT.findings);
      } finally {
        process.removeListener('SIGINT', stop);
        ports.close();
      }
    });
}

/** Builds the adapters; a kubeconfig that cannot be loaded is a usage error, not a crash. */
export async function connectOrUsage(deps: LiveDeps, flags: ConnectOptions): Promise<LivePorts> {
  try {
    return await deps.connect({
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.context !== undefined ? { context: flags.context } : {}),
      ...(flags.region !== undefined ? { region: flags.region } : {}),
    });
  } catch (error) {
    if (error instanceof InputError || error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

/** Runs `body`; an InputError (or the SDK's RangeError on a bad option) becomes a one-line usage error. */
export function parseOrUsage<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof InputError || error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

export async function parseOrUsageAsync<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Progress on stderr: on a TTY one line rewritten in place (decisions print above it); otherwise one
 * timestamped line per poll and per decision, as CI logs want.
 */
export function createProgressPrinter(io: CliIo, clock: Clock): (event: GateEvent) => void {
  const tty = io.stderr.isTTY === true;
  let lineShown = false;
  return (event) => {
    if (event.type === 'finished') {
      if (tty && lineShown) io.stderr.write('\n');
      return;
    }
    if (tty && event.type === 'poll') {
      io.stderr.write(`\r\x1b[2K${formatGateProgress(event.point)}`);
      lineShown = true;
      return;
    }
    const line = formatGateEvent(event);
    if (line === undefined) return;
    if (tty) {
      io.stderr.write(`${lineShown ? '\r\x1b[2K' : ''}${line}\n`);
      lineShown = false;
    } else {
      io.stderr.write(`${clock.now().toISOString()} ${line}\n`);
    }
  };
}
