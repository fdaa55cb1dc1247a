// What integration tests import to reach the real peers that test/setup/global-setup.ts started.
//
//   import { describe } from 'vitest';
//   import { awsClientConfig, hasPeer } from '../peers/index.js';
//   describe.skipIf(!hasPeer('aws'))('my adapter', () => { … new CloudWatchClient(awsClientConfig()) … });

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { inject } from 'vitest';
import type { PeerName, PeersInfo } from '../setup/peers-info.js';

export type { PeerName, PeersInfo };

/** Everything the global setup provided. */
export function peers(): PeersInfo {
  return inject('peers');
}

/** True when `name` is running; false only locally, when its toolchain is missing (CI fails instead). */
export function hasPeer(name: PeerName): boolean {
  return peers()[name] !== undefined;
}

/** kubectl of the kube peer's version, built from the Kubernetes module like kube-apiserver. */
export function kubectlPath(): string {
  const kubectl = need('kube').kubectl;
  if (!kubectl) throw new Error('the kube peer was built without kubectl');
  return kubectl;
}

function need<K extends PeerName>(name: K): NonNullable<PeersInfo[K]> {
  const p = peers()[name];
  if (p === undefined) {
    const why = peers().missing[name] ?? 'it was not started';
    throw new Error(`the ${name} peer is not available: ${why}`);
  }
  return p as NonNullable<PeersInfo[K]>;
}

// ---------------------------------------------------------------------------------------------------- AWS

/** moto_server's endpoint, e.g. http://127.0.0.1:45123. */
export function awsEndpoint(): string {
  return need('aws').endpoint;
}

/** Config for any AWS SDK v3 client, pointed at moto_server. */
export function awsClientConfig(): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  const aws = need('aws');
  return {
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
  };
}

/** Forgets every resource moto holds (the setup does this before each test file). */
export async function resetMoto(): Promise<void> {
  const res = await fetch(`${awsEndpoint()}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`POST /moto-api/reset answered ${res.status}: ${await res.text()}`);
}

/**
 * moto's default VPC in the region and its subnets (one per AZ). ELBv2 validates subnet and VPC ids against
 * moto's EC2, so load balancers and target groups need these. Asked with a bare EC2 Query call to spare the
 * tests a dependency on @aws-sdk/client-ec2; moto does not check signatures, only the credential scope.
 */
export async function defaultVpc(): Promise<{ vpcId: string; subnetIds: string[] }> {
  const aws = need('aws');
  const res = await fetch(aws.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: `AWS4-HMAC-SHA256 Credential=${aws.accessKeyId}/20260101/${aws.region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: 'Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=default-for-az&Filter.1.Value.1=true',
  });
  const xml = await res.text();
  if (!res.ok) throw new Error(`EC2 DescribeSubnets answered ${res.status}: ${xml}`);
  const subnetIds = [...xml.matchAll(/<subnetId>([^<]+)<\/subnetId>/g)].map((m) => m[1] ?? '');
  const vpcId = /<vpcId>([^<]+)<\/vpcId>/.exec(xml)?.[1];
  if (!vpcId || subnetIds.length < 2)
    throw new Error(`moto has no default VPC with two subnets: ${xml.slice(0, 500)}`);
  return { vpcId, subnetIds };
}

// ------------------------------------------------------------------------------------------- Kubernetes

/** A kubeconfig file for the admin (system:masters) user; also exported as KUBECONFIG to integration tests. */
export function kubeconfigPath(): string {
  return need('kube').kubeconfig;
}

export function adminToken(): string {
  return need('kube').adminToken;
}

/** The API server's URL, https://127.0.0.1:<port>. */
export function kubeServer(): string {
  return need('kube').server;
}

/** A KubeConfig for the admin user. */
export function adminKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

/** A KubeConfig for the same cluster that authenticates with `token` (e.g. a ServiceAccount's). */
export function kubeConfigForToken(token: string, user = 'token-user'): KubeConfig {
  const kube = need('kube');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'draingate-test', server: kube.server, caData: readFileSync(kube.caFile).toString('base64') },
    ],
    users: [{ name: user, token }],
    contexts: [{ name: 'draingate-test', cluster: 'draingate-test', user, namespace: 'default' }],
    currentContext: 'draingate-test',
  });
  return kc;
}

function isConflict(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 409;
}

/**
 * Creates ServiceAccount `sa` in `ns` if needed (and the namespace) and returns a fresh token for it through the
 * TokenRequest API. The account has no permissions until a test binds a Role to it.
 */
export async function mintServiceAccountToken(
  ns: string,
  sa: string,
  expirationSeconds = 3600,
): Promise<string> {
  const core = adminKubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: ns } } }).catch((err: unknown) => {
    if (!isConflict(err)) throw err;
  });
  await core
    .createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: sa } } })
    .catch((err: unknown) => {
      if (!isConflict(err)) throw err;
    });
  const tr = await core.createNamespacedServiceAccountToken({
    name: sa,
    namespace: ns,
    body: { spec: { audiences: [], expirationSeconds } },
  });
  const token = tr.status?.token;
  if (!token) throw new Error(`TokenRequest for ${ns}/${sa} returned no token`);
  return token;
}

/**
 * A DNS-1123 name that no other test has used. Namespaces cannot be deleted for real here (no controller-manager
 * runs to finalize them), so every test makes its own.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

// ----------------------------------------------------------------------------------------------- helm

export function helmBin(): string {
  return need('helm').bin;
}

/** Runs helm with a clean, private home so the developer's repos and plugins do not leak in. */
export function runHelm(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const bin = helmBin();
  const home = `${process.env.TMPDIR ?? '/tmp'}/draingate-helm-home`;
  return new Promise((resolveRun, reject) => {
    execFile(
      bin,
      [...args],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          HELM_CACHE_HOME: `${home}/cache`,
          HELM_CONFIG_HOME: `${home}/config`,
          HELM_DATA_HOME: `${home}/data`,
          KUBECONFIG: hasPeer('kube') ? kubeconfigPath() : '/dev/null',
        },
        maxBuffer: 32 * 1024 * 1024,
      },
      (err, stdout, stderr) =>
        err ? reject(Object.assign(err, { stdout, stderr })) : resolveRun({ stdout, stderr }),
    );
  });
}

// ------------------------------------------------------------------------------------------- Argo judge

/** One measurement as Argo Rollouts records it. */
export interface ArgoMeasurement {
  phase: 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
  value: string;
  message: string;
}

/**
 * Takes one measurement of `metricYaml` (one `spec.metrics[]` entry of an AnalysisTemplate, args substituted)
 * with Argo Rollouts' own webmetric provider and condition evaluation. `url` replaces `provider.web.url`.
 */
export function argoJudge(metricYaml: string, opts: { url?: string } = {}): Promise<ArgoMeasurement> {
  const judge = need('argo').judge;
  const args = opts.url ? ['-url', opts.url] : [];
  return new Promise((resolveRun, reject) => {
    const child = execFile(judge, args, { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`argo-judge failed: ${err.message}\n${stderr}`, { cause: err }));
        return;
      }
      try {
        resolveRun(JSON.parse(stdout) as ArgoMeasurement);
      } catch (parseErr) {
        reject(new Error(`argo-judge printed no JSON: ${stdout}\n${stderr}`, { cause: parseErr }));
      }
    });
    child.stdin?.end(metricYaml);
  });
}

/** Argo's reference validation of one Rollout: the errors the controller would mark it InvalidSpec for. */
export interface ArgoValidation {
  rollout: string;
  errors: string[];
}

/**
 * Runs the Rollout controller's own validation (`ValidateRollout` and `ValidateRolloutReferencedResources`, with
 * the Services, Ingresses and (Cluster)AnalysisTemplates it names looked up among the same files) on every
 * Rollout in `files`.
 */
export function argoValidate(files: readonly string[]): Promise<ArgoValidation[]> {
  const judge = need('argo').judge;
  return new Promise((resolveRun, reject) => {
    execFile(judge, ['validate', ...files], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`argo-judge validate failed: ${err.message}\n${stderr}`, { cause: err }));
        return;
      }
      try {
        resolveRun(JSON.parse(stdout) as ArgoValidation[]);
      } catch (parseErr) {
        reject(new Error(`argo-judge validate printed no JSON: ${stdout}\n${stderr}`, { cause: parseErr }));
      }
    });
  });
}

// ----------------------------------------------------------------------------------------------- kubelet

/**
 * Sets a pod's status as the kubelet would once it runs: phase Running, its IP, and Ready/ContainersReady
 * conditions since `since` (no kubelet runs here). `extraConditions` adds readiness-gate conditions.
 */
export async function markPodRunning(
  core: CoreV1Api,
  pod: { namespace: string; name: string; ip: string },
  options: { ready?: boolean; since?: Date; extraConditions?: { type: string; status: string }[] } = {},
): Promise<void> {
  const since = (options.since ?? new Date()).toISOString();
  const ready = options.ready === false ? 'False' : 'True';
  await core.patchNamespacedPodStatus(
    {
      name: pod.name,
      namespace: pod.namespace,
      body: {
        status: {
          phase: 'Running',
          podIP: pod.ip,
          podIPs: [{ ip: pod.ip }],
          conditions: [
            { type: 'Ready', status: ready, lastTransitionTime: since },
            { type: 'ContainersReady', status: 'True', lastTransitionTime: since },
            ...(options.extraConditions ?? []).map((condition) => ({
              ...condition,
              lastTransitionTime: since,
            })),
          ],
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}
