import { UpstreamError } from '@draingate/core';
import type { KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_CALL_TIMEOUT_MS, KubeClients } from './client.js';
import type { ResourceType } from './client.js';
import { asObject, stringAt } from './json.js';

const LEASE: ResourceType = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease' };

/** The annotation that holds a lease document's text. */
export const LEASE_DOCUMENT_ANNOTATION = 'draingate.io/document';

/** What a Lease document carries besides its text: the holder and its claim, for `kubectl get leases`. */
export interface LeaseClaim {
  readonly holder: string;
  /** When the holder last wrote, and how long its claim lasts from then. */
  readonly renewTime: Date;
  readonly durationSeconds: number;
}

/** One Lease as the store reads it. */
export interface LeaseDocument {
  readonly name: string;
  readonly text: string;
  /** The resourceVersion: the precondition of the next replace or delete. */
  readonly version: string;
}

/**
 * Documents kept in `coordination.k8s.io/v1` Leases of one namespace, each carrying a text in an annotation and
 * the label that selects them. Every write is conditional: `create` fails with `exists` when the name is taken
 * (409 AlreadyExists), `replace` and `remove` send the resourceVersion read (409 Conflict → `conflict`/false),
 * so two writers can never both win. The RBAC it needs: `leases` get, list, create, update, delete in that
 * namespace, nothing else.
 */
export class KubeLeaseStore {
  readonly #clients: KubeClients;

  constructor(
    config: KubeConfig,
    readonly namespace: string,
    /** `key=value`, set on every Lease and used to list them. */
    readonly label: string,
    callTimeoutMs: number = DEFAULT_CALL_TIMEOUT_MS,
    /** Each call's operation, outcome (`ok` or an UpstreamError failure) and duration. */
    private readonly onCall?: (operation: string, outcome: string, ms: number) => void,
  ) {
    this.#clients = new KubeClients(config, callTimeoutMs);
  }

  async #timed<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      this.onCall?.(operation, 'ok', performance.now() - started);
      return result;
    } catch (error) {
      const outcome = error instanceof UpstreamError ? error.failure : 'unknown';
      this.onCall?.(operation, outcome, performance.now() - started);
      throw error;
    }
  }

  #body(name: string, text: string, claim: LeaseClaim, version?: string): Record<string, unknown> {
    const [labelKey = '', labelValue = ''] = this.label.split('=');
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name,
        namespace: this.namespace,
        labels: { [labelKey]: labelValue },
        annotations: { [LEASE_DOCUMENT_ANNOTATION]: text },
        ...(version === undefined ? {} : { resourceVersion: version }),
      },
      spec: {
        holderIdentity: claim.holder.slice(0, 253),
        leaseDurationSeconds: Math.max(1, Math.ceil(claim.durationSeconds)),
        renewTime: claim.renewTime.toISOString().replace('Z', '000Z'),
      },
    };
  }

  #document(object: unknown): LeaseDocument | undefined {
    if (!asObject(object)) return undefined;
    const name = stringAt(object, 'metadata', 'name');
    const version = stringAt(object, 'metadata', 'resourceVersion');
    const annotations = (object as { metadata?: { annotations?: Record<string, unknown> } }).metadata
      ?.annotations;
    const text = annotations?.[LEASE_DOCUMENT_ANNOTATION];
    if (name === undefined || version === undefined || typeof text !== 'string') return undefined;
    return { name, text, version };
  }

  #subject(operation: string, name?: string): { operation: string; object: string } {
    return {
      operation,
      object: name === undefined ? `Leases in ${this.namespace}` : `Lease ${this.namespace}/${name}`,
    };
  }

  /** Creates the Lease unless the name is taken. */
  create(
    name: string,
    text: string,
    claim: LeaseClaim,
    signal?: AbortSignal,
  ): Promise<LeaseDocument | 'exists'> {
    return this.#timed('createLease', async () => {
      try {
        const created = await this.#clients.call(
          this.#subject('createLease', name),
          signal,
          (options) =>
            this.#clients.custom.createNamespacedCustomObject(
              {
                ...LEASE,
                namespace: this.namespace,
                body: this.#body(name, text, claim),
                fieldManager: 'draingate',
              },
              options,
            ) as Promise<unknown>,
        );
        return this.#document(created) ?? this.#malformed('createLease', name);
      } catch (error) {
        if (error instanceof UpstreamError && error.failure === 'conflict') return 'exists';
        throw error;
      }
    });
  }

  /** Reads one Lease; undefined when it does not exist or carries no document. */
  read(name: string, signal?: AbortSignal): Promise<LeaseDocument | undefined> {
    return this.#timed('readLease', async () => {
      try {
        const object = await this.#clients.getObject(
          LEASE,
          this.namespace,
          name,
          this.#subject('readLease', name),
          signal,
        );
        return this.#document(object);
      } catch (error) {
        if (error instanceof UpstreamError && error.failure === 'not-found') return undefined;
        throw error;
      }
    });
  }

  /** Replaces the Lease if it is still at `version`; `conflict` when it changed or is gone. */
  replace(
    name: string,
    text: string,
    claim: LeaseClaim,
    version: string,
    signal?: AbortSignal,
  ): Promise<LeaseDocument | 'conflict'> {
    return this.#timed('replaceLease', async () => {
      try {
        const replaced = await this.#clients.call(
          this.#subject('replaceLease', name),
          signal,
          (options) =>
            this.#clients.custom.replaceNamespacedCustomObject(
              {
                ...LEASE,
                namespace: this.namespace,
                name,
                body: this.#body(name, text, claim, version),
                fieldManager: 'draingate',
              },
              options,
            ) as Promise<unknown>,
        );
        return this.#document(replaced) ?? this.#malformed('replaceLease', name);
      } catch (error) {
        if (error instanceof UpstreamError && (error.failure === 'conflict' || error.failure === 'not-found'))
          return 'conflict';
        throw error;
      }
    });
  }

  /** Every Lease with the store's label (pages followed). */
  list(signal?: AbortSignal): Promise<LeaseDocument[]> {
    return this.#timed('listLeases', async () => {
      const items = await this.#clients.listObjects(
        LEASE,
        this.namespace,
        this.#subject('listLeases'),
        signal,
        this.label,
      );
      return items.map((item) => this.#document(item)).filter((d): d is LeaseDocument => d !== undefined);
    });
  }

  /** Deletes the Lease if it is still at `version`; false when it changed or is already gone. */
  remove(name: string, version: string, signal?: AbortSignal): Promise<boolean> {
    return this.#timed('deleteLease', async () => {
      try {
        await this.#clients.call(
          this.#subject('deleteLease', name),
          signal,
          (options) =>
            this.#clients.custom.deleteNamespacedCustomObject(
              {
                ...LEASE,
                namespace: this.namespace,
                name,
                body: { preconditions: { resourceVersion: version } },
              },
              options,
            ) as Promise<unknown>,
        );
        return true;
      } catch (error) {
        if (error instanceof UpstreamError && (error.failure === 'conflict' || error.failure === 'not-found'))
          return false;
        throw error;
      }
    });
  }

  #malformed(operation: string, name: string): never {
    throw new UpstreamError(
      'kubernetes',
      operation,
      'unknown',
      `Lease ${this.namespace}/${name}: the answer has no document`,
    );
  }
}
