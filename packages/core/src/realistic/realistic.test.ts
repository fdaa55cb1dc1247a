import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateManifests } from '../validate.js';
import { createAllowances } from '../timing/model.js';
import {
  describeAsExpectation,
  formatExpectation,
  parseFixtureExpectations,
} from '../rules/fixture-expectations.js';

/**
 * Patterns found in public repositories that deploy behind the AWS Load Balancer Controller, each reproduced by
 * a small manifest of our own. The first comment line of a fixture names the pattern and where it was seen; its
 * `# expect:` lines state every finding a senior EKS engineer would keep for it, across all rules. A fixture
 * without `# expect:` lines must produce no finding at all.
 */
const FIXTURES = join(import.meta.dirname, 'fixtures');

const fixtures = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.yaml'))
  .sort()
  .map((file) => ({ name: file.replace(/\.yaml$/, '').replace(/-/g, ' '), file: join(FIXTURES, file) }));

describe('realistic patterns', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures)('$name', ({ file }) => {
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0], 'the first line describes the pattern and where it was seen').toMatch(
      /^# .*seen in \S/,
    );
    const report = validateManifests([{ file, text }], { allowances: createAllowances() });
    expect(report.problems).toEqual([]);
    const expected = parseFixtureExpectations(text);
    // Each finding is described by the keys its rule's expectations name, so every rule states its own numbers.
    const keysOf = (ruleId: string): string[] => [
      ...new Set(
        expected
          .filter((expectation) => expectation.ruleId === ruleId)
          .flatMap((expectation) => Object.keys(expectation.values)),
      ),
    ];
    expect(
      report.findings.map((finding) => describeAsExpectation(finding, keysOf(finding.ruleId))).sort(),
    ).toEqual(
      expected
        .map((expectation) =>
          formatExpectation({
            ...expectation,
            values: Object.fromEntries(
              keysOf(expectation.ruleId).map((key) => [key, expectation.values[key] ?? '(none)']),
            ),
          }),
        )
        .sort(),
    );
  });
});
