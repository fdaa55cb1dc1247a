import { mkdtemp, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { TokenStore, anonymousClientName, parseTokenLines } from './tokens.js';

const A = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbbbbbbbbbb';

describe('parseTokenLines', () => {
  it.each([
    {
      name: 'a bare token gets a name derived from its digest',
      text: `${A}\n`,
      clients: [anonymousClientName(A)],
    },
    { name: 'a named token', text: `argo ${A}`, clients: ['argo'] },
    {
      name: 'comments and blank lines are skipped',
      text: `# tokens\n\nargo ${A}\n  \nci ${B}\n`,
      clients: ['argo', 'ci'],
    },
    { name: 'a short token is refused', text: 'argo short', clients: [], problem: /at least 16/ },
    { name: 'three fields are refused', text: `a b ${A}`, clients: [], problem: /expected/ },
  ])('$name', ({ text, clients, problem }) => {
    const parsed = parseTokenLines(text, (token) => anonymousClientName(token));
    expect(parsed.tokens.map((token) => token.client)).toEqual(clients);
    if (problem) expect(parsed.problems.join()).toMatch(problem);
  });
});

describe('TokenStore', () => {
  let dir: string;
  const logs: string[] = [];
  const logger = createLogger({ write: (line: string) => logs.push(line) }, 'debug');
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'draingate-tokens-'));
    logs.length = 0;
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('a token file: several tokens, re-read after rotation, and none when the file is removed', async () => {
    const file = join(dir, 'tokens');
    await writeFile(file, `argo ${A}\nci ${B}\n`);
    const store = new TokenStore(file, logger);
    await store.start(60_000);
    expect(store.authenticate(A)).toBe('argo');
    expect(store.authenticate(B)).toBe('ci');
    expect(store.authenticate(`${A}x`)).toBeUndefined();
    await writeFile(file, `argo ${B}\n`);
    await store.reload();
    expect(store.authenticate(A)).toBeUndefined();
    expect(store.authenticate(B)).toBe('argo');
    await rm(file);
    await store.reload();
    expect(store.size).toBe(0);
    expect(store.authenticate(B)).toBeUndefined();
    store.close();
  });

  it('a mounted Secret: one file per client, the ..data symlink swap of a rotation is followed', async () => {
    // How the kubelet lays out a Secret volume: keys are symlinks into ..data, itself a symlink to a timestamped dir.
    await mkdir(join(dir, '..2026_01_01'));
    await writeFile(join(dir, '..2026_01_01', 'argo'), `${A}\n`);
    await symlink('..2026_01_01', join(dir, '..data'));
    await symlink(join('..data', 'argo'), join(dir, 'argo'));
    const store = new TokenStore(dir, logger);
    await store.start(60_000);
    expect(store.authenticate(A)).toBe('argo');
    await mkdir(join(dir, '..2026_01_02'));
    await writeFile(join(dir, '..2026_01_02', 'argo'), `${B}\n`);
    await symlink('..2026_01_02', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    await store.reload();
    expect(store.authenticate(A)).toBeUndefined();
    expect(store.authenticate(B)).toBe('argo');
    store.close();
  });

  it('reports bad lines without the token in them', async () => {
    const file = join(dir, 'tokens');
    await writeFile(file, 'argo tooshort-secret\n');
    const store = new TokenStore(file, logger);
    await store.start(60_000);
    expect(store.size).toBe(0);
    expect(logs.join()).toContain('line 1');
    expect(logs.join()).not.toContain('tooshort-secret');
    store.close();
  });
});
