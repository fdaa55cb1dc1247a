import type { KeyObject } from 'node:crypto';
import type { Clock } from '@draingate/core';
import { createAppJwt } from './jwt.js';
import { reviewPath } from './payload.js';
import type { ReviewTarget } from './payload.js';

/** A call to GitHub's API that did not succeed, after the retries it deserved. */
export class GitHubApiError extends Error {
  override readonly name = 'GitHubApiError';
  constructor(
    readonly operation: string,
    /** The HTTP status, or 0 when no answer came (network error, timeout). */
    readonly status: number,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`github ${operation}: ${message}`, options);
  }
}

/** A review as `POST …/deployment_protection_rule` takes it. */
export interface Review {
  readonly environmentName: string;
  /** Absent: a status comment that leaves the rule pending. */
  readonly state?: 'approved' | 'rejected';
  readonly comment: string;
}

/**
 * True for GitHub's 422 "No pending custom deployment protection rule": the run has no rule of this app
 * waiting any more — an earlier review landed, the run was cancelled, or someone decided by hand. For the gate
 * that is the end of the decision, not a failure.
 */
export function isAlreadyDecided(error: unknown): boolean {
  return error instanceof GitHubApiError && error.status === 422 && /no pending/i.test(error.message);
}

/** One entry of the App's webhook delivery log (`GET /app/hook/deliveries`). */
export interface HookDelivery {
  readonly id: number;
  /** Shared by a delivery and its redeliveries. */
  readonly guid: string;
  readonly deliveredAt: Date;
  readonly statusCode: number;
  readonly event: string;
  readonly action?: string;
  readonly redelivery: boolean;
}

/** What the gate needs from GitHub: send one review. */
export interface ReviewSender {
  sendReview(target: ReviewTarget, review: Review, signal?: AbortSignal): Promise<void>;
}

/** How the app reaches GitHub. */
export interface GitHubAppOptions {
  readonly appId: string;
  readonly privateKey: KeyObject;
  /** `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server. */
  readonly apiUrl: URL;
  readonly clock: Clock;
  /** Per HTTP attempt. */
  readonly timeoutMs?: number;
  /** Attempts per call, the first included. */
  readonly maxAttempts?: number;
  /** The first retry waits about this long, each next one twice as long (with jitter), at most `maxDelayMs`. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Renew an installation token this long before it expires. */
  readonly refreshBeforeMs?: number;
  /** Each HTTP attempt's outcome (`ok`, the status, `network`), for the upstream metrics. */
  readonly onCall?: (operation: string, outcome: string, ms: number) => void;
  readonly fetch?: typeof fetch;
  readonly random?: () => number;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

const MAX_CACHED_TOKENS = 1000;
const USER_AGENT = 'draingate-analysis-provider';

function isRetryable(res: Response): boolean {
  if (res.status >= 500 || res.status === 429) return true;
  // GitHub answers rate limits with 403 too: the primary one empties x-ratelimit-remaining, the secondary one
  // sends retry-after.
  return (
    res.status === 403 && (res.headers.get('x-ratelimit-remaining') === '0' || res.headers.has('retry-after'))
  );
}

/**
 * The GitHub App: an RS256 JWT for `POST /app/installations/{id}/access_tokens`, installation tokens cached
 * (per installation and repository, narrowed to that repository and `deployments: write`) until shortly before
 * they expire, and the review call. Retries network errors, 5xx, 429 and rate-limit 403s with exponential
 * backoff (honouring Retry-After), and a 401 once with a fresh token. Only the configured API origin is ever
 * called.
 */
export class GitHubApp implements ReviewSender {
  readonly #tokens = new Map<string, CachedToken>();
  readonly #pending = new Map<string, Promise<string>>();
  readonly #fetch: typeof fetch;
  readonly #base: string;

  constructor(private readonly options: GitHubAppOptions) {
    this.#fetch = options.fetch ?? fetch;
    this.#base = options.apiUrl.href.replace(/\/+$/, '');
  }

  /** An installation token for one repository, from the cache while it has more than `refreshBeforeMs` left. */
  installationToken(installationId: number, repositoryId: number, signal?: AbortSignal): Promise<string> {
    const key = `${installationId}:${repositoryId}`;
    const cached = this.#tokens.get(key);
    const refreshBefore = this.options.refreshBeforeMs ?? 5 * 60_000;
    if (cached && cached.expiresAt - this.options.clock.now().getTime() > refreshBefore) {
      return Promise.resolve(cached.token);
    }
    const inFlight = this.#pending.get(key);
    if (inFlight) return inFlight;
    const request = this.#createToken(installationId, repositoryId, signal).then((token) => {
      this.#tokens.delete(key);
      this.#tokens.set(key, token);
      if (this.#tokens.size > MAX_CACHED_TOKENS) {
        const oldest = this.#tokens.keys().next();
        if (oldest.done !== true) this.#tokens.delete(oldest.value);
      }
      return token.token;
    });
    const settled = request.finally(() => this.#pending.delete(key));
    this.#pending.set(key, settled);
    return settled;
  }

  async #createToken(
    installationId: number,
    repositoryId: number,
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    const res = await this.#call(
      'CreateInstallationAccessToken',
      'POST',
      `/app/installations/${installationId}/access_tokens`,
      { repository_ids: [repositoryId], permissions: { deployments: 'write' } },
      () => this.#jwt(),
      signal,
    );
    const body = (await res.json().catch(() => undefined)) as
      { token?: unknown; expires_at?: unknown } | undefined;
    const expiresAt = typeof body?.expires_at === 'string' ? Date.parse(body.expires_at) : Number.NaN;
    if (typeof body?.token !== 'string' || body.token === '' || !Number.isFinite(expiresAt)) {
      throw new GitHubApiError('CreateInstallationAccessToken', res.status, 'the answer has no token', false);
    }
    return { token: body.token, expiresAt };
  }

  /** `POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule` with a state and a comment. */
  async sendReview(target: ReviewTarget, review: Review, signal?: AbortSignal): Promise<void> {
    const key = `${target.installationId}:${target.repositoryId}`;
    let renewed = false;
    for (;;) {
      const token = await this.installationToken(target.installationId, target.repositoryId, signal);
      try {
        await this.#call(
          'ReviewCustomGatesForRun',
          'POST',
          reviewPath(target),
          {
            environment_name: review.environmentName,
            ...(review.state === undefined ? {} : { state: review.state }),
            comment: review.comment,
          },
          () => `Bearer ${token}`,
          signal,
        );
        return;
      } catch (error) {
        // A token revoked or expired early: drop it and try once more with a new one.
        if (error instanceof GitHubApiError && error.status === 401 && !renewed) {
          renewed = true;
          this.#tokens.delete(key);
          continue;
        }
        throw error;
      }
    }
  }

  #jwt(): string {
    return `Bearer ${createAppJwt(this.options.appId, this.options.privateKey, this.options.clock.now())}`;
  }

  /**
   * The App's webhook deliveries newer than `since`, newest first, at most `limit` (pages of 100 followed
   * through the `cursor` of the Link header). Needs the App's JWT, no installation.
   */
  async listDeliveries(since: Date, limit: number, signal?: AbortSignal): Promise<HookDelivery[]> {
    const found: HookDelivery[] = [];
    let cursor: string | undefined;
    for (;;) {
      const query = `per_page=100${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const res = await this.#call(
        'ListWebhookDeliveries',
        'GET',
        `/app/hook/deliveries?${query}`,
        undefined,
        () => this.#jwt(),
        signal,
      );
      const page = (await res.json().catch(() => [])) as unknown;
      if (!Array.isArray(page)) return found;
      let older = false;
      for (const item of page as Record<string, unknown>[]) {
        const deliveredAt = new Date(String(item['delivered_at']));
        if (!(deliveredAt >= since)) {
          older = true;
          continue;
        }
        if (typeof item['id'] !== 'number' || typeof item['guid'] !== 'string') continue;
        found.push({
          id: item['id'],
          guid: item['guid'],
          deliveredAt,
          statusCode: typeof item['status_code'] === 'number' ? item['status_code'] : 0,
          event: String(item['event']),
          ...(typeof item['action'] === 'string' ? { action: item['action'] } : {}),
          redelivery: item['redelivery'] === true,
        });
        if (found.length >= limit) return found;
      }
      cursor = /[?&]cursor=([^&>]+)[^>]*>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      if (older || cursor === undefined || page.length === 0) return found;
      cursor = decodeURIComponent(cursor);
    }
  }

  /** `POST /app/hook/deliveries/{id}/attempts`: GitHub sends that delivery again. */
  async redeliver(deliveryId: number, signal?: AbortSignal): Promise<void> {
    await this.#call(
      'RedeliverWebhookDelivery',
      'POST',
      `/app/hook/deliveries/${deliveryId}/attempts`,
      undefined,
      () => this.#jwt(),
      signal,
    );
  }

  /** One API call with retries; resolves with the 2xx answer, throws GitHubApiError otherwise. */
  async #call(
    operation: string,
    method: string,
    path: string,
    body: unknown,
    authorization: () => string,
    signal?: AbortSignal,
  ): Promise<Response> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const url = `${this.#base}${path}`;
    for (let attempt = 1; ; attempt += 1) {
      signal?.throwIfAborted();
      const started = performance.now();
      let res: Response;
      try {
        res = await this.#fetch(url, {
          method,
          headers: {
            accept: 'application/vnd.github+json',
            authorization: authorization(),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            'user-agent': USER_AGENT,
            'x-github-api-version': '2022-11-28',
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          redirect: 'error',
          signal: AbortSignal.any([
            AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
            ...(signal ? [signal] : []),
          ]),
        });
      } catch (error) {
        this.options.onCall?.(operation, 'network', performance.now() - started);
        if (signal?.aborted) throw signal.reason;
        if (attempt >= maxAttempts) {
          throw new GitHubApiError(
            operation,
            0,
            `no answer after ${attempt} attempts (${error instanceof Error ? error.message : String(error)})`,
            true,
            { cause: error },
          );
        }
        await this.options.clock.sleep(this.#delay(attempt, undefined), signal);
        continue;
      }
      this.options.onCall?.(operation, res.ok ? 'ok' : String(res.status), performance.now() - started);
      if (res.ok) return res;
      const retryable = isRetryable(res);
      const text = (await res.text().catch(() => '')).slice(0, 300);
      const message = `${method} ${path} answered ${res.status}${text === '' ? '' : `: ${text}`}`;
      if (!retryable || attempt >= maxAttempts) {
        throw new GitHubApiError(
          operation,
          res.status,
          retryable ? `${message} (after ${attempt} attempts)` : message,
          retryable,
        );
      }
      await this.options.clock.sleep(this.#delay(attempt, res.headers), signal);
    }
  }

  /** Exponential backoff with jitter; a Retry-After (seconds) or x-ratelimit-reset wins, within `maxDelayMs`. */
  #delay(attempt: number, headers: Headers | undefined): number {
    const max = this.options.maxDelayMs ?? 60_000;
    const retryAfter = Number(headers?.get('retry-after') ?? Number.NaN);
    if (Number.isFinite(retryAfter) && retryAfter >= 0) return Math.min(max, retryAfter * 1000);
    const reset = Number(headers?.get('x-ratelimit-reset') ?? Number.NaN);
    if (headers?.get('x-ratelimit-remaining') === '0' && Number.isFinite(reset)) {
      return Math.min(max, Math.max(0, reset * 1000 - this.options.clock.now().getTime()));
    }
    const base = (this.options.baseDelayMs ?? 1000) * 2 ** (attempt - 1);
    return Math.min(max, base * (0.5 + (this.options.random ?? Math.random)() / 2));
  }
}
