import { afterEach, describe, expect, it, vi } from 'vitest';
import { SETTINGS, loadProviderConfig } from './config.js';
import { createServeCommand, runProvider } from './run.js';

const files: Record<string, string> = {
  'ok.yaml':
    'port: 9090\ndeadlineMs: 7000\nallow:\n  namespaces: [shop]\nclients:\n  argo:\n    rateLimit: { ratePerSecond: 5, burst: 10 }\n',
  'bad.yaml': 'port: 99999\nfoo: 1\nallow:\n  namespace: [shop]\n',
  'broken.yaml': 'port: [\n',
};
const read = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return text;
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('loadProviderConfig', () => {
  it('flags win over the environment, which wins over the file', () => {
    vi.stubEnv('DRAINGATE_PORT', '6060');
    vi.stubEnv('DRAINGATE_DEADLINE_MS', '6000');
    const { config, errors } = loadProviderConfig(
      ['--config', 'ok.yaml', '--port', '7070', '--tokens', '/t'],
      read,
    );
    expect(errors).toEqual([]);
    expect(config.port).toBe(7070);
    expect(config.deadlineMs).toBe(6000);
    expect(config.allow).toEqual({ namespaces: ['shop'] });
    expect(config.clients?.['argo']?.rateLimit).toEqual({ ratePerSecond: 5, burst: 10 });
    expect(config.metricsCacheSeconds).toBe(60);
  });

  it('an empty variable is an unset one; a boolean flag takes an optional value', () => {
    vi.stubEnv('DRAINGATE_HOST', '');
    vi.stubEnv('DRAINGATE_INSECURE_NO_AUTH', 'false');
    expect(loadProviderConfig(['--tokens', '/t'], read).config).toMatchObject({
      host: '',
      insecureNoAuth: false,
    });
    expect(loadProviderConfig(['--insecure-no-auth'], read).config.insecureNoAuth).toBe(true);
  });

  it.each([
    {
      name: 'a port out of range',
      argv: ['--port', '70000'],
      env: {},
      error:
        "error: option '--port <number>' argument '70000' is invalid. must be a whole number from 0 to 65535, got \"70000\".",
    },
    {
      name: 'a word for a number, from the environment',
      argv: [],
      env: { DRAINGATE_DEADLINE_MS: 'soon' },
      error:
        "error: option '--deadline-ms <number>' value 'soon' from env 'DRAINGATE_DEADLINE_MS' is invalid. must be a whole number from 100 to 60000, got \"soon\".",
    },
    {
      name: 'an unknown choice',
      argv: ['--kube', 'maybe'],
      env: {},
      error:
        "error: option '--kube <auto|on|off>' argument 'maybe' is invalid. must be one of auto, on, off, got \"maybe\".",
    },
    { name: 'an unknown flag', argv: ['--prot', '1'], env: {}, error: "error: unknown option '--prot'" },
    {
      name: 'a missing config file',
      argv: ['--config', 'none.yaml'],
      env: {},
      error: 'none.yaml: no such file',
    },
    {
      name: 'unparsable YAML',
      argv: ['--config', 'broken.yaml'],
      env: {},
      error: 'broken.yaml: cannot read',
    },
    {
      name: 'a file value out of range',
      argv: ['--config', 'bad.yaml'],
      env: {},
      error: 'bad.yaml: port: must be a whole number from 0 to 65535, got 99999',
    },
    {
      name: 'an unknown file setting',
      argv: ['--config', 'bad.yaml'],
      env: {},
      error: 'bad.yaml: foo: is not a setting',
    },
    { name: 'no tokens and no opt-out', argv: [], env: {}, error: '--tokens: is required' },
  ])('one clear error per bad value: $name', ({ argv, env, error }) => {
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const { errors } = loadProviderConfig(argv, read);
    expect(errors.join('\n')).toContain(error);
  });

  it('--insecure-no-auth serves without tokens', () => {
    expect(loadProviderConfig(['--insecure-no-auth'], read).errors).toEqual([]);
  });
});

describe('the provider command', () => {
  it('--help is commander’s: every setting with its environment variable (exit 0)', async () => {
    let out = '';
    const code = await runProvider(['--help'], {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: () => true },
    });
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: node dist\/main\.js \[options\]/);
    expect(out).toMatch(
      /--deadline-ms <number>\s+answer within this \(default 8000, under Argo's 10 s\)\s+\(env:\s+DRAINGATE_DEADLINE_MS\)/,
    );
    expect(out).toContain('Flags win over environment variables, which win over the --config file.');
  });

  it('a bad value is a usage error (exit 2) in commander’s words', async () => {
    let err = '';
    const code = await runProvider(['--port', 'abc'], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (err += text) },
    });
    expect(code).toBe(2);
    expect(err).toBe(
      "error: option '--port <number>' argument 'abc' is invalid. must be a whole number from 0 to 65535, got \"abc\".\n(add --help for usage)\n",
    );
  });

  it('declares one option per setting, plus --config', () => {
    expect(createServeCommand().options.map((option) => option.long)).toContain('--webhook-body-limit-bytes');
    expect(createServeCommand().options).toHaveLength(SETTINGS.length + 1);
  });
});
