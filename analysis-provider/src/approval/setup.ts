import { createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ProviderConfig } from '../config.js';
import { parseApprovalPolicy } from './policy.js';
import type { ApprovalPolicy } from './policy.js';

/** Everything the approval gate needs, read and checked at start. */
export interface ApprovalSetup {
  readonly appId: string;
  readonly privateKey: KeyObject;
  readonly webhookSecret: Buffer;
  readonly apiUrl: URL;
  readonly policy: ApprovalPolicy;
  /** The policy file, watched for new versions. */
  readonly policyPath: string;
  readonly policyReloadMs: number;
  /** Where the decisions live and how long claims and records last. */
  readonly state: {
    /** Leases in this namespace; undefined: in memory. */
    readonly namespace?: string;
    readonly kubeconfig?: string;
    readonly kubeContext?: string;
    readonly kubeTimeoutMs: number;
    readonly replicaId: string;
    readonly leaseMs: number;
    readonly retentionMs: number;
    /** Wait before a failed post is tried again (default: a tenth of the time to the deadline, 2–60 s). */
    readonly postRetryMs?: number;
  };
  /** At start: redeliver failed deliveries of the last `minutes` (0: off), at most `max`. */
  readonly redrive: { readonly minutes: number; readonly max: number };
  readonly bodyLimitBytes: number;
  readonly timeoutMs: number;
  /** GitHub API retries: attempts per call and the first backoff (tests shorten it). */
  readonly retry?: { readonly maxAttempts?: number; readonly baseDelayMs?: number };
}

/** Webhook secrets shorter than this are refused: a guessable secret lets anyone sign a payload. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function readText(
  readFile: (path: string) => string,
  path: string,
  what: string,
  errors: string[],
): string | undefined {
  try {
    return readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    errors.push(`${what} ${path}: ${code === 'ENOENT' ? 'no such file' : 'cannot be read'}`);
    return undefined;
  }
}

/** The GitHub API base URL: https (http only on loopback, for tests), no credentials, query or fragment. */
export function parseApiUrl(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `--github-api-url: must be a URL, got ${JSON.stringify(text)}`;
  }
  const plainAllowed = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
  if (url.protocol !== 'https:' && !plainAllowed)
    return '--github-api-url: must be https (http only on a loopback address)';
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '')
    return '--github-api-url: must have no credentials, query or fragment';
  return url;
}

/**
 * Reads the approval gate's configuration: none of its four settings (no gate), or all of them. The key must
 * be an RSA private key in PEM, the secret at least 16 characters, the policy sound. Problems are sentences
 * naming the setting or file; the contents of the key and secret files never appear in them.
 */
export function loadApprovalSetup(
  config: ProviderConfig,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): { setup?: ApprovalSetup; errors: string[] } {
  const given = {
    '--github-app-id': config.githubAppId,
    '--github-private-key-file': config.githubPrivateKeyFile,
    '--github-webhook-secret-file': config.githubWebhookSecretFile,
    '--approval-policy': config.approvalPolicy,
  };
  const missing = Object.entries(given).filter(([, value]) => value === undefined);
  if (missing.length === Object.keys(given).length) return { errors: [] };
  if (missing.length > 0) {
    return {
      errors: missing.map(
        ([flag]) => `${flag}: is required for the approval gate (with ${Object.keys(given).join(', ')})`,
      ),
    };
  }
  const errors: string[] = [];
  const appId = config.githubAppId ?? '';
  if (!/^(\d{1,12}|Iv[\w.]{1,64})$/.test(appId))
    errors.push(
      `--github-app-id: must be the app's numeric id or its client id, got ${JSON.stringify(appId)}`,
    );
  let privateKey: KeyObject | undefined;
  const pem = readText(readFile, config.githubPrivateKeyFile ?? '', '--github-private-key-file', errors);
  if (pem !== undefined) {
    try {
      privateKey = createPrivateKey(pem);
      if (privateKey.asymmetricKeyType !== 'rsa') {
        errors.push('--github-private-key-file: must be an RSA private key (GitHub App keys are RSA)');
        privateKey = undefined;
      }
    } catch {
      errors.push('--github-private-key-file: is not a PEM private key');
    }
  }
  const secretText = readText(
    readFile,
    config.githubWebhookSecretFile ?? '',
    '--github-webhook-secret-file',
    errors,
  );
  // A mounted Secret or `echo` leaves a trailing newline that is not part of the secret.
  const secret = secretText?.replace(/\r?\n$/, '');
  if (secret !== undefined && secret.length < MIN_WEBHOOK_SECRET_LENGTH)
    errors.push(
      `--github-webhook-secret-file: the secret must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`,
    );
  const namespace = config.approvalStateNamespace;
  if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
    errors.push(`--approval-state-namespace: must be a namespace name, got ${JSON.stringify(namespace)}`);
  const apiUrl = parseApiUrl(config.githubApiUrl);
  if (typeof apiUrl === 'string') errors.push(apiUrl);
  const policyPath = config.approvalPolicy ?? '';
  const policyText = readText(readFile, policyPath, '--approval-policy', errors);
  const policy = policyText === undefined ? undefined : parseApprovalPolicy(policyText, policyPath);
  errors.push(...(policy?.errors ?? []));
  if (
    errors.length > 0 ||
    !privateKey ||
    secret === undefined ||
    typeof apiUrl === 'string' ||
    !policy?.policy
  )
    return { errors };
  return {
    setup: {
      appId,
      privateKey,
      webhookSecret: Buffer.from(secret, 'utf8'),
      apiUrl,
      policy: policy.policy,
      policyPath,
      policyReloadMs: config.approvalPolicyReloadSeconds * 1000,
      state: {
        ...(config.approvalStateNamespace ? { namespace: config.approvalStateNamespace } : {}),
        ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {}),
        ...(config.kubeContext ? { kubeContext: config.kubeContext } : {}),
        kubeTimeoutMs: config.kubeTimeoutMs,
        replicaId: config.approvalReplicaId ?? hostname(),
        leaseMs: config.approvalLeaseSeconds * 1000,
        retentionMs: config.approvalRetentionSeconds * 1000,
      },
      redrive: { minutes: config.approvalRedriveMinutes, max: config.approvalRedriveMax },
      bodyLimitBytes: config.webhookBodyLimitBytes,
      timeoutMs: config.githubTimeoutMs,
    },
    errors: [],
  };
}
