import { describe, expect, it } from 'vitest';
import { loadProviderConfig } from './config.js';

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

describe('loadProviderConfig', () => {
  it('flags win over the environment, which wins over the file', () => {
    const { config, errors } = loadProviderConfig(
      ['--config', 'ok.yaml', '--port', '7070', '--tokens', '/t'],
      { DRAINGATE_PORT: '6060', DRAINGATE_DEADLINE_MS: '6000' },
      read,
    );
    expect(errors).toEqual([]);
    expect(config.port).toBe(7070);
    expect(config.deadlineMs).toBe(6000);
    expect(config.allow).toEqual({ namespaces: ['shop'] });
    expect(config.clients?.['argo']?.rateLimit).toEqual({ ratePerSecond: 5, burst: 10 });
    expect(config.metricsCacheSeconds).toBe(60);
  });

  it.each([
    {
      name: 'a port out of range',
      argv: ['--port', '70000'],
      env: {},
      error: '--port: must be a whole number from 0 to 65535, got "70000"',
    },
    {
      name: 'a word for a number',
      argv: [],
      env: { DRAINGATE_DEADLINE_MS: 'soon' },
      error: 'DRAINGATE_DEADLINE_MS: must be a whole number from 100 to 60000, got "soon"',
    },
    {
      name: 'an unknown choice',
      argv: ['--kube', 'maybe'],
      env: {},
      error: '--kube: must be one of auto, on, off, got "maybe"',
    },
    { name: 'an unknown flag', argv: ['--prot', '1'], env: {}, error: "Unknown option '--prot'" },
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
    const { errors } = loadProviderConfig(argv, env, read);
    expect(errors.join('\n')).toContain(error);
  });

  it('--insecure-no-auth serves without tokens', () => {
    expect(loadProviderConfig(['--insecure-no-auth'], {}, read).errors).toEqual([]);
  });
});
