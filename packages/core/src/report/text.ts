import { formatSourceRef, formatInputProblem, formatNotice } from '../manifest/source.js';
import { describeProvenance, formatObjectRef } from '../model/provenance.js';
import type { Report } from '../rules/evaluate.js';
import { countBySeverity } from '../rules/evaluate.js';
import type { Finding, FindingValue, Severity } from '../rules/types.js';
import { workloadKey } from './workload-key.js';

export interface TextOptions {
  /** ANSI colour; the CLI turns it on only on a TTY and never with NO_COLOR. */
  readonly colour?: boolean;
  /** Print fix snippets (default true). */
  readonly fixes?: boolean;
}

const COLOURS = { red: 31, yellow: 33, blue: 34, grey: 90, bold: 1, green: 32 } as const;

type Paint = (colour: keyof typeof COLOURS, text: string) => string;

const SYMBOL: Record<Severity, string> = { error: '✖', warning: '▲', info: 'ℹ' };
const TINT: Record<Severity, keyof typeof COLOURS> = { error: 'red', warning: 'yellow', info: 'blue' };

/** Human-readable report, grouped by workload, each finding with its numbers, their sources and the fix. */
export function renderText(report: Report, options: TextOptions = {}): string {
  const paint: Paint = options.colour
    ? (colour, text) => `\u001b[${COLOURS[colour]}m${text}\u001b[0m`
    : (_colour, text) => text;
  const lines: string[] = [];
  const groups = new Map<string, Finding[]>();
  for (const finding of report.findings) {
    const key = workloadKey(finding);
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  for (const findings of groups.values()) {
    const first = findings[0];
    const workload = first ? formatObjectRef(first.workload) : '';
    const where = first?.workload.source ? `  ${paint('grey', formatSourceRef(first.workload.source))}` : '';
    lines.push(`${paint('bold', workload)}${where}`);
    for (const finding of sortFindings(findings))
      lines.push(...renderFinding(finding, paint, options.fixes ?? true));
    lines.push('');
  }
  if (report.problems.length > 0) {
    lines.push(paint('bold', 'Input problems'));
    for (const problem of report.problems)
      lines.push(`  ${paint('red', '✖')} ${formatInputProblem(problem)}`);
    lines.push('');
  }
  if (report.notices.length > 0) {
    lines.push(paint('bold', 'Notices'));
    for (const notice of report.notices) lines.push(`  ${paint('blue', 'ℹ')} ${formatNotice(notice)}`);
    lines.push('');
  }
  if (report.suppressed.length > 0) {
    lines.push(paint('grey', `Suppressed by ${'draingate.io/ignore'}:`));
    for (const { finding, reason } of report.suppressed) {
      lines.push(
        paint(
          'grey',
          `  ${finding.ruleId} on ${formatObjectRef(finding.workload)}${finding.container ? ` (${finding.container})` : ''}${reason ? ` — ${reason}` : ''}`,
        ),
      );
    }
    lines.push('');
  }
  lines.push(summaryLine(report, paint));
  return `${lines.join('\n')}\n`;
}

function renderFinding(finding: Finding, paint: Paint, fixes: boolean): string[] {
  const head = `  ${paint(TINT[finding.severity], `${SYMBOL[finding.severity]} ${finding.severity.padEnd(7)}`)} ${paint('bold', finding.ruleId)} ${finding.slug}${finding.at ? `  ${paint('grey', formatSourceRef(finding.at))}` : ''}`;
  const out = [head, `    ${finding.message}`];
  const sourced = finding.values.filter((v) => v.from !== undefined);
  for (const v of sourced) out.push(paint('grey', `    · ${formatValue(v)}`));
  out.push(`    ${paint('green', 'fix:')} ${finding.fix.summary}`);
  if (fixes && finding.fix.yaml) {
    for (const line of finding.fix.yaml.trimEnd().split('\n')) out.push(paint('grey', `      ${line}`));
  }
  return out;
}

function formatValue(v: FindingValue): string {
  const name = v.symbol ? `${v.symbol} (${v.name})` : v.name;
  const unit = v.unit === 's' ? ' s' : v.unit === '%' ? ' %' : '';
  return `${name} = ${String(v.value)}${unit}${v.from ? ` — ${describeProvenance(v.from)}` : ''}`;
}

function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return [...findings].sort(
    (a, b) => rank[a.severity] - rank[b.severity] || a.ruleId.localeCompare(b.ruleId),
  );
}

function summaryLine(report: Report, paint: Paint): string {
  const counts = countBySeverity(report.findings);
  const parts = [
    `${report.workloads.length} load-balanced workload${report.workloads.length === 1 ? '' : 's'} checked in ${report.files} file${report.files === 1 ? '' : 's'}`,
  ];
  // "Skipped" has two meanings a reader must tell apart: nothing reaches these workloads, or draingate
  // could not tell whether anything does (a notice says why, and what to declare).
  const skipped = skippedCounts(report);
  if (skipped !== '') parts.push(skipped);
  const findings = `${counts.error} error${counts.error === 1 ? '' : 's'}, ${counts.warning} warning${counts.warning === 1 ? '' : 's'}, ${counts.info} info`;
  const tone = counts.error > 0 ? 'red' : counts.warning > 0 ? 'yellow' : 'green';
  const extra = [
    report.suppressed.length > 0 ? `${report.suppressed.length} suppressed` : '',
    report.problems.length > 0
      ? `${report.problems.length} input problem${report.problems.length === 1 ? '' : 's'}`
      : '',
    report.notices.length > 0
      ? `${report.notices.length} notice${report.notices.length === 1 ? '' : 's'}`
      : '',
  ].filter(Boolean);
  return `${parts.join('; ')}: ${paint(tone, findings)}${extra.length > 0 ? `; ${extra.join(', ')}` : ''}.`;
}

/**
 * `3 workloads skipped (2 not behind a load balancer, 1 whose load balancer could not be told: see
 * notices)`, or nothing when none was skipped.
 */
export function skippedCounts(report: Pick<Report, 'skippedWorkloads' | 'unresolvedWorkloads'>): string {
  const none = report.skippedWorkloads.length;
  const unresolved = report.unresolvedWorkloads.length;
  const total = none + unresolved;
  if (total === 0) return '';
  const reasons = [
    none > 0 ? `${none} not behind a load balancer` : '',
    unresolved > 0 ? `${unresolved} whose load balancer could not be told: see notices` : '',
  ].filter(Boolean);
  return `${total} workload${total === 1 ? '' : 's'} skipped (${reasons.join(', ')})`;
}
