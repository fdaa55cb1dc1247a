import { createVerdict } from '@draingate/core';
import type { Verdict } from '@draingate/core';
import { describe, expect, it } from 'vitest';
import { MAX_COMMENT_LENGTH, escapeComment, renderDecisionComment, truncateEscaped } from './comment.js';
import type { Decision } from './decide.js';

const now = new Date('2026-01-01T12:00:00Z');

function aVerdict(
  reason: string,
  phase: Verdict['phase'] = 'Failed',
  check: 'elb-5xx' | 'target-health' = 'elb-5xx',
): Verdict {
  return createVerdict(check, phase, { value: 0.0213, threshold: 0.01, reason, details: {} }, now);
}

function rejected(verdicts: Verdict[]): Decision {
  return { state: 'rejected', summary: '1 of 1 check failed.', verdicts };
}

describe('renderDecisionComment', () => {
  it('names the outcome, the environment and each check with its numbers', () => {
    const text = renderDecisionComment(
      rejected([aVerdict('5xx rate 2.13% (213 of 10,000 requests) is above the limit 1%.')]),
      'production',
    );
    expect(text).toBe(
      [
        '**draingate rejected** production: 1 of 1 check failed\\.',
        '- **elb\\-5xx** FAILED (value 2\\.13%, threshold 1\\.00%): 5xx rate 2\\.13% \\(213 of 10,000 requests\\) is above the limit 1%\\.',
      ].join('\n'),
    );
  });

  it.each([
    { name: 'a mention', input: '@octocat', inert: '\\@octocat' },
    { name: 'an HTML tag', input: '<img src=x>', inert: '\\<img src=x\\>' },
    {
      name: 'a link',
      input: '[click](https://evil.example)',
      inert: '\\[click\\]\\(https\\://evil\\.example\\)',
    },
    { name: 'an entity', input: '&#64;x', inert: '\\&\\#64;x' },
    { name: 'a line break (a new heading)', input: 'a\n# b', inert: 'a \\# b' },
    { name: 'an issue reference', input: '#1', inert: '\\#1' },
  ])('$name from outside is inert', ({ input, inert }) => {
    expect(escapeComment(input)).toBe(inert);
    expect(renderDecisionComment(rejected([aVerdict(input)]), input)).toContain(inert);
  });

  it('stays within 1024 characters whatever the reasons, shortening the longest first', () => {
    const verdicts = [
      aVerdict('short reason.', 'Successful', 'target-health'),
      aVerdict(`${'arn:aws:elasticloadbalancing:*'.repeat(200)}`),
      aVerdict(`${'@x '.repeat(500)}`),
    ];
    const text = renderDecisionComment(rejected(verdicts), 'production');
    expect(text.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
    expect(text).toContain('short reason\\.');
    expect(text.split('\n')).toHaveLength(4);
    // No escape cut in half: every backslash still escapes something.
    expect(text).not.toMatch(/(^|[^\\])(\\\\)*\\…/);
  });

  it('many checks: lines are dropped last, and it still fits', () => {
    const verdicts = Array.from({ length: 40 }, (_, i) => aVerdict(`reason ${i}`));
    const text = renderDecisionComment(rejected(verdicts), 'production');
    expect(text.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
    expect(text.startsWith('**draingate rejected** production')).toBe(true);
  });
});

describe('truncateEscaped', () => {
  it.each([
    { name: 'short text is unchanged', text: 'abc', max: 5, out: 'abc' },
    { name: 'cut with an ellipsis', text: 'abcdef', max: 4, out: 'abc…' },
    { name: 'never a dangling backslash', text: 'ab\\.cd', max: 4, out: 'ab…' },
    { name: 'never half a surrogate pair', text: 'a😀bc', max: 3, out: 'a…' },
  ])('$name', ({ text, max, out }) => {
    expect(truncateEscaped(text, max)).toBe(out);
  });
});
