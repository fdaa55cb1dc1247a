// `draingate rollback` as a process against the real kube-apiserver: its flags are the gate's rows of the same
// names (namespace, kubeconfig, context, dry-run), a dry run changes nothing, a rollback restores the previous
// revision, and bad input is a usage error before anything is read.

import { beforeAll, describe, expect, it } from 'vitest';
import { hasPeer, kubeconfigPath } from '../../../../test/peers/index.js';
import {
  admin,
  createDeployment,
  freshNamespace,
  recordRevision,
  setDeploymentStatus,
  setImage,
  type Admin,
} from '../../../../test/peers/cluster.js';
import { draingate } from '../run.js';

describe.skipIf(!hasPeer('kube'))('draingate rollback, against kube-apiserver', () => {
  let a: Admin;
  const env = (): Record<string, string> => ({ KUBECONFIG: kubeconfigPath() });

  beforeAll(() => {
    a = admin();
  });

  /** Deployment web at revision 2 (shop/web:2), revision 1 (shop/web:1) before it. */
  async function twoRevisions(prefix: string): Promise<string> {
    const ns = await freshNamespace(a, prefix);
    await createDeployment(a, ns, 'web', 'shop/web:1');
    await recordRevision(a, ns, 'web', 1, 0);
    await setImage(a, ns, 'web', 'shop/web:2');
    await recordRevision(a, ns, 'web', 2, 2);
    await setDeploymentStatus(a, ns, 'web', { replicas: 2, updated: 2, available: 2 });
    return ns;
  }

  async function imageAndVersion(ns: string): Promise<[string | undefined, string | undefined]> {
    const deployment = await a.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
    return [deployment.spec?.template.spec?.containers[0]?.image, deployment.metadata?.resourceVersion];
  }

  it('--dry-run → exit 0, the server accepted it, the Deployment is unchanged (same resourceVersion)', async () => {
    const ns = await twoRevisions('cli-rb-dry');
    const before = await imageAndVersion(ns);
    const run = await draingate(['rollback', 'deployment/web', '-n', ns, '--dry-run'], { env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/dry run/);
    expect(await imageAndVersion(ns)).toEqual(before);
  });

  it('rollback → exit 0, the template is revision 1’s again', async () => {
    const ns = await twoRevisions('cli-rb');
    const run = await draingate(['rollback', 'deployment/web', '--namespace', ns], { env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((await imageAndVersion(ns))[0]).toBe('shop/web:1');
  });

  it.each([
    {
      args: ['--namespace', ''],
      says: "error: option '-n, --namespace <value>' argument '' is invalid. must not be empty.",
    },
    { args: ['--context', 'nowhere'], says: 'nowhere' },
  ])('$args → exit 2 and a message naming the bad value; nothing changed', async ({ args, says }) => {
    const ns = await twoRevisions('cli-rb-bad');
    const before = await imageAndVersion(ns);
    const run = await draingate(
      ['rollback', 'deployment/web', ...(args[0] === '--namespace' ? [] : ['-n', ns]), ...args],
      {
        env: env(),
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(says);
    expect(await imageAndVersion(ns)).toEqual(before);
  });

  it('a Deployment with no older revision → exit 1, "no rollout history", nothing changed', async () => {
    const ns = await freshNamespace(a, 'cli-rb-none');
    await createDeployment(a, ns, 'web', 'shop/web:1');
    await recordRevision(a, ns, 'web', 1, 2);
    const before = await imageAndVersion(ns);
    const run = await draingate(['rollback', 'deployment/web', '-n', ns], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/draingate: failed: .*no rollout history/);
    expect(await imageAndVersion(ns)).toEqual(before);
  });
});
