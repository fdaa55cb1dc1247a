/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  readonly stdout: { write(chunk: string): unknown; isTTY?: boolean };
  readonly stderr: { write(chunk: string): unknown; isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
} as const;

/** A user mistake on the command line or in an input: printed as one line, exit 2, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Whether to colour output: only on a TTY, never with NO_COLOR (https://no-color.org). */
export function useColour(io: CliIo, stream: 'stdout' | 'stderr' = 'stdout'): boolean {
  const noColor = io.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  if (io.env['FORCE_COLOR'] !== undefined && io.env['FORCE_COLOR'] !== '0') return true;
  return io[stream].isTTY === true;
}
