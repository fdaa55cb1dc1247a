/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** A structured logger: one JSON object per line. Callers pass fields, never secrets. */
export interface Logger {
  debug(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  info(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  error(msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Writes JSON lines (`{"time","level","msg",…}`) at or above `level` to `out`. */
export function createLogger(
  out: { write(line: string): unknown },
  level: LogLevel = 'info',
  now: () => Date = () => new Date(),
): Logger {
  const min = RANK[level];
  const log =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (msg: string, fields: Readonly<Record<string, unknown>> = {}): void => {
      if (RANK[lvl] < min) return;
      out.write(`${JSON.stringify({ time: now().toISOString(), level: lvl, msg, ...fields })}\n`);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ write: () => undefined }, 'silent');
