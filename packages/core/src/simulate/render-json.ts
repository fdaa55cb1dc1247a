import type { ProposedFix } from './fix.js';
import type { SimulationResult } from './result.js';
import type { RunManyResult, SweepPoint } from './sweep.js';
import type { TrafficWindow } from './window.js';

/** Version of the simulation JSON document; bumped on any incompatible change. */
export const SIMULATION_JSON_SCHEMA = 'draingate.simulation/v1';

/** The JSON document of `draingate simulate --output json`. */
export interface SimulationDocument {
  readonly schema: typeof SIMULATION_JSON_SCHEMA;
  /** What was simulated: a workload (`Deployment shop/web`), a reference case, or the flags. */
  readonly name?: string;
  readonly result?: SimulationResult;
  readonly fix?: { readonly changes: ProposedFix['changes']; readonly result: SimulationResult };
  readonly runs?: RunsDocument;
  readonly sweep?: SweepDocument;
  readonly fixRuns?: RunsDocument;
  readonly fixSweep?: SweepDocument;
  /** The traffic window compared results share (`--fix`, `--sweep`), and why it is that long. */
  readonly window?: TrafficWindow;
}

type RunsDocument = Omit<RunManyResult, 'results'> & {
  readonly results: readonly Omit<SimulationResult, 'timeline'>[];
};
type SweepDocument = {
  readonly field: string;
  readonly points: readonly (
    { value: number; result: Omit<SimulationResult, 'timeline'> } | { value: number; skipped: string }
  )[];
};

function withoutTimeline(result: SimulationResult): Omit<SimulationResult, 'timeline'> {
  const { timeline: _timeline, ...rest } = result;
  return rest;
}

/** What to put in the document; every part is optional. */
export interface SimulationJsonInput {
  readonly name?: string;
  readonly result?: SimulationResult;
  readonly fix?: { readonly changes: ProposedFix['changes']; readonly result: SimulationResult };
  readonly runs?: RunManyResult;
  readonly sweep?: { readonly field: string; readonly points: readonly SweepPoint[] };
  /** The same runs or sweep of the fixed scenario (`--fix`). */
  readonly fixRuns?: RunManyResult;
  readonly fixSweep?: { readonly field: string; readonly points: readonly SweepPoint[] };
  readonly window?: TrafficWindow;
}

function runsDocument(runs: RunManyResult): RunsDocument {
  return { ...runs, results: runs.results.map(withoutTimeline) };
}

function sweepDocument(sweep: {
  readonly field: string;
  readonly points: readonly SweepPoint[];
}): SweepDocument {
  return {
    field: sweep.field,
    points: sweep.points.map((point) =>
      point.result === undefined
        ? { value: point.value, skipped: point.skipped }
        : { value: point.value, result: withoutTimeline(point.result) },
    ),
  };
}

/** The versioned JSON document, pretty-printed. Runs and sweep points leave their timelines out to stay small. */
export function renderSimulationJson(input: SimulationJsonInput): string {
  const document: SimulationDocument = {
    schema: SIMULATION_JSON_SCHEMA,
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.result === undefined ? {} : { result: input.result }),
    ...(input.fix === undefined ? {} : { fix: input.fix }),
    ...(input.runs === undefined ? {} : { runs: runsDocument(input.runs) }),
    ...(input.sweep === undefined ? {} : { sweep: sweepDocument(input.sweep) }),
    ...(input.fixRuns === undefined ? {} : { fixRuns: runsDocument(input.fixRuns) }),
    ...(input.fixSweep === undefined ? {} : { fixSweep: sweepDocument(input.fixSweep) }),
    ...(input.window === undefined ? {} : { window: input.window }),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
