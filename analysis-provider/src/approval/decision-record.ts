import { createHash } from 'node:crypto';
import type { ReviewTarget } from './payload.js';

/**
 * The durable state of one pending deployment: what GitHub asked (taken from the signed body), which replica
 * works on it and until when, the deadline, and the outcome once there is one. Every replica reads and writes
 * it through a `DecisionStore`; the functions here are pure and decide what a replica may do with it.
 */
export interface DecisionRecord {
  /** `owner/repo#run@environment/deployment`, lower-cased: the dedupe key, readable in logs. */
  readonly key: string;
  readonly request: StoredRequest;
  /** The replica working on it; it may post while `leaseUntil` has not passed. */
  readonly owner: string;
  /** Epoch ms. Once passed, any replica may take the decision over. */
  readonly leaseUntil: number;
  /** Epoch ms: answered by then, a rejection at the latest. */
  readonly deadline: number;
  /**
   * `observing`: waiting or measuring; `posting`: the decision is being sent (a replica that takes over in this
   * phase sends it again and GitHub's 422 tells it the first one landed); `done`: answered (or given up).
   */
  readonly phase: 'observing' | 'posting' | 'done';
  /** The decision being posted, from `posting` on. */
  readonly decision?: { readonly state: 'approved' | 'rejected'; readonly comment: string };
  readonly outcome?: DecisionOutcome;
  /** Epoch ms when it became `done`; garbage-collected `retention` later. */
  readonly doneAt?: number;
  /** Times a replica took the decision over from another whose lease had expired. */
  readonly takeovers: number;
}

/**
 * `approved`/`rejected`: posted and accepted; `already-decided`: GitHub answered 422 "no pending custom
 * deployment protection rule" (an earlier post landed, the run was cancelled, or someone approved by hand);
 * `failed`: could not be posted before the deadline.
 */
export type DecisionOutcome = 'approved' | 'rejected' | 'already-decided' | 'failed';

/** The protection-rule request as stored: plain JSON. */
export interface StoredRequest {
  readonly deliveryId: string;
  readonly environment: string;
  readonly repository: string;
  readonly target: ReviewTarget;
  /** ISO time the first delivery arrived: observation and the baseline are measured from it, on every replica. */
  readonly receivedAt: string;
  readonly deploymentId?: number;
  readonly sha?: string;
  readonly ref?: string;
}

/** What a replica may do with a record it found. */
export type RecordStanding =
  | { readonly kind: 'done' }
  | { readonly kind: 'owned'; readonly by: string; readonly untilMs: number }
  | { readonly kind: 'orphaned'; readonly by: string };

/**
 * The dedupe key. Built only from the signed body: a replayed body under a new `X-GitHub-Delivery` maps to the
 * same key, and a re-run (same run id, a new deployment) to a new one.
 */
export function decisionKeyOf(
  request: Pick<StoredRequest, 'target' | 'environment' | 'deploymentId'>,
): string {
  const { owner, repo, runId } = request.target;
  const deployment = request.deploymentId === undefined ? 'none' : String(request.deploymentId);
  return `${owner}/${repo}#${runId}@${request.environment}/${deployment}`.toLowerCase();
}

/** A Kubernetes object name for a key: `dg-approval-` and 40 hex digits of its SHA-256 (a valid DNS label). */
export function recordNameOf(key: string): string {
  return `dg-approval-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

/** A new record owned by `owner`. */
export function createRecord(
  request: StoredRequest,
  owner: string,
  nowMs: number,
  leaseMs: number,
  deadlineMs: number,
): DecisionRecord {
  return {
    key: decisionKeyOf(request),
    request,
    owner,
    leaseUntil: nowMs + leaseMs,
    deadline: Date.parse(request.receivedAt) + deadlineMs,
    phase: 'observing',
    takeovers: 0,
  };
}

/** Done, owned by a live lease, or free for anyone to take over. */
export function standingOf(record: DecisionRecord, nowMs: number): RecordStanding {
  if (record.phase === 'done') return { kind: 'done' };
  if (record.leaseUntil > nowMs) return { kind: 'owned', by: record.owner, untilMs: record.leaseUntil };
  return { kind: 'orphaned', by: record.owner };
}

/** The record taken over by `owner` (valid only when `standingOf` said orphaned). */
export function takeOver(
  record: DecisionRecord,
  owner: string,
  nowMs: number,
  leaseMs: number,
): DecisionRecord {
  return { ...record, owner, leaseUntil: nowMs + leaseMs, takeovers: record.takeovers + 1 };
}

/** The lease extended by its owner. */
export function renewLease(record: DecisionRecord, nowMs: number, leaseMs: number): DecisionRecord {
  return { ...record, leaseUntil: nowMs + leaseMs };
}

/** The lease given up (shutdown, or a post to retry later): any replica may take it from `nowMs + afterMs`. */
export function releaseLease(record: DecisionRecord, nowMs: number, afterMs = 0): DecisionRecord {
  return { ...record, leaseUntil: nowMs + afterMs };
}

/** The decision fixed before it is posted: whoever resumes from here posts this one, not a new measurement. */
export function startPosting(
  record: DecisionRecord,
  decision: NonNullable<DecisionRecord['decision']>,
  nowMs: number,
  leaseMs: number,
): DecisionRecord {
  return { ...record, phase: 'posting', decision, leaseUntil: nowMs + leaseMs };
}

/** The record closed with its outcome. */
export function finishRecord(
  record: DecisionRecord,
  outcome: DecisionOutcome,
  nowMs: number,
): DecisionRecord {
  return { ...record, phase: 'done', outcome, doneAt: nowMs, leaseUntil: nowMs };
}

/** True when a finished record has been kept `retentionMs` and can be deleted. */
export function isCollectable(record: DecisionRecord, nowMs: number, retentionMs: number): boolean {
  return record.phase === 'done' && (record.doneAt ?? 0) + retentionMs <= nowMs;
}

/** Parses a stored record; undefined when it is not one (written by something else, or damaged). */
export function parseRecord(text: string): DecisionRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Partial<DecisionRecord>;
  const request = r.request as Partial<StoredRequest> | undefined;
  if (
    typeof r.key !== 'string' ||
    typeof r.owner !== 'string' ||
    typeof r.leaseUntil !== 'number' ||
    typeof r.deadline !== 'number' ||
    (r.phase !== 'observing' && r.phase !== 'posting' && r.phase !== 'done') ||
    typeof request?.environment !== 'string' ||
    typeof request.receivedAt !== 'string' ||
    typeof request.target?.runId !== 'string'
  ) {
    return undefined;
  }
  return { ...(raw as DecisionRecord), takeovers: r.takeovers ?? 0 };
}
