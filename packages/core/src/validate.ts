import { groupEnvironments } from './manifest/environments.js';
import type { FileIdentities, ObjectIdentity } from './manifest/environments.js';
import { findKustomizePatches } from './manifest/kustomize.js';
import type { ManifestObject } from './manifest/parse.js';
import { parseEachManifest } from './manifest/parse.js';
import type { InputProblem, Notice } from './manifest/source.js';
import { createInventory, linkEachWorkload, linkInventory, normalizeObject } from './model/link.js';
import type { BuildFactsOptions, Inventory } from './model/link.js';
import type { ClusterFacts } from './model/cluster.js';
import type { WorkloadFacts } from './model/facts.js';
import type { ObjectRef } from './model/provenance.js';
import type { Evaluation, Report } from './rules/evaluate.js';
import { createEvaluation, evaluateWorkload } from './rules/evaluate.js';
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

/**
 * Parses and links manifests into facts; the step `validate` and `simulate` share. Each environment
 * (see `groupEnvironments`) is linked on its own.
 */
export function loadFacts(
  sources: readonly ManifestSource[],
  options: Pick<ValidateOptions, 'allowances' | 'defaultNamespace' | 'cluster'>,
): { facts: WorkloadFacts[]; problems: InputProblem[]; notices: Notice[]; inventory: Inventory } {
  const { inventories, problems, notices, linkOptions } = loadEnvironments(sources, options);
  const facts: WorkloadFacts[] = [];
  const seen = new Set<ObjectRef>();
  for (const inventory of inventories) {
    for (const workload of linkInventory(inventory, linkOptions, problems, notices)) {
      if (seen.has(workload.workload.ref)) continue;
      seen.add(workload.workload.ref);
      facts.push(workload);
    }
  }
  const inventory = inventories.length === 1 ? inventories[0]! : mergeInventories(inventories);
  return { facts, problems, notices, inventory };
}

/** The inventory of each environment of the input, with the problems and notices of reading them. */
function loadEnvironments(
  sources: readonly ManifestSource[],
  options: Pick<ValidateOptions, 'allowances' | 'defaultNamespace' | 'cluster'>,
): { inventories: Inventory[]; problems: InputProblem[]; notices: Notice[]; linkOptions: BuildFactsOptions } {
  const problems: InputProblem[] = [];
  const notices: Notice[] = [];
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const perFile: Inventory[] = [];
  const identities: FileIdentities[] = [];
  const unreadKinds = new Map<string, number>();
  const patches = findKustomizePatches(sources);
  // Each object is normalized as soon as its document is parsed, so that only normalized objects (not
  // every parsed document) stay in memory. A file's YAML problems are still reported before the problems
  // its objects' fields have.
  for (const source of sources) {
    const kustomization = patches.get(source.file);
    if (kustomization !== undefined) {
      notices.push({
        code: 'kustomize-patch',
        at: { file: source.file, line: 1, column: 1 },
        message: `skipped: a patch of ${kustomization}, not an object (render it: kustomize build DIR | draingate validate -)`,
      });
      continue;
    }
    const fieldProblems: InputProblem[] = [];
    const inventory = createInventory();
    const objects: ObjectIdentity[] = [];
    const parsed = parseEachManifest(source.text, source.file, (object) => {
      objects.push(identityOf(object, defaultNamespace));
      const before = inventory.skippedKinds;
      normalizeObject(object, defaultNamespace, fieldProblems, inventory);
      if (inventory.skippedKinds > before)
        unreadKinds.set(object.kind, (unreadKinds.get(object.kind) ?? 0) + 1);
    });
    problems.push(...parsed.problems);
    for (const problem of fieldProblems) problems.push(problem);
    notices.push(...parsed.notices);
    perFile.push(inventory);
    identities.push({ file: source.file, objects });
  }
  if (unreadKinds.size > 0) notices.push(unreadKindsNotice(unreadKinds));
  const environments = groupEnvironments(identities);
  notices.push(...environments.notices);
  const inventories = environments.groups.map((group) =>
    group.length === 1 ? perFile[group[0]!]! : mergeInventories(group.map((index) => perFile[index]!)),
  );
  return {
    inventories,
    problems,
    notices,
    linkOptions: {
      defaultNamespace,
      shutdownSeconds: options.allowances.shutdownSeconds,
      ...(options.cluster ? { cluster: options.cluster } : {}),
    },
  };
}

function identityOf(object: ManifestObject, defaultNamespace: string): ObjectIdentity {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    namespace: object.namespace ?? defaultNamespace,
    name: object.name,
    positions: object.positions,
  };
}

/** One notice for every object of a kind draingate does not read: the summary says what was skipped. */
function unreadKindsNotice(kinds: ReadonlyMap<string, number>): Notice {
  const total = [...kinds.values()].reduce((sum, count) => sum + count, 0);
  const list = [...kinds.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => `${kind} (${count})`)
    .join(', ');
  return {
    code: 'unknown-kind',
    message: `skipped ${total} object${total === 1 ? '' : 's'} of kinds drain timing does not depend on: ${list}`,
  };
}

function mergeInventories(inventories: readonly Inventory[]): Inventory {
  const merged = createInventory();
  // Every list of the inventory, whatever kinds it gains; one push per item, as spreading a long list
  // into one call can overflow the stack.
  const lists = Object.keys(merged).filter((key) =>
    Array.isArray(merged[key as keyof Inventory]),
  ) as (keyof Inventory)[];
  for (const inventory of inventories) {
    for (const key of lists) {
      const into = merged[key] as unknown[];
      for (const item of inventory[key] as unknown[]) into.push(item);
    }
    // The Gateway API objects are lists of their own, one level down.
    for (const key of Object.keys(merged.gateway) as (keyof Inventory['gateway'])[]) {
      const into = merged.gateway[key] as unknown[];
      for (const item of inventory.gateway[key] as unknown[]) into.push(item);
    }
    merged.skippedKinds += inventory.skippedKinds;
  }
  return merged;
}

/**
 * Static validation of manifests: parse, group into environments, link each, run the rules. A workload
 * in a file that several environments share is judged once. Pure.
 */
export function validateManifests(sources: readonly ManifestSource[], options: ValidateOptions): Report {
  const { inventories, problems, notices, linkOptions } = loadEnvironments(sources, options);
  const disabled = new Set((options.disable ?? []).map((id) => id.toUpperCase()));
  const rules: readonly Rule[] = disabled.size > 0 ? RULES.filter((rule) => !disabled.has(rule.id)) : RULES;
  // Each workload is judged as soon as it is linked, so its facts need not outlive it.
  const evaluation: Evaluation = createEvaluation();
  const evaluateOptions = { allowances: options.allowances, rules };
  const allNotices: Notice[] = [...(options.readNotices ?? []), ...notices];
  const judged = inventories.length > 1 ? new Set<ObjectRef>() : undefined;
  for (const inventory of inventories) {
    linkEachWorkload(
      inventory,
      linkOptions,
      problems,
      (facts) => {
        if (judged) {
          if (judged.has(facts.workload.ref)) return;
          judged.add(facts.workload.ref);
        }
        evaluateWorkload(facts, evaluateOptions, evaluation);
      },
      allNotices,
    );
  }
  return {
    ...evaluation,
    problems: [...(options.readProblems ?? []), ...problems],
    notices: allNotices,
    files: sources.length,
  };
}
