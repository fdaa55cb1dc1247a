import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateManifests } from '../validate.js';
import { createAllowances } from '../timing/model.js';
import { RULES, findRule } from './registry.js';
import {
  describeAsExpectation,
  formatExpectation,
  parseFixtureExpectations,
} from './fixture-expectations.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

function fixtures(ruleId: string, kind: 'fires' | 'quiet'): { name: string; file: string }[] {
  const dir = join(FIXTURES, ruleId, kind);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => ({
      name: `${ruleId} ${kind}: ${file.replace(/\.yaml$/, '').replace(/-/g, ' ')}`,
      file: join(dir, file),
    }));
}

function findingsOf(file: string) {
  const report = validateManifests([{ file, text: readFileSync(file, 'utf8') }], {
    allowances: createAllowances(),
  });
  expect(report.problems).toEqual([]);
  return report.findings;
}

describe('rule registry', () => {
  it('has unique ids and slugs', () => {
    expect(new Set(RULES.map((rule) => rule.id)).size).toBe(RULES.length);
    expect(new Set(RULES.map((rule) => rule.slug)).size).toBe(RULES.length);
  });

  it.each(RULES.map((rule) => ({ name: `${rule.id} has complete metadata`, rule })))('$name', ({ rule }) => {
    expect(rule.id).toMatch(/^DG\d{3}$/);
    expect(rule.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(rule.title.length).toBeGreaterThan(10);
    expect(rule.rationale.length).toBeGreaterThan(60);
    expect(rule.remediation).toMatch(/\.$/);
    expect(['error', 'warning', 'info']).toContain(rule.severity);
  });

  it.each(
    RULES.filter((rule) => rule.scope === 'static').map((rule) => ({
      name: `${rule.id} has firing and quiet fixtures`,
      rule,
    })),
  )('$name', ({ rule }) => {
    expect(fixtures(rule.id, 'fires').length).toBeGreaterThan(0);
    expect(fixtures(rule.id, 'quiet').length).toBeGreaterThan(0);
  });

  it('finds rules by id or slug, in any case', () => {
    expect(findRule('dg004')?.slug).toBe('grace-period-too-short');
    expect(findRule('grace-period-too-short')?.id).toBe('DG004');
    expect(findRule('DG999')).toBeUndefined();
  });
});

describe('rule fixtures', () => {
  const firing = RULES.flatMap((rule) => fixtures(rule.id, 'fires').map((fixture) => ({ ...fixture, rule })));
  const quiet = RULES.flatMap((rule) => fixtures(rule.id, 'quiet').map((fixture) => ({ ...fixture, rule })));

  it.each(firing)('$name', ({ rule, file }) => {
    const findings = findingsOf(file).filter((finding) => finding.ruleId === rule.id);
    const expected = parseFixtureExpectations(readFileSync(file, 'utf8')).filter(
      (expectation) => expectation.ruleId === rule.id,
    );
    expect(expected.length, 'a firing fixture states what it expects in `# expect:` lines').toBeGreaterThan(
      0,
    );
    const keys = [...new Set(expected.flatMap((expectation) => Object.keys(expectation.values)))];
    expect(findings.map((finding) => describeAsExpectation(finding, keys)).sort()).toEqual(
      expected
        .map((expectation) =>
          formatExpectation({
            ...expectation,
            values: Object.fromEntries(keys.map((key) => [key, expectation.values[key] ?? '(none)'])),
          }),
        )
        .sort(),
    );
    for (const finding of findings) {
      expect(finding.values.length).toBeGreaterThan(0);
      expect(finding.message).toMatch(/\.$/);
      expect(finding.fix.summary.length).toBeGreaterThan(5);
      expect(finding.at?.line).toBeGreaterThan(0);
    }
  });

  it.each(quiet)('$name', ({ rule, file }) => {
    expect(findingsOf(file).filter((finding) => finding.ruleId === rule.id)).toEqual([]);
  });

  it('the base of the fixtures, the all-right example, has no finding at all', () => {
    const file = join(import.meta.dirname, '../../../../examples/all-right/shop.yaml');
    expect(findingsOf(file)).toEqual([]);
  });
});
