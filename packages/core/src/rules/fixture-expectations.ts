import type { Finding } from './types.js';

/**
 * What a rule fixture says it expects, read from its header comments, one line per finding:
 *
 *     # expect: DG002 error line 43 P=5 L=15
 *
 * the rule, the severity, the line the finding points at, and the key numbers of the message, each by its
 * symbol (`P`) or its name with dashes (`health-check-timeout`). A firing fixture lists every finding of its
 * rule; a test then compares them exactly, so a wrong line, severity or number fails (as kube-linter's e2e
 * fixtures state their expected check and message).
 */
export interface FixtureExpectation {
  readonly ruleId: string;
  readonly severity: string;
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
}

const EXPECT =
  /^#\s*expect:\s*(DG\d{3})\s+(error|warning|info)\s+line\s+(\d+)((?:\s+[A-Za-z][\w-]*=\S+)*)\s*$/;

/** The `# expect:` lines at the head of a fixture; throws on one that does not parse (a broken fixture). */
export function parseFixtureExpectations(text: string): FixtureExpectation[] {
  const expectations: FixtureExpectation[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    if (!/^#\s*expect:/.test(line)) continue;
    const match = EXPECT.exec(line.trimEnd());
    if (!match) throw new Error(`fixture header does not parse: ${JSON.stringify(line)}`);
    const values: Record<string, string> = {};
    for (const pair of (match[4] ?? '').trim().split(/\s+/).filter(Boolean)) {
      const [key, value] = pair.split('=') as [string, string];
      values[key] = value;
    }
    expectations.push({ ruleId: match[1]!, severity: match[2]!, line: Number(match[3]), values });
  }
  return expectations;
}

/** A finding as a fixture header would state it, with the values the expectation names. */
export function describeAsExpectation(finding: Finding, keys: readonly string[]): string {
  const values = keys.map((key) => {
    const found = finding.values.find((v) => v.symbol === key || v.name.replace(/ /g, '-') === key);
    return `${key}=${found === undefined ? '(none)' : String(found.value)}`;
  });
  return [`${finding.ruleId} ${finding.severity} line ${finding.at?.line ?? 0}`, ...values].join(' ');
}

/** The expectation as its header line states it (without `# expect:`). */
export function formatExpectation(expectation: FixtureExpectation): string {
  const values = Object.entries(expectation.values).map(([key, value]) => `${key}=${value}`);
  return [`${expectation.ruleId} ${expectation.severity} line ${expectation.line}`, ...values].join(' ');
}
