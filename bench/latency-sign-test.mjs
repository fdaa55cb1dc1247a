// Benchmark (issue 22): how often the latency check fails a canary that is as fast as the stable version, and
// how fast it catches a slower one, when Argo asks every minute for 30 minutes (failureLimit 0). From the built
// core (`npx tsc -b packages/core` first).
//
// Traffic: 3,000 requests a minute to the ALB, each minute's canary and stable requests Poisson with means
// 3,000 × split and 3,000 × (1 − split) (normal approximation). Every request's response time is lognormal
// (median 100 ms, σ 0.6 on the log scale, drawn from a table of 65,536 quantiles) times one factor per minute shared by both groups (lognormal, σ 0.3: load that moves both), times
// the canary's slowdown for canary requests. A minute's percentile is the sample quantile of its requests
// (nearest rank) — CloudWatch's own estimator is an approximation of the same thing. Every run is seeded from
// its grid point and its number, so the figures repeat exactly.
//
// - sequential sign test: the check (minRequestsPerMinute 100, α 0.05) on every minute since the canary
//   started; healthy canaries with minRelativeEffect 0.1 (the default) and 0, slower ones with the default.
// - fixed sign test per look: the same signs, an exact one-sided binomial test (p < 0.05) over all the minutes
//   so far, repeated at every look — what a fixed-sample test asked every minute does.
// CloudWatch's delay is left out: look k sees minutes 1…k.
//
// `node bench/latency-sign-test.mjs [runs]` (default 2,000 per grid point); BENCH_WRITE=1 writes
// bench/results/latency-sign-test.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { random } from './random.mjs';

const core = await import(join(import.meta.dirname, '../packages/core/dist/index.js'));

const RUNS = Number(process.argv[2] ?? 2_000);
const LOOKS = 30;
const REQUESTS_PER_MINUTE = 3_000;
const ALPHA = 0.05;
const MIN_REQUESTS = 100;
const SPLITS = [0.05, 0.2, 0.5, 0.8];
const PERCENTILES = [
  ['p99', 0.99],
  ['p90', 0.9],
];
/** Healthy canaries are judged with the default bound (minRelativeEffect 0.1) and with none (0). */
const HEALTHY_BOUNDS = [1.1, 1];
const SLOWDOWNS = [1.1, 1.2, 1.5];
const DEFAULT_BOUND = 1.1;

function normal(rand) {
  let u = 0;
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Poisson(mean) by the normal approximation with continuity: means here are 150 and up. */
function poisson(rand, mean) {
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rand)));
}

/** The k-th smallest of values[0..n) (0-based), in place (Hoare's quickselect). */
function select(values, n, k) {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i += 1;
      while (values[j] > pivot) j -= 1;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i += 1;
        j -= 1;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

const buffer = new Float64Array(REQUESTS_PER_MINUTE * 2);

/**
 * Response times by inverse transform from a table of 65,536 lognormal quantiles (median 100 ms, σ 0.6): one
 * uniform draw per request instead of a Box-Muller pair, and a table fine enough for the tail a p99 reads
 * (its last cell is beyond z = 4.3).
 */
const TABLE_SIZE = 65_536;
const LATENCY_TABLE = Float64Array.from({ length: TABLE_SIZE }, (_, i) =>
  Math.exp(Math.log(0.1) + 0.6 * core.normalQuantile((i + 0.5) / TABLE_SIZE)),
);

/** One group's percentile for one minute: n response times, nearest rank. */
function percentileOf(rand, n, q, scale) {
  for (let i = 0; i < n; i += 1) buffer[i] = scale * LATENCY_TABLE[(rand() * TABLE_SIZE) | 0];
  return select(buffer, n, Math.max(0, Math.ceil(q * n) - 1));
}

/** P(X ≥ x) for X ~ Binomial(n, 1/2). */
function binomialTail(x, n) {
  let sum = 0;
  for (let k = x; k <= n; k += 1) sum += Math.exp(core.logChoose(n, k) - n * Math.LN2);
  return Math.min(1, sum);
}

/** One run: the look at which each test first fails (undefined: never within 30 looks). */
function run(seed, split, q, slowdown, bound) {
  const rand = random(seed);
  const signs = [];
  let sequential;
  let fixed;
  for (let look = 1; look <= LOOKS; look += 1) {
    const shared = Math.exp(0.3 * normal(rand));
    const canaryRequests = poisson(rand, REQUESTS_PER_MINUTE * split);
    const stableRequests = poisson(rand, REQUESTS_PER_MINUTE * (1 - split));
    const canary = percentileOf(rand, canaryRequests, q, shared * slowdown);
    const stable = percentileOf(rand, stableRequests, q, shared);
    if (canaryRequests >= MIN_REQUESTS && stableRequests >= MIN_REQUESTS) signs.push(canary > bound * stable);
    if (sequential === undefined && signs.length > 0 && core.evaluateSignTest(signs, ALPHA).rejected)
      sequential = look;
    if (fixed === undefined && signs.length > 0) {
      const slower = signs.filter(Boolean).length;
      if (binomialTail(slower, signs.length) < ALPHA) fixed = look;
    }
    if (sequential !== undefined && fixed !== undefined) break;
  }
  return { sequential, fixed };
}

function median(looks) {
  const sorted = looks.map((look) => look ?? Infinity).sort((a, b) => a - b);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  return middle === Infinity ? `>${LOOKS}` : String(middle);
}

const percent = (count) => `${((100 * count) / RUNS).toFixed(count * 1000 < RUNS ? 2 : 1)} %`;
const upper = (count) => {
  const p = (count + 1) / RUNS;
  return `${(100 * Math.min(1, p + 1.96 * Math.sqrt((p * (1 - p)) / RUNS))).toFixed(2)} %`;
};

const started = performance.now();
const rows = [];
let point = 0;
const grid = [
  ...HEALTHY_BOUNDS.map((bound) => ({ slowdown: 1, bound })),
  ...SLOWDOWNS.map((slowdown) => ({ slowdown, bound: DEFAULT_BOUND })),
];
for (const [name, q] of PERCENTILES) {
  for (const { slowdown, bound } of grid) {
    for (const split of SPLITS) {
      point += 1;
      const results = Array.from({ length: RUNS }, (_, index) =>
        run(point * 1_000_003 + index, split, q, slowdown, bound),
      );
      const sequential = results.map((r) => r.sequential);
      const fixed = results.map((r) => r.fixed);
      rows.push({
        name,
        slowdown,
        bound,
        split,
        sequentialFailed: sequential.filter((look) => look !== undefined).length,
        fixedFailed: fixed.filter((look) => look !== undefined).length,
        sequentialMedian: median(sequential),
        fixedMedian: median(fixed),
      });
      process.stderr.write(
        `${name} ×${slowdown} bound ${bound} split ${split}: ${JSON.stringify(rows.at(-1))}\n`,
      );
    }
  }
}
const seconds = Math.round((performance.now() - started) / 1000);

const healthy = rows.filter((row) => row.slowdown === 1);
const worst = (bound) =>
  Math.max(...healthy.filter((row) => row.bound === bound).map((row) => row.sequentialFailed));
const table = (selected) =>
  selected.map(
    (row) =>
      `| ${row.name} | ${Math.round(row.split * 100)} % | ${percent(row.sequentialFailed)} (≤ ${upper(row.sequentialFailed)}) | ${percent(row.fixedFailed)} |`,
  );
const lines = [
  "# Latency check: false alarms and detection over Argo's schedule",
  '',
  `\`node bench/latency-sign-test.mjs\` (after \`npx tsc -b packages/core\`), ${new Date().toISOString()}, ${availableParallelism()} cores (\`nproc\`), Node ${process.version}, ${RUNS.toLocaleString('en-US')} seeded runs per grid point, ${seconds} s in all.`,
  '',
  'Argo asks once a minute for 30 minutes and fails the rollout at the first Failed measurement (`failureLimit`',
  "0). The ALB gets 3,000 requests a minute; each minute's canary and stable requests are Poisson (means",
  '3,000 × split and 3,000 × (1 − split)). Response times are lognormal (median 100 ms, σ 0.6 on the log scale)',
  "times a per-minute factor shared by both groups (lognormal, σ 0.3), times the canary's slowdown. A minute's",
  "percentile is its requests' sample quantile (nearest rank).",
  '',
  '- **sequential**: the `latency` check — a minute counts when both groups had ≥ 100 requests, its sign is',
  "  canary percentile > (1 + minRelativeEffect) × stable's, and the sequential sign test fails once its e-value",
  '  reaches 1/α = 20 (α 0.05).',
  '- **fixed per look**: the same signs, an exact one-sided binomial sign test (p < 0.05) over all the minutes',
  '  so far, repeated at every look.',
  '',
  "CloudWatch's delay is left out for both tests: look k sees minutes 1 to k.",
  '',
  '## Canaries as fast as the stable version, failed within 30 looks',
  '',
  `In brackets, a 95 % upper bound on the true rate (normal approximation, plus one run) from ${RUNS.toLocaleString('en-US')} runs.`,
  '',
  '### With the default minRelativeEffect 0.1',
  '',
  '| percentile | canary split | sequential | fixed per look |',
  '|---|---|---|---|',
  ...table(healthy.filter((row) => row.bound === 1.1)),
  '',
  '### With minRelativeEffect 0 (any slower minute counts)',
  '',
  '| percentile | canary split | sequential | fixed per look |',
  '|---|---|---|---|',
  ...table(healthy.filter((row) => row.bound === 1)),
  '',
  `Largest for the sequential test: ${percent(worst(1.1))} with the default, ${percent(worst(1))} with minRelativeEffect 0 (α = 5 %).`,
  '',
  '## Slower canaries (minRelativeEffect 0.1): detected within 30 minutes, median minute of detection',
  '',
  'The median is over all runs, a run never detected counting as later than any: ">30" means fewer than half',
  'were detected within the 30 looks. A 1.1× canary sits exactly on the tolerated bound.',
  '',
  '| percentile | canary slowdown | canary split | sequential detected | sequential median minute | fixed detected | fixed median minute |',
  '|---|---|---|---|---|---|---|',
  ...rows
    .filter((row) => row.slowdown !== 1)
    .map(
      (row) =>
        `| ${row.name} | ${row.slowdown}× | ${Math.round(row.split * 100)} % | ${percent(row.sequentialFailed)} | ${row.sequentialMedian} | ${percent(row.fixedFailed)} | ${row.fixedMedian} |`,
    ),
  '',
];
const text = lines.join('\n');
process.stdout.write(text);
if (process.env.BENCH_WRITE === '1') {
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(join(import.meta.dirname, 'results', 'latency-sign-test.md'), text);
}
