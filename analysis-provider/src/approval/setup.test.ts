import { describe, expect, it } from 'vitest';
import { loadProviderConfig } from '../config.js';
import { appKeyPair } from '../testing/github.js';
import { loadApprovalSetup, parseApiUrl } from './setup.js';

const PEM = appKeyPair().privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const POLICY =
  'environments: { production: { checks: [ { check: drain-timing, namespace: shop, name: web } ] } }';

function load(flags: string[], files: Record<string, string>) {
  const { config, errors } = loadProviderConfig(['--insecure-no-auth', ...flags]);
  expect(errors).toEqual([]);
  return loadApprovalSetup(config, (path) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    return text;
  });
}

const ALL = [
  ...['--github-app-id', '123', '--github-private-key-file', 'key.pem'],
  ...['--github-webhook-secret-file', 'secret', '--approval-policy', 'policy.yaml'],
];
const FILES = { 'key.pem': PEM, secret: 'a-webhook-secret-of-some-length\n', 'policy.yaml': POLICY };

describe('loadApprovalSetup', () => {
  it('no approval setting → no gate, no error', () => {
    expect(load([], {})).toEqual({ errors: [] });
  });

  it('all four → the gate, the secret without its trailing newline', () => {
    const { setup, errors } = load(ALL, FILES);
    expect(errors).toEqual([]);
    expect(setup?.webhookSecret.toString()).toBe('a-webhook-secret-of-some-length');
    expect(setup?.apiUrl.href).toBe('https://api.github.com/');
    expect(setup?.policy.environments.has('production')).toBe(true);
  });

  it('some but not all → each missing one named', () => {
    const { errors } = load(['--github-app-id', '123'], {});
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/^--github-private-key-file: is required for the approval gate/);
  });

  it.each([
    { name: 'a bad app id', flags: ['--github-app-id', 'abc'], files: {}, error: /--github-app-id: must be/ },
    {
      name: 'no key file',
      flags: [],
      files: { 'key.pem': undefined },
      error: /--github-private-key-file key\.pem: no such file/,
    },
    {
      name: 'a key that is no PEM',
      flags: [],
      files: { 'key.pem': 'secret-material-xyz' },
      error: /is not a PEM private key/,
    },
    { name: 'a short secret', flags: [], files: { secret: 'short' }, error: /at least 16 characters/ },
    {
      name: 'a bad policy',
      flags: [],
      files: { 'policy.yaml': 'environments: {}' },
      error: /^policy\.yaml: environments: /,
    },
    {
      name: 'plain http to a remote API',
      flags: ['--github-api-url', 'http://github.example.com'],
      files: {},
      error: /must be https/,
    },
  ])('$name → refused, saying why', ({ flags, files, error }) => {
    const merged = Object.fromEntries(
      Object.entries({ ...FILES, ...files }).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    const args = [...ALL];
    for (let i = 0; i < flags.length; i += 2) {
      const at = args.indexOf(flags[i] ?? '');
      if (at >= 0) args[at + 1] = flags[i + 1] ?? '';
      else args.push(flags[i] ?? '', flags[i + 1] ?? '');
    }
    const { setup, errors } = load(args, merged);
    expect(setup).toBeUndefined();
    expect(
      errors.some((e) => error.test(e)),
      errors.join('\n'),
    ).toBe(true);
    expect(errors.join('\n')).not.toContain('secret-material-xyz');
  });
});

describe('parseApiUrl', () => {
  it.each([
    { url: 'https://api.github.com', ok: true },
    { url: 'https://ghe.example.com/api/v3', ok: true },
    { url: 'http://127.0.0.1:8080', ok: true },
    { url: 'http://api.github.com', ok: false },
    { url: 'https://user:pw@api.github.com', ok: false },
    { url: 'https://api.github.com/?x=1', ok: false },
    { url: 'not a url', ok: false },
  ])('$url → $ok', ({ url, ok }) => {
    expect(typeof parseApiUrl(url) !== 'string').toBe(ok);
  });
});
