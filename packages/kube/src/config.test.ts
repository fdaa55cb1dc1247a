import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { InputError } from '@draingate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKubeConfig, type KubeConfigOptions } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'draingate-kubeconfig-'));

function aKubeconfig(
  args: { context?: string; cluster?: string; current?: string | null; ca?: string } = {},
): string {
  const context = args.context ?? 'dev';
  const cluster = args.cluster ?? 'dev-cluster';
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${cluster}`,
    '  cluster:',
    `    server: https://${cluster}.example:6443`,
    ...(args.ca ? [`    certificate-authority: ${args.ca}`] : []),
    'users:',
    `- name: ${context}-user`,
    '  user:',
    '    token: abc',
    'contexts:',
    `- name: ${context}`,
    '  context:',
    `    cluster: ${cluster}`,
    `    user: ${context}-user`,
    ...(args.current === null ? [] : [`current-context: ${args.current ?? context}`]),
    '',
  ].join('\n');
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function thrown(options: KubeConfigOptions): unknown {
  try {
    loadKubeConfig(options);
  } catch (err) {
    return err;
  }
  return undefined;
}

const ENV = ['KUBECONFIG', 'HOME', 'KUBERNETES_SERVICE_HOST'] as const;
let saved: Partial<Record<(typeof ENV)[number], string>>;
beforeEach(() => {
  saved = Object.fromEntries(ENV.map((key) => [key, process.env[key]]));
  for (const key of ENV) delete process.env[key];
  process.env.HOME = mkdtempSync(join(tmpdir(), 'draingate-home-'));
});
afterEach(() => {
  for (const key of ENV) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

describe('loadKubeConfig', () => {
  it('loads a file and its current context', () => {
    const config = loadKubeConfig({ kubeconfig: write('ok.yaml', aKubeconfig()) });
    expect(config.getCurrentContext()).toBe('dev');
    expect(config.getCurrentCluster()?.server).toBe('https://dev-cluster.example:6443');
  });

  it('selects the context asked for', () => {
    const file = write('two.yaml', aKubeconfig({ context: 'prod', current: 'prod' }));
    expect(loadKubeConfig({ kubeconfig: file, context: 'prod' }).getCurrentContext()).toBe('prod');
  });

  it('resolves a relative certificate-authority against the kubeconfig’s directory, as kubectl does', () => {
    mkdirSync(join(dir, 'rel'), { recursive: true });
    const file = write('rel/config', aKubeconfig({ ca: 'ca.crt' }));
    expect(loadKubeConfig({ kubeconfig: file }).getCurrentCluster()?.caFile).toBe(join(dir, 'rel', 'ca.crt'));
  });

  it('merges KUBECONFIG files, the first to define something winning', () => {
    const first = write('first.yaml', aKubeconfig({ context: 'a', cluster: 'ca' }));
    const second = write('second.yaml', aKubeconfig({ context: 'b', cluster: 'cb', current: 'b' }));
    process.env.KUBECONFIG = [first, second].join(delimiter);
    const config = loadKubeConfig();
    expect(config.getCurrentContext()).toBe('a');
    expect(config.getContexts().map((c) => c.name)).toEqual(['a', 'b']);
    expect(loadKubeConfig({ context: 'b' }).getCurrentCluster()?.name).toBe('cb');
  });

  it('falls back to ~/.kube/config', () => {
    mkdirSync(join(process.env.HOME!, '.kube'));
    writeFileSync(join(process.env.HOME!, '.kube', 'config'), aKubeconfig({ context: 'home' }));
    expect(loadKubeConfig().getCurrentContext()).toBe('home');
  });

  it.each<{ name: string; options: () => KubeConfigOptions; path: string; says: RegExp }>([
    {
      name: 'YAML that does not parse',
      options: () => ({ kubeconfig: write('bad.yaml', 'apiVersion: v1\nclusters: [\n  - name: {') }),
      path: 'kubeconfig',
      says: /bad.yaml is not a valid kubeconfig: /,
    },
    {
      name: 'a cluster without a server',
      options: () => ({
        kubeconfig: write('noserver.yaml', 'apiVersion: v1\nclusters:\n- name: c\n  cluster: {}\n'),
      }),
      path: 'kubeconfig',
      says: /is not a valid kubeconfig: /,
    },
    {
      name: 'a YAML document that is no kubeconfig',
      options: () => ({ kubeconfig: write('hello.yaml', 'hello: world\n') }),
      path: 'kubeconfig',
      says: /defines no clusters or contexts/,
    },
    {
      name: 'a missing file',
      options: () => ({ kubeconfig: join(dir, 'absent.yaml') }),
      path: 'kubeconfig',
      says: /cannot read .*absent.yaml: no such file/,
    },
    {
      name: 'an unknown context',
      options: () => ({ kubeconfig: write('ctx.yaml', aKubeconfig()), context: 'prod' }),
      path: 'context',
      says: /no context "prod" in .*ctx.yaml \(it has "dev"\)/,
    },
    {
      name: 'no current-context and none asked for',
      options: () => ({ kubeconfig: write('nocurrent.yaml', aKubeconfig({ current: null })) }),
      path: 'context',
      says: /sets no current-context: pass a context/,
    },
    {
      name: 'a current-context the file does not define',
      options: () => ({ kubeconfig: write('dangling.yaml', aKubeconfig({ current: 'ghost' })) }),
      path: 'context',
      says: /selects current-context "ghost", which it does not define/,
    },
    {
      name: 'a bad file in KUBECONFIG',
      options: () => {
        process.env.KUBECONFIG = write('env-bad.yaml', 'clusters: [');
        return {};
      },
      path: 'KUBECONFIG',
      says: /env-bad.yaml is not a valid kubeconfig/,
    },
    {
      name: 'no kubeconfig anywhere and not in a cluster',
      options: () => ({}),
      path: 'kubeconfig',
      says: /no kubeconfig found: pass one, set KUBECONFIG, create .*\.kube\/config, or run in a cluster/,
    },
    {
      name: 'in-cluster outside a cluster',
      options: () => ({ inCluster: true }),
      path: 'inCluster',
      says: /not running in a cluster: KUBERNETES_SERVICE_HOST is not set/,
    },
  ])('$name → InputError on $path, one line, no stack trace', ({ options, path, says }) => {
    const err = thrown(options());
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ path });
    expect((err as Error).message).toMatch(says);
    expect((err as Error).message).not.toMatch(/\n/);
  });
});
