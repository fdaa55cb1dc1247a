import type { Command } from 'commander';
import {
  allowancesFrom,
  CANARY_PARAMETERS,
  ELB_5XX_PARAMETERS,
  InputError,
  LATENCY_PARAMETERS,
  TARGET_HEALTH_PARAMETERS,
  runCanary,
  runLatency,
  runDrainTiming,
  runElb5xx,
  runTargetHealth,
  UpstreamError,
  upstreamErrorVerdict,
} from '@draingate/core';
import type {
  CanaryRequest,
  CheckName,
  Elb5xxRequest,
  GrammarValue,
  LatencyRequest,
  Phase,
  TargetHealthThresholds,
  Verdict,
  WorkloadFacts,
  WorkloadRef,
} from '@draingate/core';
import { systemClock } from '@draingate/core/node';
import type { CliIo } from '../io.js';
import { EXIT, UsageError, useColour } from '../io.js';
import { connect } from '../live.js';
import type { ConnectionFlags, LiveConnection } from '../live.js';
import { parseWorkloadRef } from '../live.js';
import { addParameterOptions, collect, oneOf, parameterValues } from '../options.js';
import { loadConfig } from './validate.js';

/** Exit status of `draingate check` by verdict phase. */
export const CHECK_EXIT: Readonly<Record<Phase, number>> = {
  Successful: EXIT.ok,
  Failed: EXIT.findings,
  Inconclusive: 3,
  Error: 4,
};
/** When several verdicts are printed, the exit status is the worst phase's. */
const SEVERITY: Readonly<Record<Phase, number>> = { Successful: 0, Inconclusive: 1, Error: 2, Failed: 3 };

interface CommonFlags extends ConnectionFlags {
  output: 'text' | 'json';
  namespace?: string;
  window?: number;
}

/** `draingate check <check>`: one-shot runtime checks against the real ALB and cluster. */
export function registerCheck(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const check = program
    .command('check')
    .description('Run a runtime check once against the live ALB and cluster, as the analysis provider does.')
    .addHelpText(
      'after',
      '\nExit status: 0 Successful, 1 Failed, 2 usage error, 3 Inconclusive, 4 Error (could not measure).\nAWS credentials come from the SDK’s default chain (environment, shared config, IRSA, EKS Pod Identity).',
    );

  const common = (command: Command, workload: boolean): Command => {
    command
      .option('-o, --output <format>', 'text or json', oneOf(['text', 'json'] as const), 'text')
      .option('--region <region>', 'AWS region (default: from the ARN, or the SDK configuration)')
      .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
      .option('--context <name>', 'kubeconfig context');
    if (workload)
      command
        .option('-n, --namespace <ns>', 'namespace of the workload', 'default')
        .argument(
          '[workload]',
          'deployment/NAME, statefulset/NAME, daemonset/NAME or rollout/NAME: find its target groups live',
        );
    return command;
  };

  addParameterOptions(
    common(
      check
        .command('elb-5xx')
        .description('ELB and target 5xx over requests, per load balancer and target group.'),
      true,
    )
      .option('--load-balancer <arn>', 'the ALB (default: the workload’s)')
      .option('--target-group <arn>', 'a target group (repeatable; default: the workload’s)', collect),
    ELB_5XX_PARAMETERS,
  ).action(
    (
      workload: string | undefined,
      flags: CommonFlags & { loadBalancer?: string; targetGroup?: string[] } & Record<string, unknown>,
    ) =>
      run(io, setExit, 'elb-5xx', flags, async (live) => {
        const targets = await resolveTargets(live, workload, flags);
        const loadBalancerArn = flags.loadBalancer ?? targets.loadBalancerArn;
        if (!loadBalancerArn)
          throw new UsageError(
            'elb-5xx needs --load-balancer ARN, or a workload whose target group is attached to one',
          );
        return [
          await runElb5xx(
            { metrics: live.aws.metrics, clock: systemClock },
            {
              ...(parameterValues(ELB_5XX_PARAMETERS, flags) as Partial<Elb5xxRequest>),
              loadBalancerArn,
              targetGroupArns: flags.targetGroup ?? targets.targetGroupArns,
            },
          ),
        ];
      }),
  );

  addParameterOptions(
    common(
      check.command('target-health').description('Target states, cross-referenced with the workload’s pods.'),
      true,
    ).option('--target-group <arn>', 'a target group (repeatable; default: the workload’s)', collect),
    TARGET_HEALTH_PARAMETERS,
  ).action(
    (
      workload: string | undefined,
      flags: CommonFlags & { targetGroup?: string[] } & Record<string, unknown>,
    ) =>
      run(io, setExit, 'target-health', flags, async (live) => {
        const targets = await resolveTargets(live, workload, flags);
        const arns = flags.targetGroup ?? targets.targetGroupArns;
        if (arns.length === 0)
          throw new UsageError('target-health needs --target-group ARN, or a workload with a target group');
        return Promise.all(
          arns.map((targetGroupArn) =>
            runTargetHealth(
              {
                targetHealth: live.aws.targetHealth,
                catalog: live.aws.catalog,
                clock: systemClock,
                ...(targets.facts ? { cluster: live.kube().cluster } : {}),
              },
              {
                targetGroupArn,
                ...(targets.facts
                  ? {
                      pods: {
                        namespace: targets.facts.workload.ref.namespace,
                        selector: targets.facts.workload.podLabels,
                      },
                    }
                  : {}),
                ...(parameterValues(TARGET_HEALTH_PARAMETERS, flags) as TargetHealthThresholds),
              },
            ),
          ),
        );
      }),
  );

  common(
    check
      .command('drain-timing')
      .description('The drain-timing rules on the live objects and target groups (DG001–DG018).'),
    true,
  ).action((workload: string | undefined, flags: CommonFlags) =>
    run(io, setExit, 'drain-timing', flags, async (live, allowances) => {
      if (!workload) throw new UsageError('drain-timing needs a workload: -n NAMESPACE deployment/NAME');
      const ref = parseWorkloadRef(workload, flags.namespace ?? 'default');
      return [await runDrainTiming({ facts: live, clock: systemClock }, { workload: ref, allowances })];
    }),
  );

  addParameterOptions(
    common(
      check
        .command('canary')
        .description(
          'The canary target group’s 5xx rate against the stable one’s: one-sided Fisher exact test on a window, or an anytime-valid sequential test since the canary started.',
        ),
      false,
    )
      .requiredOption('--load-balancer <arn>', 'the ALB both target groups are behind')
      .requiredOption('--canary-target-group <arn>', 'the canary target group')
      .requiredOption('--stable-target-group <arn>', 'the stable target group'),
    CANARY_PARAMETERS,
  ).action((flags: CommonFlags & CanaryTargets & Record<string, unknown>) =>
    run(io, setExit, 'canary', flags, async (live) => [
      await runCanary(
        { metrics: live.aws.metrics, clock: systemClock },
        canaryRequestFrom(flags, parameterValues(CANARY_PARAMETERS, flags)),
      ),
    ]),
  );

  addParameterOptions(
    common(
      check
        .command('latency')
        .description(
          'The canary target group’s TargetResponseTime percentile against the stable one’s, minute by minute: an anytime-valid sequential sign test over the minutes.',
        ),
      false,
    )
      .requiredOption('--load-balancer <arn>', 'the ALB both target groups are behind')
      .requiredOption('--canary-target-group <arn>', 'the canary target group')
      .requiredOption('--stable-target-group <arn>', 'the stable target group'),
    LATENCY_PARAMETERS,
  ).action((flags: CommonFlags & CanaryTargets & Record<string, unknown>) =>
    run(io, setExit, 'latency', flags, async (live) => [
      await runLatency(
        { metrics: live.aws.metrics, clock: systemClock },
        latencyRequestFrom(flags, parameterValues(LATENCY_PARAMETERS, flags)),
      ),
    ]),
  );
}

/** The `latency` request from its flags' values (by request field): `--since` and `--window` exclude each other. */
export function latencyRequestFrom(
  targets: CanaryTargets,
  values: Readonly<Record<string, GrammarValue>>,
): LatencyRequest {
  if (values['since'] !== undefined && values['windowMinutes'] !== undefined) {
    throw new UsageError(
      'check latency takes --since or --window, not both: every minute since --since is judged',
    );
  }
  return {
    ...(values as Partial<LatencyRequest>),
    loadBalancerArn: targets.loadBalancer,
    canaryTargetGroupArn: targets.canaryTargetGroup,
    stableTargetGroupArn: targets.stableTargetGroup,
  };
}

/** The target groups of `draingate check canary`. */
export interface CanaryTargets {
  loadBalancer: string;
  canaryTargetGroup: string;
  stableTargetGroup: string;
}

/** The `canary` request from its flags' values (by request field); the sequential method needs `--since`. */
export function canaryRequestFrom(
  targets: CanaryTargets,
  values: Readonly<Record<string, GrammarValue>>,
): CanaryRequest {
  if (values['method'] === 'sequential' && values['since'] === undefined) {
    throw new UsageError('check canary --method sequential needs --since, the time the canary started');
  }
  return {
    ...(values as Partial<CanaryRequest>),
    loadBalancerArn: targets.loadBalancer,
    canaryTargetGroupArn: targets.canaryTargetGroup,
    stableTargetGroupArn: targets.stableTargetGroup,
  };
}

async function run(
  io: CliIo,
  setExit: (code: number) => void,
  check: CheckName,
  flags: CommonFlags,
  body: (live: LiveConnection, allowances: ReturnType<typeof allowancesFrom>) => Promise<Verdict[]>,
): Promise<void> {
  const { config, file } = await loadConfig(io, undefined);
  const allowances = allowancesFrom(config, file, {});
  const live = await connect(flags, allowances, config.cluster);
  try {
    // Reading the workload's target groups can fail upstream too: that is "could not measure", an Error.
    const verdicts = await body(live, allowances).catch((error: unknown) => {
      if (error instanceof UpstreamError) return [upstreamErrorVerdict(check, error, 0, systemClock.now())];
      throw error;
    });
    io.stdout.write(
      flags.output === 'json'
        ? `${JSON.stringify(verdicts.length === 1 ? verdicts[0] : verdicts, null, 2)}\n`
        : verdicts.map((v) => renderVerdictText(v, useColour(io))).join('\n'),
    );
    const worst = verdicts.reduce<Phase>(
      (a, v) => (SEVERITY[v.phase] > SEVERITY[a] ? v.phase : a),
      'Successful',
    );
    setExit(CHECK_EXIT[worst]);
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(error.message);
    throw error;
  } finally {
    live.close();
  }
}

/** The workload's target groups and load balancer, read live, when a workload is named. */
async function resolveTargets(
  live: LiveConnection,
  workload: string | undefined,
  flags: CommonFlags,
): Promise<{ facts?: WorkloadFacts; targetGroupArns: string[]; loadBalancerArn?: string }> {
  if (!workload) return { targetGroupArns: [] };
  const ref: WorkloadRef = parseWorkloadRef(workload, flags.namespace ?? 'default');
  const facts = await live.readWorkloadFacts(ref);
  const arns = [
    ...new Set(
      facts.backends.map((b) => b.settings.targetGroupArn).filter((arn): arn is string => arn !== undefined),
    ),
  ];
  const loadBalancerArn = facts.backends.flatMap((b) => b.settings.loadBalancerArns ?? [])[0];
  return { facts, targetGroupArns: arns, ...(loadBalancerArn ? { loadBalancerArn } : {}) };
}

const MARK: Readonly<Record<Phase, [string, number]>> = {
  Successful: ['✔', 32],
  Failed: ['✖', 31],
  Inconclusive: ['?', 33],
  Error: ['!', 35],
};

/** One verdict for people: the phase, the number against its threshold, the reason. */
export function renderVerdictText(verdict: Verdict, colour: boolean): string {
  const [mark, code] = MARK[verdict.phase];
  const head = `${mark} ${verdict.phase}`;
  const painted = colour ? `\u001b[${code}m${head}\u001b[0m` : head;
  return `${painted}  ${verdict.check}  value ${formatNumber(verdict.value)} (threshold ${formatNumber(verdict.threshold)})\n  ${verdict.reason}\n`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, '');
}
