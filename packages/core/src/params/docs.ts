import { describeGrammar } from './grammar.js';
import type { Parameter } from './parameter.js';
import { offeredOn } from './parameter.js';
import {
  CANARY_PARAMETERS,
  ELB_5XX_PARAMETERS,
  GATE_PARAMETERS,
  LATENCY_PARAMETERS,
  TARGET_HEALTH_PARAMETERS,
} from './tables.js';

const cell = (text: string): string => text.replaceAll('|', '\\|');

function flagCell(parameter: Parameter): string {
  if (!offeredOn(parameter, 'cli')) return '';
  if (parameter.name === 'workload') return '`<workload>` argument';
  const short = /^(-\w), /.exec(parameter.flag ?? '')?.[1];
  const long = (parameter.flag ?? parameter.name).replace(/^-\w, /, '').replace(/^--/, '');
  const switched = parameter.grammar.kind === 'boolean' && parameter.default === 'true' ? 'no-' : '';
  return `\`${short ? `${short}, ` : ''}--${switched}${long}\`${parameter.repeatable ? ' (repeatable)' : ''}`;
}

function table(parameters: readonly Parameter[], third: 'input' | 'field'): string {
  const header =
    third === 'input'
      ? '| flag (`draingate gate`) | Action input | value | default | meaning |\n|---|---|---|---|---|'
      : '| flag (`draingate check`) | provider field | value | default | meaning |\n|---|---|---|---|---|';
  const rows = parameters.map((parameter) => {
    const other =
      third === 'input'
        ? `\`${parameter.name}\``
        : offeredOn(parameter, 'provider')
          ? `\`${parameter.field}\``
          : '(CLI only)';
    const value = parameter.grammar.kind === 'text' ? 'text' : describeGrammar(parameter.grammar);
    return `| ${flagCell(parameter)} | ${other} | ${cell(value)} | ${parameter.default !== undefined ? `\`${parameter.default}\`` : ''} | ${cell(parameter.description)} |`;
  });
  return [header, ...rows].join('\n');
}

/** docs/parameters.md: every table, with each front end's name for each parameter, its grammar and default. */
export function renderParameterDocs(): string {
  return `# Parameters

<!-- Generated from packages/core/src/params/tables.ts by \`npm run docs\`; a test keeps it current. -->

Every tunable of the runtime checks and of the rollout gate is declared once, in core. The CLI's flags, the
GitHub Action's inputs and the analysis provider's request fields (query parameters, JSON body, OpenAPI
document) are derived from these tables and read values with the same grammars, so one value is accepted or
refused the same way everywhere; each front end names the parameter in its own terms:

- CLI: \`error: option '--max-rate <rate>' argument '150%' is invalid. must be a rate from 0 to 1 such as 1% or 0.01, got "150%".\`
- Action: \`draingate: input max-error-rate: must be a rate from 0 to 1 such as 1% or 0.01, got "150%"\`
- provider: \`400 {"error": {"code": "invalid-input", "field": "maxRate", "message": "must be a rate from 0 to 1 such as 1% or 0.01, got \\"150%\\""}}\`

Grammars:

- **duration**: \`90\` or \`90s\` (seconds), \`10m\`, \`1h\`, \`1m30s\`. A parameter counted in minutes (\`window\`,
  \`baseline\`; the provider's \`windowMinutes\`, \`baselineMinutes\`) reads a bare number as minutes and must be
  whole minutes, since CloudWatch's periods are.
- **rate**: \`0.5%\` or \`0.005\`, from 0 to 1.
- **whole number**, **number**: within the bounds shown. **time**: RFC 3339 with its offset, \`2026-11-23T17:00:00Z\`.
- The provider also takes JSON numbers and booleans, in the field's unit (minutes for \`windowMinutes\`), with the
  same bounds; a string is read as the CLI reads it (Argo's args are strings).

## The rollout gate: \`draingate gate\` and the Action's \`command: gate\`

${table(GATE_PARAMETERS, 'input')}

## \`elb-5xx\`

${table(ELB_5XX_PARAMETERS, 'field')}

## \`target-health\`

${table(TARGET_HEALTH_PARAMETERS, 'field')}

## \`canary\`

${table(CANARY_PARAMETERS, 'field')}

## \`latency\`

${table(LATENCY_PARAMETERS, 'field')}
`;
}
