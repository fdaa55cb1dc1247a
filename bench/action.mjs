// Benchmark (issues 7 and 19): the GitHub Action's bundle and the gate's decision latency.
//   node bench/action.mjs   (after `npm run bundle -w action` and `npx tsc -b packages/core`)
// (a) Start of action/dist/index.js for `validate` on one manifest (as the runner starts it) against `node -e 0`
//     in the same run, alternating, several rounds, medians; beside it the same sources built the way they were
//     before code splitting (one file with every client inlined), to show what the split buys.
//     Targets: ≤ 3 × `node -e 0` (issue 19), ≤ 300 ms to first output (issue 7).
// (b) The bundle's size (bytes, gzip): what `validate` loads, and all of dist/.
// (c) With the clock injected, how long after a target-health breach the gate decides, for breaches at many
//     offsets within a polling interval. Target: within two polling intervals.
// Writes bench/results/action.md.
import { spawn } from 'node:child_process';
import {
  readFileSync,
  writeFileSync,
  mkdtempSync,
  rmSync,
  copyFileSync,
  readdirSync,
  statSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { setImmediate } from 'node:timers';
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { options } from '../action/build.mjs';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'action/dist');
const bundle = join(dist, 'index.js');
const rounds = Number(process.env.ROUNDS ?? 21);
const loadAtStart = loadavg()[0] ?? 0;
const node = process.execPath;

/** ms from spawn to the first byte on stdout (or to exit when nothing is printed). */
function firstOutput(args, env, cwd) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let first;
    const child = spawn(node, args, { env, cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', () => (first ??= performance.now() - started));
    child.on('error', reject);
    child.on('close', () =>
      resolve({ first: first ?? performance.now() - started, exit: performance.now() - started }),
    );
  });
}

// The same sources as one file, every client inlined (the build before code splitting), for comparison.
const singleDir = mkdtempSync(join(tmpdir(), 'draingate-bench-single-'));
await build({ ...options(singleDir), splitting: false, chunkNames: undefined });
const single = join(singleDir, 'index.js');

const workspace = mkdtempSync(join(tmpdir(), 'draingate-bench-action-'));
copyFileSync(join(root, 'examples/all-right/shop.yaml'), join(workspace, 'shop.yaml'));
const actionEnv = {
  PATH: process.env.PATH ?? '',
  HOME: workspace,
  GITHUB_WORKSPACE: workspace,
  INPUT_COMMAND: 'validate',
  INPUT_MANIFESTS: 'shop.yaml',
  'INPUT_FAIL-ON': 'error',
};
const empty = [];
const action = [];
const unsplit = [];
for (let round = 0; round < rounds; round++) {
  empty.push(await firstOutput(['-e', '0'], { PATH: actionEnv.PATH }, workspace));
  action.push(await firstOutput([bundle], actionEnv, workspace));
  unsplit.push(await firstOutput([single], actionEnv, workspace));
}
rmSync(workspace, { recursive: true, force: true });
const singleBytes = statSync(single).size;
rmSync(singleDir, { recursive: true, force: true });
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const emptyMs = median(empty.map((r) => r.exit));
const firstMs = median(action.map((r) => r.first));
const exitMs = median(action.map((r) => r.exit));
const singleFirstMs = median(unsplit.map((r) => r.first));
const singleExitMs = median(unsplit.map((r) => r.exit));
const ratio = firstMs / emptyMs;
const ratioExit = exitMs / emptyMs;

// What validate loads: index.js and the chunks it imports statically, transitively.
const loaded = new Set();
const visitStatic = (file) => {
  if (loaded.has(file)) return;
  loaded.add(file);
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/from\s*"(\.\/[^"]+)"/g)) visitStatic(join(file, '..', match[1]));
};
visitStatic(bundle);
const validateBytes = [...loaded].reduce((sum, file) => sum + statSync(file).size, 0);
const allFiles = readdirSync(dist, { recursive: true })
  .map((file) => join(dist, String(file)))
  .filter((file) => file.endsWith('.js'));
const allBytes = allFiles.reduce((sum, file) => sum + statSync(file).size, 0);
const gzipOf = (files) =>
  gzipSync(Buffer.concat(files.map((file) => readFileSync(file))), { level: 9 }).length;

// (c) The gate on a manual clock with in-memory ports, from the built core.
const core = await import(join(root, 'packages/core/dist/index.js'));
class ManualClock {
  time = Date.parse('2026-01-01T12:00:00Z');
  sleepers = [];
  now() {
    return new Date(this.time);
  }
  sleep(ms) {
    return new Promise((resolve) => this.sleepers.push({ until: this.time + ms, resolve }));
  }
  advance(ms) {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.until <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.until > this.time);
    for (const s of due) s.resolve();
  }
}
const workload = { kind: 'Deployment', namespace: 'shop', name: 'web' };
const tg =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-shop-web-1a2b3c4d5e/00000000000000aa';
const pollSeconds = 5;
async function breachLatency(breachAt) {
  const clock = new ManualClock();
  const start = clock.time;
  const elapsed = () => (clock.time - start) / 1000;
  const pods = () => [
    {
      name: 'web-0',
      namespace: 'shop',
      uid: 'a',
      ip: '10.0.1.1',
      phase: 'Running',
      ready: true,
      terminating: false,
      labels: { app: 'web' },
      conditions: {},
    },
    ...(elapsed() < breachAt
      ? [
          {
            name: 'web-old',
            namespace: 'shop',
            uid: 'b',
            ip: '10.0.0.1',
            phase: 'Running',
            ready: true,
            terminating: true,
            labels: { app: 'web' },
            conditions: {},
          },
        ]
      : []),
  ];
  const status = {
    workload,
    generation: 2,
    observedGeneration: 2,
    resourceVersion: '1',
    replicas: 1,
    updatedReplicas: 1,
    availableReplicas: 1,
    readyReplicas: 1,
    oldReplicas: 1,
    revision: '2',
    phase: 'Complete',
    progressDeadlineExceeded: false,
  };
  const ports = {
    clock,
    cluster: { listPods: async () => pods(), readRolloutStatus: async () => status },
    targetHealth: {
      describeTargetHealth: async () => [
        { id: '10.0.1.1', port: 8080, state: 'healthy' },
        { id: '10.0.0.1', port: 8080, state: 'draining', reason: 'Target.DeregistrationInProgress' },
      ],
    },
    metrics: { readMetrics: async () => [] },
  };
  let done = false;
  const wallStart = performance.now();
  const gate = core.watchRollout(ports, {
    workload,
    targetGroupArns: [tg],
    podSelector: { app: 'web' },
    pollIntervalSeconds: pollSeconds,
    timeoutSeconds: 600,
  });
  gate.then(() => (done = true));
  while (!done) {
    await new Promise((resolve) => setImmediate(resolve));
    if (!done && clock.sleepers.length > 0) clock.advance(100);
  }
  const result = await gate;
  const decided = result.decisions.find((d) => d.kind === 'target-health-failed');
  return { latency: decided.elapsedSeconds - breachAt, wallMs: performance.now() - wallStart };
}
const offsets = [];
for (let t = 10; t < 10 + pollSeconds; t += 0.1) offsets.push(Math.round(t * 10) / 10);
const latencies = [];
for (const at of offsets) latencies.push(await breachLatency(at));
const maxLatency = Math.max(...latencies.map((l) => l.latency));
const medianLatency = median(latencies.map((l) => l.latency));

const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
const ratioOk = ratio <= 3;
const firstOk = firstMs <= 300;
const latencyOk = maxLatency <= 2 * pollSeconds;
const md = `# GitHub Action benchmark

\`node bench/action.mjs\` (after \`npm run bundle -w action\` and \`npx tsc -b packages/core\`), ${new Date().toISOString()},
${nproc} cores (\`nproc\`; ${cpus().length} seen by Node), load average ${loadAtStart.toFixed(1)} at the start (the machine is
shared: compare the ratios, measured in one run, rather than the milliseconds), Node ${process.version}, ${rounds} rounds
alternating, medians.

## Start of \`validate\`

The bundle started as the runner starts it (\`node dist/index.js\`, \`INPUT_*\` variables), \`command: validate\` on
one manifest (examples/all-right/shop.yaml); the first output is its first log line, written after validating.
"one file" is the same sources built without code splitting (every client inlined, as before issue 19), built by
the benchmark into a temporary directory.

| process | start → first output | start → exit | first output ÷ \`node -e 0\` |
|---|---:|---:|---:|
| \`node -e 0\` (baseline, same run) | – | ${emptyMs.toFixed(0)} ms | 1 × |
| \`action/dist/index.js\` validate (split) | ${firstMs.toFixed(0)} ms | ${exitMs.toFixed(0)} ms | ${ratio.toFixed(2)} × (exit ${ratioExit.toFixed(2)} ×) |
| one file, validate | ${singleFirstMs.toFixed(0)} ms | ${singleExitMs.toFixed(0)} ms | ${(singleFirstMs / emptyMs).toFixed(2)} × |

Targets: ≤ 3 × \`node -e 0\` — ${ratioOk ? 'met' : 'NOT met'}; ≤ 300 ms to first output — ${firstOk ? 'met' : 'NOT met'}. The split
build starts in ${(firstMs / singleFirstMs).toFixed(2)} × the time of the one file. \`validate\` loads dist/index.js and
the chunks it imports statically (the core, YAML parsers, @actions/core); the Kubernetes and AWS clients are
chunks that only \`gate\` and \`rollback\` import. @actions/core's OIDC client (with @actions/http-client and
undici) is dropped at build time since the action never asks for an ID token.

## Bundle

| what | files | bytes | gzip -9 |
|---|---:|---:|---:|
| loaded by \`validate\` | ${loaded.size} | ${validateBytes.toLocaleString('en-US')} | ${gzipOf([...loaded]).toLocaleString('en-US')} |
| all of action/dist (*.js) | ${allFiles.length} | ${allBytes.toLocaleString('en-US')} | ${gzipOf(allFiles).toLocaleString('en-US')} |
| one file (comparison) | 1 | ${singleBytes.toLocaleString('en-US')} | |

## Decision latency, clock injected

\`watchRollout\` on a manual clock with in-memory ports, poll interval ${pollSeconds} s, failAfterPolls 2 (the
default). A draining target's pod disappears at ${offsets.length} offsets spread over one polling interval
(t = 10.0 … ${offsets.at(-1)} s); latency = the \`target-health-failed\` decision's time − the breach's.

| breaches | median latency | max latency | limit (2 × poll interval) | wall time per gate run (median) |
|---:|---:|---:|---:|---:|
| ${offsets.length} | ${medianLatency.toFixed(1)} s | ${maxLatency.toFixed(1)} s | ${2 * pollSeconds} s | ${median(latencies.map((l) => l.wallMs)).toFixed(1)} ms |

Target: decided within two polling intervals — ${latencyOk ? 'met' : 'NOT met'}. The first poll after the breach sees
it, the next one confirms it, so the latency is one interval plus the breach's distance to the next poll.
`;
writeFileSync(join(root, 'bench/results/action.md'), md);
console.log(md);
if (!ratioOk || !firstOk || !latencyOk) process.exitCode = 1;
