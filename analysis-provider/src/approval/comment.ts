import { escapeMarkdown, formatRate } from '@draingate/core';
import type { Verdict } from '@draingate/core';
import type { Decision } from './decide.js';

/** GitHub keeps at most this many characters of a protection rule comment. */
export const MAX_COMMENT_LENGTH = 1024;

const MARK: Readonly<Record<Verdict['phase'], string>> = {
  Successful: 'passed',
  Failed: 'FAILED',
  Inconclusive: 'inconclusive',
  Error: 'could not measure',
};

/**
 * Text made inert in GitHub Markdown: core's escaping (emphasis, code, links, tables, HTML, headings, line
 * breaks) plus `&` (entities), `@` (mentions), `:` (emoji and autolinks) and `$` (math).
 */
export function escapeComment(text: string): string {
  return escapeMarkdown(text).replace(/[&@:$]/g, (c) => `\\${c}`);
}

/** Cuts escaped text to `max` characters without leaving a dangling backslash or half a surrogate pair. */
export function truncateEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const trailing = /\\+$/.exec(cut)?.[0].length ?? 0;
  if (trailing % 2 === 1) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function valueText(verdict: Verdict): string {
  const show = (n: number): string => (verdict.check === 'elb-5xx' ? formatRate(n) : String(n));
  return `value ${show(verdict.value)}, threshold ${show(verdict.threshold)}`;
}

/**
 * The Markdown comment of a decision: the outcome for the environment, then one line per check with its phase,
 * value, threshold and reason. Everything that comes from outside (environment names, reasons with ARNs) is
 * escaped, and the whole stays within GitHub's 1024 characters: reasons are shortened first, lines dropped last.
 */
export function renderDecisionComment(
  decision: Decision,
  environment: string,
  max = MAX_COMMENT_LENGTH,
): string {
  return renderVerdicts(decision.state, decision.summary, decision.verdicts, environment, max);
}

function renderVerdicts(
  title: string,
  summary: string,
  verdicts: readonly Verdict[],
  environment: string,
  max: number,
): string {
  const head = `**draingate ${title}** ${escapeComment(environment.slice(0, 255))}: ${escapeComment(summary)}`;
  const lines = verdicts.map((verdict) => ({
    prefix: `- **${escapeComment(verdict.check)}** ${MARK[verdict.phase]} (${escapeComment(valueText(verdict))}): `,
    reason: escapeComment(verdict.reason),
  }));
  const fixed = head.length + lines.reduce((sum, line) => sum + 1 + line.prefix.length, 0);
  // Share what is left among the reasons; a short reason leaves its unused share to the others.
  let budget = max - fixed;
  const sorted = [...lines].sort((a, b) => a.reason.length - b.reason.length);
  const allowed = new Map<(typeof lines)[number], number>();
  sorted.forEach((line, index) => {
    const share = Math.floor(Math.max(0, budget) / (sorted.length - index));
    const take = Math.min(line.reason.length, share);
    allowed.set(line, take);
    budget -= take;
  });
  const rendered = [
    truncateEscaped(head, max),
    ...lines.map((line) => `${line.prefix}${truncateEscaped(line.reason, allowed.get(line) ?? 0)}`),
  ];
  let text = rendered.join('\n');
  while (text.length > max && rendered.length > 1) {
    rendered.pop();
    text = `${rendered.join('\n')}\n- …`;
  }
  return text.length > max ? truncateEscaped(text, max) : text;
}

/**
 * The first status comment, posted without a state while the gate observes: what it checks, when it measures
 * and by when it answers (shadow mode says so).
 */
export function renderObservingComment(
  environment: string,
  checks: readonly string[],
  measureAt: Date,
  deadline: Date,
  dryRun: boolean,
  max = MAX_COMMENT_LENGTH,
): string {
  const mode = dryRun ? ' (shadow mode: approves whatever the checks say)' : '';
  // Only the environment comes from outside; the check names and times are the provider's own.
  const text = `**draingate observing** ${escapeComment(environment.slice(0, 255))}${mode}: measures ${checks.join(', ')} at ${measureAt.toISOString()} and answers by ${deadline.toISOString()} at the latest.`;
  return truncateEscaped(text, max);
}

/** A status comment while measuring again: the attempt and the numbers so far, one line per check. */
export function renderRetryComment(
  environment: string,
  verdicts: readonly Verdict[],
  attempt: number,
  of: number,
  delaySeconds: number,
  max = MAX_COMMENT_LENGTH,
): string {
  const failing = verdicts.filter((v) => v.phase === 'Error').length;
  return renderVerdicts(
    'measuring again',
    `attempt ${attempt} of ${of}: ${failing} of ${verdicts.length} checks could not measure; next attempt in ${delaySeconds} s.`,
    verdicts,
    environment,
    max,
  );
}

/** A status comment during a long observation: the numbers so far, one line per check, and when it decides. */
export function renderProgressComment(
  environment: string,
  verdicts: readonly Verdict[],
  measureAt: Date,
  max = MAX_COMMENT_LENGTH,
): string {
  return renderVerdicts(
    'observing',
    `the numbers so far; the decision is measured at ${measureAt.toISOString()}.`,
    verdicts,
    environment,
    max,
  );
}

/** The comment of a shadow-mode approval: the real decision, rendered in full after a line saying so. */
export function renderShadowComment(
  decision: Decision,
  environment: string,
  max = MAX_COMMENT_LENGTH,
): string {
  const head = `**draingate shadow mode** (dryRun): approved; the checks would have ${decision.state === 'approved' ? 'approved' : 'REJECTED'}.\n`;
  return `${head}${renderDecisionComment(decision, environment, max - head.length)}`;
}
