import { InvalidArgumentError } from 'commander';
import { createCanaryStrategy, createRollingStrategy } from '@draingate/core';
import type {
  NumericScenarioField,
  ScenarioInput,
  SimulatedCanaryStep,
  SimulationScenario,
} from '@draingate/core';

/** Report formats of `draingate simulate`. */
export const OUTPUTS = ['text', 'json'] as const;

/** Scenario flags: the flag, the scenario field, how to read the value, and the help line. */
export interface NumberFlag {
  readonly flag: string;
  readonly field: NumericScenarioField;
  readonly help: string;
  readonly integer?: boolean;
  readonly max?: number;
  /** Why 0 is refused, when it is. */
  readonly positive?: string;
}

/** Every numeric scenario field has a flag. */
export const NUMBER_FLAGS: readonly NumberFlag[] = [
  { flag: 'replicas', field: 'replicas', help: 'pods of the workload (default 2)', integer: true, max: 1000 },
  { flag: 'min-ready', field: 'minReadySeconds', help: 'minReadySeconds (default 0)' },
  {
    flag: 'startup',
    field: 'startupSeconds',
    help: 'seconds from pod creation until the app listens (default 5)',
  },
  {
    flag: 'readiness-period',
    field: 'readinessPeriodSeconds',
    help: 'readiness probe periodSeconds (default 10)',
  },
  { flag: 'prestop', field: 'preStopSeconds', help: 'P: preStop sleep seconds (default 0)' },
  {
    flag: 'grace',
    field: 'terminationGracePeriodSeconds',
    help: 'G: terminationGracePeriodSeconds (default 30)',
    integer: true,
  },
  {
    flag: 'shutdown-seconds',
    field: 'shutdownSeconds',
    help: 'S: app shutdown seconds after SIGTERM (default 5)',
  },
  {
    flag: 'controller-latency',
    field: 'controllerLatencySeconds',
    help: 'controller latency before Register/DeregisterTargets (default 5)',
  },
  {
    flag: 'propagation',
    field: 'propagationSeconds',
    help: 'L: deregistration propagation to the ALB data plane (default 15)',
  },
  {
    flag: 'health-interval',
    field: 'healthCheckIntervalSeconds',
    help: 'ALB health check interval (default 15)',
  },
  {
    flag: 'health-timeout',
    field: 'healthCheckTimeoutSeconds',
    help: 'ALB health check timeout (default 5)',
  },
  {
    flag: 'healthy-threshold',
    field: 'healthyThresholdCount',
    help: 'healthy threshold count (default 2)',
    integer: true,
  },
  {
    flag: 'unhealthy-threshold',
    field: 'unhealthyThresholdCount',
    help: 'unhealthy threshold count (default 2)',
    integer: true,
  },
  {
    flag: 'deregistration-delay',
    field: 'deregistrationDelaySeconds',
    help: 'D: deregistration delay (default 300)',
  },
  { flag: 'idle-timeout', field: 'idleTimeoutSeconds', help: 'ALB idle timeout (default 60)' },
  {
    flag: 'rps',
    field: 'rps',
    help: 'requests per second (default 50)',
    max: 100_000,
    positive: 'with no traffic nothing can fail, and nothing is shown',
  },
  { flag: 'request-ms', field: 'requestMedianMs', help: 'median request duration in ms (default 30)' },
  {
    flag: 'request-p99-ms',
    field: 'requestP99Ms',
    help: '99th percentile request duration in ms (default 50)',
  },
  { flag: 'request-max', field: 'requestMaxSeconds', help: 'longest request in seconds (default 10)' },
  {
    flag: 'warmup',
    field: 'warmupSeconds',
    help: 'seconds of traffic before the rollout starts (default 10)',
  },
];

/** Sweep parameter names: the flag names above, or the scenario field names. */
const SWEEP_ALIASES: ReadonlyMap<string, NumericScenarioField> = new Map(
  NUMBER_FLAGS.flatMap((entry) => [
    [entry.flag, entry.field],
    [entry.field, entry.field],
  ]),
);

/** The flag to name in an error about a scenario field. */
export const FLAG_OF_FIELD: ReadonlyMap<string, string> = new Map([
  ...NUMBER_FLAGS.map((entry) => [entry.field, `--${entry.flag}`] as const),
  ['keepAliveTimeoutSeconds', '--keepalive'],
  ['durationSeconds', '--duration'],
  ['seed', '--seed'],
  ['readinessGate', '--readiness-gate'],
  ['strategy', '--max-surge/--max-unavailable'],
  ['strategy.maxSurge', '--max-surge'],
  ['strategy.maxUnavailable', '--max-unavailable'],
  ['strategy.scaleDownDelaySeconds', '--scale-down-delay'],
]);

/** Parses a non-negative number for a flag; commander reports the flag, the value and this reason. */
export function parseNumber(
  options: { integer?: boolean; max?: number; positive?: string } = {},
): (value: string) => number {
  return (value) => {
    const trimmed = value.trim();
    const number = trimmed === '' ? Number.NaN : Number(trimmed);
    if (!Number.isFinite(number) || number < 0) {
      throw new InvalidArgumentError(`expected a number ≥ 0, got ${JSON.stringify(value)}.`);
    }
    if (options.integer === true && !Number.isInteger(number)) {
      throw new InvalidArgumentError(`expected a whole number, got ${JSON.stringify(value)}.`);
    }
    if (options.positive !== undefined && number === 0) {
      throw new InvalidArgumentError(`expected a number > 0, got ${trimmed}: ${options.positive}.`);
    }
    if (options.max !== undefined && number > options.max) {
      throw new InvalidArgumentError(`expected at most ${options.max}, got ${trimmed}.`);
    }
    return number;
  };
}

/** Parses a pod count or a percentage (`1`, `25%`). */
export function parseIntOrPercent(value: string): number | string {
  const trimmed = value.trim();
  if (/^\d+%$/.test(trimmed)) return trimmed;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  throw new InvalidArgumentError(
    `expected a pod count such as 1 or a percentage such as 25%, got ${JSON.stringify(value)}.`,
  );
}

/** `25,pause30,50,pause30`: setWeight percentages and pauses in seconds, in order. */
export function parseCanarySteps(value: string): SimulatedCanaryStep[] {
  return value.split(',').map((raw) => {
    const part = raw.trim();
    const pause = /^pause(\d+(?:\.\d+)?)$/.exec(part);
    if (pause !== null) return { kind: 'pause', seconds: Number(pause[1]) };
    if (/^\d+(\.\d+)?$/.test(part) && Number(part) <= 100) return { kind: 'setWeight', weight: Number(part) };
    throw new InvalidArgumentError(
      `expected weights (0–100) and pauses such as 25,pause30,50,pause30; ${JSON.stringify(part)} is neither.`,
    );
  });
}

/** A parsed `--sweep param=a..b`. */
export interface SweepFlag {
  readonly field: NumericScenarioField;
  readonly from: number;
  readonly to: number;
}

/** Parses `--sweep prestop=0..40` (flag or field names); a reversed range is an error. */
export function parseSweep(value: string): SweepFlag {
  const match = /^([\w-]+)=(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)$/.exec(value.trim());
  if (match === null)
    throw new InvalidArgumentError(
      `expected param=from..to such as prestop=0..40, got ${JSON.stringify(value)}.`,
    );
  const [, name = '', fromText = '', toText = ''] = match;
  const field = SWEEP_ALIASES.get(name);
  if (field === undefined) {
    throw new InvalidArgumentError(
      `cannot sweep ${JSON.stringify(name)}; one of ${NUMBER_FLAGS.map((entry) => entry.flag).join(', ')}.`,
    );
  }
  const from = Number(fromText);
  const to = Number(toText);
  if (from > to)
    throw new InvalidArgumentError(`the range ${from}..${to} is reversed; write ${to}..${from}.`);
  return { field, from, to };
}

/** The parsed options of `draingate simulate`. */
export interface SimulateFlags {
  readonly [key: string]: unknown;
  readonly output: (typeof OUTPUTS)[number];
  readonly reference?: string;
  readonly duration?: number;
  readonly seed?: number;
  readonly runs?: number;
  readonly fix?: boolean;
  readonly sweep?: SweepFlag;
  readonly sweepSteps: number;
  readonly chart?: string;
  readonly eventBudget?: number;
  readonly maxSurge?: number | string;
  readonly maxUnavailable?: number | string;
  readonly canary?: SimulatedCanaryStep[];
  readonly scaleDownDelay?: number;
  readonly readinessGate?: boolean;
  readonly targetType?: 'ip' | 'instance';
  readonly prestopAction?: 'sleep' | 'exec';
  readonly shutdown?: 'stop-accepting' | 'drain' | 'exit';
  readonly keepalive?: number;
  readonly arrivals?: 'constant' | 'poisson';
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** The scenario fields the user set by flag. */
export function scenarioOverrides(flags: SimulateFlags): ScenarioInput {
  const input: Record<string, unknown> = {};
  for (const entry of NUMBER_FLAGS) {
    const value = flags[camel(entry.flag)];
    if (typeof value === 'number') input[entry.field] = value;
  }
  const set = (field: keyof SimulationScenario, value: unknown): void => {
    if (value !== undefined) input[field] = value;
  };
  set('readinessGate', flags.readinessGate);
  set('targetType', flags.targetType);
  set('preStopAction', flags.prestopAction);
  set('shutdownBehaviour', flags.shutdown);
  set('keepAliveTimeoutSeconds', flags.keepalive);
  set('arrivals', flags.arrivals);
  set('durationSeconds', flags.duration);
  set('seed', flags.seed);
  return input as ScenarioInput;
}

/** Applies the strategy flags on top of a scenario (whose replicas they resolve percentages against). */
export function withStrategy(scenario: SimulationScenario, flags: SimulateFlags): SimulationScenario {
  if (flags.canary !== undefined) {
    return { ...scenario, strategy: createCanaryStrategy(flags.canary, flags.scaleDownDelay) };
  }
  if (scenario.strategy.kind === 'canary' && flags.scaleDownDelay !== undefined) {
    return { ...scenario, strategy: { ...scenario.strategy, scaleDownDelaySeconds: flags.scaleDownDelay } };
  }
  // Without a strategy flag the scenario keeps its own strategy, an Argo canary's included.
  if (flags.maxSurge === undefined && flags.maxUnavailable === undefined) return scenario;
  const current = scenario.strategy.kind === 'rolling' ? scenario.strategy : undefined;
  return {
    ...scenario,
    strategy: createRollingStrategy(
      scenario.replicas,
      flags.maxSurge ?? current?.maxSurge ?? '25%',
      flags.maxUnavailable ?? current?.maxUnavailable ?? '25%',
    ),
  };
}
