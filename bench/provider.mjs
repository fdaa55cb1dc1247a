// Benchmarks of the analysis provider (issue 6), loopback only, bounded in time:
//   node bench/provider.mjs warm     warm cache, c=50 for 20 s → req/s, p50/p99 (targets ≥ 3,000 req/s, p99 ≤ 10 ms);
//                                    VERDICT_MEMO=off evaluates every request instead of reusing the minute's verdict
//   node bench/provider.mjs cold     200 concurrent identical requests on a cold cache → upstream reads (target 1)
//   node bench/provider.mjs soak     SOAK_SECONDS (300) at a steady SOAK_RATE (500 req/s) → RSS growth (≤ 10 %), failures (0)
//   node bench/provider.mjs sigterm  SIGTERM under load, the caller stopping once /readyz fails → failures (0)
// The server (bench/provider-server.mjs) runs in its own process; the load generator (autocannon) in this one.
// Build first: npx tsc -b analysis-provider.
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const TOKEN = 'bench-token-0123456789abcdef0123';
const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/bench/0123456789abcdef';
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/bench/fedcba9876543210';
const PATH = `/v1/checks/elb-5xx?loadBalancerArn=${LB}&targetGroupArns=${TG}`;
const headers = { authorization: `Bearer ${TOKEN}` };

async function startServer(env = {}) {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'provider-server.mjs')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url, exited };
}

async function metric(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name} `) || candidate.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : Number.NaN;
}

function run(options) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ headers, ...options }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
    options.onInstance?.(instance);
  });
}

function summary(result) {
  return {
    requests: result.requests.total,
    reqPerSec: Math.round(result.requests.average),
    p50ms: result.latency.p50,
    p90ms: result.latency.p90,
    p99ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

const environment = () => ({
  nproc: cpus().length,
  load: loadavg()
    .map((value) => value.toFixed(2))
    .join(' '),
  node: process.version,
});

async function warm() {
  const server = await startServer();
  const url = `${server.url}${PATH}`;
  await fetch(url, { headers });
  await run({ url, connections: 50, duration: 3 });
  const before = environment();
  const result = await run({ url, connections: 50, duration: Number(process.env.DURATION ?? 20) });
  server.child.kill('SIGTERM');
  await server.exited;
  return { before, ...summary(result), after: environment() };
}

async function cold() {
  const server = await startServer({ UPSTREAM_MS: '200' });
  const url = `${server.url}${PATH}`;
  const answers = await Promise.all(
    Array.from({ length: 200 }, () => fetch(url, { headers }).then((res) => res.status)),
  );
  const reads = await metric(server.url, 'draingate_provider_metric_batch_queries_count');
  const coalesced = await metric(server.url, 'draingate_provider_coalesced_waits_total');
  server.child.kill('SIGTERM');
  await server.exited;
  return {
    env: environment(),
    requests: answers.length,
    ok: answers.filter((status) => status === 200).length,
    upstreamReads: reads,
    coalescedWaits: coalesced,
  };
}

async function soak() {
  const seconds = Number(process.env.SOAK_SECONDS ?? 300);
  const rate = Number(process.env.SOAK_RATE ?? 500);
  const server = await startServer();
  const url = `${server.url}${PATH}`;
  // A minute of load first: the heap and JIT settle before the baseline is taken.
  await run({ url, connections: 10, overallRate: rate, duration: 30 });
  const rss = () => metric(server.url, 'draingate_provider_process_resident_memory_bytes');
  const samples = [await rss()];
  const sampler = setInterval(() => void rss().then((value) => samples.push(value)), 10_000);
  const result = await run({ url, connections: 10, overallRate: rate, duration: seconds });
  clearInterval(sampler);
  samples.push(await rss());
  server.child.kill('SIGTERM');
  await server.exited;
  const first = samples[0];
  const last = samples[samples.length - 1];
  return {
    env: environment(),
    seconds,
    rate,
    ...summary(result),
    rssStartMiB: Math.round(first / 1048576),
    rssEndMiB: Math.round(last / 1048576),
    rssMaxMiB: Math.round(Math.max(...samples) / 1048576),
    rssGrowthPercent: Number((((last - first) / first) * 100).toFixed(1)),
  };
}

async function sigterm() {
  const server = await startServer({ SHUTDOWN_DELAY: '2' });
  const url = `${server.url}${PATH}`;
  await fetch(url, { headers });
  let signalledAt = 0;
  let stoppedAt = 0;
  const result = await run({
    url,
    connections: 20,
    duration: 30,
    onInstance: (instance) => {
      setTimeout(() => {
        signalledAt = performance.now();
        server.child.kill('SIGTERM');
      }, 3000);
      // The caller's side of the drain: like an endpoint leaving a Service, stop sending once /readyz fails.
      const poll = setInterval(async () => {
        const ready = await fetch(`${server.url}/readyz`).then(
          (res) => res.status,
          () => 0,
        );
        if (ready !== 200 && signalledAt > 0) {
          clearInterval(poll);
          stoppedAt = performance.now();
          instance.stop();
        }
      }, 100);
    },
  });
  const code = await server.exited;
  return {
    env: environment(),
    ...summary(result),
    stoppedSendingAfterMs: Math.round(stoppedAt - signalledAt),
    exitAfterMs: Math.round(performance.now() - signalledAt),
    exitCode: code,
  };
}

const modes = { warm, cold, soak, sigterm };
const mode = process.argv[2] ?? 'warm';
if (!(mode in modes)) throw new Error(`unknown mode ${mode}: ${Object.keys(modes).join(', ')}`);
console.log(JSON.stringify({ mode, ...(await modes[mode]()) }, null, 2));
