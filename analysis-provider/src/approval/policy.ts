import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ApiError } from '../api/errors.js';
import { parseCheckInput } from '../api/parse-input.js';
import { CHECK_NAMES, CHECK_SCHEMAS } from '../api/schemas.js';
import type { CheckInput, CheckName } from '../api/schemas.js';

/** One check an environment's gate runs, with its parameters as the check's HTTP body takes them. */
export interface PolicyCheck {
  readonly check: CheckName;
  readonly params: Readonly<Record<string, unknown>>;
}

/** How one environment is gated. */
export interface EnvironmentPolicy {
  /** The environment's name as the policy spells it (GitHub compares environment names case-insensitively). */
  readonly name: string;
  /** `owner/repo` patterns (`*` wildcard) allowed to use this policy; absent: any repository of the app. */
  readonly repositories?: readonly string[];
  /** Wait this long after the request before measuring (the rollout before it settles, metrics arrive). */
  readonly observeSeconds: number;
  /** What an Inconclusive verdict (too little traffic to judge) does. */
  readonly onInconclusive: 'reject' | 'approve';
  /** What a check that could not measure (AWS or Kubernetes down, throttled) does: reject now, or retry. */
  readonly onUpstreamError: 'reject' | 'retry';
  /** With `onUpstreamError: retry`: measurements in all, and the wait between them. Then it rejects. */
  readonly retry: { readonly attempts: number; readonly delaySeconds: number };
  /** Answer within this long of the request, a rejection at the latest (GitHub itself waits 30 days). */
  readonly deadlineMinutes: number;
  /** Shadow mode: always approve, and say in the comment what the real verdict was. */
  readonly dryRun: boolean;
  /** Post status comments (no state) while observing and measuring again. */
  readonly interimComments: boolean;
  /** During the observation, measure and post the numbers so far this often (0: only the first comment). */
  readonly interimEverySeconds: number;
  readonly checks: readonly PolicyCheck[];
}

/** The approval gate's policy: per environment, and what to do for an environment it does not know. */
export interface ApprovalPolicy {
  /** `reject` answers a request for an unknown environment with a rejection; `ignore` leaves it pending. */
  readonly unknownEnvironments: 'reject' | 'ignore';
  /** Keyed by the lower-cased environment name. */
  readonly environments: ReadonlyMap<string, EnvironmentPolicy>;
}

const repositoryPattern = z
  .string()
  .regex(/^[\w.*-]+\/[\w.*-]+$/, 'must be owner/repo (a * matches any run of characters)');

const environmentSchema = z.strictObject({
  repositories: z.array(repositoryPattern).min(1).max(100).optional(),
  observeSeconds: z.number().int().min(0).max(3600).default(60),
  onInconclusive: z.enum(['reject', 'approve']).default('reject'),
  onUpstreamError: z.enum(['reject', 'retry']).default('reject'),
  retry: z
    .strictObject({
      attempts: z.number().int().min(1).max(10).default(3),
      delaySeconds: z.number().int().min(1).max(600).default(30),
    })
    .default({ attempts: 3, delaySeconds: 30 }),
  deadlineMinutes: z.number().int().min(1).max(10_080).default(120),
  dryRun: z.boolean().default(false),
  interimComments: z.boolean().default(true),
  interimEverySeconds: z
    .number()
    .int()
    .refine((v) => v === 0 || (v >= 60 && v <= 3600), 'must be 0 (off) or 60–3600')
    .default(300),
  checks: z.array(z.unknown()).min(1, 'must list at least one check').max(20),
});

const policySchema = z.strictObject({
  unknownEnvironments: z.enum(['reject', 'ignore']).default('reject'),
  environments: z
    .record(z.string().min(1).max(255), z.unknown())
    .refine((environments) => Object.keys(environments).length > 0, 'must name at least one environment'),
});

/** The result of reading a policy: the policy when it is sound, and one sentence per problem. */
export interface PolicyResult {
  readonly policy?: ApprovalPolicy;
  readonly errors: readonly string[];
}

function pathOf(segments: readonly PropertyKey[]): string {
  return segments
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `is not a setting (${issue.keys.join(', ')})`;
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return 'is required';
  return issue.message.replace(/^Invalid input: /, '');
}

/**
 * A check entry (`{check: elb-5xx, loadBalancerArn: …}`) validated by the same schema and cross-field rules as
 * the check's HTTP request, except `deployedAt`: the gate sets it to the moment GitHub asked.
 */
function parseCheck(raw: unknown, where: string, errors: string[]): PolicyCheck | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors.push(`${where}: must be a mapping with a check and its parameters`);
    return undefined;
  }
  const { check, ...params } = raw as Record<string, unknown>;
  if (typeof check !== 'string' || !(CHECK_NAMES as readonly string[]).includes(check)) {
    errors.push(`${where}.check: must be one of ${CHECK_NAMES.join(', ')}, got ${JSON.stringify(check)}`);
    return undefined;
  }
  const name = check as CheckName;
  if ('deployedAt' in params) {
    errors.push(`${where}.deployedAt: is set by the gate (the time GitHub asked); remove it`);
    return undefined;
  }
  const result = CHECK_SCHEMAS[name].safeParse(params);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const field = pathOf(issue.path);
      errors.push(`${where}${field === '' ? '' : `.${field}`}: ${issueText(issue)}`);
    }
    return undefined;
  }
  try {
    toCheckInput({ check: name, params }, new Date());
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    errors.push(`${where}.${error.extra.field ?? 'check'}: ${error.message}`);
    return undefined;
  }
  return { check: name, params };
}

/** A policy check as the input of one measurement, with `deployedAt` (for a baseline) set to `requestedAt`. */
export function toCheckInput(check: PolicyCheck, requestedAt: Date): CheckInput {
  const body =
    check.check === 'elb-5xx' && check.params['baselineMinutes'] !== undefined
      ? { ...check.params, deployedAt: requestedAt.toISOString() }
      : check.params;
  return parseCheckInput(check.check, body, requestedAt);
}

/**
 * Reads an approval policy (YAML or JSON). Every problem becomes one sentence naming the file and the key
 * path (`policy.yaml: environments.production.checks[0].maxRate: …`); nothing throws for bad input.
 */
export function parseApprovalPolicy(text: string, source: string): PolicyResult {
  const errors: string[] = [];
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    return { errors: [`${source}: not YAML: ${(error as Error).message.split('\n')[0] ?? ''}`] };
  }
  const top = policySchema.safeParse(raw ?? {});
  if (!top.success) {
    return {
      errors: top.error.issues.map((issue) => {
        const field = pathOf(issue.path);
        return `${source}: ${field === '' ? '' : `${field}: `}${issueText(issue)}`;
      }),
    };
  }
  const environments = new Map<string, EnvironmentPolicy>();
  for (const [name, rawEnvironment] of Object.entries(top.data.environments)) {
    const where = `${source}: environments.${name}`;
    if (environments.has(name.toLowerCase())) {
      errors.push(`${where}: is named twice (GitHub compares environment names case-insensitively)`);
      continue;
    }
    const parsed = environmentSchema.safeParse(rawEnvironment ?? {});
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = pathOf(issue.path);
        errors.push(`${where}${field === '' ? '' : `.${field}`}: ${issueText(issue)}`);
      }
      continue;
    }
    const before = errors.length;
    const { observeSeconds, deadlineMinutes, onUpstreamError, retry } = parsed.data;
    const busySeconds =
      observeSeconds + (onUpstreamError === 'retry' ? (retry.attempts - 1) * retry.delaySeconds : 0);
    if (deadlineMinutes * 60 <= busySeconds) {
      errors.push(
        `${where}.deadlineMinutes: ${deadlineMinutes} min leaves no time to decide: observation and retries take ${busySeconds} s`,
      );
    }
    const checks = parsed.data.checks.map((entry, index) =>
      parseCheck(entry, `${where}.checks[${index}]`, errors),
    );
    if (errors.length > before) continue;
    const { repositories, ...rest } = parsed.data;
    environments.set(name.toLowerCase(), {
      name,
      ...rest,
      ...(repositories ? { repositories } : {}),
      checks: checks.filter((check): check is PolicyCheck => check !== undefined),
    });
  }
  if (errors.length > 0) return { errors };
  return { policy: { unknownEnvironments: top.data.unknownEnvironments, environments }, errors };
}

function matches(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(value);
}

/**
 * The policy of `environment` for repository `fullName` (`owner/repo`), or undefined when the policy names no
 * such environment or the environment does not admit the repository.
 */
export function findEnvironmentPolicy(
  policy: ApprovalPolicy,
  environment: string,
  fullName: string,
): EnvironmentPolicy | undefined {
  const found = policy.environments.get(environment.toLowerCase());
  if (found?.repositories && !found.repositories.some((pattern) => matches(pattern, fullName)))
    return undefined;
  return found;
}
