import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../logger.js';
import { parseApprovalPolicy } from './policy.js';
import type { ApprovalPolicy } from './policy.js';

/**
 * The policy in force, re-read from its file while the provider runs. A mounted ConfigMap changes by an atomic
 * symlink swap some time after the edit (the kubelet's sync period), so the file is polled rather than watched.
 * A new version replaces the old one only when it parses without a problem; a broken one is logged (once per
 * version, with every problem) and the old policy stays. Decisions already under way keep the environment
 * policy they started with only as far as their observation goes: each step reads the current one.
 */
export class PolicySource {
  #policy: ApprovalPolicy;
  #digest: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reading: Promise<void> | undefined;

  constructor(
    initial: ApprovalPolicy,
    private readonly path: string,
    private readonly logger: Logger,
    private readonly read: (path: string) => Promise<string> = (p) => readFile(p, 'utf8'),
  ) {
    this.#policy = initial;
  }

  /** The policy in force now. */
  get current(): ApprovalPolicy {
    return this.#policy;
  }

  /** Polls every `everyMs`; the first read only records the version already loaded. */
  start(everyMs: number): void {
    if (this.#timer) return;
    void this.reload();
    this.#timer = setInterval(() => void this.reload(), everyMs);
    this.#timer.unref();
  }

  /** Reads the file once; resolves when done (tests). */
  reload(): Promise<void> {
    this.#reading ??= this.#readOnce().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  async #readOnce(): Promise<void> {
    let text: string;
    try {
      text = await this.read(this.path);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      this.logger.warn('approval policy not re-read: the old one stays', {
        path: this.path,
        error: typeof code === 'string' ? code : String(error),
      });
      return;
    }
    const digest = createHash('sha256').update(text).digest('hex');
    const first = this.#digest === undefined;
    if (digest === this.#digest) return;
    this.#digest = digest;
    if (first) return;
    const parsed = parseApprovalPolicy(text, this.path);
    if (!parsed.policy) {
      this.logger.error('approval policy NOT reloaded: the new version has problems; the old one stays', {
        path: this.path,
        problems: parsed.errors.slice(0, 20),
      });
      return;
    }
    this.#policy = parsed.policy;
    this.logger.info('approval policy reloaded', {
      path: this.path,
      environments: [...parsed.policy.environments.values()].map((e) => e.name),
      sha256: digest.slice(0, 12),
    });
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
