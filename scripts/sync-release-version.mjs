#!/usr/bin/env node
// After `changeset version`: everything that states the release version outside package.json follows the
// packages (one `fixed` group, so @draingate/cli's version is the release): the chart's version and appVersion,
// and the version the reports and the provider announce. With --check, exits 1 when one of them is behind.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8'));

const targets = [
  {
    file: 'charts/draingate/Chart.yaml',
    sync: (text) =>
      text
        .replace(/^version: .*$/m, `version: ${version}`)
        .replace(/^appVersion: .*$/m, `appVersion: "${version}"`),
  },
  {
    file: 'packages/core/src/report/version.ts',
    sync: (text) => text.replace(/DRAINGATE_VERSION = '[^']*'/, `DRAINGATE_VERSION = '${version}'`),
  },
];

const check = process.argv.includes('--check');
for (const { file, sync } of targets) {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  const synced = sync(text);
  if (synced === text) continue;
  if (check) {
    process.stderr.write(`${file} does not follow the release ${version}: run npm run version-packages\n`);
    process.exitCode = 1;
  } else {
    writeFileSync(path, synced);
    process.stdout.write(`${file}: ${version}\n`);
  }
}
