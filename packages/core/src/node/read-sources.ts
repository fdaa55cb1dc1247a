import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { InputProblem, Notice } from '../manifest/source.js';
import type { ManifestSource } from '../validate.js';

export interface ReadSourcesOptions {
  /** Files larger than this are refused (bytes), whatever their size on disk says. */
  readonly maxFileBytes?: number;
  /** Read when a path is `-`. */
  readonly stdin?: NodeJS.ReadableStream;
  /** Paths are reported relative to this directory. */
  readonly cwd?: string;
  /**
   * When given, only files inside these directories are read: a symbolic link that leads elsewhere is a
   * problem (the Action reads a pull request's files, and a link could point at the runner's own).
   */
  readonly allowedRoots?: readonly string[];
  /** How the front end lets a user raise the limit (`--max-file-size`), named in the message; none: not named. */
  readonly limitSetting?: string;
}

/** What reading gave: the sources, the problems (unreadable files) and the notices (files skipped on purpose). */
export interface ReadSources {
  readonly sources: ManifestSource[];
  readonly problems: InputProblem[];
  readonly notices: Notice[];
}

export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;
const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', '.terraform']);
const HELM_CHART = /^Chart\.ya?ml$/;
/** Read in pieces of this size, so that a file that grows past the limit is never held whole. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * Reads manifest files: named files as they are, directories walked recursively for .yaml/.yml/.json
 * (hidden directories and node_modules skipped, symbolic links to directories not followed), `-` from
 * stdin. Every read stops at `maxFileBytes`, whatever `stat` says (a symbolic link to `/dev/zero` is
 * "0 bytes"). A walk skips FIFOs, sockets and devices (reading a FIFO waits for a writer that may never
 * come) and Helm charts (templates are not YAML until rendered), each with a notice; a named FIFO is
 * read, as `validate <(helm template …)` means. A file that cannot be read becomes a problem; the others
 * are still read.
 */
export async function readManifestSources(
  paths: readonly string[],
  options: ReadSourcesOptions = {},
): Promise<ReadSources> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const cwd = options.cwd ?? process.cwd();
  const sources: ManifestSource[] = [];
  const problems: InputProblem[] = [];
  const notices: Notice[] = [];
  const display = (path: string): string => {
    const rel = relative(cwd, path);
    return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  };
  const at = (file: string): InputProblem['at'] => ({ file, line: 1, column: 1 });
  const problem = (file: string, message: string): void => {
    problems.push({ at: at(file), message });
  };
  const overLimit = (what: string): string =>
    `${what} over the ${formatBytes(maxBytes)} limit${options.limitSetting ? ` (${options.limitSetting})` : ''}`;
  // Synchronous reads: nothing else runs meanwhile, and on a corpus of many files they take a fraction of
  // the time that queuing each read on the thread pool does.
  const roots = options.allowedRoots?.map(realpathOrSelf);
  const outsideRoots = (path: string): boolean =>
    roots !== undefined && !roots.some((root) => isWithin(realpathOrSelf(path), root));
  const readOne = (path: string, name: string, walking: boolean): void => {
    if (outsideRoots(path)) {
      problem(name, 'leads outside the directories that may be read (a symbolic link?): not read');
      return;
    }
    let fd: number;
    try {
      // Non-blocking, so that opening a FIFO found by a walk does not wait for a writer.
      fd = openSync(path, constants.O_RDONLY | (walking ? constants.O_NONBLOCK : 0));
    } catch (error) {
      problem(name, `cannot read: ${describeFsError(error)}`);
      return;
    }
    try {
      const info = fstatSync(fd);
      if (!info.isFile() && walking) {
        notices.push({ code: 'special-file', at: at(name), message: `skipped: ${describeSpecial(info)}` });
        return;
      }
      if (info.isFile() && info.size > maxBytes) {
        problem(name, overLimit(`file is ${formatBytes(info.size)},`));
        return;
      }
      const bytes = readBounded(fd, maxBytes, info.isFile() ? info.size : CHUNK_BYTES);
      if (bytes === undefined) problem(name, overLimit('file is'));
      else pushText(name, bytes);
    } catch (error) {
      problem(name, `cannot read: ${describeFsError(error)}`);
    } finally {
      closeSync(fd);
    }
  };
  const pushText = (name: string, bytes: Buffer): void => {
    const decoded = decodeText(bytes);
    if ('problem' in decoded) problem(name, decoded.problem);
    else sources.push({ file: name, text: decoded.text });
  };
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      problem(display(dir), `cannot read directory: ${describeFsError(error)}`);
      return;
    }
    const chart = entries.find((entry) => HELM_CHART.test(entry.name) && !entry.isDirectory());
    if (chart) {
      notices.push({
        code: 'helm-chart',
        at: at(display(join(dir, chart.name))),
        message: `skipped: a Helm chart, whose templates are not manifests until rendered (helm template ${display(dir)} | draingate validate -)`,
      });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && !SKIPPED_DIRECTORIES.has(entry.name)) walk(full);
      } else if (MANIFEST_EXTENSIONS.test(entry.name)) {
        if (entry.isFile() || entry.isSymbolicLink()) readOne(full, display(full), true);
        else
          notices.push({
            code: 'special-file',
            at: at(display(full)),
            message: `skipped: ${describeSpecial(entry)}`,
          });
      }
    }
  };

  for (const path of paths) {
    if (path === '-') {
      if (!options.stdin) {
        problem('-', 'no standard input to read');
        continue;
      }
      const bytes = await readStream(options.stdin, maxBytes);
      if (bytes === undefined) problem('-', overLimit('standard input is'));
      else if (bytes.length === 0 || bytes.toString('utf8').trim() === '')
        problem(
          '-',
          'nothing was read: standard input is empty (was the command before the pipe empty or did it fail?)',
        );
      else pushText('-', bytes);
      continue;
    }
    const full = resolve(cwd, path);
    const name = path;
    let info: Stats;
    try {
      info = lstatSync(full);
      if (info.isSymbolicLink()) info = statSync(full);
    } catch (error) {
      problem(name, `cannot read: ${describeFsError(error)}`);
      continue;
    }
    if (info.isDirectory()) {
      const before = sources.length + problems.length + notices.length;
      walk(full);
      if (sources.length + problems.length + notices.length === before)
        problem(name, 'no .yaml, .yml or .json file in this directory or below');
    } else if (info.isFile() || info.isFIFO() || info.isCharacterDevice()) readOne(full, name, false);
    else problem(name, `cannot read: ${describeSpecial(info)}`);
  }
  return { sources, problems, notices };
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function isWithin(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Reads at most `maxBytes` from `fd`; undefined when there is more. `expected` sizes the first buffer, but
 * the read does not trust it: the file may grow, or be a device that never ends.
 */
function readBounded(fd: number, maxBytes: number, expected: number): Buffer | undefined {
  let buffer = Buffer.allocUnsafe(Math.min(maxBytes, Math.max(expected, 0)) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > maxBytes) return undefined;
      const grown = Buffer.allocUnsafe(Math.min(maxBytes + 1, buffer.length * 2 + CHUNK_BYTES));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) break;
    length += read;
    if (length > maxBytes) return undefined;
  }
  return buffer.subarray(0, length);
}

/**
 * The text of a file's bytes: UTF-8 (a byte-order mark dropped, so that columns do not shift), or UTF-16
 * with a byte-order mark (as some Windows editors save), decoded. Anything else with NUL bytes is left to
 * the parser, which says it is not a text file.
 */
export function decodeText(bytes: Buffer): { text: string } | { problem: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: bytes.toString('utf8', 3) };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    if (bytes.length % 2 !== 0) return { problem: 'UTF-16 text with an odd number of bytes: cut short?' };
    const little = bytes[0] === 0xff;
    const body = Buffer.from(bytes.subarray(2));
    if (!little) body.swap16();
    return { text: body.toString('utf16le') };
  }
  return { text: bytes.toString('utf8') };
}

async function readStream(stream: NodeJS.ReadableStream, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > maxBytes) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function describeSpecial(info: {
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (info.isFIFO()) return 'a named pipe (FIFO), not a file';
  if (info.isSocket()) return 'a socket, not a file';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device, not a file';
  return 'not a regular file';
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'ENXIO':
      return 'no such device, or a socket';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
