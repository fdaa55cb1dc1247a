import {
  UpstreamError,
  type ActionResult,
  type Preconditions,
  type RolloutActuator,
  type WorkloadRef,
} from '@draingate/core';
import { PatchStrategy } from '@kubernetes/client-node';
import { RESOURCES, type KubeClients } from './client.js';
import { KUBERNETES } from './errors.js';
import { at, stringAt, type JsonObject } from './json.js';
import { describeRef, type KubeClusterReader } from './reader.js';
import {
  ROLLOUT_HASH_LABEL,
  DEPLOYMENT_HASH_LABEL,
  comparePreconditions,
  describeImageChange,
  identityOf,
  pickRollbackTarget,
  rollbackAnnotations,
  stripTemplateHash,
  templatesEqualIgnoringHash,
} from './revisions.js';
import { deploymentRevision, rolloutRevision } from './status.js';

/** How often an action re-reads and retries when the object moved between its read and its write. */
const ATTEMPTS = 3;

/** One JSON-patch operation. */
export interface JsonPatchOperation {
  readonly op: 'replace' | 'add';
  readonly path: string;
  readonly value: unknown;
}

/**
 * The JSON patch `kubectl rollout undo` sends (replace spec.template, set metadata.annotations), led by setting
 * metadata.resourceVersion to the one that was read. The API server applies the patch to the stored object and
 * then checks the result's resourceVersion against it: 409 Conflict, nothing written, when the object moved in
 * between. (A JSON-patch `test` of the resourceVersion is honoured too, but fails with a bare 422 "Invalid"
 * that cannot be told from a real validation error; see the integration tests.)
 */
export function buildRollbackPatch(
  resourceVersion: string,
  template: unknown,
  annotations: Readonly<Record<string, string>>,
): JsonPatchOperation[] {
  return [
    { op: 'replace', path: '/metadata/resourceVersion', value: resourceVersion },
    { op: 'replace', path: '/spec/template', value: template },
    // `add` replaces an existing member and also works when the Deployment has no annotations at all.
    { op: 'add', path: '/metadata/annotations', value: annotations },
  ];
}

/**
 * The JSON patch `kubectl argo rollouts undo` sends (replace spec.template), led by the resourceVersion guard
 * of {@link buildRollbackPatch}.
 */
export function buildUndoPatch(resourceVersion: string, template: unknown): JsonPatchOperation[] {
  return [
    { op: 'replace', path: '/metadata/resourceVersion', value: resourceVersion },
    { op: 'replace', path: '/spec/template', value: template },
  ];
}

/** What an undo would write: the stable template, or nothing when spec.template already is it. */
interface UndoPlan {
  readonly template?: JsonObject;
  readonly description: string;
  readonly toRevision?: string;
}

function isConflict(err: unknown): boolean {
  return err instanceof UpstreamError && err.failure === 'conflict';
}

function refused(
  operation: string,
  ref: WorkloadRef,
  changes: readonly string[],
  dryRun: boolean,
): UpstreamError {
  return new UpstreamError(
    KUBERNETES,
    operation,
    'conflict',
    `${describeRef(ref)} changed since it was watched (${changes.join(', ')}); refusing to ${operation}${dryRun ? ' (dry run)' : ''}, nothing was changed`,
    { retryable: false },
  );
}

function objectRef(ref: WorkloadRef): ActionResult['workload'] {
  return { kind: ref.kind, namespace: ref.namespace, name: ref.name };
}

/**
 * Rolls back Deployments and aborts Argo Rollouts, only when the preconditions still hold, each write guarded by
 * the resourceVersion it was computed from so nothing that changed in between can be overwritten.
 */
export class KubeRolloutActuator implements RolloutActuator {
  constructor(
    private readonly clients: KubeClients,
    private readonly reader: KubeClusterReader,
  ) {}

  /**
   * `kubectl rollout undo` for a Deployment: the pod template of the previous revision's ReplicaSet (hash label
   * stripped) and its annotations, written back with a JSON patch. `dryRun` sends the same patch with
   * `dryRun=All`: the server validates and admits it but stores nothing.
   */
  async rollback(
    ref: WorkloadRef,
    preconditions: Preconditions,
    options: { dryRun: boolean; signal?: AbortSignal },
  ): Promise<ActionResult> {
    const operation = 'rollback';
    if (ref.kind !== 'Deployment') {
      throw new UpstreamError(
        KUBERNETES,
        operation,
        'invalid-request',
        `${describeRef(ref)}: rollback works on Deployments; abort a Rollout instead`,
        { retryable: false },
      );
    }
    for (let attempt = 1; ; attempt++) {
      const deployment = await this.reader.readWorkload(ref, operation, options.signal);
      const currentRevision = deploymentRevision(deployment);
      const changes = comparePreconditions(preconditions, identityOf(deployment, currentRevision));
      if (changes.length) throw refused(operation, ref, changes, options.dryRun);
      if (at(deployment, 'spec', 'paused') === true) {
        throw new UpstreamError(
          KUBERNETES,
          operation,
          'invalid-request',
          `${describeRef(ref)} is paused: kubectl refuses to roll back a paused Deployment; resume it first`,
          { retryable: false },
        );
      }
      const replicaSets = await this.reader.listOwnedReplicaSets(deployment, ref, operation, options.signal);
      const target = pickRollbackTarget(replicaSets);
      if (target === undefined) {
        throw new UpstreamError(
          KUBERNETES,
          operation,
          'not-found',
          `${describeRef(ref)}: no rollout history found (no ReplicaSet with an older revision than ${currentRevision || 'the current one'})`,
          { retryable: false },
        );
      }
      const toRevision = String(target.revision);
      const fromTemplate = at(deployment, 'spec', 'template');
      const toTemplate = at(target.replicaSet, 'spec', 'template');
      if (templatesEqualIgnoringHash(toTemplate, fromTemplate, DEPLOYMENT_HASH_LABEL)) {
        return {
          workload: objectRef(ref),
          action: operation,
          dryRun: options.dryRun,
          description: `skipped rollback of ${describeRef(ref)}: the current template already matches revision ${toRevision}`,
          toRevision,
        };
      }
      const patch = buildRollbackPatch(
        stringAt(deployment, 'metadata', 'resourceVersion') ?? '',
        stripTemplateHash(toTemplate, DEPLOYMENT_HASH_LABEL),
        rollbackAnnotations(deployment, target.replicaSet),
      );
      try {
        await this.clients.patchObject(
          RESOURCES.deployments,
          ref.namespace,
          ref.name,
          patch,
          { type: PatchStrategy.JsonPatch, dryRun: options.dryRun },
          { operation, object: describeRef(ref) },
          options.signal,
        );
      } catch (err) {
        // Written to between our read and our patch (a status update, usually): read again and re-check.
        if (isConflict(err) && attempt < ATTEMPTS) continue;
        if (isConflict(err)) {
          throw new UpstreamError(
            KUBERNETES,
            operation,
            'conflict',
            `${describeRef(ref)} kept changing while rolling back (${ATTEMPTS} attempts); nothing was changed`,
            { cause: err },
          );
        }
        throw err;
      }
      const images = describeImageChange(fromTemplate, toTemplate);
      const what = `${describeRef(ref)} from revision ${currentRevision || '?'} to revision ${toRevision}${images ? ` (${images})` : ''}`;
      return {
        workload: objectRef(ref),
        action: operation,
        dryRun: options.dryRun,
        description: options.dryRun
          ? `would roll back ${what}; the API server accepted the change in a dry run, nothing was changed`
          : `rolled back ${what}`,
        toRevision,
      };
    }
  }

  /**
   * `kubectl argo rollouts abort`: a merge patch of the status subresource, `{"status":{"abort":true}}`, with
   * the resourceVersion that was read (the server answers 409 when it moved). Like the plugin, falls back to
   * the main resource when the CRD has no status subresource. With `undo`, then sets spec.template back to the
   * stable ReplicaSet's template, as `kubectl argo rollouts undo` writes it, as long as the spec has not changed
   * since the preconditions were checked.
   */
  async abort(
    ref: WorkloadRef,
    preconditions: Preconditions,
    options: { dryRun: boolean; undo?: boolean; signal?: AbortSignal },
  ): Promise<ActionResult> {
    const operation = 'abort';
    const { dryRun, signal } = options;
    if (ref.kind !== 'Rollout') {
      throw new UpstreamError(
        KUBERNETES,
        operation,
        'invalid-request',
        `${describeRef(ref)}: abort works on Argo Rollouts; roll back a Deployment instead`,
        { retryable: false },
      );
    }
    let rollout: Record<string, unknown>;
    let undo: UndoPlan | undefined;
    let alreadyAborted: boolean;
    let versionAfterAbort: string;
    for (let attempt = 1; ; attempt++) {
      rollout = await this.reader.readWorkload(ref, operation, signal);
      const changes = comparePreconditions(preconditions, identityOf(rollout, rolloutRevision(rollout)));
      if (changes.length) throw refused(operation, ref, changes, dryRun);
      // Planned before anything is written, so a Rollout that cannot be undone is refused whole.
      undo = options.undo === true ? await this.planUndo(ref, rollout, signal) : undefined;
      const resourceVersion = stringAt(rollout, 'metadata', 'resourceVersion') ?? '';
      alreadyAborted = at(rollout, 'status', 'abort') === true;
      versionAfterAbort = resourceVersion;
      if (alreadyAborted) break;
      const body = { metadata: { resourceVersion }, status: { abort: true } };
      try {
        const patched = await this.patchRollout(ref, body, dryRun, 'status', signal).catch((err: unknown) => {
          if (err instanceof UpstreamError && err.failure === 'not-found') {
            return this.patchRollout(ref, body, dryRun, undefined, signal);
          }
          throw err;
        });
        if (!dryRun) versionAfterAbort = stringAt(patched, 'metadata', 'resourceVersion') ?? resourceVersion;
        break;
      } catch (err) {
        // The controller wrote status between our read and our patch: read again and re-check.
        if (isConflict(err) && attempt < ATTEMPTS) continue;
        throw err;
      }
    }
    const abortWritten = !alreadyAborted && !dryRun;
    if (undo?.template !== undefined) {
      const generation = identityOf(rollout, '').generation;
      await this.writeUndo(ref, undo.template, generation, versionAfterAbort, {
        dryRun,
        abortWritten,
        signal,
      });
    }
    const parts = [
      alreadyAborted
        ? `${describeRef(ref)} was already aborted`
        : `${dryRun ? 'would abort' : 'aborted'} ${describeRef(ref)} (status.abort: true)`,
      undo?.description,
    ].filter((p): p is string => p !== undefined);
    return {
      workload: objectRef(ref),
      action: operation,
      dryRun,
      description:
        parts.join('; ') + (dryRun ? '; the API server accepted it in a dry run, nothing was changed' : ''),
      ...(undo?.toRevision ? { toRevision: undo.toRevision } : {}),
    };
  }

  /**
   * Writes the undo's spec.template with the resourceVersion guard. The Argo controller reacts to the abort by
   * writing status at once, so a 409 here is expected: re-read, and retry while the generation (the spec) is
   * still the one the preconditions were checked against.
   */
  private async writeUndo(
    ref: WorkloadRef,
    template: JsonObject,
    generation: number,
    resourceVersion: string,
    options: { dryRun: boolean; abortWritten: boolean; signal: AbortSignal | undefined },
  ): Promise<void> {
    const { dryRun, abortWritten, signal } = options;
    const note = (err: unknown): unknown =>
      abortWritten && err instanceof UpstreamError
        ? new UpstreamError(
            KUBERNETES,
            'abort',
            err.failure,
            `${describeRef(ref)} was aborted, but setting spec.template back failed: ${err.message}`,
            { cause: err, retryable: false },
          )
        : err;
    let version = resourceVersion;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.clients.patchObject(
          RESOURCES.rollouts,
          ref.namespace,
          ref.name,
          buildUndoPatch(version, template),
          { type: PatchStrategy.JsonPatch, dryRun },
          { operation: 'abort', object: describeRef(ref) },
          signal,
        );
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= ATTEMPTS) throw note(err);
      }
      const fresh = await this.reader.readWorkload(ref, 'abort', signal).catch((err: unknown) => {
        throw note(err);
      });
      const now = identityOf(fresh, '');
      if (now.generation !== generation) {
        throw note(
          new UpstreamError(
            KUBERNETES,
            'abort',
            'conflict',
            `${describeRef(ref)}: its spec changed (generation ${generation} → ${now.generation}) while undoing; spec.template was not set back`,
            { retryable: false },
          ),
        );
      }
      version = now.resourceVersion;
    }
  }

  private patchRollout(
    ref: WorkloadRef,
    body: unknown,
    dryRun: boolean,
    subresource: 'status' | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    return this.clients.patchObject(
      RESOURCES.rollouts,
      ref.namespace,
      ref.name,
      body,
      { type: PatchStrategy.MergePatch, dryRun, ...(subresource ? { subresource } : {}) },
      { operation: 'abort', object: describeRef(ref) },
      signal,
    );
  }

  /** The undo half of an abort: the stable ReplicaSet's template, or why there is nothing to write. */
  private async planUndo(
    ref: WorkloadRef,
    rollout: Record<string, unknown>,
    signal: AbortSignal | undefined,
  ): Promise<UndoPlan> {
    if (at(rollout, 'spec', 'workloadRef') !== undefined) {
      throw new UpstreamError(
        KUBERNETES,
        'abort',
        'invalid-request',
        `${describeRef(ref)} uses spec.workloadRef: undo would have to patch the referenced workload, which draingate does not do; abort without undo`,
        { retryable: false },
      );
    }
    const stable = stringAt(rollout, 'status', 'stableRS');
    if (!stable) {
      throw new UpstreamError(
        KUBERNETES,
        'abort',
        'not-found',
        `${describeRef(ref)} has no status.stableRS to undo to; nothing was changed`,
        {
          retryable: false,
        },
      );
    }
    const replicaSets = await this.reader.listOwnedReplicaSets(rollout, ref, 'abort', signal);
    const stableSet = replicaSets.find(
      (rs) => stringAt(rs, 'metadata', 'labels', ROLLOUT_HASH_LABEL) === stable,
    );
    if (stableSet === undefined) {
      throw new UpstreamError(
        KUBERNETES,
        'abort',
        'not-found',
        `${describeRef(ref)}: the stable ReplicaSet (${ROLLOUT_HASH_LABEL}=${stable}) was not found; nothing was changed`,
        { retryable: false },
      );
    }
    const toTemplate = at(stableSet, 'spec', 'template');
    const fromTemplate = at(rollout, 'spec', 'template');
    if (templatesEqualIgnoringHash(toTemplate, fromTemplate, ROLLOUT_HASH_LABEL)) {
      return {
        description: `spec.template already matches the stable ReplicaSet ${stable}`,
        toRevision: stable,
      };
    }
    const images = describeImageChange(fromTemplate, toTemplate);
    return {
      template: stripTemplateHash(toTemplate, ROLLOUT_HASH_LABEL),
      description: `spec.template set back to the stable ReplicaSet ${stable}${images ? ` (${images})` : ''}`,
      toRevision: stable,
    };
  }
}
