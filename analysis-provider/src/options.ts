// The provider's options as commander options: light enough (commander and the settings table only) for the
// command-line tool to declare `draingate serve` without loading the provider, express or the SDKs.
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { SETTINGS } from './config-settings.js';
import type { Setting } from './config-settings.js';

export { SETTINGS } from './config-settings.js';
export type { Setting } from './config-settings.js';

/** A setting's value from text or a config file's value; `error` says why it is not one, after its name. */
export function coerceSetting(setting: Setting, raw: unknown): { value?: unknown; error?: string } {
  const show = JSON.stringify(raw);
  const bad = (expected: string): { error: string } => ({ error: `must be ${expected}, got ${show}` });
  const range =
    setting.min !== undefined && setting.max !== undefined ? ` from ${setting.min} to ${setting.max}` : '';
  switch (setting.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === '1') return { value: true };
      if (raw === 'false' || raw === '0') return { value: false };
      return bad('true or false');
    }
    case 'int':
    case 'number': {
      const value =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && raw.trim() !== ''
            ? Number(raw)
            : Number.NaN;
      const kind = setting.type === 'int' ? 'a whole number' : 'a number';
      if (!Number.isFinite(value) || (setting.type === 'int' && !Number.isInteger(value)))
        return bad(`${kind}${range}`);
      if (
        (setting.min !== undefined && value < setting.min) ||
        (setting.max !== undefined && value > setting.max)
      )
        return bad(`${kind}${range}`);
      return { value };
    }
    case 'string': {
      if (typeof raw !== 'string' || raw === '') return bad('a non-empty string');
      if (setting.choices && !setting.choices.includes(raw))
        return bad(`one of ${setting.choices.join(', ')}`);
      return { value: raw };
    }
  }
}

function placeholderOf(setting: Setting): string {
  if (setting.choices) return setting.choices.join('|');
  if (setting.type === 'int' || setting.type === 'number') return 'number';
  return /file|tokens|policy/i.test(setting.flag) ? 'path' : 'value';
}

/** The commander option of a setting: its flag, its DRAINGATE_* variable, and the setting's own check. */
export function settingOption(setting: Setting): Option {
  const option =
    setting.type === 'boolean'
      ? new Option(`--${setting.flag} [bool]`, setting.help).preset('true')
      : new Option(`--${setting.flag} <${placeholderOf(setting)}>`, setting.help);
  return option.env(setting.env).argParser((text: string) => {
    // An empty variable is an unset one, as a Deployment's `value: ""` means.
    if (text === '') return undefined;
    const { value, error } = coerceSetting(setting, text);
    if (error !== undefined) throw new InvalidArgumentError(`${error}.`);
    return value;
  });
}

/**
 * Adds the provider's options to a command: `--config`, then every setting with its environment variable
 * (commander's `Option.env`), parsed and checked as it reads them. `draingate serve` and `node dist/main.js`
 * both build theirs here, so they accept exactly the same options with the same help and errors.
 */
export function addServeOptions(command: Command): Command {
  command
    .addOption(
      new Option('--config <path>', 'YAML or JSON: these settings, allow, clients').env('DRAINGATE_CONFIG'),
    )
    .addHelpText(
      'after',
      '\nFlags win over environment variables, which win over the --config file.\nExit status: 0 after a clean shutdown (SIGTERM, SIGINT); 1 cannot start; 2 bad configuration.',
    );
  for (const setting of SETTINGS) command.addOption(settingOption(setting));
  return command;
}
