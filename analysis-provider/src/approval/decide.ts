import type { Verdict } from '@draingate/core';
import type { EnvironmentPolicy } from './policy.js';

/** What the gate tells GitHub. */
export type ReviewState = 'approved' | 'rejected';

/** A decision and why, before it is rendered. */
export interface Decision {
  readonly state: ReviewState;
  /** One sentence: the outcome and the rule that produced it. */
  readonly summary: string;
  readonly verdicts: readonly Verdict[];
}

/**
 * The decision for an environment from its verdicts: any Failed rejects; any Error (a check that could not
 * measure, after the retries the policy allows) rejects; Inconclusive follows `onInconclusive`; all
 * Successful approves.
 */
export function decide(verdicts: readonly Verdict[], policy: EnvironmentPolicy, attempts = 1): Decision {
  const count = (phase: Verdict['phase']): number => verdicts.filter((v) => v.phase === phase).length;
  const failed = count('Failed');
  const errors = count('Error');
  const inconclusive = count('Inconclusive');
  const total = verdicts.length;
  const of = (n: number): string => `${n} of ${total} check${total === 1 ? '' : 's'}`;
  if (failed > 0) {
    return { state: 'rejected', summary: `${of(failed)} failed.`, verdicts };
  }
  if (errors > 0) {
    const tried = attempts > 1 ? ` after ${attempts} attempts` : '';
    return { state: 'rejected', summary: `${of(errors)} could not measure${tried}.`, verdicts };
  }
  if (inconclusive > 0) {
    return policy.onInconclusive === 'approve'
      ? {
          state: 'approved',
          summary: `${of(inconclusive)} inconclusive, approved as the policy says (onInconclusive: approve).`,
          verdicts,
        }
      : {
          state: 'rejected',
          summary: `${of(inconclusive)} inconclusive (onInconclusive: reject).`,
          verdicts,
        };
  }
  return { state: 'approved', summary: `${of(total)} passed.`, verdicts };
}

/** A rejection without measuring: the environment has no policy (or not for this repository). */
export function decideUnknownEnvironment(environment: string, repository: string): Decision {
  return {
    state: 'rejected',
    summary: `draingate has no policy for environment ${JSON.stringify(environment)} of ${repository}; add one to the approval policy.`,
    verdicts: [],
  };
}
