#!/usr/bin/env node
// After `changeset version`: the chart's version and appVersion follow the release, which is the version of
// every draingate package (they are one `fixed` group). Exits 1 with --check when the chart is behind.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const chartFile = join(root, 'charts/draingate/Chart.yaml');
const { version } = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8'));
const chart = readFileSync(chartFile, 'utf8');
const synced = chart
  .replace(/^version: .*$/m, `version: ${version}`)
  .replace(/^appVersion: .*$/m, `appVersion: "${version}"`);
if (process.argv.includes('--check')) {
  if (synced !== chart) {
    process.stderr.write(
      `charts/draingate/Chart.yaml does not follow the release ${version}: run npm run version-packages\n`,
    );
    process.exitCode = 1;
  }
} else if (synced !== chart) {
  writeFileSync(chartFile, synced);
  process.stdout.write(`charts/draingate/Chart.yaml: version and appVersion ${version}\n`);
}
