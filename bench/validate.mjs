// Benchmark (issue 2): 10,000 workloads (~40,000 documents). In one run, measures
// (a) parsing the corpus with the YAML library alone and (b) `draingate validate` on it, both as whole
// processes (start-up included), alternating, several rounds; reports medians, the ratio b/a, and the
// peak RSS of each. Targets: b ≤ 1.5 × a, b ≤ 3 s, peak RSS ≤ 500 MB.
// VARIANT=gateway runs the same on the Gateway API variant of the corpus (HTTPRoutes and
// TargetGroupConfigurations instead of Ingresses) and writes validate-gateway.json; VARIANT=both measures the
// two corpora in the same rounds, interleaved, so that both ratios see the same machine, and writes both.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCorpus } from './corpus.mjs';

const root = join(import.meta.dirname, '..');
const rounds = Number(process.env.ROUNDS ?? 5);
const requested = process.env.VARIANT ?? 'ingress';
const variants = requested === 'both' ? ['ingress', 'gateway'] : [requested];
const node = process.execPath;
// BASELINE=<another checkout, built>: its `draingate validate` is measured in the same rounds too, so a
// change is judged against the build it started from on the same machine at the same time.
const baseline = process.env.BASELINE;
const loadAtStart = loadavg()[0];

const corpora = variants.map((variant) => {
  const dir = mkdtempSync(join(tmpdir(), `draingate-bench-${variant}-`));
  return {
    variant,
    dir,
    corpus: writeCorpus(dir, Number(process.env.WORKLOADS ?? 10_000), 100, variant),
    a: [],
    b: [],
    base: [],
    findings: 0,
  };
});

function measure(args) {
  // GNU time prints the peak RSS (KiB) of the child on stderr.
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', '%M', node, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  if (run.status !== 0 && run.status !== 1)
    throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  const rssKiB = Number(run.stderr.trim().split('\n').pop());
  return { ms, rssMiB: rssKiB / 1024, stdout: run.stdout };
}

for (let round = 0; round < rounds; round++) {
  for (const c of corpora) {
    c.a.push(measure([join(import.meta.dirname, 'yaml-baseline.mjs'), c.dir]));
    const v = measure([join(root, 'packages/cli/dist/draingate.js'), 'validate', '-o', 'json', c.dir]);
    c.findings = JSON.parse(v.stdout).findings.length;
    c.b.push(v);
    if (baseline)
      c.base.push(
        measure([join(baseline, 'packages/cli/dist/draingate.js'), 'validate', '-o', 'json', c.dir]),
      );
  }
}
for (const c of corpora) rmSync(c.dir, { recursive: true, force: true });

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const results = corpora.map((c) => {
  const aMs = median(c.a.map((r) => r.ms));
  const bMs = median(c.b.map((r) => r.ms));
  const result = {
    date: new Date().toISOString(),
    cores: cpus().length,
    loadAverageAtStart: +loadAtStart.toFixed(2),
    node: process.version,
    corpus: {
      variant: c.variant,
      workloads: c.corpus.workloads,
      documents: c.corpus.documents,
      files: c.corpus.files,
      megabytes: +(c.corpus.bytes / 1e6).toFixed(1),
    },
    rounds,
    findings: c.findings,
    yamlOnly: {
      medianMs: Math.round(aMs),
      peakRssMiB: Math.round(Math.max(...c.a.map((r) => r.rssMiB))),
    },
    validate: {
      medianMs: Math.round(bMs),
      peakRssMiB: Math.round(Math.max(...c.b.map((r) => r.rssMiB))),
    },
    ratio: +(bMs / aMs).toFixed(2),
    // Each round's own ratio (its validate over its YAML parse, measured back to back), and their median:
    // on a shared machine whose speed drifts during a run, the steadier of the two summaries.
    roundRatios: c.a.map((a, i) => +(c.b[i].ms / a.ms).toFixed(2)),
    medianRoundRatio: +median(c.a.map((a, i) => c.b[i].ms / a.ms)).toFixed(2),
    targets: { ratio: 1.5, wallMs: 3000, rssMiB: 500 },
  };
  if (baseline) {
    const baseMs = median(c.base.map((r) => r.ms));
    result.baseline = {
      medianMs: Math.round(baseMs),
      ratio: +(baseMs / aMs).toFixed(2),
      thisOverBaseline: +(bMs / baseMs).toFixed(2),
    };
  }
  result.pass = result.ratio <= 1.5 && result.validate.medianMs <= 3000 && result.validate.peakRssMiB <= 500;
  return result;
});
console.log(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
if (process.env.BENCH_WRITE) {
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  for (const result of results)
    writeFileSync(
      join(
        import.meta.dirname,
        'results',
        result.corpus.variant === 'gateway' ? 'validate-gateway.json' : 'validate.json',
      ),
      `${JSON.stringify(result, null, 2)}\n`,
    );
}
