/** What a container's preStop hook does to the timing of its termination. */
export type PreStop =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'sleep';
      /** The delay the hook guarantees before the container gets SIGTERM. */
      readonly seconds: number;
      /** `native`: lifecycle.preStop.sleep; `exec`: the sleep binary; `shell`: a shell script that sleeps. */
      readonly form: 'native' | 'exec' | 'shell';
      /** True when the hook does nothing but sleep (so the native sleep action could replace it). */
      readonly pureSleep: boolean;
      /** The command as written, for messages. */
      readonly command?: string;
    }
  | {
      readonly kind: 'unknown';
      readonly form: 'httpGet' | 'tcpSocket' | 'exec' | 'shell';
      readonly reason: string;
      readonly command?: string;
    };

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'busybox sh']);

/**
 * Parses a container's `lifecycle.preStop` (already shape-checked: a mapping) into the delay it guarantees.
 * Supports the native sleep action, `exec` of sleep (`["sleep","30"]`, `["/bin/sleep","5s"]`), shell
 * scripts that sleep (`["/bin/sh","-c","sleep 30 && nginx -s quit"]`), and reports httpGet hooks and
 * scripts without a sleep as unknown durations.
 */
export function parsePreStop(preStop: Record<string, unknown> | undefined): PreStop {
  if (!preStop) return { kind: 'none' };
  const sleep = preStop['sleep'];
  if (isRecord(sleep) && typeof sleep['seconds'] === 'number') {
    return { kind: 'sleep', seconds: sleep['seconds'], form: 'native', pureSleep: true };
  }
  if (isRecord(preStop['httpGet'])) {
    const path = preStop['httpGet']['path'];
    return {
      kind: 'unknown',
      form: 'httpGet',
      reason: `an httpGet hook${typeof path === 'string' ? ` (${path})` : ''} takes as long as the endpoint does`,
    };
  }
  if (isRecord(preStop['tcpSocket'])) {
    return {
      kind: 'unknown',
      form: 'tcpSocket',
      reason: 'a tcpSocket hook returns at once and is deprecated',
    };
  }
  const exec = preStop['exec'];
  if (isRecord(exec) && Array.isArray(exec['command'])) {
    const argv = exec['command'].filter((part): part is string => typeof part === 'string');
    return parseExec(argv);
  }
  return { kind: 'none' };
}

function parseExec(argv: readonly string[]): PreStop {
  const command = argv.join(' ');
  const [first, ...rest] = argv;
  if (first === undefined)
    return { kind: 'unknown', form: 'exec', reason: 'the exec command is empty', command };
  const program = basename(first);
  if (program === 'sleep') {
    const seconds = parseSleepArgs(rest);
    return seconds === undefined
      ? { kind: 'unknown', form: 'exec', reason: `cannot read the duration of \`${command}\``, command }
      : { kind: 'sleep', seconds, form: 'exec', pureSleep: true, command };
  }
  if (SHELLS.has(program) || (program === 'busybox' && rest[0] === 'sh')) {
    const args = program === 'busybox' ? rest.slice(1) : rest;
    const flagIndex = args.findIndex((arg) => /^-[a-z]*c[a-z]*$/.test(arg));
    const script = flagIndex >= 0 ? args[flagIndex + 1] : undefined;
    if (script !== undefined) return parseScript(script, command);
  }
  return { kind: 'unknown', form: 'exec', reason: `\`${command}\` does not sleep`, command };
}

/**
 * A script's guaranteed delay is the sum of its top-level sleeps. Other commands add time draingate cannot
 * know, so the script still counts, but not as a pure sleep.
 */
function parseScript(script: string, command: string): PreStop {
  const segments = script
    .split(/&&|\|\||;|\n/)
    .map((segment) => segment.trim())
    .filter((segment) => segment !== '' && segment !== 'true' && segment !== ':');
  let seconds = 0;
  let sleeps = 0;
  let others = 0;
  for (const segment of segments) {
    const words = segment.split(/\s+/);
    const head = words[0] ?? '';
    if (basename(head) === 'sleep') {
      const value = parseSleepArgs(words.slice(1));
      if (value === undefined) {
        return {
          kind: 'unknown',
          form: 'shell',
          reason: `cannot read the duration of \`${segment}\``,
          command,
        };
      }
      seconds += value;
      sleeps += 1;
    } else if (head === 'exec' && basename(words[1] ?? '') === 'sleep') {
      const value = parseSleepArgs(words.slice(2));
      if (value === undefined) {
        return {
          kind: 'unknown',
          form: 'shell',
          reason: `cannot read the duration of \`${segment}\``,
          command,
        };
      }
      seconds += value;
      sleeps += 1;
    } else {
      others += 1;
    }
  }
  if (sleeps === 0) {
    return {
      kind: 'unknown',
      form: 'shell',
      reason: `the script \`${truncate(script)}\` has no sleep`,
      command,
    };
  }
  return { kind: 'sleep', seconds, form: 'shell', pureSleep: others === 0, command };
}

/** GNU sleep: each argument is NUMBER[smhd]; several are added. `infinity` and variables are unknown. */
export function parseSleepArgs(args: readonly string[]): number | undefined {
  if (args.length === 0) return undefined;
  let total = 0;
  for (const arg of args) {
    const match = /^(\d+(?:\.\d+)?|\.\d+)([smhd]?)$/.exec(arg);
    if (!match) return undefined;
    const unit = match[2] === 'm' ? 60 : match[2] === 'h' ? 3600 : match[2] === 'd' ? 86400 : 1;
    total += Number(match[1]) * unit;
  }
  return total;
}

function basename(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash >= 0 ? path.slice(slash + 1) : path;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
