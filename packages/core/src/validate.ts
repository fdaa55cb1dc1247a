import { parseManifests } from './manifest/parse.js';
import type { InputProblem } from './manifest/source.js';
import { createInventory, linkInventory, normalizeObjects } from './model/link.js';
import type { Inventory } from './model/link.js';
import type { WorkloadFacts } from './model/facts.js';
import type { Report } from './rules/evaluate.js';
import { evaluateRules } from './rules/evaluate.js';
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
}

/** Parses and links manifests into facts; the step `validate` and `simulate` share. */
export function loadFacts(
  sources: readonly ManifestSource[],
  options: Pick<ValidateOptions, 'allowances' | 'defaultNamespace'>,
): { facts: WorkloadFacts[]; problems: InputProblem[]; inventory: Inventory } {
  const problems: InputProblem[] = [];
  const inventory = createInventory();
  const defaultNamespace = options.defaultNamespace ?? 'default';
  // File by file, so that only normalized objects (not every parsed document) stay in memory.
  for (const source of sources) {
    const parsed = parseManifests(source.text, source.file);
    problems.push(...parsed.problems);
    normalizeObjects(parsed.objects, defaultNamespace, problems, inventory);
  }
  const facts = linkInventory(
    inventory,
    { defaultNamespace, shutdownSeconds: options.allowances.shutdownSeconds },
    problems,
  );
  return { facts, problems, inventory };
}

/** Static validation of manifests: parse, link, run the rules. Pure. */
export function validateManifests(sources: readonly ManifestSource[], options: ValidateOptions): Report {
  const { facts, problems } = loadFacts(sources, options);
  const disabled = new Set((options.disable ?? []).map((id) => id.toUpperCase()));
  const rules: readonly Rule[] = disabled.size > 0 ? RULES.filter((rule) => !disabled.has(rule.id)) : RULES;
  const evaluated = evaluateRules(facts, { allowances: options.allowances, rules });
  return { ...evaluated, problems: [...(options.readProblems ?? []), ...problems], files: sources.length };
}
