// A CNCF distribution registry on 127.0.0.1 with its own storage, for the tests that push and pull OCI artifacts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peers } from '../peers/index.js';

export interface RunningRegistry {
  /** host:port, e.g. 127.0.0.1:41234, as it appears in oci:// references */
  host: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts the registry peer (plain HTTP, no auth, filesystem storage in a temporary directory). */
export async function startRegistry(): Promise<RunningRegistry> {
  const bin = peers().registry?.bin;
  if (!bin) throw new Error('the registry peer is not available');
  const dir = await mkdtemp(join(tmpdir(), 'draingate-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      'http:',
      `  addr: ${host}`,
      '',
    ].join('\n'),
  );
  let log = '';
  const child: ChildProcess = spawn(bin, ['serve', config], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, OTEL_TRACES_EXPORTER: 'none', OTEL_SDK_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = performance.now() + 20_000;
  for (;;) {
    const ok = await fetch(`http://${host}/v2/`)
      .then((res) => res.status === 200)
      .catch(() => false);
    if (ok) return { host, stop };
    if (child.exitCode !== null || performance.now() > deadline) {
      await stop();
      throw new Error(`the registry did not answer on ${host}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
