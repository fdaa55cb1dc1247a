import { formatInputProblem, formatNotice, formatSourceRef } from '../manifest/source.js';
import { describeProvenance, formatObjectRef } from '../model/provenance.js';
import type { Report } from '../rules/evaluate.js';
import { countBySeverity } from '../rules/evaluate.js';
import type { Finding } from '../rules/types.js';
import { skippedCounts } from './text.js';

const ICON = { error: '🔴', warning: '🟠', info: '🔵' } as const;

/** Escapes text for a Markdown table cell or paragraph: it may come from a manifest anyone wrote. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** Markdown report (job summaries, PR comments): a summary table, then each workload's findings. */
export function renderMarkdown(report: Report): string {
  const counts = countBySeverity(report.findings);
  const lines = [
    '## draingate: drain-timing validation',
    '',
    `| Workloads checked | Errors | Warnings | Info | Suppressed | Input problems |`,
    `| ---: | ---: | ---: | ---: | ---: | ---: |`,
    `| ${report.workloads.length} | ${counts.error} | ${counts.warning} | ${counts.info} | ${report.suppressed.length} | ${report.problems.length} |`,
    '',
  ];
  const skipped = skippedCounts(report);
  if (skipped !== '') lines.push(`${escapeMarkdown(skipped)}.`, '');
  const groups = new Map<string, Finding[]>();
  for (const finding of report.findings) {
    const key = formatObjectRef(finding.workload);
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  for (const [workload, findings] of groups) {
    lines.push(
      `### ${escapeMarkdown(workload)}`,
      '',
      '| | Rule | Where | Finding |',
      '| --- | --- | --- | --- |',
    );
    for (const finding of findings) {
      lines.push(
        `| ${ICON[finding.severity]} | ${finding.ruleId} ${escapeMarkdown(finding.slug)} | ${finding.at ? `\`${formatSourceRef(finding.at).replace(/`/g, "'")}\`` : ''} | ${escapeMarkdown(finding.message)} |`,
      );
    }
    lines.push('');
    for (const finding of findings) {
      lines.push(
        `<details><summary>${finding.ruleId}: fix — ${escapeHtml(finding.fix.summary)}</summary>`,
        '',
      );
      const sourced = finding.values.filter((v) => v.from);
      for (const v of sourced)
        lines.push(
          `- ${escapeMarkdown(`${v.symbol ?? v.name} = ${String(v.value)}${v.unit === 's' ? ' s' : ''}: ${v.from ? describeProvenance(v.from) : ''}`)}`,
        );
      if (finding.fix.yaml)
        lines.push('', '```yaml', finding.fix.yaml.replace(/```/g, "'''").trimEnd(), '```');
      lines.push('', '</details>', '');
    }
  }
  if (report.problems.length > 0) {
    lines.push('### Input problems', '');
    for (const problem of report.problems) lines.push(`- ${escapeMarkdown(formatInputProblem(problem))}`);
    lines.push('');
  }
  if (report.notices.length > 0) {
    lines.push('### Notices', '');
    for (const notice of report.notices) lines.push(`- ${escapeMarkdown(formatNotice(notice))}`);
    lines.push('');
  }
  if (report.findings.length === 0 && report.problems.length === 0)
    lines.push('No findings: drain timing is sound.', '');
  return `${lines.join('\n')}\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
