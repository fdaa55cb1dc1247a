// The chart as users get it: `helm package`, pushed to an OCI registry (the CNCF distribution registry on
// 127.0.0.1), then installed from its oci:// reference with the README's command — a server-side dry run and a
// real install against the API server.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKubeConfig, hasPeer, runHelm, uniqueName } from '../peers/index.js';
import { kubeRequest } from '../chart/chart.js';
import { repoRoot } from './packages.js';
import { startRegistry, type RunningRegistry } from './registry.js';

const ready = hasPeer('kube') && hasPeer('helm') && hasPeer('registry');
const PUBLISHED_AT = 'oci://ghcr.io/draingate/charts';

/** The `helm install … oci://` command of the README's Install section, as words, continuation lines joined. */
async function readmeInstallCommand(): Promise<string[]> {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Install\n'),
    readme.indexOf('\n## ', readme.indexOf('## Install\n') + 1),
  );
  const line = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((block) => (block[1] ?? '').replace(/\\\n\s*/g, '').split('\n'))
    .map((l) => l.trim())
    .find((l) => l.startsWith(`helm install draingate ${PUBLISHED_AT}/`));
  if (!line) throw new Error(`README.md's Install section has no "helm install draingate ${PUBLISHED_AT}/…"`);
  return line.split(/\s+/).slice(1);
}

describe.skipIf(!ready)('the chart from an OCI registry', () => {
  let registry: RunningRegistry;
  let work: string;
  let chartVersion: string;
  let appVersion: string;
  let readmeArgs: string[];
  let ref: string;

  /** The README's words with the registry on 127.0.0.1 in place of ghcr.io, which serves plain HTTP. */
  const local = (args: string[]): string[] => [
    ...args.map((a) =>
      a.startsWith(PUBLISHED_AT) ? a.replace(PUBLISHED_AT, `oci://${registry.host}/draingate/charts`) : a,
    ),
    '--plain-http',
  ];

  beforeAll(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'draingate-chart-oci-'));
    const chartYaml = await readFile(join(repoRoot, 'charts/draingate/Chart.yaml'), 'utf8');
    chartVersion = /^version: (\S+)$/m.exec(chartYaml)?.[1] ?? '';
    appVersion = /^appVersion: "(\S+)"$/m.exec(chartYaml)?.[1] ?? '';
    readmeArgs = await readmeInstallCommand();
    ref = `oci://${registry.host}/draingate/charts`;
  });

  afterAll(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('helm package makes draingate-<version>.tgz and helm push stores it under that tag', async () => {
    const packaged = await runHelm(['package', join(repoRoot, 'charts/draingate'), '--destination', work]);
    const tgz = join(work, `draingate-${chartVersion}.tgz`);
    expect(packaged.stdout).toContain(tgz);
    const pushed = await runHelm(['push', tgz, ref, '--plain-http']);
    expect(`${pushed.stdout}${pushed.stderr}`).toContain(
      `Pushed: ${registry.host}/draingate/charts/draingate:${chartVersion}`,
    );
    const tags = (await (
      await fetch(`http://${registry.host}/v2/draingate/charts/draingate/tags/list`)
    ).json()) as {
      tags: string[];
    };
    expect(tags.tags).toEqual([chartVersion]);
  });

  it('helm show chart reads the version and appVersion of the release from the registry', async () => {
    const { stdout } = await runHelm([
      'show',
      'chart',
      `${ref}/draingate`,
      '--version',
      chartVersion,
      '--plain-http',
    ]);
    expect(stdout).toMatch(new RegExp(`^version: ${chartVersion.replace(/\./g, '\\.')}$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^appVersion: "?${appVersion.replace(/\./g, '\\.')}"?$`, 'm'));
  });

  it("the README's helm install, from the registry, passes a server-side dry run", async () => {
    const { stdout } = await runHelm([...local(readmeArgs), '--dry-run=server']);
    expect(stdout).toContain('STATUS: pending-install');
    expect(stdout).toContain(`image: "ghcr.io/draingate/analysis-provider:${appVersion}"`);
    expect(stdout).toContain('kind: ClusterAnalysisTemplate');
  });

  it("the README's helm install, from the registry, installs for real; helm list and the API server agree", async () => {
    // A release and namespace of its own, and a prefix for the cluster-scoped templates, so that nothing
    // another test file creates can collide with it.
    const release = uniqueName('dg-oci');
    const namespace = uniqueName('dg-oci');
    const args = local(readmeArgs).map((a, i, all) =>
      all[i - 1] === '--namespace' ? namespace : i === 1 && a === 'draingate' ? release : a,
    );
    await runHelm([...args, '--set', `analysisTemplates.namePrefix=${release}-`, '--wait=false']);
    try {
      const { stdout } = await runHelm(['list', '--namespace', namespace, '--output', 'json']);
      const [listed] = JSON.parse(stdout) as {
        name: string;
        status: string;
        chart: string;
        app_version: string;
      }[];
      expect(listed).toMatchObject({
        name: release,
        status: 'deployed',
        chart: `draingate-${chartVersion}`,
        app_version: appVersion,
      });
      const kc = adminKubeConfig();
      const deployment = await kubeRequest(
        kc,
        'GET',
        `/apis/apps/v1/namespaces/${namespace}/deployments/${release}-analysis-provider`,
      );
      expect(deployment.status).toBe(200);
      const spec = deployment.body as {
        spec: { template: { spec: { containers: { image: string }[] } } };
      };
      expect(spec.spec.template.spec.containers[0]?.image).toBe(
        `ghcr.io/draingate/analysis-provider:${appVersion}`,
      );
      const template = await kubeRequest(
        kc,
        'GET',
        `/apis/argoproj.io/v1alpha1/clusteranalysistemplates/${release}-elb-5xx`,
      );
      expect(template.status).toBe(200);
    } finally {
      await runHelm(['uninstall', release, '--namespace', namespace, '--wait=false']);
    }
  });
});
