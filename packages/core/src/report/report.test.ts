import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { aManifest } from '../testing/builders.js';
import { createAllowances } from '../timing/model.js';
import { validateManifests } from '../validate.js';
import { RULES } from '../rules/registry.js';
import { renderJson } from './json.js';
import { escapeMarkdown, renderMarkdown } from './markdown.js';
import { renderRuleDoc, renderRuleIndex } from './rule-docs.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

const require = createRequire(import.meta.url);
const broken = validateManifests(
  [
    { file: '/repo/k8s/web.yaml', text: aManifest().withoutPreStop().withoutDeregistrationDelay().build() },
    { file: '/repo/k8s/bad.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [x\n' },
  ],
  { allowances: createAllowances() },
);

describe('SARIF', () => {
  const schema = JSON.parse(
    readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
  ) as object;
  const ajv = new AjvDraft04.default({
    strict: false,
    allErrors: true,
    validateFormats: false,
    unicodeRegExp: false,
  });
  const validate = ajv.compile(schema);

  it('validates against the official SARIF 2.1.0 schema', () => {
    const sarif = JSON.parse(renderSarif(broken, { baseDir: '/repo' })) as unknown;
    expect(validate(sarif), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('points results at repository-relative files and lines, with the remediation in the rule help', () => {
    const sarif = JSON.parse(renderSarif(broken, { baseDir: '/repo' })) as {
      runs: {
        tool: { driver: { rules: { id: string; help: { text: string } }[] } };
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
        }[];
      }[];
    };
    const run = sarif.runs[0]!;
    const dg001 = run.results.find((r) => r.ruleId === 'DG001');
    expect(dg001?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('k8s/web.yaml');
    expect(dg001?.locations[0]?.physicalLocation.region.startLine).toBeGreaterThan(1);
    expect(run.tool.driver.rules.find((r) => r.id === 'DG001')?.help.text).toContain(
      'Remediation: Add a preStop hook',
    );
  });

  it('is valid with no findings at all', () => {
    const clean = validateManifests([{ file: 'ok.yaml', text: aManifest().build() }], {
      allowances: createAllowances(),
    });
    expect(validate(JSON.parse(renderSarif(clean)) as unknown)).toBe(true);
  });
});

describe('JSON report', () => {
  it('is versioned and never leaves a field out', () => {
    const json = JSON.parse(renderJson(broken)) as {
      schema: string;
      summary: Record<string, number>;
      findings: Record<string, unknown>[];
      problems: Record<string, unknown>[];
    };
    expect(json.schema).toBe('draingate.report/v1');
    expect(json.summary).toMatchObject({ workloads: 1, errors: 1, problems: 1 });
    for (const finding of json.findings) {
      expect(Object.keys(finding).sort()).toEqual([
        'container',
        'fix',
        'location',
        'message',
        'object',
        'ruleId',
        'severity',
        'slug',
        'title',
        'values',
        'workload',
      ]);
    }
    expect(json.problems[0]).toMatchObject({ file: '/repo/k8s/bad.yaml', line: 5 });
  });
});

describe('text report', () => {
  it('has no colour unless asked, and ends with the summary', () => {
    const plain = renderText(broken);
    expect(plain).not.toContain('\u001b[');
    expect(plain).toContain('Deployment shop/web');
    expect(plain).toContain('fix: sleep 30 s in preStop and allow 50 s of grace');
    expect(plain).toMatch(/1 error, \d+ warnings?, 0 info; 1 input problem\.\n$/);
    expect(renderText(broken, { colour: true })).toContain('\u001b[31m');
  });
});

describe('Markdown report', () => {
  it('escapes text that came from manifests', () => {
    expect(escapeMarkdown('<img src=x onerror=alert(1)> | *bold*')).toBe(
      '\\<img src=x onerror=alert\\(1\\)\\> \\| \\*bold\\*',
    );
    const md = renderMarkdown(broken);
    expect(md).toContain('| 1 | 1 |');
    expect(md).toContain('```yaml');
  });
});

describe('Markdown report under a byte limit', () => {
  // 60 applications, each in its own file: 20 with an error (no preStop), 40 with warnings only.
  const many = validateManifests(
    Array.from({ length: 60 }, (_, index) => ({
      file: `k8s/app-${String(index).padStart(2, '0')}.yaml`,
      text: (index % 3 === 2 ? aManifest().withoutPreStop() : aManifest().withoutDeregistrationDelay())
        .build()
        .replaceAll('name: web', `name: web-${index}`),
    })),
    { allowances: createAllowances() },
  );

  it('is unchanged when it fits', () => {
    expect(renderMarkdown(many, { maxBytes: 10 * 1024 * 1024 })).toBe(renderMarkdown(many));
  });

  it('over the limit: the counts of all, the worst workloads first, and where the rest is', () => {
    const full = renderMarkdown(many);
    const limit = Math.floor(Buffer.byteLength(full) / 3);
    const cut = renderMarkdown(many, { maxBytes: limit, whereTheRestIs: 'the step log' });
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(limit);
    // The table counts every finding, not only those shown.
    expect(cut.split('\n').slice(0, 5).join('\n')).toBe(full.split('\n').slice(0, 5).join('\n'));
    // Headings are escaped Markdown: `### Deployment shop/web\\-2`.
    const shown = [...cut.matchAll(/^### Deployment shop\/web\\-(\d+)$/gm)].map((m) => `web-${m[1]}`);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(60);
    // Every workload with an error comes before any with warnings only.
    const withError = new Set(Array.from({ length: 20 }, (_, i) => `web-${i * 3 + 2}`));
    const firstWarningOnly = shown.findIndex((name) => !withError.has(name!));
    expect(
      shown.slice(firstWarningOnly === -1 ? shown.length : firstWarningOnly).every((n) => !withError.has(n!)),
    ).toBe(true);
    expect(cut).toMatch(
      new RegExp(
        `> This summary is cut to stay under GitHub's ${Math.floor(limit / 1024)} KiB limit: it shows \\d+ of ${many.findings.length} findings \\(${shown.length} of 60 workloads, the worst first\\)\\. Every finding is in the step log\\.`,
      ),
    );
  });
});

describe('rule docs', () => {
  const dir = join(import.meta.dirname, '../../../../docs/rules');
  it('docs/rules matches the rules’ metadata (run `npm run docs` after changing a rule)', () => {
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe(renderRuleIndex(RULES));
    for (const rule of RULES)
      expect(readFileSync(join(dir, `${rule.id}.md`), 'utf8'), rule.id).toBe(renderRuleDoc(rule));
    expect(readdirSync(dir).sort()).toEqual(['README.md', ...RULES.map((rule) => `${rule.id}.md`)].sort());
  });
});
