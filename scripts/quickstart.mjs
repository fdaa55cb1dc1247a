// `npm start`: the main job on the bundled examples, with no AWS account or cluster. For each example
// (the reference articles' configurations, broken and fixed, and one that is right in every respect):
// validate its drain timing, then simulate a rolling update of it — and of draingate's fix — under load.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'packages/cli/dist/bin.js');
const examples = join(root, 'examples');
const run = (args) => spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' });
const rule = (title) => process.stdout.write(`\n${'━'.repeat(100)}\n${title}\n${'━'.repeat(100)}\n`);

let failed = false;
for (const dir of readdirSync(examples, { withFileTypes: true }).filter(
  (d) => d.isDirectory() && d.name !== 'argo' && d.name !== 'workflows',
)) {
  for (const file of readdirSync(join(examples, dir.name))
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const path = relative(root, join(examples, dir.name, file));
    rule(`draingate validate ${path}`);
    const validate = run(['validate', '--no-fixes', '--fail-on', 'never', path]);
    if (validate.status !== 0) failed = true;
    rule(`draingate simulate --fix ${path}`);
    const simulate = run(['simulate', '--fix', path]);
    if (simulate.status !== 0) failed = true;
  }
}
process.stdout.write(
  `\nEach example was validated and its rollout simulated, before and after draingate's fix.\nTry it on your own manifests: npx draingate validate k8s/   (or helm template … | npx draingate validate -)\n`,
);
process.exitCode = failed ? 1 : 0;
