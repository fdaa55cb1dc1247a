import { createVerdict } from '@draingate/core';
import type { Verdict } from '@draingate/core';
import type { CheckPorts } from '../api/run-check.js';
import { runCheck } from '../api/run-check.js';
import type { CheckName } from '../api/schemas.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import { raceSignal } from '../upstream/signals.js';
import {
  renderDecisionComment,
  renderObservingComment,
  renderProgressComment,
  renderRetryComment,
  renderShadowComment,
} from './comment.js';
import { decide, decideUnknownEnvironment } from './decide.js';
import type { Decision } from './decide.js';
import {
  createRecord,
  finishRecord,
  isCollectable,
  recordNameOf,
  releaseLease,
  renewLease,
  standingOf,
  startPosting,
  takeOver,
} from './decision-record.js';
import type { DecisionOutcome, DecisionRecord, StoredRequest } from './decision-record.js';
import type { DecisionStore, StoredRecord } from './decision-store.js';
import { isAlreadyDecided } from './github-client.js';
import type { ReviewSender } from './github-client.js';
import type { ReviewTarget } from './payload.js';
import { findEnvironmentPolicy, toCheckInput } from './policy.js';
import type { ApprovalPolicy, EnvironmentPolicy, PolicyCheck } from './policy.js';

/** One `deployment_protection_rule` request, verified and parsed. */
export interface ProtectionRuleRequest {
  readonly deliveryId: string;
  readonly environment: string;
  /** `owner/repo`. */
  readonly repository: string;
  readonly target: ReviewTarget;
  /** When the webhook arrived: the observation starts here, and an `elb-5xx` baseline ends here. */
  readonly receivedAt: Date;
  /** `deployment.id` of the payload: a re-run of the same run has a new one. */
  readonly deploymentId?: number;
  readonly sha?: string;
  readonly ref?: string;
}

/**
 * What became of a request: this replica decides it (`accepted`, also when it took over an abandoned one); a
 * decision for the same deployment exists (`duplicate`: another replica works on it or it was answered); the
 * environment is unknown and the policy ignores it (`ignored`); too many decisions are pending here
 * (`overloaded`); the decision store cannot be reached, so nothing was recorded (`unavailable`).
 */
export type SubmitResult = 'accepted' | 'duplicate' | 'ignored' | 'overloaded' | 'unavailable';

/** What the gate needs. */
export interface ApprovalGateOptions {
  /** The policy in force now (it may be reloaded while the gate runs). */
  readonly policy: () => ApprovalPolicy;
  readonly ports: CheckPorts;
  readonly sender: ReviewSender;
  readonly store: DecisionStore;
  /** This replica's name in the store (the pod name). */
  readonly replicaId: string;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  /** How long a replica's claim on a decision lasts without renewal; renewed every third of it. */
  readonly leaseMs?: number;
  /** How often every replica looks for decisions to take over and records to delete (default leaseMs / 2). */
  readonly sweepMs?: number;
  /** How long answered decisions are kept (redeliveries within it are duplicates). */
  readonly retentionMs?: number;
  /** Wait between tries of a store write that could not reach the store, and of a failed post. */
  readonly retryMs?: number;
  /** Wait before a failed post is tried again (default: a tenth of the time left to the deadline, 2–60 s). */
  readonly postRetryMs?: number;
  /** Decisions being prepared at once on this replica; more are refused (the webhook answers 503). */
  readonly maxPending?: number;
  /** One measurement's deadline. */
  readonly checkTimeoutMs?: number;
}

/** A replica that lost its claim (another took the decision over): it stops without posting. */
class LostClaim extends Error {
  override readonly name = 'LostClaim';
}

/** One decision this replica works on: the latest stored version, and how to stop it. */
interface Claim {
  current: StoredRecord;
  readonly stop: AbortController;
  /** Writes go one after another, so a renewal never races a step on the same version. */
  writes: Promise<unknown>;
  /** The review is on its way to GitHub: a shutdown lets it finish rather than have another replica send it again. */
  posting: boolean;
}

const DAY_MS = 86_400_000;
/** How long a shutdown waits for reviews already being sent. */
const POSTING_GRACE_MS = 10_000;

/**
 * The approval gate. Each deployment's decision is one record in a shared store, created by whichever replica
 * got the webhook first; that replica owns it while it renews its lease, waits the observation time, measures,
 * fixes the decision in the record (`posting`), posts it and closes the record (`done`). Every replica sweeps
 * the store: it takes over a decision whose owner's lease expired (a crash, a kill, a rolling restart) from the
 * phase it was left in, and deletes answered records after the retention. A post GitHub answers with 422 "no
 * pending rule" closes the record as already decided.
 */
export class ApprovalGate {
  readonly #claims = new Map<string, Claim>();
  readonly #running = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  #sweeper: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;
  #storeDown = false;
  #closing = false;
  readonly #leaseMs: number;
  readonly #retryMs: number;

  constructor(private readonly options: ApprovalGateOptions) {
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#retryMs = options.retryMs ?? 2_000;
  }

  /** Decisions this replica is working on. */
  get pending(): number {
    return this.#claims.size;
  }

  #now(): number {
    return this.options.ports.clock.now().getTime();
  }

  /** Starts sweeping the store: at once (to resume what a previous replica left), then every `sweepMs`. */
  start(): void {
    if (this.#sweeper) return;
    void this.sweep();
    this.#sweeper = setInterval(() => void this.sweep(), this.options.sweepMs ?? this.#leaseMs / 2);
    this.#sweeper.unref();
  }

  /** Records the request and starts deciding it, unless a decision for its deployment exists. */
  async submit(request: ProtectionRuleRequest): Promise<SubmitResult> {
    const { logger, store } = this.options;
    const environment = findEnvironmentPolicy(this.options.policy(), request.environment, request.repository);
    if (!environment && this.options.policy().unknownEnvironments === 'ignore') {
      logger.info('approval request ignored: no policy for the environment', {
        deliveryId: request.deliveryId,
        repository: request.repository,
        environment: request.environment,
      });
      return 'ignored';
    }
    if (this.#claims.size >= (this.options.maxPending ?? 256)) return 'overloaded';
    const stored: StoredRequest = {
      deliveryId: request.deliveryId,
      environment: request.environment,
      repository: request.repository,
      target: request.target,
      receivedAt: request.receivedAt.toISOString(),
      ...(request.deploymentId === undefined ? {} : { deploymentId: request.deploymentId }),
      ...(request.sha === undefined ? {} : { sha: request.sha }),
      ...(request.ref === undefined ? {} : { ref: request.ref }),
    };
    const deadlineMs = (environment?.deadlineMinutes ?? 120) * 60_000;
    const record = createRecord(stored, this.options.replicaId, this.#now(), this.#leaseMs, deadlineMs);
    const name = recordNameOf(record.key);
    if (this.#claims.has(name)) return 'duplicate';
    try {
      const created = await store.create(name, record, this.#stop.signal);
      if (created !== 'exists') {
        this.#drive(created);
        return 'accepted';
      }
      const existing = await store.read(name, this.#stop.signal);
      if (!existing) return 'duplicate';
      return (await this.#tryTakeOver(existing)) ? 'accepted' : 'duplicate';
    } catch (error) {
      logger.warn('approval request not recorded: the decision store is unreachable', {
        deliveryId: request.deliveryId,
        store: store.description,
        error: describe(error),
      });
      return 'unavailable';
    }
  }

  /** Takes over `existing` when its owner's lease expired; true when this replica now decides it. */
  async #tryTakeOver(existing: StoredRecord): Promise<boolean> {
    const standing = standingOf(existing.record, this.#now());
    if (this.#closing || standing.kind !== 'orphaned' || this.#claims.has(existing.name)) return false;
    const taken = await this.options.store.replace(
      existing.name,
      takeOver(existing.record, this.options.replicaId, this.#now(), this.#leaseMs),
      existing.version,
      this.#stop.signal,
    );
    if (taken === 'conflict') return false;
    this.options.logger.info('approval decision taken over', {
      key: existing.record.key,
      from: standing.by,
      phase: existing.record.phase,
      deliveryId: existing.record.request.deliveryId,
    });
    this.#drive(taken);
    return true;
  }

  /**
   * One pass over the store: take over orphaned decisions, delete answered ones past the retention, count the
   * pending ones for the gauge. A store that cannot be reached is logged once per outage.
   */
  sweep(): Promise<void> {
    this.#sweeping ??= this.#sweepOnce().finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  async #sweepOnce(): Promise<void> {
    const { store, logger, telemetry } = this.options;
    const retentionMs = this.options.retentionMs ?? 7 * DAY_MS;
    try {
      const records = await store.list(this.#stop.signal);
      if (this.#storeDown) logger.info('decision store reachable again', { store: store.description });
      this.#storeDown = false;
      telemetry.setPendingDecisions('store', records.filter((r) => r.record.phase !== 'done').length);
      for (const existing of records) {
        if (this.#stop.signal.aborted) return;
        if (isCollectable(existing.record, this.#now(), retentionMs)) {
          if (await store.remove(existing.name, existing.version, this.#stop.signal))
            logger.debug('approval record deleted', {
              key: existing.record.key,
              outcome: existing.record.outcome,
            });
          continue;
        }
        if (this.#claims.size >= (this.options.maxPending ?? 256)) continue;
        await this.#tryTakeOver(existing);
      }
    } catch (error) {
      if (this.#stop.signal.aborted) return;
      if (!this.#storeDown)
        logger.warn('decision store unreachable: pending decisions wait for it', {
          store: store.description,
          error: describe(error),
        });
      this.#storeDown = true;
    }
  }

  /** Resolves when no decision is being worked on here (tests). */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /**
   * Stops: every decision this replica holds is released (lease expired at once), so another replica takes it
   * over on its next sweep and carries on from the same phase. Nothing is lost; at worst nothing is released
   * (store unreachable) and the others wait out the lease.
   */
  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#closing = true;
    const claims = [...this.#claims.values()];
    const reason = new Error('the provider is shutting down');
    for (const claim of claims) if (!claim.posting) claim.stop.abort(reason);
    // A review already on its way is let finish (GitHub's own timeout bounds it), then everything stops.
    const grace = new Promise((resolve) => setTimeout(resolve, POSTING_GRACE_MS).unref());
    await Promise.race([this.whenIdle(), grace]);
    this.#stop.abort(reason);
    await this.whenIdle();
    await Promise.allSettled(
      claims.map(async (claim) => {
        await claim.writes.catch(() => undefined);
        const { name, record, version } = claim.current;
        if (record.phase === 'done') return;
        await this.options.store.replace(
          name,
          releaseLease(record, this.#now()),
          version,
          AbortSignal.timeout(2000),
        );
      }),
    );
    this.options.telemetry.setPendingDecisions('replica', 0);
  }

  #drive(stored: StoredRecord): void {
    const stop = new AbortController();
    const onStop = (): void => stop.abort(this.#stop.signal.reason);
    this.#stop.signal.addEventListener('abort', onStop, { once: true });
    const claim: Claim = { current: stored, stop, writes: Promise.resolve(), posting: false };
    this.#claims.set(stored.name, claim);
    this.options.telemetry.setPendingDecisions('replica', this.#claims.size);
    const renewEvery = Math.max(50, this.#leaseMs / 3);
    const renewer = setInterval(() => {
      void this.#write(claim, (record) => renewLease(record, this.#now(), this.#leaseMs), false).catch(
        () => undefined,
      );
    }, renewEvery);
    renewer.unref();
    const run = this.#decide(claim)
      .catch((error: unknown) => this.#abandon(claim, error))
      .finally(() => {
        clearInterval(renewer);
        this.#stop.signal.removeEventListener('abort', onStop);
        this.#claims.delete(stored.name);
        this.options.telemetry.setPendingDecisions('replica', this.#claims.size);
        this.#running.delete(run);
      });
    this.#running.add(run);
  }

  /**
   * Writes `change(current)` at the current version. `persist`: retry while the store cannot be reached (a step
   * must land before the next one); otherwise one try (a renewal; the next one comes soon). A conflict means
   * another replica took the decision: the claim stops.
   */
  #write(
    claim: Claim,
    change: (record: DecisionRecord) => DecisionRecord,
    persist = true,
  ): Promise<StoredRecord> {
    const attempt = async (): Promise<StoredRecord> => {
      for (;;) {
        claim.stop.signal.throwIfAborted();
        try {
          const written = await this.options.store.replace(
            claim.current.name,
            change(claim.current.record),
            claim.current.version,
            claim.stop.signal,
          );
          if (written === 'conflict') {
            const lost = new LostClaim('another replica took the decision over');
            claim.stop.abort(lost);
            throw lost;
          }
          claim.current = written;
          return written;
        } catch (error) {
          if (error instanceof LostClaim || claim.stop.signal.aborted || !persist) throw error;
          await this.options.ports.clock.sleep(this.#retryMs, claim.stop.signal);
        }
      }
    };
    const next = claim.writes.catch(() => undefined).then(attempt);
    claim.writes = next;
    return next;
  }

  async #decide(claim: Claim): Promise<void> {
    const { record } = claim.current;
    if (record.phase === 'done') return;
    if (record.phase === 'observing') await this.#observeAndDecide(claim);
    await this.#post(claim);
  }

  /** Waits out the observation, measures (retrying as the policy says), and fixes the decision in the record. */
  async #observeAndDecide(claim: Claim): Promise<void> {
    const { record } = claim.current;
    const { request } = record;
    const signal = claim.stop.signal;
    const environment = findEnvironmentPolicy(this.options.policy(), request.environment, request.repository);
    const receivedAt = new Date(request.receivedAt);
    let decision: Decision;
    let comment: string;
    if (!environment) {
      decision = decideUnknownEnvironment(request.environment, request.repository);
      comment = renderDecisionComment(decision, request.environment);
    } else {
      const measureAt = receivedAt.getTime() + environment.observeSeconds * 1000;
      // Posted by the replica that created the record, never again by one that takes it over (no write needed:
      // at worst a replica dies before posting it and there is no first comment).
      if (environment.interimComments && record.takeovers === 0) {
        await this.#comment(
          claim,
          renderObservingComment(
            request.environment,
            environment.checks.map((c) => c.check),
            new Date(measureAt),
            new Date(record.deadline),
            environment.dryRun,
          ),
        );
      }
      const measured = await this.#measure(claim, environment, measureAt);
      decision = measured
        ? decide(measured.verdicts, environment, measured.attempts)
        : {
            state: 'rejected',
            summary: `no decision within the answer deadline (deadlineMinutes: ${environment.deadlineMinutes}).`,
            verdicts: [],
          };
      if (measured)
        for (const v of measured.verdicts) this.options.telemetry.observeVerdict(v.check, v.phase);
      comment = environment.dryRun
        ? renderShadowComment(decision, request.environment)
        : renderDecisionComment(decision, request.environment);
      if (environment.dryRun) {
        this.options.logger.info('approval shadow verdict', {
          key: record.key,
          deliveryId: request.deliveryId,
          wouldBe: decision.state,
          summary: decision.summary,
        });
        decision = { ...decision, state: 'approved' };
      }
    }
    signal.throwIfAborted();
    await this.#write(claim, (current) =>
      startPosting(current, { state: decision.state, comment }, this.#now(), this.#leaseMs),
    );
    this.options.logger.info('approval decision made', {
      key: record.key,
      deliveryId: request.deliveryId,
      state: decision.state,
      summary: decision.summary,
      checks: decision.verdicts.map((v) => ({
        check: v.check,
        phase: v.phase,
        value: v.value,
        threshold: v.threshold,
      })),
    });
  }

  /** A status comment (no state); a failure to post one is logged and otherwise ignored. */
  async #comment(claim: Claim, comment: string): Promise<void> {
    const { request } = claim.current.record;
    try {
      await this.options.sender.sendReview(
        request.target,
        { environmentName: request.environment, comment },
        claim.stop.signal,
      );
    } catch (error) {
      if (claim.stop.signal.aborted) throw error;
      this.options.logger.warn('approval status comment not posted', {
        key: claim.current.record.key,
        error: describe(error),
      });
    }
  }

  /**
   * Sleeps until `measureAt`, then measures; with `onUpstreamError: retry` measures again while any check errs,
   * posting the numbers so far. Undefined when the deadline passes first.
   */
  async #measure(
    claim: Claim,
    environment: EnvironmentPolicy,
    measureAt: number,
  ): Promise<{ verdicts: Verdict[]; attempts: number } | undefined> {
    const { clock } = this.options.ports;
    const { request, deadline } = claim.current.record;
    const signal = claim.stop.signal;
    const until = (at: number): Promise<void> =>
      clock.sleep(Math.max(0, Math.min(at, deadline) - this.#now()), signal);
    const measureAll = (): Promise<Verdict[]> =>
      Promise.all(
        environment.checks.map((check) => this.#measureOne(check, new Date(request.receivedAt), signal)),
      );
    // A long observation reports the numbers so far every `interimEverySeconds`, without deciding on them.
    const every = environment.interimEverySeconds * 1000;
    if (environment.interimComments && every > 0) {
      for (let next = this.#now() + every; next < measureAt && next < deadline; next += every) {
        await until(next);
        await this.#comment(
          claim,
          renderProgressComment(request.environment, await measureAll(), new Date(measureAt)),
        );
      }
    }
    await until(measureAt);
    const allowed = environment.onUpstreamError === 'retry' ? environment.retry.attempts : 1;
    for (let attempt = 1; ; attempt += 1) {
      if (this.#now() >= deadline) return undefined;
      const verdicts = await measureAll();
      const errors = verdicts.filter((verdict) => verdict.phase === 'Error');
      if (errors.length === 0 || attempt >= allowed) return { verdicts, attempts: attempt };
      this.options.logger.warn('approval check could not measure: measuring again', {
        deliveryId: request.deliveryId,
        environment: request.environment,
        attempt,
        of: allowed,
        reasons: errors.map((verdict) => verdict.reason),
      });
      if (environment.interimComments)
        await this.#comment(
          claim,
          renderRetryComment(request.environment, verdicts, attempt, allowed, environment.retry.delaySeconds),
        );
      await until(this.#now() + environment.retry.delaySeconds * 1000);
    }
  }

  /** Posts the decision fixed in the record and closes it; a failed post is retried until the deadline. */
  async #post(claim: Claim): Promise<void> {
    const { logger, telemetry, sender } = this.options;
    const { record } = claim.current;
    const { request } = record;
    const decision = record.decision;
    if (!decision) throw new Error(`record ${record.key} is posting without a decision`);
    const where = {
      key: record.key,
      deliveryId: request.deliveryId,
      repository: request.repository,
      runId: request.target.runId,
      environment: request.environment,
      ...(request.sha === undefined ? {} : { sha: request.sha }),
    };
    let outcome: DecisionOutcome;
    claim.posting = true;
    try {
      await sender.sendReview(
        request.target,
        { environmentName: request.environment, state: decision.state, comment: decision.comment },
        claim.stop.signal,
      );
      outcome = decision.state;
      logger.info('approval decision sent', {
        ...where,
        state: decision.state,
        ms: this.#now() - Date.parse(request.receivedAt),
      });
    } catch (error) {
      if (claim.stop.signal.aborted) throw error;
      if (isAlreadyDecided(error)) {
        outcome = 'already-decided';
        logger.info('approval decision already made: GitHub has no pending rule for the run', where);
      } else if (this.#now() + this.#retryMs < record.deadline) {
        // Let any replica retry after a while: the lease released into the future.
        const retryInMs =
          this.options.postRetryMs ??
          Math.max(this.#retryMs, Math.min(60_000, (record.deadline - this.#now()) / 10));
        await this.#write(claim, (current) => releaseLease(current, this.#now(), retryInMs));
        logger.warn('approval decision not sent yet: retrying', {
          ...where,
          retryInSeconds: Math.round(retryInMs / 1000),
          error: describe(error),
        });
        telemetry.observeDecision('retrying');
        return;
      } else {
        outcome = 'failed';
        logger.error('approval decision NOT sent before the deadline', { ...where, error: describe(error) });
      }
    }
    await this.#write(claim, (current) => finishRecord(current, outcome, this.#now()));
    claim.posting = false;
    telemetry.observeDecision(outcome);
  }

  #abandon(claim: Claim, error: unknown): void {
    const key = claim.current.record.key;
    if (error instanceof LostClaim || claim.stop.signal.reason instanceof LostClaim) {
      this.options.logger.info('approval decision continued by another replica', { key });
      return;
    }
    if (this.#closing) {
      this.options.telemetry.observeDecision('handed-over');
      this.options.logger.info('approval decision handed over at shutdown', {
        key,
        phase: claim.current.record.phase,
      });
      return;
    }
    this.options.telemetry.observeDecision('failed');
    this.options.logger.error('approval decision stopped', { key, error: describe(error) });
  }

  /** One check's verdict; a check that cannot run (no Kubernetes API, a deadline) is an Error verdict. */
  async #measureOne(check: PolicyCheck, requestedAt: Date, stop: AbortSignal): Promise<Verdict> {
    const { ports } = this.options;
    const timeoutMs = this.options.checkTimeoutMs ?? 60_000;
    const signal = AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]);
    try {
      return await raceSignal(runCheck(ports, toCheckInput(check, requestedAt), signal), signal);
    } catch (error) {
      if (stop.aborted) throw stop.reason;
      const reason = signal.aborted
        ? `could not measure: no answer within ${timeoutMs / 1000} s.`
        : `could not measure: ${error instanceof Error ? error.message : String(error)}`;
      return createVerdict(
        check.check satisfies CheckName,
        'Error',
        { value: 0, threshold: 0, reason, details: {} },
        ports.clock.now(),
      );
    }
  }
}

function describe(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 500);
}
