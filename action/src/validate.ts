import { realpathSync, statSync } from 'node:fs';
import { glob } from 'node:fs/promises';
import { isAbsolute, matchesGlob, relative, resolve, sep } from 'node:path';
import {
  createAllowances,
  formatSourceRef,
  reachesThreshold,
  renderMarkdown,
  renderSarif,
  validateManifests,
} from '@draingate/core';
import type { Finding, InputProblem, Report } from '@draingate/core';
import { readManifestSources } from '@draingate/core/node';
import type { ActionInputs } from './inputs.js';
import type { ActionOutcome, Annotation } from './outcome.js';
import { limitAnnotations } from './outcome.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'notice' } as const;
const MANIFEST = /\.(ya?ml|json)$/i;
const GLOB_MAGIC = /[*?[\]{}!]/;
/** GitHub drops a job summary over 1 MiB whole; this leaves room for the lines the action adds. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 16 * 1024;

/** Where the action may read manifests: the workspace, and the runner's temporary directory. */
export interface ReadableRoots {
  readonly workspace: string;
  readonly runnerTemp?: string;
}

/**
 * Expands the manifest patterns relative to the workspace (`!pattern` excludes), in a stable order: globs
 * to their .yaml/.yml/.json files, a directory named as it is (`k8s/`) to every manifest below it, as the
 * CLI walks it. A pattern that matches nothing is a problem of its own, so a typo never passes as "no
 * findings"; so is a path outside the workspace (and RUNNER_TEMP), which a pull request could use to read
 * the runner's files.
 */
export async function expandManifests(
  patterns: readonly string[],
  roots: ReadableRoots,
): Promise<{ paths: string[]; exclude: string[]; problems: InputProblem[] }> {
  const cwd = roots.workspace;
  const include = patterns.filter((pattern) => !pattern.startsWith('!'));
  const exclude = patterns.filter((pattern) => pattern.startsWith('!')).map((pattern) => pattern.slice(1));
  const paths = new Set<string>();
  const problems: InputProblem[] = [];
  const allowed = [realpathOrSelf(cwd), ...(roots.runnerTemp ? [realpathOrSelf(roots.runnerTemp)] : [])];
  const problem = (pattern: string, message: string): void => {
    problems.push({ at: { file: pattern, line: 1, column: 1 }, message });
  };
  for (const pattern of include) {
    const matched: string[] = [];
    for await (const file of glob(pattern, {
      cwd,
      exclude: [...exclude, '**/node_modules/**', '**/.git/**'],
    })) {
      matched.push(file);
    }
    const literal = !GLOB_MAGIC.test(pattern);
    // fs.glob matches no entry for the directory it starts from: `.` or `./` names the workspace itself.
    if (literal && matched.length === 0 && isDirectory(resolve(cwd, pattern))) matched.push(pattern);
    let manifests = 0;
    let outside: string | undefined;
    for (const match of matched.sort()) {
      const full = resolve(cwd, match);
      if (!allowed.some((root) => within(realpathOrSelf(full), root))) {
        outside ??= match;
        continue;
      }
      let directory = false;
      try {
        directory = statSync(full).isDirectory();
      } catch {
        // A dangling link: the reader says so when it is a manifest.
      }
      if (directory ? !literal : !MANIFEST.test(match)) continue;
      paths.add(match.replace(/\/+$/, '') || '.');
      manifests += 1;
    }
    if (outside !== undefined) {
      problem(
        pattern,
        `manifests pattern ${JSON.stringify(pattern)} names ${JSON.stringify(outside)}, outside the workspace: only files of the repository (GITHUB_WORKSPACE) or of RUNNER_TEMP are read`,
      );
    } else if (manifests === 0) {
      problem(pattern, `manifests pattern ${JSON.stringify(pattern)} matched no .yaml, .yml or .json file`);
    }
  }
  return { paths: [...paths].sort(), exclude, problems };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function within(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Whether a reported file name is a path inside the repository, which annotations and SARIF can point at. */
function inRepository(file: string): boolean {
  return file !== '-' && !isAbsolute(file) && file !== '..' && !file.startsWith('../');
}

function findingAnnotation(finding: Finding): Annotation {
  const located = finding.at && inRepository(finding.at.file);
  return {
    level: LEVEL[finding.severity],
    title: `${finding.ruleId} ${finding.slug}`,
    message: `${finding.at && !located ? `${formatSourceRef(finding.at)}: ` : ''}${finding.message} Fix: ${finding.fix.summary}`,
    ...(finding.at && located
      ? { file: finding.at.file, startLine: finding.at.line, startColumn: finding.at.column }
      : {}),
  };
}

function problemAnnotation(problem: InputProblem, known: ReadonlySet<string>): Annotation {
  // A pattern that matched nothing names no real file: annotate the step, not a path that does not exist.
  return known.has(problem.at.file) && inRepository(problem.at.file)
    ? {
        level: 'error',
        title: 'draingate: input problem',
        message: problem.message,
        file: problem.at.file,
        startLine: problem.at.line,
      }
    : {
        level: 'error',
        title: 'draingate: input problem',
        message: `${problem.at.file}: ${problem.message}`,
      };
}

/**
 * `validate`: the drain-timing rules on the manifests the globs match; annotations on the offending lines
 * (within GitHub's per-step limits, the rest listed in the log and counted in the summary), SARIF when asked,
 * and a Markdown job summary. Fails the step on findings at `fail-on` or on input problems.
 */
export async function runValidate(
  inputs: ActionInputs,
  cwd: string,
  runnerTemp?: string,
): Promise<ActionOutcome> {
  const expanded = await expandManifests(inputs.manifests, {
    workspace: cwd,
    ...(runnerTemp ? { runnerTemp } : {}),
  });
  const read = await readManifestSources(expanded.paths, {
    cwd,
    allowedRoots: [cwd, ...(runnerTemp ? [runnerTemp] : [])],
  });
  // The walk of a named directory does not know the exclusions: they apply to what it found.
  const excluded = (file: string): boolean => expanded.exclude.some((pattern) => matchesGlob(file, pattern));
  const sources = expanded.exclude.length > 0 ? read.sources.filter((s) => !excluded(s.file)) : read.sources;
  const report: Report = validateManifests(sources, {
    allowances: createAllowances(),
    readProblems: [...expanded.problems, ...read.problems],
    readNotices: read.notices,
  });
  const known = new Set(sources.map((source) => source.file));
  const all = [
    ...report.problems.map((problem) => problemAnnotation(problem, known)),
    ...report.findings.map(findingAnnotation),
  ];
  const { kept, omitted, overflow } = limitAnnotations(all);
  const logs = [
    `draingate: ${report.files} file(s), ${report.workloads.length} workload(s), ${report.findings.length} finding(s), ${report.problems.length} input problem(s)`,
    ...overflow.map(describeAnnotation),
  ];
  const left = omitted.error + omitted.warning + omitted.notice;
  const annotationsNote =
    left > 0
      ? `\n> GitHub shows 10 annotations of each kind per step: ${omitted.error} error(s), ${omitted.warning} warning(s) and ${omitted.notice} notice(s) more are listed in the step log${inputs.sarifFile ? ' and in the SARIF file' : ''}.\n`
      : '';
  const markdown = renderMarkdown(report, {
    maxBytes: SUMMARY_LIMIT_BYTES - Buffer.byteLength(annotationsNote),
    whereTheRestIs: `${inputs.sarifFile ? `the SARIF file (${inputs.sarifFile}) and ` : ''}the step log`,
  });
  const cut = Buffer.byteLength(markdown) < Buffer.byteLength(renderMarkdown(report));
  if (cut) {
    // The summary could not hold every finding: the log does, one line each.
    const listed = new Set(overflow);
    for (const annotation of all)
      if (!listed.has(annotation) && annotation.title !== 'draingate: input problem')
        logs.push(describeAnnotation(annotation));
  }
  const summary = `${markdown}${annotationsNote}`;
  // Code scanning places results in the repository: a file outside it (RUNNER_TEMP) gets no location.
  const sarifReport: Report = {
    ...report,
    findings: report.findings.map((finding) =>
      finding.at && !inRepository(finding.at.file) ? withoutLocation(finding) : finding,
    ),
  };
  const files = inputs.sarifFile
    ? [{ path: inputs.sarifFile, input: 'sarif-file', content: renderSarif(sarifReport, { baseDir: cwd }) }]
    : [];
  const failing = reachesThreshold(report.findings, inputs.failOn);
  const failure =
    report.problems.length > 0
      ? `draingate: ${report.problems.length} input problem(s): ${report.problems
          .slice(0, 3)
          .map((p) => `${formatSourceRef(p.at)}: ${p.message}`)
          .join('; ')}`
      : failing
        ? `draingate: ${report.findings.length} finding(s), at least one at or above fail-on=${inputs.failOn}`
        : undefined;
  return {
    outputs: {
      verdict: failure ? 'Failed' : 'Successful',
      'findings-count': String(report.findings.length),
      ...(inputs.sarifFile ? { 'sarif-file': inputs.sarifFile } : {}),
    },
    annotations: kept,
    logs,
    summary,
    files,
    ...(failure ? { failure } : {}),
  };
}

function describeAnnotation(annotation: Annotation): string {
  const where = annotation.file
    ? `${formatSourceRef({ file: annotation.file, line: annotation.startLine ?? 1, column: annotation.startColumn ?? 1 })}: `
    : '';
  return `${annotation.level}: ${where}${annotation.title ? `${annotation.title}: ` : ''}${annotation.message}`;
}

function withoutLocation(finding: Finding): Finding {
  const { at, ...rest } = finding;
  return { ...rest, message: `${at ? `${formatSourceRef(at)}: ` : ''}${finding.message}` };
}
