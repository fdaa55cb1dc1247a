import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import {
  InvalidScenarioError,
  createAllowances,
  createScenariosFromFacts,
  formatInputProblem,
  loadFacts,
  REFERENCE_CASES,
  SimulationBudgetError,
  createScenario,
  proposeFix,
  renderComparisonText,
  renderRunManyText,
  renderSimulationJson,
  renderSimulationText,
  renderSweepText,
  renderTimelineSvg,
  runManyCompared,
  describeTrafficWindow,
  simulateOverOneWindow,
  sweepCompared,
  validateScenario,
} from '@draingate/core';
import { readManifestSources } from '@draingate/core/node';
import type {
  Allowances,
  ClusterFacts,
  ScenarioChange,
  ScenarioInput,
  SimulationJsonInput,
  RunManyResult,
  SimulationScenario,
  TimelinePanel,
  TrafficWindow,
} from '@draingate/core';
import type { CliIo } from '../io.js';
import { UsageError, useColour } from '../io.js';
import { oneOf } from '../options.js';
import {
  FLAG_OF_FIELD,
  NUMBER_FLAGS,
  OUTPUTS,
  parseCanarySteps,
  parseIntOrPercent,
  parseNumber,
  parseSweep,
  scenarioOverrides,
  withStrategy,
} from './simulate-flags.js';
import type { SimulateFlags } from './simulate-flags.js';

export { parseCanarySteps, parseSweep } from './simulate-flags.js';
export type { SweepFlag } from './simulate-flags.js';

/** A scenario to simulate and what to call it (a workload, a reference case, or "flags"). */
export interface NamedScenario {
  readonly name: string;
  readonly scenario: SimulationScenario;
  /** What had to be assumed to build it (printed under the report). */
  readonly notes?: readonly string[];
}

/**
 * Turns manifest paths into scenarios (`createManifestLoader` does it with the same loading as `validate`).
 * `overrides` are the scenario flags the user gave; they win over what the manifests say.
 */
export type LoadScenarios = (
  paths: readonly string[],
  overrides: ScenarioInput,
) => Promise<readonly NamedScenario[]>;

function scenarioProblems(named: NamedScenario): UsageError | null {
  const errors = validateScenario(named.scenario);
  if (errors.length === 0) return null;
  const lines = errors.map((error) => `${FLAG_OF_FIELD.get(error.path) ?? error.path}: ${error.message}`);
  return new UsageError(`cannot simulate ${named.name}: ${lines.join('; ')}`);
}

async function scenariosFrom(
  paths: readonly string[],
  flags: SimulateFlags,
  loadScenarios: LoadScenarios | undefined,
): Promise<NamedScenario[]> {
  const overrides = scenarioOverrides(flags);
  let named: NamedScenario[];
  if (paths.length > 0) {
    if (loadScenarios === undefined)
      throw new UsageError('simulating manifests is not available in this build; use flags');
    named = [...(await loadScenarios(paths, overrides))];
    if (named.length === 0) throw new UsageError(`no ALB-backed workload in ${paths.join(', ')}`);
  } else if (flags.reference !== undefined) {
    const reference = REFERENCE_CASES.find((candidate) => candidate.id === flags.reference);
    if (reference === undefined) {
      const ids = REFERENCE_CASES.map((candidate) => candidate.id).join(', ');
      throw new UsageError(`--reference ${flags.reference}: no such reference case; one of ${ids}`);
    }
    named = [
      {
        name: `reference ${reference.id} (${reference.title})`,
        scenario: { ...reference.before, ...overrides },
      },
    ];
  } else {
    named = [{ name: 'the scenario', scenario: createScenario(overrides) }];
  }
  return named.map((entry) => ({ ...entry, scenario: withStrategy(entry.scenario, flags) }));
}

interface Rendered {
  readonly text: string;
  readonly json: SimulationJsonInput;
  readonly panels: TimelinePanel[];
}

function simulateOne(named: NamedScenario, flags: SimulateFlags, colour: boolean): Rendered {
  const options = flags.eventBudget === undefined ? {} : { eventBudget: flags.eventBudget };
  const scenario = named.scenario;
  const fixed = flags.fix === true ? proposeFix(scenario) : undefined;
  // Compared figures count the same requests: one traffic window for the configuration and its fix, long
  // enough for the slower rollout of the two (and of every point of a sweep).
  const compared = fixed === undefined ? [scenario] : [scenario, fixed.scenario];
  const windowLine = (window: TrafficWindow | null | undefined): string =>
    window ? `${describeTrafficWindow(window)}\n` : '';
  if (flags.sweep !== undefined) {
    const { field, from, to } = flags.sweep;
    const { sweeps, window } = sweepCompared(compared, field, from, to, flags.sweepSteps, options);
    const [points = [], fixedPoints] = sweeps;
    let text = renderSweepText(field, points, { colour });
    if (fixedPoints !== undefined)
      text += `\nWith the proposed fix\n${renderSweepText(field, fixedPoints, { colour })}`;
    text += windowLine(window);
    const first = points.find((point) => point.result !== undefined);
    return {
      text,
      json: {
        sweep: { field, points },
        ...(fixedPoints === undefined ? {} : { fixSweep: { field, points: fixedPoints } }),
        ...(window ? { window } : {}),
      },
      panels:
        first?.result === undefined
          ? []
          : [{ label: `${named.name}, ${field} = ${first.value}`, result: first.result }],
    };
  }
  if (flags.runs !== undefined && flags.runs > 1) {
    const [many, fixedMany] = runManyCompared(compared, flags.runs, options) as [
      RunManyResult,
      RunManyResult | undefined,
    ];
    let text = renderRunManyText(many, { colour });
    if (fixedMany !== undefined && fixed !== undefined) {
      text += `\nWith the proposed fix\n${fixed.changes.map(describeChange).join('\n')}\n${renderRunManyText(fixedMany, { colour })}`;
    }
    text += windowLine(many.window);
    const panels: TimelinePanel[] = [];
    const first = many.results[0];
    if (first !== undefined) panels.push({ label: `${named.name}: as configured`, result: first });
    const firstFixed = fixedMany?.results[0];
    if (firstFixed !== undefined)
      panels.push({ label: `${named.name}: with the proposed fix`, result: firstFixed });
    return {
      text,
      json: {
        runs: many,
        ...(fixedMany === undefined ? {} : { fixRuns: fixedMany }),
        ...(many.window ? { window: many.window } : {}),
      },
      panels,
    };
  }
  const {
    results: [result, after],
    window,
  } = simulateOverOneWindow(compared, options);
  if (result === undefined) throw new Error('no result for the scenario');
  if (fixed === undefined || after === undefined) {
    return {
      text:
        renderSimulationText(result, { colour }) +
        (window.extendedFrom === undefined ? '' : windowLine(window)),
      json: { result, window },
      panels: [{ label: named.name, result }],
    };
  }
  return {
    text: renderComparisonText(result, after, fixed.changes, { colour }) + windowLine(window),
    json: { result, fix: { changes: fixed.changes, result: after }, window },
    panels: [
      { label: `${named.name}: as configured`, result },
      { label: `${named.name}: with the proposed fix`, result: after },
    ],
  };
}

function describeChange(change: ScenarioChange): string {
  return `  ${change.field}: ${change.from} → ${change.to}  (${change.why})`;
}

/**
 * The manifest form: reads paths as `validate` does, builds the same facts, and maps each load-balanced workload
 * to a scenario (`createScenariosFromFacts`). Pass it to `registerSimulate`.
 */
export function createManifestLoader(
  io: CliIo,
  options: {
    readonly allowances?: Allowances;
    readonly defaultNamespace?: string;
    /** Cluster facts (`cluster:` of `.draingate.yaml`): which Ingresses and Services are load balanced. */
    readonly cluster?: ClusterFacts;
  } = {},
): LoadScenarios {
  return async (paths, overrides) => {
    const read = await readManifestSources(paths, { cwd: io.cwd, stdin: io.stdin });
    const allowances = options.allowances ?? createAllowances();
    const { facts, problems } = loadFacts(read.sources, {
      allowances,
      ...(options.defaultNamespace === undefined ? {} : { defaultNamespace: options.defaultNamespace }),
      ...(options.cluster ? { cluster: options.cluster } : {}),
    });
    const all = [...read.problems, ...problems];
    if (all.length > 0) throw new UsageError(all.map(formatInputProblem).join('\n'));
    return createScenariosFromFacts(facts, { allowances, overrides });
  };
}

/** Adds `draingate simulate`: predicts the 5xx a rollout will cause, from manifests or from flags. */
export function registerSimulate(program: Command, io: CliIo, loadScenarios?: LoadScenarios): void {
  const command = program
    .command('simulate')
    .description(
      'Predict the 5xx a rolling update behind an ALB will cause: requests by status, latencies, the cause.',
    )
    .argument(
      '[paths...]',
      'manifest files or directories (when this build can load them); otherwise use flags',
    )
    .addOption(
      new Option('-o, --output <format>', `report format: ${OUTPUTS.join(', ')}`)
        .argParser(oneOf(OUTPUTS))
        .default('text'),
    )
    .option(
      '--reference <id>',
      `start from a reference article's configuration: ${REFERENCE_CASES.map((c) => c.id).join(', ')}`,
    )
    .option(
      '--duration <s>',
      'seconds of traffic at least (default, and when shorter: until the slowest rollout compared has settled)',
      parseNumber({ max: 86_400, positive: 'no traffic would run' }),
    )
    .option(
      '--seed <n>',
      'seed of every random draw (default 1)',
      parseNumber({ integer: true, max: 2 ** 31 }),
    )
    .option('--runs <n>', 'run N seeds and report the spread', parseNumber({ integer: true, max: 1000 }))
    .option('--fix', 'also simulate the configuration draingate proposes, side by side')
    .option('--sweep <param=a..b>', 'how failures vary with one parameter, e.g. prestop=0..40', parseSweep)
    .option(
      '--sweep-steps <n>',
      'values the sweep visits (default 9)',
      parseNumber({ integer: true, max: 200 }),
      9,
    )
    .option('--chart <file.svg>', 'write an SVG timeline: targets by state and 5xx per second')
    .option(
      '--event-budget <n>',
      'stop a run after this many events (default 20,000,000)',
      parseNumber({ integer: true }),
    )
    .option('--max-surge <n|%>', 'rolling update maxSurge (default 25%)', parseIntOrPercent)
    .option('--max-unavailable <n|%>', 'rolling update maxUnavailable (default 25%)', parseIntOrPercent)
    .option(
      '--canary <steps>',
      'Argo canary steps instead of a rolling update, e.g. 25,pause30,50,pause30',
      parseCanarySteps,
    )
    .option('--scale-down-delay <s>', 'Argo scaleDownDelaySeconds (default 30)', parseNumber())
    .option('--readiness-gate', 'pods carry the ALB target-health readiness gate')
    .option('--no-readiness-gate', 'pods carry no readiness gate')
    .addOption(
      new Option('--target-type <type>', 'ip or instance (default ip)').argParser(
        oneOf(['ip', 'instance'] as const),
      ),
    )
    .addOption(
      new Option('--prestop-action <action>', 'sleep (native) or exec (default sleep)').argParser(
        oneOf(['sleep', 'exec'] as const),
      ),
    )
    .addOption(
      new Option(
        '--shutdown <behaviour>',
        'what the app does on SIGTERM: stop-accepting, drain, exit (default stop-accepting)',
      ).argParser(oneOf(['stop-accepting', 'drain', 'exit'] as const)),
    )
    .option('--keepalive <s>', "the backend's keep-alive timeout (default: not modelled)", parseNumber())
    .addOption(
      new Option('--arrivals <process>', 'constant or poisson (default constant)').argParser(
        oneOf(['constant', 'poisson'] as const),
      ),
    );
  for (const entry of NUMBER_FLAGS) {
    command.option(
      `--${entry.flag} <n>`,
      entry.help,
      parseNumber({
        ...(entry.integer ? { integer: true } : {}),
        ...(entry.max === undefined ? {} : { max: entry.max }),
        ...(entry.positive === undefined ? {} : { positive: entry.positive }),
      }),
    );
  }
  command
    .addHelpText(
      'after',
      '\nExamples:\n  draingate simulate --replicas 3 --rps 50\n  draingate simulate --reference 000 --fix --chart rollout.svg\n  draingate simulate --prestop 10 --sweep propagation=5..30\n  draingate simulate --replicas 10 --runs 20 --arrivals poisson',
    )
    .action(async (paths: string[], flags: SimulateFlags) => {
      const colour = useColour(io);
      const named = await scenariosFrom(paths, flags, loadScenarios);
      const texts: string[] = [];
      const documents: string[] = [];
      const panels: TimelinePanel[] = [];
      for (const entry of named) {
        const problem = scenarioProblems(entry);
        if (problem !== null) throw problem;
        let rendered: Rendered;
        try {
          rendered = simulateOne(entry, flags, colour && flags.output === 'text');
        } catch (error) {
          if (error instanceof SimulationBudgetError)
            throw new UsageError(`${entry.name}: ${error.message} (--event-budget)`);
          if (error instanceof InvalidScenarioError) throw new UsageError(`${entry.name}: ${error.message}`);
          throw error;
        }
        const notes = (entry.notes ?? []).map((note) => `note: ${note}\n`).join('');
        texts.push(
          named.length > 1 ? `== ${entry.name}\n${rendered.text}${notes}` : `${rendered.text}${notes}`,
        );
        documents.push(renderSimulationJson({ name: entry.name, ...rendered.json }));
        panels.push(...rendered.panels);
      }
      if (flags.output === 'json') {
        io.stdout.write(
          documents.length === 1
            ? (documents[0] ?? '')
            : `[${documents.map((doc) => doc.trim()).join(',\n')}]\n`,
        );
      } else {
        io.stdout.write(texts.join('\n'));
      }
      if (flags.chart !== undefined && panels.length > 0) {
        const path = resolve(io.cwd, flags.chart);
        try {
          await writeFile(path, renderTimelineSvg(panels, { title: 'draingate simulate' }));
        } catch (error) {
          throw new UsageError(
            `--chart ${flags.chart}: cannot write the file (${error instanceof Error ? error.message : String(error)})`,
          );
        }
        if (flags.output === 'text') io.stdout.write(`\nChart written to ${flags.chart}\n`);
      }
    });
}
