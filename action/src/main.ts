import { statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as core from '@actions/core';
import { InputError } from '@draingate/core';
import { runGate } from './gate.js';
import { parseInputs } from './inputs.js';
import type { ActionOutcome } from './outcome.js';
import { runRollback } from './rollback.js';
import { runValidate } from './validate.js';

/**
 * The action's entry point, and the only code that talks to the runner (@actions/core): inputs in; outputs,
 * annotations, log lines, the job summary and the step's status out. Every failure ends as one `::error::`
 * line and a failed step, never a stack trace.
 */
export async function run(): Promise<void> {
  const controller = new AbortController();
  const stop = (): void => controller.abort(new Error('cancelled'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const inputs = parseInputs((name) => core.getInput(name));
    const cwd = process.env['GITHUB_WORKSPACE'] || process.cwd();
    if (inputs.sarifFile !== undefined) checkWritableFile('sarif-file', inputs.sarifFile, cwd);
    let outcome: ActionOutcome;
    if (inputs.command === 'validate') {
      outcome = await runValidate(inputs, cwd, process.env['RUNNER_TEMP'] || undefined);
    } else {
      // The Kubernetes and AWS clients are loaded only when needed, so `validate` starts fast.
      const { connectActionPorts } = await import('./ports.js');
      const ports = connectActionPorts(inputs);
      try {
        outcome =
          inputs.command === 'gate'
            ? await runGate(inputs, ports, (line) => core.info(line), controller.signal)
            : await runRollback(inputs, ports);
      } finally {
        ports.close();
      }
    }
    await publish(outcome, cwd);
  } catch (error) {
    if (error instanceof InputError) core.setFailed(`draingate: input ${inInputTerms(error)}`);
    else
      core.setFailed(`draingate: internal error: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
}

/**
 * The adapters name what they were given in their own terms (`context`, `region`); the user wrote an input of
 * action.yml, so the message names that one.
 */
const INPUT_OF_SETTING: Readonly<Record<string, string>> = {
  context: 'kube-context',
  inCluster: 'kubeconfig',
  region: 'aws-region',
};

/** An InputError's message with the input's name first. */
export function inInputTerms(error: InputError): string {
  const input = INPUT_OF_SETTING[error.path];
  if (input === undefined) return error.message;
  const reason = error.message.startsWith(`${error.path}: `)
    ? error.message.slice(error.path.length + 2)
    : error.message;
  return `${input}: ${reason}`;
}

/** A file input must name a file the step can write: a directory is an input error before anything runs. */
export function checkWritableFile(input: string, path: string, cwd: string): void {
  let stats;
  try {
    stats = statSync(resolve(cwd, path));
  } catch {
    return; // Not there yet: it is created, with its directories.
  }
  if (stats.isDirectory()) {
    throw new InputError(
      input,
      `${path} is a directory: name a file, such as ${join(path, 'draingate.sarif')}`,
    );
  }
}

async function publish(outcome: ActionOutcome, cwd: string): Promise<void> {
  for (const line of outcome.logs) core.info(line);
  for (const annotation of outcome.annotations) {
    const properties = {
      ...(annotation.title !== undefined ? { title: annotation.title } : {}),
      ...(annotation.file !== undefined ? { file: annotation.file } : {}),
      ...(annotation.startLine !== undefined ? { startLine: annotation.startLine } : {}),
      ...(annotation.startColumn !== undefined ? { startColumn: annotation.startColumn } : {}),
    };
    if (annotation.level === 'error') core.error(annotation.message, properties);
    else if (annotation.level === 'warning') core.warning(annotation.message, properties);
    else core.notice(annotation.message, properties);
  }
  for (const file of outcome.files) {
    const path = resolve(cwd, file.path);
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new InputError(file.input, `cannot write ${file.path}: ${String(code ?? error)}`, {
        cause: error,
      });
    }
    core.info(`draingate: wrote ${file.path}`);
  }
  for (const [name, value] of Object.entries(outcome.outputs)) core.setOutput(name, value);
  if (outcome.summary !== '' && process.env['GITHUB_STEP_SUMMARY']) {
    await core.summary.addRaw(outcome.summary).write();
  }
  if (outcome.failure !== undefined) core.setFailed(outcome.failure);
}
