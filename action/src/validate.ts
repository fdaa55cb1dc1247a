import { glob } from 'node:fs/promises';
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

/**
 * Expands the manifest globs relative to `cwd` (`!pattern` excludes), in a stable order. A pattern that matches
 * nothing is a problem of its own, so a typo never passes as "no findings".
 */
export async function expandManifests(
  patterns: readonly string[],
  cwd: string,
): Promise<{ files: string[]; problems: InputProblem[] }> {
  const include = patterns.filter((pattern) => !pattern.startsWith('!'));
  const exclude = patterns.filter((pattern) => pattern.startsWith('!')).map((pattern) => pattern.slice(1));
  const files = new Set<string>();
  const problems: InputProblem[] = [];
  for (const pattern of include) {
    const matched: string[] = [];
    for await (const file of glob(pattern, {
      cwd,
      exclude: [...exclude, '**/node_modules/**', '**/.git/**'],
    })) {
      matched.push(file);
    }
    const manifests = matched.filter((file) => /\.(ya?ml|json)$/i.test(file));
    if (manifests.length === 0) {
      problems.push({
        at: { file: pattern, line: 1, column: 1 },
        message: `manifests pattern ${JSON.stringify(pattern)} matched no .yaml, .yml or .json file`,
      });
    }
    for (const file of manifests) files.add(file);
  }
  return { files: [...files].sort(), problems };
}

function findingAnnotation(finding: Finding): Annotation {
  return {
    level: LEVEL[finding.severity],
    title: `${finding.ruleId} ${finding.slug}`,
    message: `${finding.message} Fix: ${finding.fix.summary}`,
    ...(finding.at
      ? { file: finding.at.file, startLine: finding.at.line, startColumn: finding.at.column }
      : {}),
  };
}

function problemAnnotation(problem: InputProblem, known: ReadonlySet<string>): Annotation {
  // A pattern that matched nothing names no real file: annotate the step, not a path that does not exist.
  return known.has(problem.at.file)
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
export async function runValidate(inputs: ActionInputs, cwd: string): Promise<ActionOutcome> {
  const expanded = await expandManifests(inputs.manifests, cwd);
  const read = await readManifestSources(expanded.files, { cwd });
  const report: Report = validateManifests(read.sources, {
    allowances: createAllowances(),
    readProblems: [...expanded.problems, ...read.problems],
  });
  const known = new Set(expanded.files);
  const all = [
    ...report.problems.map((problem) => problemAnnotation(problem, known)),
    ...report.findings.map(findingAnnotation),
  ];
  const { kept, omitted, overflow } = limitAnnotations(all);
  const logs = [
    `draingate: ${report.files} file(s), ${report.workloads.length} workload(s), ${report.findings.length} finding(s), ${report.problems.length} input problem(s)`,
    ...overflow.map(
      (annotation) =>
        `${annotation.level}: ${annotation.file ? `${formatSourceRef({ file: annotation.file, line: annotation.startLine ?? 1, column: annotation.startColumn ?? 1 })}: ` : ''}${annotation.title ? `${annotation.title}: ` : ''}${annotation.message}`,
    ),
  ];
  const left = omitted.error + omitted.warning + omitted.notice;
  const summary = [
    renderMarkdown(report),
    left > 0
      ? `\n> GitHub shows 10 annotations of each kind per step: ${omitted.error} error(s), ${omitted.warning} warning(s) and ${omitted.notice} notice(s) more are listed in the step log${inputs.sarifFile ? ' and in the SARIF file' : ''}.\n`
      : '',
  ].join('');
  const files = inputs.sarifFile
    ? [{ path: inputs.sarifFile, content: renderSarif(report, { baseDir: cwd }) }]
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
