import type { InputProblem, Notice } from '../manifest/source.js';
import type { WorkloadFacts } from '../model/facts.js';
import { isLoadBalanced } from '../model/facts.js';
import type { ObjectRef } from '../model/provenance.js';
import type { Allowances } from '../timing/model.js';
import { RULES } from './registry.js';
import type { Finding, Rule, Severity } from './types.js';
import { SEVERITY_ORDER } from './types.js';

/** A finding silenced by `draingate.io/ignore`, kept so reports can say what was suppressed and why. */
export interface Suppressed {
  readonly finding: Finding;
  readonly reason?: string;
}

/** The outcome of validating a set of workloads. */
export interface Report {
  readonly findings: Finding[];
  readonly suppressed: Suppressed[];
  readonly problems: InputProblem[];
  /** What was left unjudged on purpose, and why (never changes the exit code). */
  readonly notices: Notice[];
  /** Workloads a load balancer reaches, which the rules judged. */
  readonly workloads: ObjectRef[];
  /** Workloads no ALB or NLB reaches, left alone. */
  readonly skippedWorkloads: ObjectRef[];
  /**
   * Workloads a load balancer may reach though draingate could not tell (a notice says why and how to
   * declare what is missing), left unjudged.
   */
  readonly unresolvedWorkloads: ObjectRef[];
  readonly files: number;
}

export interface EvaluateOptions {
  readonly allowances: Allowances;
  readonly rules?: readonly Rule[];
}

/** An empty evaluation to judge workloads into. */
export function createEvaluation(): Evaluation {
  return { findings: [], suppressed: [], workloads: [], skippedWorkloads: [], unresolvedWorkloads: [] };
}

/** Runs every rule on every load-balanced workload, applying suppressions. Pure. */
export function evaluateRules(facts: readonly WorkloadFacts[], options: EvaluateOptions): Evaluation {
  const evaluation = createEvaluation();
  for (const workload of facts) evaluateWorkload(workload, options, evaluation);
  return evaluation;
}

/** What evaluating workloads adds to a report. */
export type Evaluation = Pick<
  Report,
  'findings' | 'suppressed' | 'workloads' | 'skippedWorkloads' | 'unresolvedWorkloads'
>;

/** `evaluateRules` for one workload, adding to `into`: so facts can be judged as soon as they are linked. */
export function evaluateWorkload(workload: WorkloadFacts, options: EvaluateOptions, into: Evaluation): void {
  if (!isLoadBalanced(workload)) {
    if (workload.unresolved) into.unresolvedWorkloads.push(workload.workload.ref);
    else into.skippedWorkloads.push(workload.workload.ref);
    return;
  }
  into.workloads.push(workload.workload.ref);
  const context = { facts: workload, allowances: options.allowances };
  for (const rule of options.rules ?? RULES) {
    for (const finding of rule.evaluate(context)) {
      if (workload.ignored.rules.has(rule.id) || workload.ignored.rules.has(rule.slug.toUpperCase())) {
        into.suppressed.push({
          finding,
          ...(workload.ignored.reason ? { reason: workload.ignored.reason } : {}),
        });
      } else {
        into.findings.push(finding);
      }
    }
  }
}

export type FailOn = Severity | 'never';

/** Whether any finding is at or above the `--fail-on` threshold. */
export function reachesThreshold(findings: readonly Finding[], failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return findings.some((finding) => SEVERITY_ORDER[finding.severity] >= SEVERITY_ORDER[failOn]);
}

/** Counts by severity. */
export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}
