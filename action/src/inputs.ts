import { InputError, parseWorkloadRef } from '@draingate/core';
import { LATENCY_PERCENTILES } from '@draingate/core';
import type { FailOn, MetricPercentile, OnFailure } from '@draingate/core';

/** The commands the action runs. */
export type ActionCommand = 'validate' | 'gate' | 'rollback';

/** Reads one input by its action.yml name; '' when not given (the runner's convention). */
export type InputReader = (name: string) => string;

/** The action's inputs, parsed and validated. Durations in seconds, rates in [0, 1]. */
export interface ActionInputs {
  readonly command: ActionCommand;
  readonly manifests: readonly string[];
  readonly failOn: FailOn;
  readonly sarifFile?: string;
  readonly workload?: string;
  readonly namespace: string;
  readonly kubeconfig?: string;
  readonly kubeContext?: string;
  readonly awsRegion?: string;
  readonly targetGroups: readonly string[];
  readonly loadBalancer?: string;
  readonly maxErrorRate: number;
  readonly max5xx?: number;
  /** Both or neither: the canary compared with the stable target group on `loadBalancer`. */
  readonly canary?: {
    readonly canaryTargetGroup: string;
    readonly stableTargetGroup: string;
    /** Which comparisons: the canary's 5xx (sequential test) and its latency. */
    readonly checks: readonly ('errors' | 'latency')[];
    readonly latencyPercentile: MetricPercentile;
  };
  readonly minRequests: number;
  readonly minHealthy: number;
  readonly timeoutSeconds: number;
  readonly pollIntervalSeconds: number;
  readonly metricsIntervalSeconds: number;
  readonly settleSeconds: number;
  readonly onFailure: OnFailure;
  readonly dryRun: boolean;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InputError(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** A list input: one item per line or comma, blanks and `#` comments dropped. */
export function parseList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'));
}

/** `90`, `90s`, `10m`, `1h`, `1m30s` → seconds; anything else is an InputError naming the input. */
export function parseDuration(name: string, value: string, options: { allowZero?: boolean } = {}): number {
  const text = value.trim();
  const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?$/.exec(text);
  if (text === '' || !match || match.slice(1).every((part) => part === undefined)) {
    throw new InputError(name, `must be a duration such as 90s, 10m or 1h, got ${JSON.stringify(value)}`);
  }
  const [hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  const total = (hours ?? 0) * 3600 + (minutes ?? 0) * 60 + (seconds ?? 0);
  if (total > 86_400) throw new InputError(name, `must be at most 24h, got ${JSON.stringify(value)}`);
  if (total === 0 && !options.allowZero)
    throw new InputError(name, `must be longer than 0, got ${JSON.stringify(value)}`);
  return total;
}

/** `1%`, `0.5%` or `0.01` → a rate in [0, 1]. */
export function parseRate(name: string, value: string): number {
  const text = value.trim();
  const percent = text.endsWith('%');
  const number = Number(percent ? text.slice(0, -1).trim() : text);
  const rate = percent ? number / 100 : number;
  if (text === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new InputError(name, `must be a rate such as 1% or 0.01, got ${JSON.stringify(value)}`);
  }
  return rate;
}

/** A whole number ≥ 0. */
export function parseCount(name: string, value: string): number {
  if (!/^\d{1,9}$/.test(value.trim()))
    throw new InputError(name, `must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value.trim());
}

function parseBoolean(name: string, value: string): boolean {
  const text = value.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(text)) return true;
  if (['false', 'no', 'off', '0', ''].includes(text)) return false;
  throw new InputError(name, `must be true or false, got ${JSON.stringify(value)}`);
}

function optional(value: string): string | undefined {
  const text = value.trim();
  return text === '' ? undefined : text;
}

/** The canary inputs: both target groups or neither, a list of comparisons, a percentile. */
function parseCanary(read: InputReader): ActionInputs['canary'] {
  const canaryTargetGroup = optional(read('canary-target-group'));
  const stableTargetGroup = optional(read('stable-target-group'));
  if (canaryTargetGroup === undefined && stableTargetGroup === undefined) return undefined;
  if (canaryTargetGroup === undefined || stableTargetGroup === undefined) {
    throw new InputError(
      canaryTargetGroup === undefined ? 'canary-target-group' : 'stable-target-group',
      'is required with the other: the canary is compared with the stable target group',
    );
  }
  const checks = parseList(read('canary-checks') || 'errors, latency').map((check) =>
    oneOf('canary-checks', check, ['errors', 'latency'] as const),
  );
  if (checks.length === 0) throw new InputError('canary-checks', 'must name errors, latency or both');
  return {
    canaryTargetGroup,
    stableTargetGroup,
    checks,
    latencyPercentile: oneOf(
      'latency-percentile',
      read('latency-percentile').trim() || 'p99',
      LATENCY_PERCENTILES,
    ),
  };
}

/**
 * Parses every input, in action.yml's names; the first bad one is an InputError naming it. Inputs are only
 * ever data: nothing here or later hands them to a shell.
 */
export function parseInputs(read: InputReader): ActionInputs {
  const command = oneOf('command', read('command').trim() || 'validate', [
    'validate',
    'gate',
    'rollback',
  ] as const);
  const manifests = parseList(read('manifests'));
  const workload = optional(read('workload'));
  if (command === 'validate' && manifests.length === 0) {
    throw new InputError('manifests', 'is required for command validate: give one or more files or globs');
  }
  if (command !== 'validate' && workload === undefined) {
    throw new InputError('workload', `is required for command ${command}: deployment/NAME or rollout/NAME`);
  }
  const namespace = read('namespace').trim() || 'default';
  // Checked here, before any connection is made: a typo in the workload is an input error, not a 404.
  if (command !== 'validate' && workload !== undefined) parseWorkloadRef(workload, namespace, 'workload');
  const sarifFile = optional(read('sarif-file'));
  const kubeconfig = optional(read('kubeconfig'));
  const kubeContext = optional(read('kube-context'));
  const awsRegion = optional(read('aws-region'));
  const loadBalancer = optional(read('load-balancer'));
  const max5xx = optional(read('max-5xx'));
  const canary = parseCanary(read);
  return {
    command,
    manifests,
    failOn: oneOf('fail-on', read('fail-on').trim() || 'error', [
      'error',
      'warning',
      'info',
      'never',
    ] as const),
    ...(sarifFile !== undefined ? { sarifFile } : {}),
    ...(workload !== undefined ? { workload } : {}),
    namespace,
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    ...(kubeContext !== undefined ? { kubeContext } : {}),
    ...(awsRegion !== undefined ? { awsRegion } : {}),
    targetGroups: parseList(read('target-groups')),
    ...(loadBalancer !== undefined ? { loadBalancer } : {}),
    maxErrorRate: parseRate('max-error-rate', read('max-error-rate') || '1%'),
    ...(max5xx !== undefined ? { max5xx: parseCount('max-5xx', max5xx) } : {}),
    ...(canary ? { canary } : {}),
    minRequests: parseCount('min-requests', read('min-requests') || '100'),
    minHealthy: parseCount('min-healthy', read('min-healthy') || '1'),
    timeoutSeconds: parseDuration('timeout', read('timeout') || '10m'),
    pollIntervalSeconds: parseDuration('poll-interval', read('poll-interval') || '5s'),
    metricsIntervalSeconds: parseDuration('metrics-interval', read('metrics-interval') || '60s'),
    settleSeconds: parseDuration('settle', read('settle') || '60s', { allowZero: true }),
    onFailure: oneOf('on-failure', read('on-failure').trim() || 'none', [
      'rollback',
      'abort',
      'none',
    ] as const),
    dryRun: parseBoolean('dry-run', read('dry-run')),
  };
}
