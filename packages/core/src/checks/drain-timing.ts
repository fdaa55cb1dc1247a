import type { WorkloadFacts } from '../model/facts.js';
import type { Clock } from '../ports/clock.js';
import type { WorkloadRef } from '../ports/cluster.js';
import type { Verdict } from '../ports/verdict.js';
import { findingJson } from '../report/json.js';
import { countBySeverity, evaluateRules } from '../rules/evaluate.js';
import type { Rule } from '../rules/types.js';
import type { Allowances } from '../timing/model.js';
import { createAllowances } from '../timing/model.js';
import { formatObjectRef } from '../model/provenance.js';
import { formatNotice } from '../manifest/source.js';
import { requireDate } from './params.js';
import { createVerdict, withUpstreamErrors } from './verdict.js';

/** What `evaluateDrainTiming` judges: live facts of one workload (or several), as the kube adapter builds them. */
export interface DrainTimingInput {
  readonly facts: WorkloadFacts | readonly WorkloadFacts[];
  readonly now: Date;
  readonly allowances?: Allowances;
  /** The rules to run; default all of them, live-only ones included. */
  readonly rules?: readonly Rule[];
}

/**
 * The `drain-timing` verdict: the DG rules on live facts. Failed when an error-severity finding remains after
 * suppressions; value: the number of errors; threshold 0. Inconclusive when no load balancer reaches the
 * workload (there is nothing to judge). Pure.
 */
export function evaluateDrainTiming(input: DrainTimingInput): Verdict {
  const now = requireDate('now', input.now);
  const facts: readonly WorkloadFacts[] = Array.isArray(input.facts)
    ? (input.facts as readonly WorkloadFacts[])
    : [input.facts as WorkloadFacts];
  const report = evaluateRules(facts, {
    allowances: input.allowances ?? createAllowances(),
    ...(input.rules ? { rules: input.rules } : {}),
  });
  const counts = countBySeverity(report.findings);
  const details = {
    workloads: report.workloads.map(formatObjectRef),
    skippedWorkloads: report.skippedWorkloads.map(formatObjectRef),
    unresolvedWorkloads: report.unresolvedWorkloads.map(formatObjectRef),
    counts,
    findings: report.findings.map(findingJson),
    // What reading the cluster could not settle (a TargetGroupBinding that cannot be told apart), said.
    notices: facts.flatMap((workload) => workload.notices ?? []).map(formatNotice),
    suppressed: report.suppressed.map((entry) => ({
      ruleId: entry.finding.ruleId,
      message: entry.finding.message,
      reason: entry.reason ?? '',
    })),
  };
  const verdict = (phase: 'Successful' | 'Failed' | 'Inconclusive', reason: string): Verdict =>
    createVerdict('drain-timing', phase, { value: counts.error, threshold: 0, reason, details }, now);
  if (report.workloads.length === 0 && report.unresolvedWorkloads.length > 0) {
    const names = report.unresolvedWorkloads.map(formatObjectRef).join(', ');
    const why = facts.flatMap((workload) => workload.unresolved ?? []).join('; ');
    return verdict('Inconclusive', `could not tell whether a load balancer reaches ${names}: ${why}.`);
  }
  if (report.workloads.length === 0) {
    const names = report.skippedWorkloads.map(formatObjectRef).join(', ');
    return verdict(
      'Inconclusive',
      `no load balancer reaches ${names || 'any workload'}: there is no drain timing to judge.`,
    );
  }
  const tally = `${counts.error} error${counts.error === 1 ? '' : 's'}, ${counts.warning} warning${counts.warning === 1 ? '' : 's'}, ${counts.info} info`;
  if (counts.error > 0) {
    const errors = report.findings.filter((finding) => finding.severity === 'error');
    const first = errors
      .slice(0, 2)
      .map((finding) => `${finding.ruleId} ${finding.message.replace(/\.$/, '')}`)
      .join('; ');
    return verdict(
      'Failed',
      `${tally}: ${first}${errors.length > 2 ? `; and ${errors.length - 2} more` : ''}.`,
    );
  }
  return verdict('Successful', `${tally} in ${report.workloads.map(formatObjectRef).join(', ')}: no error.`);
}

/** Reads a workload's live facts: the kube adapter, with the real target group and load balancer settings. */
export interface WorkloadFactsReader {
  readWorkloadFacts(workload: WorkloadRef, signal?: AbortSignal): Promise<WorkloadFacts>;
}

/**
 * Reads a workload's live facts and evaluates its drain timing. An upstream failure becomes an Error verdict.
 */
export async function runDrainTiming(
  ports: { readonly facts: WorkloadFactsReader; readonly clock: Clock },
  request: {
    readonly workload: WorkloadRef;
    readonly allowances?: Allowances;
    readonly rules?: readonly Rule[];
  },
  signal?: AbortSignal,
): Promise<Verdict> {
  return withUpstreamErrors(
    'drain-timing',
    0,
    () => ports.clock.now(),
    async () => {
      const facts = await ports.facts.readWorkloadFacts(request.workload, signal);
      return evaluateDrainTiming({
        facts,
        now: ports.clock.now(),
        ...(request.allowances ? { allowances: request.allowances } : {}),
        ...(request.rules ? { rules: request.rules } : {}),
      });
    },
  );
}
