import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import {
  InputError,
  UpstreamError,
  formatGateEvent,
  formatGateProgress,
  parseWorkloadRef,
  podSelectorOf,
  renderGateText,
  targetGroupArnsFor,
  watchRollout,
} from '@draingate/core';
import { LATENCY_PERCENTILES } from '@draingate/core';
import type {
  Clock,
  GateCanaryOptions,
  GateEvent,
  GateOptions,
  MetricPercentile,
  OnFailure,
} from '@draingate/core';
import { systemClock } from '@draingate/core/node';
import type { CliIo } from '../io.js';
import { EXIT, UsageError } from '../io.js';
import { oneOf, parseNumber, parseSeconds } from '../options.js';
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
  targetGroup?: string[];
  loadBalancer?: string;
  timeout: number;
  pollInterval: number;
  metricsInterval: number;
  settle: number;
  maxErrorRate?: number;
  max5xx?: number;
  minRequests?: number;
  minHealthy?: number;
  registrationWindow?: number;
  failAfterPolls?: number;
  canaryTargetGroup?: string;
  stableTargetGroup?: string;
  canaryErrors: boolean;
  canaryAlpha?: number;
  canaryMinRelativeEffect?: number;
  latency: boolean;
  latencyPercentile?: MetricPercentile;
  latencyMinRelativeEffect?: number;
  onFailure: OnFailure;
  dryRun: boolean;
  kubeconfig?: string;
  context?: string;
  region?: string;
  output: 'text' | 'json';
}

/** `1%`, `0.5%` or `0.01` → a rate in [0, 1]. */
export function parseRate(value: string): number {
  const trimmed = value.trim();
  const percent = trimmed.endsWith('%');
  const number = Number(percent ? trimmed.slice(0, -1) : trimmed);
  const rate = percent ? number / 100 : number;
  if (trimmed === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new InvalidArgumentError(`expected a rate such as 1% or 0.01, got ${JSON.stringify(value)}.`);
  }
  return rate;
}

/** A whole number ≥ 0. */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw new InvalidArgumentError(`expected a whole number, got ${JSON.stringify(value)}.`);
  return Number(value.trim());
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Registers `draingate gate`: follow a rollout, watch the ALB, roll back or abort on harm. */
export function registerGate(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
  deps: LiveDeps = LIVE_DEPS,
): void {
  program
    .command('gate')
    .description(
      'Follow a rollout to completion while watching the ALB; fail, and roll back or abort, on harm.',
    )
    .argument('<workload>', 'deployment/NAME, rollout/NAME, statefulset/NAME or daemonset/NAME')
    .option('-n, --namespace <ns>', 'namespace of the workload', 'default')
    .option(
      '--target-group <arn>',
      'target group to watch (repeatable; default: from TargetGroupBindings)',
      collect,
    )
    .option('--load-balancer <arn>', 'ALB whose 5xx CloudWatch counts (default: 5xx not judged)')
    .option('--timeout <s>', 'fail when the rollout has not completed by then', parseSeconds, 600)
    .option('--poll-interval <s>', 'how often rollout status and target health are read', parseSeconds, 5)
    .option('--metrics-interval <s>', 'how often CloudWatch is read', parseSeconds, 60)
    .option('--settle <s>', 'keep watching this long after the rollout completes', parseSeconds, 60)
    .option('--max-error-rate <rate>', 'fail above this 5xx rate, e.g. 1% or 0.01 (default 1%)', parseRate)
    .option('--max-5xx <count>', 'fail above this many 5xx, whatever the traffic', parseCount)
    .option(
      '--min-requests <count>',
      'do not judge the rate below this many requests (default 100)',
      parseCount,
    )
    .option('--min-healthy <count>', 'fail with fewer healthy targets (default 1)', parseCount)
    .option(
      '--registration-window <s>',
      'how long a target may stay initial/unhealthy (default 35)',
      parseSeconds,
    )
    .option(
      '--fail-after-polls <count>',
      'failed target-health polls in a row that fail the gate (default 2)',
      parseCount,
    )
    .option(
      '--canary-target-group <arn>',
      'compare this canary target group with --stable-target-group on --load-balancer: its 5xx (sequential test) and latency',
    )
    .option('--stable-target-group <arn>', 'the stable target group the canary is compared with')
    .option('--no-canary-errors', "leave out the canary's 5xx comparison")
    .option(
      '--canary-alpha <p>',
      "false-alarm rate of the canary's 5xx test, however often read (default 0.05)",
      parseNumber({ min: 0, max: 0.5 }),
    )
    .option(
      '--canary-min-relative-effect <fraction>',
      'tolerate a canary 5xx rate up to (1 + this) × the stable one’s (default 0)',
      parseNumber({ min: 0 }),
    )
    .option('--no-latency', "leave out the canary's latency comparison")
    .option(
      '--latency-percentile <p>',
      'TargetResponseTime percentile compared: p50, p90, p95 or p99 (default p99)',
      oneOf(LATENCY_PERCENTILES),
    )
    .option(
      '--latency-min-relative-effect <fraction>',
      'tolerate a canary percentile up to (1 + this) × the stable one’s (default 0.1)',
      parseNumber({ min: 0 }),
    )
    .option(
      '--on-failure <what>',
      'rollback, abort or none',
      oneOf(['rollback', 'abort', 'none'] as const),
      'none',
    )
    .option('--dry-run', 'validate the rollback or abort with the API server, change nothing', false)
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--region <region>', 'AWS region (default: from the environment)')
    .option('-o, --output <format>', 'final summary: text or json', oneOf(['text', 'json'] as const), 'text')
    .addHelpText(
      'after',
      '\nExit status: 0 rolled out and settled; 1 failed (or could not measure); 2 usage or input error.\n\nExample:\n  draingate gate -n shop deployment/web --load-balancer arn:…:loadbalancer/app/shop/… --on-failure rollback',
    )
    .action(async (workloadText: string, flags: GateFlags) => {
      const ports = await connectOrUsage(deps, flags);
      const controller = new AbortController();
      const stop = (): void => controller.abort(new Error('interrupted'));
      process.once('SIGINT', stop);
      try {
        const workload = parseOrUsage(() => parseWorkloadRef(workloadText, flags.namespace));
        const canary = gateCanaryFrom(flags);
        const live = await ports.cluster
          .readLiveObjects(workload, controller.signal)
          .catch((error: unknown) => {
            if (error instanceof UpstreamError)
              throw new UsageError(`cannot read ${workloadText}: ${error.message}`);
            throw error;
          });
        const targetGroupArns =
          flags.targetGroup ?? targetGroupArnsFor(live.workload, live.services, live.targetGroupBindings);
        const podSelector = podSelectorOf(live.workload);
        const options: GateOptions = {
          workload,
          targetGroupArns,
          ...(flags.loadBalancer !== undefined ? { loadBalancerArn: flags.loadBalancer } : {}),
          ...(podSelector ? { podSelector } : {}),
          timeoutSeconds: flags.timeout,
          pollIntervalSeconds: flags.pollInterval,
          metricsIntervalSeconds: flags.metricsInterval,
          settleSeconds: flags.settle,
          ...(flags.failAfterPolls !== undefined ? { failAfterPolls: flags.failAfterPolls } : {}),
          targetHealth: {
            ...(flags.minHealthy !== undefined ? { minHealthy: flags.minHealthy } : {}),
            ...(flags.registrationWindow !== undefined
              ? { registrationWindowSeconds: flags.registrationWindow }
              : {}),
          },
          elb5xx: {
            ...(flags.maxErrorRate !== undefined ? { maxRate: flags.maxErrorRate } : {}),
            ...(flags.max5xx !== undefined ? { maxCount: flags.max5xx } : {}),
            ...(flags.minRequests !== undefined ? { minRequests: flags.minRequests } : {}),
          },
          ...(canary ? { canary } : {}),
          onFailure: flags.onFailure,
          dryRun: flags.dryRun,
        };
        const progress = createProgressPrinter(io, deps.clock);
        if (targetGroupArns.length === 0) {
          io.stderr.write(
            'draingate: no target group given or found through TargetGroupBindings: target health is not judged\n',
          );
        }
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

/** The gate's canary comparisons from its flags: both target groups or neither. */
export function gateCanaryFrom(
  flags: Pick<
    GateFlags,
    | 'canaryTargetGroup'
    | 'stableTargetGroup'
    | 'canaryErrors'
    | 'canaryAlpha'
    | 'canaryMinRelativeEffect'
    | 'latency'
    | 'latencyPercentile'
    | 'latencyMinRelativeEffect'
  >,
): GateCanaryOptions | undefined {
  if (flags.canaryTargetGroup === undefined && flags.stableTargetGroup === undefined) return undefined;
  if (flags.canaryTargetGroup === undefined || flags.stableTargetGroup === undefined) {
    throw new UsageError(
      'gate compares a canary with --canary-target-group and --stable-target-group, both or neither',
    );
  }
  if (!flags.canaryErrors && !flags.latency) {
    throw new UsageError('gate --no-canary-errors --no-latency leaves nothing to compare the canary on');
  }
  return {
    canaryTargetGroupArn: flags.canaryTargetGroup,
    stableTargetGroupArn: flags.stableTargetGroup,
    errors: flags.canaryErrors
      ? {
          ...(flags.canaryAlpha !== undefined ? { alpha: flags.canaryAlpha } : {}),
          ...(flags.canaryMinRelativeEffect !== undefined
            ? { minRelativeEffect: flags.canaryMinRelativeEffect }
            : {}),
        }
      : false,
    latency: flags.latency
      ? {
          ...(flags.latencyPercentile !== undefined ? { percentile: flags.latencyPercentile } : {}),
          ...(flags.latencyMinRelativeEffect !== undefined
            ? { minRelativeEffect: flags.latencyMinRelativeEffect }
            : {}),
        }
      : false,
  };
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

async function parseOrUsageAsync<T>(body: () => Promise<T>): Promise<T> {
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
