import { formatObjectRef } from '../model/provenance.js';
import { describeProvenance } from '../model/provenance.js';
import type { ObjectRef } from '../model/provenance.js';
import type { Report } from '../rules/evaluate.js';
import { countBySeverity } from '../rules/evaluate.js';
import type { Finding } from '../rules/types.js';
import { DRAINGATE_VERSION } from './version.js';

/** The version of the JSON report's shape (docs/json-report.md). Bumped on any incompatible change. */
export const REPORT_SCHEMA = 'draingate.report/v1';

function objectJson(ref: ObjectRef): { kind: string; namespace: string; name: string } {
  return { kind: ref.kind, namespace: ref.namespace, name: ref.name };
}

export function findingJson(finding: Finding): Record<string, unknown> {
  return {
    ruleId: finding.ruleId,
    slug: finding.slug,
    title: finding.title,
    severity: finding.severity,
    workload: objectJson(finding.workload),
    object: objectJson(finding.object),
    container: finding.container ?? null,
    message: finding.message,
    location: finding.at ? { file: finding.at.file, line: finding.at.line, column: finding.at.column } : null,
    values: finding.values.map((v) => ({
      name: v.name,
      symbol: v.symbol ?? null,
      value: v.value,
      unit: v.unit ?? null,
      source: v.from ? describeProvenance(v.from) : null,
    })),
    fix: {
      summary: finding.fix.summary,
      object: finding.fix.object ? formatObjectRef(finding.fix.object) : null,
      yaml: finding.fix.yaml ?? null,
    },
  };
}

/** The machine-readable report. Every field is always present (null when it has no value). */
export function renderJson(report: Report): string {
  const counts = countBySeverity(report.findings);
  return `${JSON.stringify(
    {
      schema: REPORT_SCHEMA,
      tool: { name: 'draingate', version: DRAINGATE_VERSION },
      summary: {
        files: report.files,
        workloads: report.workloads.length,
        skippedWorkloads: report.skippedWorkloads.length,
        unresolvedWorkloads: report.unresolvedWorkloads.length,
        errors: counts.error,
        warnings: counts.warning,
        infos: counts.info,
        suppressed: report.suppressed.length,
        problems: report.problems.length,
        notices: report.notices.length,
      },
      findings: report.findings.map(findingJson),
      suppressed: report.suppressed.map((s) => ({ ...findingJson(s.finding), reason: s.reason ?? null })),
      problems: report.problems.map((p) => ({
        file: p.at.file,
        line: p.at.line,
        column: p.at.column,
        object: p.object ?? null,
        field: p.field ?? null,
        message: p.message,
      })),
      notices: report.notices.map((n) => ({
        code: n.code,
        file: n.at?.file ?? null,
        line: n.at?.line ?? null,
        column: n.at?.column ?? null,
        object: n.object ?? null,
        message: n.message,
      })),
    },
    null,
    2,
  )}\n`;
}
