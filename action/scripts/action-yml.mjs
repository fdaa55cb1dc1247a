// Writes the `inputs:` of action.yml from the parameter tables (core's GATE_PARAMETERS and the Action's own),
// so that the inputs, their defaults and their descriptions never drift from what the Action parses.
// `node action/scripts/action-yml.mjs` (after `npm run build`); `--check` exits 1 when action.yml differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ACTION_INPUTS, actionInputDescription } from '../src/inputs.ts';

const file = fileURLToPath(new URL('../action.yml', import.meta.url));
const text = readFileSync(file, 'utf8');

/** A YAML scalar that needs no escaping beyond single quotes. */
const quoted = (value) => `'${value.replaceAll("'", "''")}'`;

/** Folds a description into `>-` lines of at most 110 columns. */
function folded(description, indent) {
  const lines = [];
  let line = '';
  for (const word of description.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > 110) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => `${indent}${l}`).join('\n');
}

const inputs = ACTION_INPUTS.map((parameter) =>
  [
    `  ${parameter.name}:`,
    `    description: >-`,
    folded(actionInputDescription(parameter), '      '),
    '    required: false',
    `    default: ${quoted(parameter.default ?? '')}`,
  ].join('\n'),
).join('\n');

const start = text.indexOf('inputs:\n');
const end = text.indexOf('\noutputs:');
if (start < 0 || end < 0) throw new Error('action.yml has no inputs: … outputs: block');
const next = `${text.slice(0, start)}inputs:\n${inputs}\n${text.slice(end)}`;
if (process.argv.includes('--check')) {
  if (next !== text) {
    console.error('action.yml differs from the parameter tables: run node action/scripts/action-yml.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(file, next);
}
