// Records the adapters' onCall reports so tests can assert how many AWS calls a read made.

import type { AwsCallHook, AwsCallOutcome, AwsService } from '../../src/index.js';

export interface RecordedCall {
  readonly service: AwsService;
  readonly operation: string;
  readonly outcome: AwsCallOutcome;
  readonly ms: number;
}

export interface CallRecorder {
  readonly calls: RecordedCall[];
  readonly onCall: AwsCallHook;
  /** Calls of `operation` (with `outcome`, when given). */
  count(operation: string, outcome?: AwsCallOutcome): number;
  /** `{ operation: n }` of every call so far. */
  tally(): Record<string, number>;
  reset(): void;
}

export function recordCalls(): CallRecorder {
  const calls: RecordedCall[] = [];
  return {
    calls,
    onCall: (service, operation, outcome, ms) => calls.push({ service, operation, outcome, ms }),
    count: (operation, outcome) =>
      calls.filter((c) => c.operation === operation && (outcome === undefined || c.outcome === outcome))
        .length,
    tally: () => {
      const out: Record<string, number> = {};
      for (const c of calls) out[c.operation] = (out[c.operation] ?? 0) + 1;
      return out;
    },
    reset: () => {
      calls.length = 0;
    },
  };
}
