import type { SourceRef } from '../manifest/source.js';
import type { WorkloadFacts } from '../model/facts.js';
import type { ObjectRef, Provenance } from '../model/provenance.js';
import type { Allowances } from '../timing/model.js';

export type Severity = 'error' | 'warning' | 'info';

export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 3, warning: 2, info: 1 };

/** What a rule is, for people: shown by `draingate explain`, in docs/rules and in SARIF rule help. */
export interface RuleMeta {
  readonly id: string;
  readonly slug: string;
  readonly title: string;
  readonly severity: Severity;
  /** Why the rule exists: the failure it prevents. */
  readonly rationale: string;
  /** What to change; ends with a period. */
  readonly remediation: string;
  /** `live` rules need the real target group and load balancer. */
  readonly scope: 'static' | 'live';
}

export interface RuleContext {
  readonly facts: WorkloadFacts;
  readonly allowances: Allowances;
}

/** A drain-timing rule: metadata and a pure evaluation. An empty list means the workload passes. */
export interface Rule extends RuleMeta {
  evaluate(context: RuleContext): Finding[];
}

/** A number a finding compared, with where it came from. */
export interface FindingValue {
  readonly name: string;
  readonly symbol?: string;
  readonly value: number | string | boolean;
  readonly unit?: 's' | 'count' | '%';
  readonly from?: Provenance;
}

/** How to fix a finding: a sentence, and a YAML snippet to merge into an object. */
export interface Fix {
  readonly summary: string;
  readonly object?: ObjectRef;
  readonly yaml?: string;
}

export interface Finding {
  readonly ruleId: string;
  readonly slug: string;
  readonly title: string;
  readonly severity: Severity;
  /** The workload the finding is about. */
  readonly workload: ObjectRef;
  /** The object the finding points at (the workload, or its Ingress or Service). */
  readonly object: ObjectRef;
  readonly container?: string;
  /** One or two sentences with the numbers compared and where each came from. */
  readonly message: string;
  readonly values: readonly FindingValue[];
  readonly at?: SourceRef;
  readonly fix: Fix;
}
