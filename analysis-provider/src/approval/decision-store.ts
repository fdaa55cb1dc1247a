import type { DecisionRecord } from './decision-record.js';

/** A record with the version it was read or written at (a Kubernetes resourceVersion). */
export interface StoredRecord {
  readonly name: string;
  readonly record: DecisionRecord;
  readonly version: string;
}

/**
 * Where every replica keeps the approval decisions. Writes are conditional: `create` only when the name is free
 * (exactly one replica wins a new decision), `replace` and `remove` only at the version read (a replica that
 * lost ownership in between gets `conflict` and stops). Unreachable or refused: throws (an UpstreamError in
 * the Kubernetes implementation); callers keep their state and try again.
 */
export interface DecisionStore {
  /** Where the decisions live, for logs: `leases in draingate`, `memory`. */
  readonly description: string;
  create(name: string, record: DecisionRecord, signal?: AbortSignal): Promise<StoredRecord | 'exists'>;
  read(name: string, signal?: AbortSignal): Promise<StoredRecord | undefined>;
  replace(
    name: string,
    record: DecisionRecord,
    version: string,
    signal?: AbortSignal,
  ): Promise<StoredRecord | 'conflict'>;
  list(signal?: AbortSignal): Promise<StoredRecord[]>;
  remove(name: string, version: string, signal?: AbortSignal): Promise<boolean>;
}

/**
 * The store in one process's memory: for tests of the logic, and for a provider without a Kubernetes API (one
 * replica; decisions do not survive a restart). Records are copied in and out, as a real store would.
 * `unavailable` makes every call throw, to test an outage.
 */
export class MemoryDecisionStore implements DecisionStore {
  readonly description = 'memory';
  readonly #records = new Map<string, { text: string; version: number }>();
  #version = 0;
  /** Calls made, by operation. */
  readonly calls = new Map<string, number>();
  unavailable = false;

  #count(operation: string): void {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    if (this.unavailable) throw new Error(`decision store unavailable (${operation})`);
  }

  #out(name: string, entry: { text: string; version: number }): StoredRecord {
    return { name, record: JSON.parse(entry.text) as DecisionRecord, version: String(entry.version) };
  }

  create(name: string, record: DecisionRecord): Promise<StoredRecord | 'exists'> {
    this.#count('create');
    if (this.#records.has(name)) return Promise.resolve('exists');
    const entry = { text: JSON.stringify(record), version: ++this.#version };
    this.#records.set(name, entry);
    return Promise.resolve(this.#out(name, entry));
  }

  read(name: string): Promise<StoredRecord | undefined> {
    this.#count('read');
    const entry = this.#records.get(name);
    return Promise.resolve(entry ? this.#out(name, entry) : undefined);
  }

  replace(name: string, record: DecisionRecord, version: string): Promise<StoredRecord | 'conflict'> {
    this.#count('replace');
    const entry = this.#records.get(name);
    if (!entry || String(entry.version) !== version) return Promise.resolve('conflict');
    const next = { text: JSON.stringify(record), version: ++this.#version };
    this.#records.set(name, next);
    return Promise.resolve(this.#out(name, next));
  }

  list(): Promise<StoredRecord[]> {
    this.#count('list');
    return Promise.resolve([...this.#records].map(([name, entry]) => this.#out(name, entry)));
  }

  remove(name: string, version: string): Promise<boolean> {
    this.#count('remove');
    const entry = this.#records.get(name);
    if (!entry || String(entry.version) !== version) return Promise.resolve(false);
    this.#records.delete(name);
    return Promise.resolve(true);
  }
}
