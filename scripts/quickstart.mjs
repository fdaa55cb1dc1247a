// `npm start`: the main job on the bundled examples, with no AWS account or cluster. For each example
// (the reference articles' configurations, broken and fixed, and one that is right in every respect):
// validate its drain timing, then simulate a rolling update of it — and of draingate's fix — under load.
// Ends with one table of what was found and predicted.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'packages/cli/dist/draingate.js');
const examples = join(root, 'examples');
const run = (args, capture = false) =>
  spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
const banner = (title) => process.stdout.write(`\n${'━'.repeat(100)}\n${title}\n${'━'.repeat(100)}\n`);
const percent = (ratio) => `${(ratio * 100).toFixed(2)} %`;

// The workload examples: the reference articles' configurations and the all-right one (the other folders
// hold Argo templates, workflows and an approval policy, which are not workloads to validate).
const files = readdirSync(examples, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && /^(reference-|all-right)/.test(entry.name))
  .flatMap((dir) =>
    readdirSync(join(examples, dir.name))
      .filter((file) => /\.ya?ml$/.test(file))
      .sort()
      .map((file) => relative(root, join(examples, dir.name, file))),
  );

const rows = [];
let failed = false;
for (const path of files) {
  banner(`draingate validate ${path}`);
  if (run(['validate', '--no-fixes', '--fail-on', 'never', path]).status !== 0) failed = true;
  banner(`draingate simulate --fix ${path}`);
  if (run(['simulate', '--fix', path]).status !== 0) failed = true;

  const report = run(['validate', '-o', 'json', '--fail-on', 'never', path], true);
  const simulation = run(['simulate', '--fix', '-o', 'json', path], true);
  try {
    const summary = JSON.parse(report.stdout).summary;
    const sim = JSON.parse(simulation.stdout);
    const sims = Array.isArray(sim) ? sim : [sim];
    rows.push([
      path,
      `${summary.errors} / ${summary.warnings} / ${summary.infos}`,
      sims.map((s) => percent(s.result.successRatio)).join(', '),
      sims.map((s) => percent((s.fix ?? s).result.successRatio)).join(', '),
    ]);
  } catch {
    failed = true;
  }
}

banner('Summary: findings (errors / warnings / info) and predicted success during a rolling update');
const header = ['example', 'findings', 'as configured', "with draingate's fix"];
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
const line = (cells) => cells.map((cell, i) => cell.padEnd(widths[i])).join('   ');
process.stdout.write(
  `${line(header)}\n${widths.map((w) => '─'.repeat(w)).join('   ')}\n${rows.map(line).join('\n')}\n`,
);
process.stdout.write(
  `\nTry it on your own manifests:  npm run --silent draingate -- validate k8s/   (or: helm template … | npm run --silent draingate -- validate -)\n`,
);
process.exitCode = failed ? 1 : 0;
