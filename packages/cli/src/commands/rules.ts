import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { findRule, renderParameterDocs, renderRuleDoc, renderRuleIndex, RULES } from '@draingate/core';
import type { CliIo } from '../io.js';
import { UsageError } from '../io.js';

export function registerRules(program: Command, io: CliIo): void {
  program
    .command('rules')
    .description('List the drain-timing rules.')
    .option('-o, --output <format>', 'text or json', 'text')
    .action((flags: { output: string }) => {
      if (flags.output === 'json') {
        const rules = RULES.map(({ id, slug, title, severity, scope, rationale, remediation }) => ({
          id,
          slug,
          title,
          severity,
          scope,
          rationale,
          remediation,
        }));
        io.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
        return;
      }
      if (flags.output !== 'text')
        throw new UsageError(`--output: expected text or json, got ${JSON.stringify(flags.output)}`);
      for (const rule of RULES)
        io.stdout.write(`${rule.id}  ${rule.severity.padEnd(7)}  ${rule.slug.padEnd(36)}  ${rule.title}\n`);
    });

  program
    .command('explain')
    .description('Explain one rule: why it exists and how to fix what it finds.')
    .argument('<rule>', 'rule id (DG004) or slug (grace-period-too-short)')
    .action((id: string) => {
      const rule = findRule(id);
      if (!rule) throw new UsageError(`unknown rule ${JSON.stringify(id)}; \`draingate rules\` lists them`);
      io.stdout.write(
        `${rule.id} ${rule.slug} (${rule.severity})\n${rule.title}\n\nWhy: ${rule.rationale}\n\nFix: ${rule.remediation}\n\nSuppress on the workload: metadata.annotations draingate.io/ignore: "${rule.id}" with draingate.io/ignore-reason.\n`,
      );
    });

  program
    .command('docs')
    .description(
      'Write the rule reference (docs/rules) from the rules’ metadata, and the parameter reference from the parameter tables.',
    )
    .option('--out <dir>', 'output directory', 'docs/rules')
    .option('--parameters <file>', 'the parameter reference', 'docs/parameters.md')
    .action(async (flags: { out: string; parameters: string }) => {
      const dir = join(io.cwd, flags.out);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'README.md'), renderRuleIndex(RULES));
      for (const rule of RULES) await writeFile(join(dir, `${rule.id}.md`), renderRuleDoc(rule));
      await writeFile(join(io.cwd, flags.parameters), renderParameterDocs());
      io.stdout.write(`wrote ${RULES.length + 1} files to ${flags.out}, and ${flags.parameters}\n`);
    });
}
