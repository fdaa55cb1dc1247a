import { describeProvenance } from '../model/provenance.js';
import type { Report } from '../rules/evaluate.js';
import { RULES } from '../rules/registry.js';
import type { Rule, Severity } from '../rules/types.js';
import { DRAINGATE_VERSION, INFORMATION_URI } from './version.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

/** GitHub code scanning wants a security-severity-free, precision-tagged rule; see docs/rules. */
function ruleDescriptor(rule: Rule): Record<string, unknown> {
  return {
    id: rule.id,
    name: rule.slug,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.rationale },
    helpUri: `${INFORMATION_URI}/blob/main/docs/rules/${rule.id}.md`,
    help: {
      text: `${rule.rationale}\n\nRemediation: ${rule.remediation}`,
      markdown: `${rule.rationale}\n\n**Remediation:** ${rule.remediation}`,
    },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: { tags: ['kubernetes', 'aws-alb', 'reliability'], precision: 'high' },
  };
}

/**
 * SARIF 2.1.0 for GitHub code scanning. File paths are made relative to `baseDir` (the repository root)
 * so annotations land on the right lines; problems with the input are tool notifications.
 */
export function renderSarif(
  report: Report,
  options: { baseDir?: string; rules?: readonly Rule[] } = {},
): string {
  const rules = options.rules ?? RULES;
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  const relative = (file: string): string => toUri(file, options.baseDir);
  const results = report.findings.map((finding) => ({
    ruleId: finding.ruleId,
    ruleIndex: index.get(finding.ruleId) ?? 0,
    level: LEVEL[finding.severity],
    message: {
      text: `${finding.message} Fix: ${finding.fix.summary}.${finding.values.length > 0 ? ` Values: ${finding.values.map((v) => `${v.symbol ?? v.name}=${String(v.value)}${v.unit === 's' ? ' s' : ''}${v.from ? ` (${describeProvenance(v.from)})` : ''}`).join('; ')}.` : ''}`,
    },
    ...(finding.at
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: {
                  uri: relative(finding.at.file),
                  ...(isAbsolute(relative(finding.at.file)) ? {} : { uriBaseId: '%SRCROOT%' }),
                },
                region: { startLine: finding.at.line, startColumn: finding.at.column },
              },
              logicalLocations: [
                {
                  name: finding.workload.name,
                  fullyQualifiedName: `${finding.workload.namespace}/${finding.workload.kind}/${finding.workload.name}`,
                  kind: 'resource',
                },
              ],
            },
          ],
        }
      : {}),
    partialFingerprints: {
      draingateFinding: `${finding.ruleId}/${finding.workload.namespace}/${finding.workload.kind}/${finding.workload.name}/${finding.container ?? ''}/${finding.object.kind}/${finding.object.name}`,
    },
  }));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'draingate',
            version: DRAINGATE_VERSION,
            semanticVersion: DRAINGATE_VERSION,
            informationUri: INFORMATION_URI,
            rules: rules.map(ruleDescriptor),
          },
        },
        invocations: [
          {
            executionSuccessful: report.problems.length === 0,
            toolExecutionNotifications: report.problems.map((problem) => ({
              level: 'error',
              message: { text: [problem.object, problem.field, problem.message].filter(Boolean).join(': ') },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: relative(problem.at.file) },
                    region: { startLine: problem.at.line, startColumn: problem.at.column },
                  },
                },
              ],
            })),
          },
        ],
        results,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function isAbsolute(uri: string): boolean {
  return uri.startsWith('file:');
}

function toUri(file: string, baseDir: string | undefined): string {
  let path = file;
  if (baseDir && path.startsWith(`${baseDir.replace(/\/$/, '')}/`))
    path = path.slice(baseDir.replace(/\/$/, '').length + 1);
  if (path === '-') return 'stdin';
  // Outside the repository: an absolute file URI, which no uriBaseId can make relative.
  if (path.startsWith('/'))
    return `file://${path
      .split('/')
      .map((part) => encodeURIComponent(part))
      .join('/')}`;
  return path
    .split('/')
    .map((part) => encodeURIComponent(part))
    .join('/');
}
