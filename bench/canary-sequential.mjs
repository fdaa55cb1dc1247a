// Benchmark (issue 22): how often the canary check fails a healthy canary, and how fast it catches a bad one,
// when Argo Rollouts asks every minute for 30 minutes and fails the rollout at the first Failed measurement
// (failureLimit 0). From the built core (`npx tsc -b packages/core` first).
//
// Traffic: 1,000 requests a minute to the ALB in total, each minute's canary and stable requests Poisson with
// means 1,000 × split and 1,000 × (1 − split), each group's errors Binomial(requests, rate). Every run is seeded
// from its grid point and its number, so the figures repeat exactly.
//
// - sequential: the new test on the minutes since the canary started (α 0.05, minRelativeEffect 0).
// - Fisher per look: the old check as configured by default — one-sided Fisher's exact test, p < 0.05, on its
//   10-minute window less the 2 newest (incomplete) minutes, i.e. the last 8 minutes; Inconclusive (not
//   Failed) below 50 canary or 100 stable requests.
// CloudWatch's delay is left out for both: look k sees minutes 1…k.
//
// `node bench/canary-sequential.mjs [runs]` (default 10,000 per grid point); BENCH_WRITE=1 writes
// bench/results/canary-sequential.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { random } from './random.mjs';

const core = await import(join(import.meta.dirname, '../packages/core/dist/index.js'));

const RUNS = Number(process.argv[2] ?? 10_000);
const LOOKS = 30;
const REQUESTS_PER_MINUTE = 1_000;
const ALPHA = 0.05;
const FISHER_MINUTES = 8;
const RATES = [0.001, 0.01, 0.05];
const SPLITS = [0.05, 0.2, 0.5];
const RATIOS = [1, 2, 5];

/** Poisson(mean): inversion for small means, Hörmann's PTRS (transformed rejection) for large ones. */
function poisson(rand, mean) {
  if (mean < 30) {
    let k = 0;
    let p = Math.exp(-mean);
    let sum = p;
    const u = rand();
    while (u > sum && k < 1000) {
      k += 1;
      p *= mean / k;
      sum += p;
    }
    return k;
  }
  const slam = Math.sqrt(mean);
  const logMean = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rand() - 0.5;
    const v = rand();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
      -mean + k * logMean - core.logFactorial(k)
    )
      return k;
  }
}

/** Binomial(n, p) by inversion (n·p is at most a few hundred here). */
function binomial(rand, n, p) {
  if (p > 0.5) return n - binomial(rand, n, 1 - p);
  const q = 1 - p;
  let f = q ** n;
  if (f === 0) return Math.round(n * p); // not reached on this grid
  let u = rand();
  let k = 0;
  const odds = p / q;
  while (u > f && k < n) {
    u -= f;
    k += 1;
    f *= (odds * (n - k + 1)) / k;
  }
  return k;
}

/** One run: the minute of the first Failed look of each test, or 0 if none. */
function run(seed, rate, split, ratio) {
  const rand = random(seed);
  const minutes = [];
  let state = core.startSequentialTest(0);
  let sequentialAt = 0;
  let fisherAt = 0;
  for (let look = 1; look <= LOOKS; look += 1) {
    const canaryRequests = poisson(rand, REQUESTS_PER_MINUTE * split);
    const stableRequests = poisson(rand, REQUESTS_PER_MINUTE * (1 - split));
    const minute = {
      canaryRequests,
      stableRequests,
      canaryErrors: binomial(rand, canaryRequests, rate * ratio),
      stableErrors: binomial(rand, stableRequests, rate),
    };
    minutes.push(minute);
    state = core.stepSequentialTest(state, minute);
    if (!sequentialAt && state.maxLogEValue >= -Math.log(ALPHA)) sequentialAt = look;
    if (!fisherAt) {
      let ce = 0;
      let cr = 0;
      let se = 0;
      let sr = 0;
      for (const m of minutes.slice(-FISHER_MINUTES)) {
        ce += m.canaryErrors;
        cr += m.canaryRequests;
        se += m.stableErrors;
        sr += m.stableRequests;
      }
      if (cr >= 50 && sr >= 100 && ce / cr > se / sr && core.fisherExactGreater(ce, cr, se, sr) < ALPHA)
        fisherAt = look;
    }
    if (sequentialAt && fisherAt) break;
  }
  return { sequentialAt, fisherAt };
}

/** The median minute of detection over all runs, a run never detected counting as later than any: ">30". */
function medianMinute(times) {
  const sorted = times.map((t) => t || Number.POSITIVE_INFINITY).sort((x, y) => x - y);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return Number.isFinite(median) ? String(median) : `>${LOOKS}`;
}

const started = performance.now();
const rows = [];
let gridIndex = 0;
for (const ratio of RATIOS) {
  for (const rate of RATES) {
    for (const split of SPLITS) {
      gridIndex += 1;
      const sequential = [];
      const fisher = [];
      for (let i = 0; i < RUNS; i += 1) {
        const outcome = run(gridIndex * 1_000_003 + i, rate, split, ratio);
        sequential.push(outcome.sequentialAt);
        fisher.push(outcome.fisherAt);
      }
      const share = (times) => times.filter((t) => t > 0).length / RUNS;
      rows.push({
        ratio,
        rate,
        split,
        sequential: share(sequential),
        fisher: share(fisher),
        sequentialMedian: medianMinute(sequential),
        fisherMedian: medianMinute(fisher),
      });
      const last = rows.at(-1);
      console.log(JSON.stringify(last));
    }
  }
}
const seconds = (performance.now() - started) / 1000;

const pct = (x) => `${(x * 100).toFixed(x < 0.1 ? 2 : 1)} %`;
const rateText = (rate) => `${+(rate * 100).toFixed(1)} %`;
// A binomial 95 % upper bound shows how far the measured false-alarm rate can be from the true one.
const upper = (x) => Math.min(1, x + 1.96 * Math.sqrt((x * (1 - x)) / RUNS) + 1 / RUNS);
const healthy = rows.filter((row) => row.ratio === 1);
const worstSequential = Math.max(...healthy.map((row) => row.sequential));
const table = (ratio) =>
  rows
    .filter((row) => row.ratio === ratio)
    .map((row) =>
      ratio === 1
        ? `| ${rateText(row.rate)} | ${row.split * 100} % | ${pct(row.sequential)} (≤ ${pct(upper(row.sequential))}) | ${pct(row.fisher)} |`
        : `| ${rateText(row.rate)} → ${rateText(row.rate * ratio)} | ${row.split * 100} % | ${pct(row.sequential)} | ${row.sequentialMedian} | ${pct(row.fisher)} | ${row.fisherMedian} |`,
    )
    .join('\n');

const markdown = `# Canary check: false alarms and detection over Argo's schedule

\`node bench/canary-sequential.mjs\` (after \`npx tsc -b packages/core\`), ${new Date().toISOString()}, ${availableParallelism()} cores (\`nproc\`), Node ${process.version}, ${RUNS.toLocaleString('en-US')} seeded runs per grid point, ${seconds.toFixed(0)} s in all.

Argo asks once a minute for 30 minutes and fails the rollout at the first Failed measurement (\`failureLimit\`
0). The ALB gets ${REQUESTS_PER_MINUTE.toLocaleString('en-US')} requests a minute; each minute's canary and stable requests are Poisson (means
${REQUESTS_PER_MINUTE.toLocaleString('en-US')} × split and ${REQUESTS_PER_MINUTE.toLocaleString('en-US')} × (1 − split)) and each group's errors Binomial(requests, rate).

- **sequential**: \`method: sequential\` — the mixture e-value on the minutes since the canary started, Failed
  once it reaches 1/α = 20 (α 0.05, \`minRelativeEffect\` 0).
- **Fisher per look**: the default \`method: fisher\` — one-sided Fisher's exact test, p < 0.05, on its
  10-minute window less the two newest (incomplete) minutes, i.e. the last 8 minutes at each look.

CloudWatch's delay is left out for both tests: look k sees minutes 1 to k.

## Healthy canaries failed (canary rate = stable rate), within 30 looks

In brackets, a 95 % upper bound on the true rate (normal approximation, plus one run) from ${RUNS.toLocaleString('en-US')} runs.

| error rate | canary split | sequential | Fisher per look |
|---|---|---|---|
${table(1)}

Largest for the sequential test: ${pct(worstSequential)} — ${worstSequential <= ALPHA ? 'at or below' : 'ABOVE'} α = 5 % at every grid point.

## Canary at 2× the stable rate: detected within 30 minutes, median minute of detection

The median is over all runs, a run never detected counting as later than any: ">30" means fewer than half were
detected within the 30 looks. Fisher's detection figures are bought with the false alarms above: a test that
fails ${pct(Math.min(...healthy.map((row) => row.fisher)))} to ${pct(Math.max(...healthy.map((row) => row.fisher)))} of healthy canaries also fails bad ones sooner.

| error rate (stable → canary) | canary split | sequential detected | sequential median minute | Fisher detected | Fisher median minute |
|---|---|---|---|---|---|
${table(2)}

## Canary at 5× the stable rate

| error rate (stable → canary) | canary split | sequential detected | sequential median minute | Fisher detected | Fisher median minute |
|---|---|---|---|---|---|
${table(5)}
`;

if (process.env.BENCH_WRITE) {
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(join(import.meta.dirname, 'results/canary-sequential.md'), markdown);
}
console.log(markdown);
