import { createHash, timingSafeEqual } from 'node:crypto';
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';

/** Tokens shorter than this are refused when loaded: a guessable bearer token is no authentication. */
export const MIN_TOKEN_LENGTH = 16;

/** One loaded token: a client name and the SHA-256 of the token. The token itself is never kept. */
interface StoredToken {
  readonly client: string;
  readonly digest: Buffer;
}

/** A token file's lines: `<token>` or `<client-name> <token>`; `#` starts a comment. */
export function parseTokenLines(
  text: string,
  defaultClient: (token: string, line: number) => string,
): { tokens: { client: string; token: string }[]; problems: string[] } {
  const tokens: { client: string; token: string }[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    const [first, second] = fields;
    if (fields.length > 2 || first === undefined) {
      problems.push(`line ${index + 1}: expected "<token>" or "<client> <token>"`);
      return;
    }
    const token = second ?? first;
    const client = second === undefined ? defaultClient(token, index + 1) : first;
    if (token.length < MIN_TOKEN_LENGTH || !/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) {
      problems.push(
        `line ${index + 1}: the token must be at least ${MIN_TOKEN_LENGTH} characters of A-Z a-z 0-9 - . _ ~ + / (then =)`,
      );
      return;
    }
    if (!/^[\w.:-]{1,64}$/.test(client)) {
      problems.push(`line ${index + 1}: the client name must be 1–64 of letters, digits, _ . : -`);
      return;
    }
    tokens.push({ client, token });
  });
  return { tokens, problems };
}

function digestOf(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A name for an unnamed token that identifies it in logs and metrics without revealing it. */
export function anonymousClientName(token: string): string {
  return `token-${digestOf(token).subarray(0, 4).toString('hex')}`;
}

/**
 * Bearer tokens read from a file (one per line) or a directory (one file per client, named like the client —
 * how a Kubernetes Secret is mounted), re-read periodically and when the files change, so a rotated Secret
 * takes effect without a restart and a removed token stops working.
 */
export class TokenStore {
  #tokens: readonly StoredToken[] = [];
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly logger: Logger,
    private readonly onCount?: (count: number) => void,
  ) {}

  /** How many tokens are loaded. */
  get size(): number {
    return this.#tokens.length;
  }

  /** Loads the tokens, then keeps them fresh every `reloadMs` and on file events until `close`. */
  async start(reloadMs: number): Promise<void> {
    await this.reload();
    this.#timer = setInterval(() => void this.reload(), reloadMs);
    this.#timer.unref();
    try {
      this.#watcher = watch(this.path, { persistent: false }, () => void this.reload());
      this.#watcher.on('error', () => undefined);
    } catch {
      // Watching is a shortcut; the periodic reload is the guarantee.
    }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#watcher?.close();
  }

  /**
   * Re-reads the files now (after a read already under way, which may have started before the change). A read
   * failure leaves no token loaded: failing closed is the safe side.
   */
  reload(): Promise<void> {
    const next = (this.#reloading ?? Promise.resolve()).then(() => this.#read());
    this.#reloading = next;
    return next;
  }

  async #read(): Promise<void> {
    const next: StoredToken[] = [];
    const problems: string[] = [];
    try {
      const info = await stat(this.path);
      const files = info.isDirectory()
        ? (await readdir(this.path, { withFileTypes: true }))
            // A mounted Secret also holds `..data` and `..<timestamp>` entries: only the keys count.
            .filter((entry) => !entry.name.startsWith('.'))
            .map((entry) => ({ file: join(this.path, entry.name), client: entry.name }))
        : [{ file: this.path, client: undefined }];
      for (const { file, client } of files) {
        const fileInfo = await stat(file).catch(() => undefined);
        if (!fileInfo?.isFile()) continue;
        const text = await readFile(file, 'utf8');
        const parsed = parseTokenLines(text, (token) => client ?? anonymousClientName(token));
        for (const problem of parsed.problems) problems.push(`${file}: ${problem}`);
        for (const entry of parsed.tokens) next.push({ client: entry.client, digest: digestOf(entry.token) });
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      problems.push(`${this.path}: cannot read (${typeof code === 'string' ? code : 'error'})`);
    }
    const changed = next.length !== this.#tokens.length;
    this.#tokens = next;
    this.onCount?.(next.length);
    for (const problem of problems) this.logger.warn('token file problem', { problem });
    if (changed) this.logger.info('tokens loaded', { tokens: next.length });
  }

  /**
   * The client a presented token belongs to, or undefined. Compares SHA-256 digests (always 32 bytes, so
   * timingSafeEqual applies whatever the token's length) against every stored token without stopping early.
   */
  authenticate(token: string): string | undefined {
    const digest = digestOf(token);
    let client: string | undefined;
    for (const stored of this.#tokens) {
      if (timingSafeEqual(digest, stored.digest) && client === undefined) client = stored.client;
    }
    return client;
  }
}
