// Baseline for the validate benchmark: read every file of a directory and parse every document with the
// YAML library draingate's loader uses (js-yaml, core schema), as any tool must at the least.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// Resolve js-yaml as @draingate/core does, so both sides use the same version.
const require = createRequire(join(import.meta.dirname, '../packages/core/package.json'));
const { CORE_SCHEMA, loadAll } = require('js-yaml');

const dir = process.argv[2];
let documents = 0;
for (const name of readdirSync(dir).sort()) {
  loadAll(
    readFileSync(join(dir, name), 'utf8'),
    (doc) => {
      if (doc !== null) documents += 1;
    },
    { schema: CORE_SCHEMA },
  );
}
process.stdout.write(`${documents}\n`);
