import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { LogLevel } from './logger.js';
import type { AllowList } from './security/access.js';
import type { RateLimit } from './security/rate-limit.js';
import { SETTINGS } from './config-settings.js';
import { addServeOptions, coerceSetting, settingOption } from './options.js';

export { SETTINGS } from './config-settings.js';

/** Everything the provider can be told, after defaults. */
export interface ProviderConfig {
  readonly host: string;
  readonly port: number;
  /** A token file (one per line) or a directory of token files (a mounted Secret). */
  readonly tokens?: string;
  /** Development only: serve without authentication. */
  readonly insecureNoAuth: boolean;
  readonly tokenReloadSeconds: number;
  readonly allow?: AllowList;
  readonly clients?: Readonly<Record<string, { readonly allow?: AllowList; readonly rateLimit?: RateLimit }>>;
  /** Per token, unless `clients` says otherwise. */
  readonly rateLimitPerSecond: number;
  readonly rateLimitBurst: number;
  readonly deadlineMs: number;
  readonly bodyLimitBytes: number;
  readonly awsRegion?: string;
  readonly awsEndpoint?: string;
  readonly awsTimeoutMs: number;
  readonly awsMaxAttempts: number;
  /** `auto` uses a cluster when a kubeconfig or the in-cluster account is found. */
  readonly kube: 'auto' | 'on' | 'off';
  readonly kubeconfig?: string;
  readonly kubeContext?: string;
  readonly kubeTimeoutMs: number;
  readonly metricsCacheSeconds: number;
  readonly targetHealthCacheSeconds: number;
  readonly catalogCacheSeconds: number;
  readonly clusterCacheSeconds: number;
  readonly batchWindowMs: number;
  /** On SIGTERM: keep serving this long with readiness failing (like a preStop sleep) before closing. */
  readonly shutdownDelaySeconds: number;
  /** Then wait at most this long for requests in flight before closing every connection. */
  readonly shutdownTimeoutSeconds: number;
  /** Longer than any idle timeout in front of us (an ALB's is 60 s), so we never close a reused connection first. */
  readonly keepAliveTimeoutSeconds: number;
  readonly logLevel: LogLevel;
  /** The approval gate (all four or none): the GitHub App's id, its private key and webhook secret, the policy. */
  readonly githubAppId?: string;
  readonly githubPrivateKeyFile?: string;
  readonly githubWebhookSecretFile?: string;
  readonly approvalPolicy?: string;
  /** `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server. */
  readonly githubApiUrl: string;
  readonly githubTimeoutMs: number;
  readonly webhookBodyLimitBytes: number;
  /** The namespace whose Leases hold the approval decisions; unset: in memory (one replica only). */
  readonly approvalStateNamespace?: string;
  /** This replica's name in the decision store (default: the host name, i.e. the pod name). */
  readonly approvalReplicaId?: string;
  readonly approvalLeaseSeconds: number;
  readonly approvalRetentionSeconds: number;
  /** At start, redeliver failed protection-rule deliveries of this many past minutes (0: off), at most `approvalRedriveMax`. */
  readonly approvalRedriveMinutes: number;
  readonly approvalRedriveMax: number;
  /** Look at the policy file this often for a new version. */
  readonly approvalPolicyReloadSeconds: number;
}

const DEFAULTS = {
  // Every address: IPv6 and IPv4 where the host has IPv6 (an IPv6-only EKS cluster reaches pods over IPv6), else
  // IPv4 only. Node's own choice when no host is given.
  host: '',
  port: 8080,
  insecureNoAuth: false,
  tokenReloadSeconds: 10,
  rateLimitPerSecond: 20,
  rateLimitBurst: 40,
  deadlineMs: 8000,
  bodyLimitBytes: 16_384,
  awsTimeoutMs: 5000,
  awsMaxAttempts: 3,
  kube: 'auto',
  kubeTimeoutMs: 5000,
  metricsCacheSeconds: 60,
  targetHealthCacheSeconds: 5,
  catalogCacheSeconds: 60,
  clusterCacheSeconds: 2,
  batchWindowMs: 5,
  shutdownDelaySeconds: 5,
  shutdownTimeoutSeconds: 15,
  keepAliveTimeoutSeconds: 65,
  logLevel: 'info',
  githubApiUrl: 'https://api.github.com',
  githubTimeoutMs: 10_000,
  webhookBodyLimitBytes: 1_048_576,
  approvalLeaseSeconds: 30,
  approvalRetentionSeconds: 604_800,
  approvalRedriveMinutes: 60,
  approvalRedriveMax: 100,
  approvalPolicyReloadSeconds: 10,
} as const satisfies Partial<ProviderConfig>;

const pattern = z.string().min(1).max(512);
const allowListSchema = z.strictObject({
  loadBalancers: z.array(pattern).optional(),
  targetGroups: z.array(pattern).optional(),
  namespaces: z.array(pattern).optional(),
});
const rateLimitSchema = z.strictObject({
  ratePerSecond: z.number().gt(0).max(1e6),
  burst: z.number().int().min(1).max(1e6),
});
const clientsSchema = z.record(
  z.string().regex(/^[\w.:-]{1,64}$/, 'client names are 1–64 of letters, digits, _ . : -'),
  z.strictObject({ allow: allowListSchema.optional(), rateLimit: rateLimitSchema.optional() }),
);
const STRUCTURED = { allow: allowListSchema, clients: clientsSchema } as const;

/** The result of reading the configuration: what could be used, and one sentence per bad value. */
export interface ConfigResult {
  readonly config: ProviderConfig;
  readonly errors: readonly string[];
  /** `--help` was asked for. */
  readonly help: boolean;
}

function readFileSettings(
  path: string,
  file: Record<string, unknown>,
  merged: Record<string, unknown>,
  errors: string[],
): void {
  for (const [key, raw] of Object.entries(file)) {
    const setting = SETTINGS.find((candidate) => candidate.key === key);
    if (setting) {
      const { value, error } = coerceSetting(setting, raw);
      if (error) errors.push(`${path}: ${key}: ${error}`);
      else merged[key] = value;
      continue;
    }
    if (key === 'allow' || key === 'clients') {
      const result = STRUCTURED[key].safeParse(raw);
      if (result.success) merged[key] = result.data;
      for (const issue of result.error?.issues ?? []) {
        const where = [
          key,
          ...issue.path.map(String),
          ...(issue.code === 'unrecognized_keys' ? [issue.keys.join(', ')] : []),
        ].join('.');
        errors.push(
          `${path}: ${where}: ${issue.code === 'unrecognized_keys' ? 'is not a setting' : issue.message}`,
        );
      }
      continue;
    }
    errors.push(`${path}: ${key}: is not a setting`);
  }
}

/**
 * The configuration from the options commander parsed (flags and environment variables, already checked) and
 * the `--config` file (YAML or JSON), which fills in what neither gave. Every bad value in the file becomes one
 * sentence naming the file and the key; nothing throws.
 */
export function resolveProviderConfig(
  options: Readonly<Record<string, unknown>>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): { config: ProviderConfig; errors: string[] } {
  const errors: string[] = [];
  const merged: Record<string, unknown> = { ...DEFAULTS };
  const configPath = options['config'];
  if (typeof configPath === 'string' && configPath !== '') {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFile(configPath));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      errors.push(
        `${configPath}: ${code === 'ENOENT' ? 'no such file' : `cannot read: ${(error as Error).message.split('\n')[0] ?? ''}`}`,
      );
    }
    if (parsed !== undefined && parsed !== null) {
      if (typeof parsed !== 'object' || Array.isArray(parsed))
        errors.push(`${configPath}: must be a mapping of settings`);
      else readFileSettings(configPath, parsed as Record<string, unknown>, merged, errors);
    }
  }
  for (const setting of SETTINGS) {
    const value = options[settingOption(setting).attributeName()];
    if (value !== undefined) merged[setting.key] = value;
  }
  const config = merged as unknown as ProviderConfig;
  if (config.tokens === undefined && !config.insecureNoAuth) {
    errors.push(
      '--tokens: is required (a token file or a directory of token files); --insecure-no-auth serves without authentication, for development only',
    );
  }
  return { config, errors };
}

/**
 * Reads the configuration from flags, the environment (process.env, through `Option.env`) and a config file, in
 * that order of precedence, as `node dist/main.js` does; for tests and embedders. A bad flag or variable is
 * commander's message; nothing throws.
 */
export function loadProviderConfig(
  argv: readonly string[],
  readFile?: (path: string) => string,
): ConfigResult {
  let stderr = '';
  const command = addServeOptions(new Command('draingate serve'))
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: (text) => (stderr += text) });
  try {
    command.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed')
      return { config: DEFAULTS as unknown as ProviderConfig, errors: [], help: true };
    return {
      config: DEFAULTS as unknown as ProviderConfig,
      errors: [stderr.trim() || error.message],
      help: false,
    };
  }
  return { ...resolveProviderConfig(command.opts(), readFile), help: false };
}
