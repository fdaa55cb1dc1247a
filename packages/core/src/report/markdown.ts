import { formatInputProblem, formatNotice, formatSourceRef } from '../manifest/source.js';
import { describeProvenance, formatObjectRef } from '../model/provenance.js';
import type { Report } from '../rules/evaluate.js';
import { countBySeverity } from '../rules/evaluate.js';
import type { Finding } from '../rules/types.js';
import { skippedCounts } from './text.js';
import { workloadKey } from './workload-key.js';

const ICON = { error: '🔴', warning: '🟠', info: '🔵' } as const;

/** Escapes text for a Markdown table cell or paragraph: it may come from a manifest anyone wrote. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export interface MarkdownOptions {
  /**
   * At most this many bytes (UTF-8): GitHub drops a job summary over 1 MiB whole. When the report is larger,
   * the workloads with the worst findings come first and the rest are counted, with `whereTheRestIs`.
   */
  readonly maxBytes?: number;
  /** Where every finding can be read when the summary is cut ("the SARIF file and the step log"). */
  readonly whereTheRestIs?: string;
}

const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;
/** Bytes kept for the note that says what was cut. */
const NOTE_BYTES = 1024;

/** Markdown report (job summaries, PR comments): a summary table, then each workload's findings. */
export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const counts = countBySeverity(report.findings);
  const headerLines = [
    '## draingate: drain-timing validation',
    '',
    `| Workloads checked | Errors | Warnings | Info | Suppressed | Input problems |`,
    `| ---: | ---: | ---: | ---: | ---: | ---: |`,
    `| ${report.workloads.length} | ${counts.error} | ${counts.warning} | ${counts.info} | ${report.suppressed.length} | ${report.problems.length} |`,
    '',
  ];
  const skipped = skippedCounts(report);
  if (skipped !== '') headerLines.push(`${escapeMarkdown(skipped)}.`, '');
  const header = headerLines.join('\n');
  const groups = new Map<string, Finding[]>();
  for (const finding of report.findings) {
    const key = workloadKey(finding);
    const group = groups.get(key);
    if (group) group.push(finding);
    else groups.set(key, [finding]);
  }
  const sections = [...groups.values()].map((findings) =>
    workloadSection(formatObjectRef(findings[0]!.workload), findings),
  );
  const problems = report.problems.map((problem) => `- ${escapeMarkdown(formatInputProblem(problem))}`);
  const notices = report.notices.map((notice) => `- ${escapeMarkdown(formatNotice(notice))}`);
  const closing =
    report.findings.length === 0 && report.problems.length === 0
      ? 'No findings: drain timing is sound.\n'
      : '';
  const whole = joinParts([
    header,
    ...sections,
    listSection('Input problems', problems),
    listSection('Notices', notices),
    closing,
  ]);
  const limit = options.maxBytes;
  if (limit === undefined || utf8Length(whole) + 1 <= limit) return `${whole}\n`;

  // Too large: the worst workloads first, then as much of the lists as fits, then what was left out.
  let budget = limit - NOTE_BYTES - utf8Length(header) - utf8Length(closing) - 2;
  const listBudget = Math.floor(budget / 4);
  const keptProblems = fitting(problems, listBudget);
  budget -= utf8Length(listSection('Input problems', keptProblems.lines));
  const keptNotices = fitting(notices, listBudget);
  budget -= utf8Length(listSection('Notices', keptNotices.lines));
  const order = [...groups.values()]
    .map((findings, index) => ({
      index,
      rank: Math.min(...findings.map((f) => SEVERITY_RANK[f.severity])),
    }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index);
  const kept: string[] = [];
  let shownFindings = 0;
  const all = [...groups.values()];
  for (const { index } of order) {
    const size = utf8Length(sections[index]!) + 1;
    if (size > budget) break;
    budget -= size;
    kept.push(sections[index]!);
    shownFindings += all[index]!.length;
  }
  const where = options.whereTheRestIs ? ` Every finding is in ${options.whereTheRestIs}.` : '';
  const note = [
    `> This summary is cut to stay under GitHub's ${formatKiB(limit)} limit: it shows ${shownFindings} of ${report.findings.length} findings (${kept.length} of ${groups.size} workloads, the worst first)${keptProblems.left > 0 ? `, ${problems.length - keptProblems.left} of ${problems.length} input problems` : ''}${keptNotices.left > 0 ? `, ${notices.length - keptNotices.left} of ${notices.length} notices` : ''}.${where}`,
    '',
  ].join('\n');
  return `${joinParts([
    header,
    note,
    ...kept,
    listSection('Input problems', keptProblems.lines),
    listSection('Notices', keptNotices.lines),
    closing,
  ])}\n`;
}

function workloadSection(workload: string, findings: readonly Finding[]): string {
  const lines = [
    `### ${escapeMarkdown(workload)}`,
    '',
    '| | Rule | Where | Finding |',
    '| --- | --- | --- | --- |',
  ];
  for (const finding of findings) {
    lines.push(
      `| ${ICON[finding.severity]} | ${finding.ruleId} ${escapeMarkdown(finding.slug)} | ${finding.at ? `\`${formatSourceRef(finding.at).replace(/`/g, "'")}\`` : ''} | ${escapeMarkdown(finding.message)} |`,
    );
  }
  lines.push('');
  for (const finding of findings) {
    lines.push(`<details><summary>${finding.ruleId}: fix — ${escapeHtml(finding.fix.summary)}</summary>`, '');
    const sourced = finding.values.filter((v) => v.from);
    for (const v of sourced)
      lines.push(
        `- ${escapeMarkdown(`${v.symbol ?? v.name} = ${String(v.value)}${v.unit === 's' ? ' s' : ''}: ${v.from ? describeProvenance(v.from) : ''}`)}`,
      );
    if (finding.fix.yaml) lines.push('', '```yaml', finding.fix.yaml.replace(/```/g, "'''").trimEnd(), '```');
    lines.push('', '</details>', '');
  }
  return lines.join('\n');
}

function listSection(title: string, items: readonly string[]): string {
  return items.length === 0 ? '' : [`### ${title}`, '', ...items, ''].join('\n');
}

/** The first items that fit in `budget` bytes (and a line that counts the rest), and how many were left out. */
function fitting(items: readonly string[], budget: number): { lines: string[]; left: number } {
  const lines: string[] = [];
  let used = 0;
  for (const item of items) {
    used += utf8Length(item) + 1;
    if (used > budget) break;
    lines.push(item);
  }
  const left = items.length - lines.length;
  if (left > 0) lines.push(`- … and ${left} more`);
  return { lines, left };
}

/** Sections joined by a blank line; empty ones left out. */
function joinParts(parts: readonly string[]): string {
  return parts.filter((part) => part !== '').join('\n');
}

function formatKiB(bytes: number): string {
  return bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0
    ? `${bytes / (1024 * 1024)} MiB`
    : `${Math.floor(bytes / 1024)} KiB`;
}

/** The length of a string in UTF-8 bytes. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
