import {
  GATE_PARAMETERS,
  InputError,
  gateCanaryOf,
  describeGrammar,
  ParameterError,
  parseWorkloadRef,
  readParameters,
  ROLLBACK_PARAMETERS,
} from '@draingate/core';
import type { FailOn, GateSettings, Parameter } from '@draingate/core';

/** The commands the action runs. */
export type ActionCommand = 'validate' | 'gate' | 'rollback';

/** Reads one input by its action.yml name; '' when not given (the runner's convention). */
export type InputReader = (name: string) => string;

/** The Action's own inputs; the gate's come from core's GATE_PARAMETERS, the same table as `draingate gate`. */
export const ACTION_PARAMETERS: readonly Parameter[] = [
  {
    name: 'command',
    field: 'command',
    grammar: { kind: 'choice', choices: ['validate', 'gate', 'rollback'] },
    default: 'validate',
    description:
      'What to do: `validate` (check drain timing in manifests), `gate` (follow a rollout while watching the ALB; fail, and roll back or abort, on harm) or `rollback` (roll a Deployment back / abort a Rollout now).',
  },
  {
    name: 'manifests',
    field: 'manifests',
    grammar: { kind: 'list' },
    description:
      'validate: manifest files, directories (walked for .yaml, .yml and .json, as the CLI does) or globs, one per line or comma-separated, relative to the workspace (`k8s/`, `k8s/**/*.yaml`); `!pattern` excludes. A pattern that matches nothing, or names a path outside the workspace (and RUNNER_TEMP), fails the step.',
  },
  {
    name: 'fail-on',
    field: 'failOn',
    grammar: { kind: 'choice', choices: ['error', 'warning', 'info', 'never'] },
    default: 'error',
    description:
      'validate: fail the step when a finding reaches this severity: error, warning, info or never.',
  },
  {
    name: 'sarif-file',
    field: 'sarifFile',
    grammar: { kind: 'text' },
    description:
      'validate: also write a SARIF 2.1.0 file here for github/codeql-action/upload-sarif (empty: none); a file, not a directory.',
  },
];

/** Every input of action.yml, in its order: the Action's own, then the gate's (which rollback shares). */
export const ACTION_INPUTS: readonly Parameter[] = [...ACTION_PARAMETERS, ...GATE_PARAMETERS];

// The gate's inputs that `rollback` reads too.
const ROLLBACK_TOO = new Set(ROLLBACK_PARAMETERS.map((parameter) => parameter.name));

// What the Action adds to a gate parameter's description: what a cancelled run does (see README).
const ACTION_NOTES: Readonly<Record<string, string>> = {
  'on-failure':
    ' A cancelled run stops the gate without acting (verdict Inconclusive): to undo on cancel, add a step with `if: cancelled()` and `command: rollback`.',
};

/** An input's description in action.yml: which commands read it, what it is, and its grammar. */
export function actionInputDescription(parameter: Parameter): string {
  if (ACTION_PARAMETERS.includes(parameter)) return parameter.description;
  const scope = ROLLBACK_TOO.has(parameter.name) ? 'gate, rollback' : 'gate';
  const kind = parameter.grammar.kind;
  const grammar =
    kind === 'list'
      ? ', one per line or comma-separated'
      : kind === 'text' || kind === 'choice'
        ? ''
        : `: ${describeGrammar(parameter.grammar)}`;
  return `${scope}: ${parameter.description}${grammar}.${ACTION_NOTES[parameter.name] ?? ''}`;
}

/** The action's inputs, parsed and validated: durations in seconds, rates in [0, 1]. */
export interface ActionInputs extends Omit<GateSettings, 'workload'> {
  readonly command: ActionCommand;
  readonly manifests: readonly string[];
  readonly failOn: FailOn;
  readonly sarifFile?: string;
  readonly workload?: string;
}

/**
 * Parses every input, in action.yml's names, with the grammars every front end shares; the first bad one is an
 * InputError naming it. Inputs are only ever data: nothing here or later hands them to a shell.
 */
export function parseInputs(read: InputReader): ActionInputs {
  let values: Record<string, unknown>;
  try {
    values = readParameters(ACTION_INPUTS, 'action', (parameter) => read(parameter.name));
  } catch (error) {
    if (error instanceof ParameterError) throw new InputError(error.parameter.name, error.reason);
    throw error;
  }
  const inputs = { targetGroups: [], manifests: [], ...values } as unknown as ActionInputs;
  if (inputs.command === 'validate' && inputs.manifests.length === 0) {
    throw new InputError('manifests', 'is required for command validate: give one or more files or globs');
  }
  if (inputs.command !== 'validate' && inputs.workload === undefined) {
    throw new InputError(
      'workload',
      `is required for command ${inputs.command}: deployment/NAME or rollout/NAME`,
    );
  }
  // Checked here, before any connection is made: a typo in the workload is an input error, not a 404.
  if (inputs.command !== 'validate' && inputs.workload !== undefined)
    parseWorkloadRef(inputs.workload, inputs.namespace, 'workload');
  // A canary target group without the stable one (or the reverse) is refused here too, before any connection.
  if (inputs.command === 'gate') gateCanaryOf(inputs);
  return inputs;
}
