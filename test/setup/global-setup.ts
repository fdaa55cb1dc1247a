// vitest globalSetup of the `integration` project: build or reuse the peers, start them once for the whole run,
// hand their addresses to the tests (inject('peers')), and stop them at the end.
//
// With CI=true a missing toolchain or a failed build fails the run. Locally a missing toolchain prints what to
// install and the tests of that peer skip; a build that was attempted and failed still fails the run.

import type { TestProject } from 'vitest/node';
import type { PeersInfo } from './peers-info.js';
import { startPeers } from './start-peers.js';
import { ensureToolchain, type PeerName } from './toolchain.js';

function isCi(): boolean {
  const ci = (process.env.CI ?? '').toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0';
}

function banner(missing: Partial<Record<PeerName, string>>): string {
  const lines = Object.entries(missing).map(([peer, why]) => `  - ${peer}: ${why}`);
  const rule = '!'.repeat(100);
  return [
    rule,
    'draingate: some integration peers are NOT available, so their tests are SKIPPED:',
    ...lines,
    'Install the missing tools and rerun `npm test` (or warm the cache first with `npm run peers`).',
    'With CI=true this is a failure, not a skip.',
    rule,
  ].join('\n');
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  const tc = await ensureToolchain({ log: (line) => process.stderr.write(`${line}\n`) });
  const missing = Object.keys(tc.missing);
  if (missing.length > 0) {
    if (isCi()) {
      throw new Error(`CI=true and integration peers are missing:\n${banner(tc.missing)}`);
    }
    process.stderr.write(`${banner(tc.missing)}\n`);
  }

  const running = await startPeers(tc);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await running.stop();
  };
  // Ctrl-C: vitest exits 1 ms after its own SIGINT handler runs, too soon for a graceful stop, so kill the
  // servers outright (their data is throwaway).
  const onSignal = (signal: NodeJS.Signals): void => {
    stopped = true;
    running.killNow();
    // Nobody else listening (vitest always does): die of the signal as if we had not caught it.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const info: PeersInfo = running.info;
  project.provide('peers', info);
  process.stderr.write(
    `draingate peers: ${Object.keys(info)
      .filter((k) => k !== 'missing')
      .join(', ')} ready in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );

  return async () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    const stopping = performance.now();
    await stop();
    process.stderr.write(
      `draingate peers: stopped in ${((performance.now() - stopping) / 1000).toFixed(1)} s\n`,
    );
  };
}
