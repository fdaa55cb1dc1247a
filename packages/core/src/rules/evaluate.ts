import type { InputProblem } from '../manifest/source.js';
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
  /** Workloads a load balancer reaches, which the rules judged. */
  readonly workloads: ObjectRef[];
  /** Workloads no ALB or NLB reaches, left alone. */
  readonly skippedWorkloads: ObjectRef[];
  readonly files: number;
}

export interface EvaluateOptions {
  readonly allowances: Allowances;
  readonly rules?: readonly Rule[];
}

/** Runs every rule on every load-balanced workload, applying suppressions. Pure. */
export function evaluateRules(
  facts: readonly WorkloadFacts[],
  options: EvaluateOptions,
): Pick<Report, 'findings' | 'suppressed' | 'workloads' | 'skippedWorkloads'> {
  const rules = options.rules ?? RULES;
  const findings: Finding[] = [];
  const suppressed: Suppressed[] = [];
  const workloads: ObjectRef[] = [];
  const skippedWorkloads: ObjectRef[] = [];
  for (const workload of facts) {
    if (!isLoadBalanced(workload)) {
      skippedWorkloads.push(workload.workload.ref);
      continue;
    }
    workloads.push(workload.workload.ref);
    for (const rule of rules) {
      for (const finding of rule.evaluate({ facts: workload, allowances: options.allowances })) {
        if (workload.ignored.rules.has(rule.id) || workload.ignored.rules.has(rule.slug.toUpperCase())) {
          suppressed.push({
            finding,
            ...(workload.ignored.reason ? { reason: workload.ignored.reason } : {}),
          });
        } else {
          findings.push(finding);
        }
      }
    }
  }
  return { findings, suppressed, workloads, skippedWorkloads };
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
