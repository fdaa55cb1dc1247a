import type { KubeLeaseStore, LeaseDocument } from '@draingate/kube';
import type { Clock } from '@draingate/core';
import { parseRecord } from './decision-record.js';
import type { DecisionRecord } from './decision-record.js';
import type { DecisionStore, StoredRecord } from './decision-store.js';

/** The label on every approval Lease: how the provider lists them, and how an operator finds them. */
export const DECISION_LABEL = 'app.kubernetes.io/component=approval-decision';

/**
 * The decision store over Kubernetes Leases: one Lease per pending deployment, the record as JSON in an
 * annotation, the owner and its lease mirrored in `spec.holderIdentity` / `renewTime` /
 * `leaseDurationSeconds` so that `kubectl get leases -l app.kubernetes.io/component=approval-decision` shows
 * who works on what. A Lease whose annotation is not a record (edited by hand) is skipped by `list`.
 */
export class LeaseDecisionStore implements DecisionStore {
  readonly description: string;

  constructor(
    private readonly leases: KubeLeaseStore,
    private readonly clock: Clock,
  ) {
    this.description = `leases in namespace ${leases.namespace}`;
  }

  #claim(record: DecisionRecord): { holder: string; renewTime: Date; durationSeconds: number } {
    const now = this.clock.now();
    return {
      holder: record.owner,
      renewTime: now,
      durationSeconds: Math.max(1, (record.leaseUntil - now.getTime()) / 1000),
    };
  }

  #stored(document: LeaseDocument): StoredRecord | undefined {
    const record = parseRecord(document.text);
    return record ? { name: document.name, record, version: document.version } : undefined;
  }

  async create(name: string, record: DecisionRecord, signal?: AbortSignal): Promise<StoredRecord | 'exists'> {
    const created = await this.leases.create(name, JSON.stringify(record), this.#claim(record), signal);
    if (created === 'exists') return created;
    return { name, record, version: created.version };
  }

  async read(name: string, signal?: AbortSignal): Promise<StoredRecord | undefined> {
    const document = await this.leases.read(name, signal);
    return document ? this.#stored(document) : undefined;
  }

  async replace(
    name: string,
    record: DecisionRecord,
    version: string,
    signal?: AbortSignal,
  ): Promise<StoredRecord | 'conflict'> {
    const replaced = await this.leases.replace(
      name,
      JSON.stringify(record),
      this.#claim(record),
      version,
      signal,
    );
    if (replaced === 'conflict') return replaced;
    return { name, record, version: replaced.version };
  }

  async list(signal?: AbortSignal): Promise<StoredRecord[]> {
    const documents = await this.leases.list(signal);
    return documents.map((d) => this.#stored(d)).filter((s): s is StoredRecord => s !== undefined);
  }

  remove(name: string, version: string, signal?: AbortSignal): Promise<boolean> {
    return this.leases.remove(name, version, signal);
  }
}
