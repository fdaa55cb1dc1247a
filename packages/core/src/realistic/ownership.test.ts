import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterFacts } from '../model/cluster.js';
import {
  describeAsExpectation,
  formatExpectation,
  parseFixtureExpectations,
} from '../rules/fixture-expectations.js';
import { createAllowances } from '../timing/model.js';
import { validateManifests } from '../validate.js';

/**
 * realistic/ownership/: manifests of our own that reproduce patterns of public repositories deploying behind
 * the AWS Load Balancer Controller, about which Ingresses and Services the controller owns and which kinds
 * and strategies reach it. Beside the findings (as realistic/fixtures states them), each states the cluster
 * facts it assumes, the notices, and the summary counts:
 *
 *     # cluster: defaultIngressClass=alb            cluster facts, as .draingate.yaml would declare them
 *                                                 (lists comma-separated: albGatewayClasses=aws-alb,internal)
 *     # expect: DG005 warning line 8 D=300          every finding of that rule (as in rule fixtures)
 *     # quiet: DG007, DG008                         rules that must not fire
 *     # expect-notice: unresolved-ingress-class line 51
 *     # expect-summary: judged=1 skipped=0 unresolved=0
 *
 * Rules a fixture names neither way are not its subject, and are not compared.
 */
const REALISTIC = join(import.meta.dirname, 'ownership');

interface Header {
  readonly cluster: ClusterFacts;
  readonly quiet: readonly string[];
  readonly notices: readonly string[];
  readonly summary?: string;
}

function readHeader(text: string): Header {
  const cluster: Record<string, unknown> = {};
  const quiet: string[] = [];
  const notices: string[] = [];
  let summary: string | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const [, key, value] =
      /^#\s*(cluster|quiet|expect-notice|expect-summary):\s*(.*)$/.exec(line.trim()) ?? [];
    if (key === undefined || value === undefined) continue;
    if (key === 'quiet') quiet.push(...value.split(/[\s,]+/).filter(Boolean));
    if (key === 'expect-notice') notices.push(value.trim());
    if (key === 'expect-summary') summary = value.trim();
    if (key === 'cluster') {
      for (const pair of value.trim().split(/\s+/)) {
        const [name, raw = ''] = pair.split('=');
        if (name === 'albIngressClasses' || name === 'albGatewayClasses' || name === 'nlbGatewayClasses')
          cluster[name] = raw.split(',');
        else if (name === 'defaultTargetType')
          cluster[name] = { value: raw, from: { kind: 'setting', setting: `${name}: ${raw}` } };
        else if (raw === 'true' || raw === 'false') cluster[name!] = raw === 'true';
        else cluster[name!] = raw;
      }
    }
  }
  return { cluster: cluster as ClusterFacts, quiet, notices, ...(summary ? { summary } : {}) };
}

function fixtures(): { name: string; file: string }[] {
  return readdirSync(REALISTIC, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => ({ name: file.replace(/\.yaml$/, '').replace(/-/g, ' '), file: join(REALISTIC, file) }));
}

describe('realistic ownership and kinds patterns', () => {
  it.each(fixtures())('$name', ({ file }) => {
    const text = readFileSync(file, 'utf8');
    const header = readHeader(text);
    const report = validateManifests([{ file, text }], {
      allowances: createAllowances(),
      cluster: header.cluster,
    });
    expect(report.problems).toEqual([]);

    const expected = parseFixtureExpectations(text);
    const rules = [...new Set(expected.map((expectation) => expectation.ruleId))];
    for (const ruleId of rules) {
      const mine = expected.filter((expectation) => expectation.ruleId === ruleId);
      const keys = [...new Set(mine.flatMap((expectation) => Object.keys(expectation.values)))];
      const found = report.findings.filter((finding) => finding.ruleId === ruleId);
      expect(found.map((finding) => describeAsExpectation(finding, keys)).sort(), ruleId).toEqual(
        mine.map(formatExpectation).sort(),
      );
    }
    for (const ruleId of header.quiet) {
      expect(
        report.findings.filter((finding) => finding.ruleId === ruleId).map((f) => f.message),
        ruleId,
      ).toEqual([]);
    }
    expect(report.notices.map((notice) => `${notice.code} line ${notice.at?.line ?? 0}`).sort()).toEqual(
      [...header.notices].sort(),
    );
    if (header.summary) {
      expect(
        `judged=${report.workloads.length} skipped=${report.skippedWorkloads.length} unresolved=${report.unresolvedWorkloads.length}`,
      ).toBe(header.summary);
    }
  });
});
