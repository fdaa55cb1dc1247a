import type { Rule } from '../rules/types.js';

/** docs/rules/<ID>.md, generated from a rule's metadata (a test fails when the committed docs drift). */
export function renderRuleDoc(rule: Rule): string {
  return [
    `<!-- Generated from the rule's metadata by \`npm run docs\`. Do not edit. -->`,
    `# ${rule.id} ${rule.slug}`,
    '',
    `**${rule.title}** · severity: \`${rule.severity}\` · ${rule.scope === 'live' ? 'live validation only' : 'static and live validation'}`,
    '',
    '## Why',
    '',
    rule.rationale,
    '',
    '## Fix',
    '',
    rule.remediation,
    '',
    '## Suppress',
    '',
    'On the workload (Deployment, StatefulSet, DaemonSet or Rollout), with a reason:',
    '',
    '```yaml',
    'metadata:',
    '  annotations:',
    `    draingate.io/ignore: "${rule.id}"`,
    '    draingate.io/ignore-reason: "why this is safe here"',
    '```',
    '',
  ].join('\n');
}

/** docs/rules/README.md: the table of every rule. */
export function renderRuleIndex(rules: readonly Rule[]): string {
  return [
    `<!-- Generated from the rules' metadata by \`npm run docs\`. Do not edit. -->`,
    '# draingate rules',
    '',
    'Symbols: P = preStop delay, G = terminationGracePeriodSeconds, D = deregistration delay, L = propagation allowance, S = shutdown allowance, R = registration window.',
    '',
    '| Id | Slug | Severity | Title |',
    '| --- | --- | --- | --- |',
    ...rules.map(
      (rule) => `| [${rule.id}](${rule.id}.md) | ${rule.slug} | ${rule.severity} | ${rule.title} |`,
    ),
    '',
  ].join('\n');
}
