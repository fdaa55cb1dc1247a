// Reads a Dockerfile into its stages and instructions: enough to check what an image is made of and to run its
// entrypoint without a container engine. Handles comments, line continuations and JSON (exec) forms.

export interface Instruction {
  keyword: string;
  /** The rest of the line, continuations joined. */
  args: string;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM, with their defaults. */
  globalArgs: Record<string, string | undefined>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const parsed: Dockerfile = { globalArgs: {}, stages: [] };
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`cannot read Dockerfile line: ${line}`);
    const keyword = (m[1] ?? '').toUpperCase();
    const args = (m[2] ?? '').replace(/\s+/g, ' ').trim();
    if (keyword === 'FROM') {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from?.[1]) throw new Error(`cannot read FROM ${args}`);
      parsed.stages.push({ from: from[1], ...(from[2] ? { name: from[2] } : {}), instructions: [] });
      continue;
    }
    const stage = parsed.stages.at(-1);
    if (!stage) {
      if (keyword !== 'ARG') throw new Error(`${keyword} before the first FROM`);
      const [name = '', value] = args.split('=', 2);
      parsed.globalArgs[name] = value;
      continue;
    }
    stage.instructions.push({ keyword, args });
  }
  return parsed;
}

/** The JSON array of an exec-form ENTRYPOINT or CMD; throws on the shell form, which PID 1 handles badly. */
export function execForm(instruction: Instruction): string[] {
  const value = JSON.parse(instruction.args) as unknown;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new Error(`${instruction.keyword} is not in exec form: ${instruction.args}`);
  }
  return value;
}

/** ENV KEY=value … pairs (values may be quoted). */
export function envPairs(instruction: Instruction): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of instruction.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) {
    env[m[1] ?? ''] = (m[2] ?? '').replace(/^"|"$/g, '');
  }
  return env;
}

/** COPY [--from=x] [--chown=…] src… dest */
export function copyArgs(instruction: Instruction): { from?: string; sources: string[]; dest: string } {
  const words = instruction.args.split(' ');
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  const dest = paths.pop();
  if (!dest || paths.length === 0) throw new Error(`cannot read COPY ${instruction.args}`);
  return { ...(from ? { from } : {}), sources: paths, dest };
}
