import { parseEachManifest } from './manifest/parse.js';
import type { InputProblem, Notice } from './manifest/source.js';
import { createInventory, linkEachWorkload, linkInventory, normalizeObject } from './model/link.js';
import type { BuildFactsOptions, Inventory } from './model/link.js';
import type { ClusterFacts } from './model/cluster.js';
import type { WorkloadFacts } from './model/facts.js';
import type { Evaluation, Report } from './rules/evaluate.js';
import { evaluateWorkload } from './rules/evaluate.js';
import { RULES } from './rules/registry.js';
import type { Rule } from './rules/types.js';
import type { Allowances } from './timing/model.js';

/** A manifest's text and the name to report it under. */
export interface ManifestSource {
  readonly file: string;
  readonly text: string;
}

export interface ValidateOptions {
  readonly allowances: Allowances;
  readonly defaultNamespace?: string;
  /** Rule ids turned off everywhere. */
  readonly disable?: readonly string[];
  /** Problems found while reading the sources (unreadable files), reported with the rest. */
  readonly readProblems?: readonly InputProblem[];
  /** Notices from reading the sources (files skipped on purpose), reported with the rest. */
  readonly readNotices?: readonly Notice[];
  /** What the cluster is known to be beyond the input (`cluster:` in `.draingate.yaml`, flags). */
  readonly cluster?: ClusterFacts;
}

/** Parses and links manifests into facts; the step `validate` and `simulate` share. */
export function loadFacts(
  sources: readonly ManifestSource[],
  options: Pick<ValidateOptions, 'allowances' | 'defaultNamespace' | 'cluster'>,
): { facts: WorkloadFacts[]; problems: InputProblem[]; inventory: Inventory; notices: Notice[] } {
  const { inventory, problems, linkOptions } = loadInventory(sources, options);
  const notices: Notice[] = [];
  const facts = linkInventory(inventory, linkOptions, problems, notices);
  return { facts, problems, inventory, notices };
}

/** Parses and normalizes manifests into an inventory, with what linking it needs. */
function loadInventory(
  sources: readonly ManifestSource[],
  options: Pick<ValidateOptions, 'allowances' | 'defaultNamespace' | 'cluster'>,
): { inventory: Inventory; problems: InputProblem[]; linkOptions: BuildFactsOptions } {
  const problems: InputProblem[] = [];
  const inventory = createInventory();
  const defaultNamespace = options.defaultNamespace ?? 'default';
  // Each object is normalized as soon as its document is parsed, so that only normalized objects (not
  // every parsed document) stay in memory. A file's YAML problems are still reported before the problems
  // its objects' fields have.
  for (const source of sources) {
    const fieldProblems: InputProblem[] = [];
    const parsed = parseEachManifest(source.text, source.file, (object) =>
      normalizeObject(object, defaultNamespace, fieldProblems, inventory),
    );
    problems.push(...parsed.problems);
    for (const problem of fieldProblems) problems.push(problem);
  }
  return {
    inventory,
    problems,
    linkOptions: {
      defaultNamespace,
      shutdownSeconds: options.allowances.shutdownSeconds,
      ...(options.cluster ? { cluster: options.cluster } : {}),
    },
  };
}

/** Static validation of manifests: parse, link, run the rules. Pure. */
export function validateManifests(sources: readonly ManifestSource[], options: ValidateOptions): Report {
  const { inventory, problems, linkOptions } = loadInventory(sources, options);
  const disabled = new Set((options.disable ?? []).map((id) => id.toUpperCase()));
  const rules: readonly Rule[] = disabled.size > 0 ? RULES.filter((rule) => !disabled.has(rule.id)) : RULES;
  // Each workload is judged as soon as it is linked, so its facts need not outlive it.
  const evaluation: Evaluation = {
    findings: [],
    suppressed: [],
    workloads: [],
    skippedWorkloads: [],
    unresolvedWorkloads: [],
  };
  const evaluateOptions = { allowances: options.allowances, rules };
  const notices: Notice[] = [...(options.readNotices ?? [])];
  linkEachWorkload(
    inventory,
    linkOptions,
    problems,
    (facts) => evaluateWorkload(facts, evaluateOptions, evaluation),
    notices,
  );
  return {
    ...evaluation,
    problems: [...(options.readProblems ?? []), ...problems],
    notices,
    files: sources.length,
  };
}
