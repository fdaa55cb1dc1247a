import { ParameterValueError, describeGrammar, parseJson, parseText } from './grammar.js';
import type { Grammar, GrammarValue } from './grammar.js';

/** The front ends a parameter can be given through. */
export type Surface = 'cli' | 'action' | 'provider';

/**
 * One parameter of a check or command, declared once: the CLI flag, the Action input, the provider's request
 * field, their help and the docs are derived from it (as kube-linter derives its check parameters).
 */
export interface Parameter {
  /** The Action input and, unless `flag` says otherwise, the CLI flag: kebab-case. */
  readonly name: string;
  /** The request field (the provider's query parameter and JSON key, the core's option): camelCase. */
  readonly field: string;
  /** The CLI flag where it is spelled otherwise; `-n` style short flags come first (`-n, --namespace`). */
  readonly flag?: string;
  /** The CLI flag may be repeated, each adding one item (`--target-group A --target-group B`). */
  readonly repeatable?: boolean;
  readonly grammar: Grammar;
  /** The default as a user writes it (`10m`, `1%`); absent when there is none or it is computed. */
  readonly default?: string;
  /** One sentence, without the default, which is shown beside it. */
  readonly description: string;
  /** The front ends that offer it (default: every front end that offers the table). */
  readonly surfaces?: readonly Surface[];
  /** Required on every surface that offers it. */
  readonly required?: boolean;
}

/** Whether a front end offers this parameter. */
export function offeredOn(parameter: Parameter, surface: Surface): boolean {
  return parameter.surfaces === undefined || parameter.surfaces.includes(surface);
}

/** The CLI's long flag, without dashes. */
export function flagOf(parameter: Parameter): string {
  return (parameter.flag ?? parameter.name).replace(/^-\w, /, '').replace(/^--/, '');
}

/** The placeholder a flag's help shows: `<duration>`, `<rate>`, `<n>`… */
export function placeholderOf(parameter: Parameter): string {
  switch (parameter.grammar.kind) {
    case 'count':
      return 'n';
    case 'choice':
      return parameter.grammar.choices.join('|');
    case 'text':
      return parameter.name.endsWith('load-balancer') || parameter.name.startsWith('target-group')
        ? 'arn'
        : 'value';
    case 'list':
      return 'arn';
    default:
      return parameter.grammar.kind;
  }
}

/** The help line of a parameter: its description, grammar and default. */
export function helpOf(parameter: Parameter): string {
  const grammar = parameter.grammar.kind === 'text' ? '' : ` [${describeGrammar(parameter.grammar)}]`;
  return `${parameter.description}${grammar}${parameter.default !== undefined ? ` (default ${parameter.default})` : ''}`;
}

/** A parameter's text (a flag, an input, a query parameter) as its value; the message reads after its name. */
export function parseParameterText(parameter: Parameter, text: string): GrammarValue {
  return parseText(parameter.grammar, text);
}

/** A parameter's JSON value; a string is read as text. */
export function parseParameterJson(parameter: Parameter, value: unknown): GrammarValue {
  return parseJson(parameter.grammar, value);
}

/** The parameter's default as a value, when it has one. */
export function defaultOf(parameter: Parameter): GrammarValue | undefined {
  return parameter.default === undefined ? undefined : parseText(parameter.grammar, parameter.default);
}

/** A bad value, with the parameter it was given for; each front end names it in its own terms. */
export class ParameterError extends Error {
  override readonly name = 'ParameterError';
  constructor(
    readonly parameter: Parameter,
    readonly reason: string,
  ) {
    super(`${parameter.name}: ${reason}`);
  }
}

/**
 * Reads every parameter of `table` offered on `surface` through `lookup` (its text, or undefined when not
 * given), applying defaults. Returns the values by request field; the first bad value is a ParameterError.
 */
export function readParameters(
  table: readonly Parameter[],
  surface: Surface,
  lookup: (parameter: Parameter) => string | undefined,
): Record<string, GrammarValue> {
  const values: Record<string, GrammarValue> = {};
  for (const parameter of table) {
    if (!offeredOn(parameter, surface)) continue;
    const text = lookup(parameter);
    try {
      const value =
        text === undefined || text.trim() === '' ? defaultOf(parameter) : parseText(parameter.grammar, text);
      if (value === undefined && parameter.required) throw new ParameterValueError('is required');
      if (value !== undefined) values[parameter.field] = value;
    } catch (error) {
      if (error instanceof ParameterValueError) throw new ParameterError(parameter, error.message);
      throw error;
    }
  }
  return values;
}
