// Pure helpers for ReplicaSet history: which revision to go back to and what to write, the way
// `kubectl rollout undo` (k8s.io/kubectl polymorphichelpers/rollback.go) and `kubectl argo rollouts undo` do.

import type { Preconditions } from '@draingate/core';
import {
  arrayAt,
  asObject,
  at,
  cloneJson,
  jsonEqual,
  numberAt,
  stringAt,
  stringMapAt,
  type JsonObject,
} from './json.js';

/** The Deployment controller's revision annotation, on Deployments and their ReplicaSets. */
export const DEPLOYMENT_REVISION = 'deployment.kubernetes.io/revision';
/** The label the Deployment controller adds to each ReplicaSet's pod template. */
export const DEPLOYMENT_HASH_LABEL = 'pod-template-hash';
/** Argo Rollouts' revision annotation. */
export const ROLLOUT_REVISION = 'rollout.argoproj.io/revision';
/** The label Argo Rollouts adds to each ReplicaSet's pod template. */
export const ROLLOUT_HASH_LABEL = 'rollouts-pod-template-hash';

/** Annotations `kubectl rollout undo` keeps from the Deployment instead of copying them from the ReplicaSet. */
export const ANNOTATIONS_NOT_RESTORED: ReadonlySet<string> = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  DEPLOYMENT_REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/** The revision number in `annotation` of `object`, when it is a non-negative integer. */
export function revisionOf(object: unknown, annotation: string = DEPLOYMENT_REVISION): number | undefined {
  const raw = stringAt(object, 'metadata', 'annotations', annotation);
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** True when `object` has a controller owner reference to `uid`. */
export function isControlledBy(object: unknown, uid: string): boolean {
  return arrayAt(object, 'metadata', 'ownerReferences').some(
    (ref) => stringAt(ref, 'uid') === uid && at(ref, 'controller') === true,
  );
}

/** One ReplicaSet with its parsed revision. */
export interface RevisionedReplicaSet {
  readonly replicaSet: JsonObject;
  readonly revision: number;
}

/**
 * The ReplicaSet to roll back to, as kubectl picks it: with `toRevision`, the one carrying that revision;
 * without, the one with the second-highest revision (ReplicaSets without a parsable revision are ignored).
 * Undefined when there is none: no rollout history.
 */
export function pickRollbackTarget(
  replicaSets: readonly unknown[],
  toRevision?: number,
  annotation: string = DEPLOYMENT_REVISION,
): RevisionedReplicaSet | undefined {
  const ordered = orderByRevision(replicaSets, annotation);
  if (toRevision !== undefined) return ordered.find((entry) => entry.revision === toRevision);
  // Distinct revisions: two ReplicaSets never share one, but if they did kubectl would still skip the newest.
  const latest = ordered[0];
  return latest === undefined ? undefined : ordered.find((entry) => entry.revision < latest.revision);
}

/** The ReplicaSets with a revision, newest first. */
export function orderByRevision(
  replicaSets: readonly unknown[],
  annotation: string = DEPLOYMENT_REVISION,
): RevisionedReplicaSet[] {
  const out: RevisionedReplicaSet[] = [];
  for (const item of replicaSets) {
    const replicaSet = asObject(item);
    const revision = revisionOf(item, annotation);
    if (replicaSet !== undefined && revision !== undefined) out.push({ replicaSet, revision });
  }
  return out.sort((a, b) => b.revision - a.revision);
}

/** A copy of a pod template without the controller's hash label (and without an emptied labels map). */
export function stripTemplateHash(template: unknown, hashLabel: string = DEPLOYMENT_HASH_LABEL): JsonObject {
  const copy = cloneJson(asObject(template) ?? {});
  const metadata = asObject(copy['metadata']);
  const labels = asObject(metadata?.['labels']);
  if (metadata !== undefined && labels !== undefined) {
    delete labels[hashLabel];
    if (Object.keys(labels).length === 0) delete metadata['labels'];
  }
  return copy;
}

/** kubectl's `equalIgnoreHash`: two pod templates are the same apart from the hash label. */
export function templatesEqualIgnoringHash(
  a: unknown,
  b: unknown,
  hashLabel: string = DEPLOYMENT_HASH_LABEL,
): boolean {
  return jsonEqual(stripTemplateHash(a, hashLabel), stripTemplateHash(b, hashLabel));
}

/**
 * The Deployment annotations after an undo, as kubectl computes them: the Deployment's own values of the
 * controller's bookkeeping annotations, and every other annotation from the ReplicaSet being restored.
 */
export function rollbackAnnotations(deployment: unknown, replicaSet: unknown): Record<string, string> {
  const current = stringMapAt(deployment, 'metadata', 'annotations');
  const out: Record<string, string> = {};
  for (const key of ANNOTATIONS_NOT_RESTORED) {
    const value = current[key];
    if (value !== undefined) out[key] = value;
  }
  for (const [key, value] of Object.entries(stringMapAt(replicaSet, 'metadata', 'annotations'))) {
    if (!ANNOTATIONS_NOT_RESTORED.has(key)) out[key] = value;
  }
  return out;
}

/** "web: shop/web:2 → shop/web:1" for each container whose image differs; empty when none does. */
export function describeImageChange(from: unknown, to: unknown): string {
  const images = (template: unknown): Map<string, string> =>
    new Map(
      arrayAt(template, 'spec', 'containers').map((c) => [
        stringAt(c, 'name') ?? '?',
        stringAt(c, 'image') ?? '?',
      ]),
    );
  const before = images(from);
  const after = images(to);
  const changes: string[] = [];
  for (const [name, image] of after) {
    const previous = before.get(name);
    if (previous !== image) changes.push(`${name}: ${previous ?? '(none)'} → ${image}`);
  }
  for (const [name, image] of before) if (!after.has(name)) changes.push(`${name}: ${image} → (removed)`);
  return changes.join(', ');
}

/** What identifies the live object for the preconditions. */
export interface LiveIdentity {
  readonly resourceVersion: string;
  readonly generation: number;
  readonly revision: string;
}

/** The resourceVersion, generation and the given revision of a live object. */
export function identityOf(object: unknown, revision: string): LiveIdentity {
  return {
    resourceVersion: stringAt(object, 'metadata', 'resourceVersion') ?? '',
    generation: numberAt(object, 'metadata', 'generation') ?? 0,
    revision,
  };
}

/**
 * What differs between the preconditions and the live object, one phrase per difference ("generation 3 → 4");
 * empty when every given precondition holds. Unset preconditions are not checked.
 */
export function comparePreconditions(preconditions: Preconditions, live: LiveIdentity): string[] {
  const changes: string[] = [];
  if (preconditions.generation !== undefined && preconditions.generation !== live.generation) {
    changes.push(`generation ${preconditions.generation} → ${live.generation}`);
  }
  if (preconditions.revision !== undefined && preconditions.revision !== live.revision) {
    changes.push(`revision ${preconditions.revision || '(none)'} → ${live.revision || '(none)'}`);
  }
  if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== live.resourceVersion) {
    changes.push(`resourceVersion ${preconditions.resourceVersion} → ${live.resourceVersion}`);
  }
  return changes;
}
