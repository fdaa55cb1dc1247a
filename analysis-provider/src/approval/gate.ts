import { createVerdict } from '@draingate/core';
import type { Verdict } from '@draingate/core';
import type { CheckPorts } from '../api/run-check.js';
import { runCheck } from '../api/run-check.js';
import type { CheckName } from '../api/schemas.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import { raceSignal } from '../upstream/signals.js';
import { renderDecisionComment } from './comment.js';
import { decide, decideUnknownEnvironment } from './decide.js';
import type { Decision } from './decide.js';
import { ExpiringMap } from './expiring-map.js';
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
  readonly sha?: string;
  readonly ref?: string;
}

/**
 * What became of a request: a decision is on its way (`accepted`), one already is or was sent for this run
 * and environment (`duplicate`), the environment is unknown and the policy ignores it (`ignored`), or too many
 * decisions are pending (`overloaded`).
 */
export type SubmitResult = 'accepted' | 'duplicate' | 'ignored' | 'overloaded';

/** What the gate needs. */
export interface ApprovalGateOptions {
  readonly policy: ApprovalPolicy;
  readonly ports: CheckPorts;
  readonly sender: ReviewSender;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  /** Decisions being prepared at once; more are refused (the webhook answers 503). */
  readonly maxPending?: number;
  /** Remember sent decisions this long (redeliveries within it send nothing), at most `maxDecisions`. */
  readonly decisionTtlMs?: number;
  readonly maxDecisions?: number;
  /** One measurement's deadline. */
  readonly checkTimeoutMs?: number;
  /** Called when a decision could not be sent, so that a redelivery of the same webhook may try again. */
  readonly onAbandoned?: (request: ProtectionRuleRequest) => void;
}

type DecisionRecord = 'pending' | 'sent';

function decisionKey(request: ProtectionRuleRequest): string {
  const { owner, repo, runId } = request.target;
  return `${owner}/${repo}#${runId}@${request.environment}`.toLowerCase();
}

/**
 * The approval gate: takes verified protection-rule requests, measures the environment's checks after its
 * observation time (asynchronously: the webhook has long been answered), decides, and sends the decision to
 * GitHub once per run and environment.
 */
export class ApprovalGate {
  readonly #decisions: ExpiringMap<DecisionRecord>;
  readonly #running = new Set<Promise<void>>();
  readonly #stop = new AbortController();

  constructor(private readonly options: ApprovalGateOptions) {
    const clock = options.ports.clock;
    this.#decisions = new ExpiringMap(
      options.decisionTtlMs ?? 7 * 86_400_000,
      options.maxDecisions ?? 10_000,
      () => clock.now().getTime(),
    );
  }

  /** Decisions being prepared or sent now. */
  get pending(): number {
    return this.#running.size;
  }

  /** Starts the decision for `request` unless one exists for its run and environment. Never waits. */
  submit(request: ProtectionRuleRequest): SubmitResult {
    const environment = findEnvironmentPolicy(this.options.policy, request.environment, request.repository);
    if (!environment && this.options.policy.unknownEnvironments === 'ignore') {
      this.options.logger.info('approval request ignored: no policy for the environment', {
        deliveryId: request.deliveryId,
        repository: request.repository,
        environment: request.environment,
      });
      return 'ignored';
    }
    const key = decisionKey(request);
    if (this.#decisions.has(key)) return 'duplicate';
    if (this.#running.size >= (this.options.maxPending ?? 256)) return 'overloaded';
    this.#decisions.set(key, 'pending');
    const run = this.#run(request, environment, key).finally(() => this.#running.delete(run));
    this.#running.add(run);
    return 'accepted';
  }

  /** Resolves when no decision is pending (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Abandons the pending decisions: GitHub keeps waiting; redelivering the webhook starts them again. */
  async close(): Promise<void> {
    this.#stop.abort(new Error('the provider is shutting down'));
    await this.whenIdle();
  }

  async #run(
    request: ProtectionRuleRequest,
    environment: EnvironmentPolicy | undefined,
    key: string,
  ): Promise<void> {
    const { logger, telemetry, sender } = this.options;
    const signal = this.#stop.signal;
    const started = performance.now();
    const where = {
      deliveryId: request.deliveryId,
      repository: request.repository,
      runId: request.target.runId,
      environment: request.environment,
      ...(request.sha === undefined ? {} : { sha: request.sha }),
    };
    try {
      let decision: Decision;
      let attempts = 0;
      if (environment) {
        const measured = await this.#measure(environment, request, signal);
        attempts = measured.attempts;
        decision = decide(measured.verdicts, environment, attempts);
      } else {
        decision = decideUnknownEnvironment(request.environment, request.repository);
      }
      const comment = renderDecisionComment(decision, request.environment);
      await sender.sendReview(
        request.target,
        { environmentName: request.environment, state: decision.state, comment },
        signal,
      );
      this.#decisions.set(key, 'sent');
      telemetry.observeDecision(decision.state);
      logger.info('approval decision sent', {
        ...where,
        state: decision.state,
        summary: decision.summary,
        attempts,
        checks: decision.verdicts.map((v) => ({
          check: v.check,
          phase: v.phase,
          value: v.value,
          threshold: v.threshold,
        })),
        ms: Math.round(performance.now() - started),
      });
    } catch (error) {
      this.#decisions.delete(key);
      this.options.onAbandoned?.(request);
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (signal.aborted) {
        telemetry.observeDecision('abandoned');
        logger.warn('approval decision abandoned at shutdown: redeliver the webhook', where);
        return;
      }
      telemetry.observeDecision('failed');
      logger.error('approval decision NOT sent: redeliver the webhook once GitHub answers', {
        ...where,
        error: message.slice(0, 500),
      });
    }
  }

  /** Waits the observation time, then measures; with `onUpstreamError: retry` measures again while any errs. */
  async #measure(
    environment: EnvironmentPolicy,
    request: ProtectionRuleRequest,
    signal: AbortSignal,
  ): Promise<{ verdicts: Verdict[]; attempts: number }> {
    const { clock } = this.options.ports;
    await clock.sleep(environment.observeSeconds * 1000, signal);
    const allowed = environment.onUpstreamError === 'retry' ? environment.retry.attempts : 1;
    for (let attempt = 1; ; attempt += 1) {
      const verdicts = await Promise.all(
        environment.checks.map((check) => this.#measureOne(check, request.receivedAt, signal)),
      );
      const errors = verdicts.filter((verdict) => verdict.phase === 'Error');
      if (errors.length === 0 || attempt >= allowed) return { verdicts, attempts: attempt };
      this.options.logger.warn('approval check could not measure: measuring again', {
        deliveryId: request.deliveryId,
        environment: request.environment,
        attempt,
        of: allowed,
        reasons: errors.map((verdict) => verdict.reason),
      });
      await clock.sleep(environment.retry.delaySeconds * 1000, signal);
    }
  }

  /** One check's verdict; a check that cannot run (no Kubernetes API, a deadline) is an Error verdict. */
  async #measureOne(check: PolicyCheck, requestedAt: Date, stop: AbortSignal): Promise<Verdict> {
    const { ports, telemetry } = this.options;
    const timeoutMs = this.options.checkTimeoutMs ?? 60_000;
    const signal = AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]);
    try {
      const verdict = await raceSignal(runCheck(ports, toCheckInput(check, requestedAt), signal), signal);
      telemetry.observeVerdict(verdict.check, verdict.phase);
      return verdict;
    } catch (error) {
      if (stop.aborted) throw stop.reason;
      const reason = signal.aborted
        ? `could not measure: no answer within ${timeoutMs / 1000} s.`
        : `could not measure: ${error instanceof Error ? error.message : String(error)}`;
      telemetry.observeVerdict(check.check, 'Error');
      return createVerdict(
        check.check satisfies CheckName,
        'Error',
        { value: 0, threshold: 0, reason, details: {} },
        ports.clock.now(),
      );
    }
  }
}
