// Proves the pinned helm renders charts: the chart tests (charts/draingate) run `helm template` and `helm lint`
// the same way.

import { fileURLToPath } from 'node:url';
import { loadAllYaml, type V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { hasPeer, peers, runHelm } from '../peers/index.js';

const chart = fileURLToPath(new URL('../fixtures/charts/tiny', import.meta.url));

describe.skipIf(!hasPeer('helm'))('helm', () => {
  it('is the pinned version', async () => {
    const { stdout } = await runHelm(['version', '--short']);
    expect(stdout.trim()).toMatch(new RegExp(`^${peers().helm?.version.replace(/\./g, '\\.') ?? 'none'}\\b`));
  });

  it('renders a small chart with values overridden on the command line', async () => {
    const { stdout } = await runHelm([
      'template',
      'shop',
      chart,
      '--namespace',
      'shop',
      '--set',
      'replicas=4',
    ]);
    const docs = loadAllYaml(stdout) as { kind: string; metadata: { name: string } }[];
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`).sort()).toEqual([
      'Deployment/shop-web',
      'Service/shop-web',
    ]);

    const deployment = docs.find((d) => d.kind === 'Deployment') as V1Deployment | undefined;
    expect(deployment?.spec?.replicas).toBe(4);
    const pod = deployment?.spec?.template.spec;
    expect(pod?.terminationGracePeriodSeconds).toBe(45);
    expect(pod?.containers[0]?.lifecycle?.preStop?.sleep?.seconds).toBe(15);
  });

  it('lints the chart', async () => {
    const { stdout } = await runHelm(['lint', chart]);
    expect(stdout).toContain('0 chart(s) failed');
  });
});
