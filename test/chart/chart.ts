// What the chart tests share: rendering charts/draingate with the real helm, and talking to the real
// kube-apiserver with raw requests (server-side dry-run with strict field validation, status codes as they are).

import { request } from 'node:https';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { runHelm } from '../peers/index.js';

export const REPO = join(import.meta.dirname, '../..');
export const CHART = join(REPO, 'charts/draingate');

/** The values files kept beside the chart (chart-testing's `ci/*-values.yaml`). */
export const VALUES_FILES = ['minimal', 'full', 'namespaced', 'ingress'] as const;
export type ValuesFile = (typeof VALUES_FILES)[number];

export function valuesFile(name: ValuesFile): string {
  return join(CHART, 'ci', `${name}-values.yaml`);
}

/** One rendered object, as loosely typed as the tests need. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** `helm template` with a release name, namespace, values files and --set pairs; the documents it printed. */
export async function renderChart(
  options: {
    release?: string;
    namespace?: string;
    values?: readonly ValuesFile[];
    set?: readonly string[];
    setJson?: readonly string[];
  } = {},
): Promise<{ yaml: string; manifests: Manifest[] }> {
  const args = [
    'template',
    options.release ?? 'draingate',
    CHART,
    '--namespace',
    options.namespace ?? 'draingate',
    ...(options.values ?? []).flatMap((name) => ['--values', valuesFile(name)]),
    ...(options.set ?? []).flatMap((pair) => ['--set', pair]),
    ...(options.setJson ?? []).flatMap((pair) => ['--set-json', pair]),
  ];
  const { stdout } = await runHelm(args);
  return { yaml: stdout, manifests: parseManifests(stdout) };
}

export function parseManifests(yaml: string): Manifest[] {
  return loadAll(yaml).filter((doc): doc is Manifest => typeof doc === 'object' && doc !== null);
}

/** The one object of `kind` (and `name`, when given); fails the test when there is not exactly one. */
export function only(manifests: readonly Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1)
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0] as Manifest;
}

/** The error helm printed when it refused to render (schema or `fail`). */
export async function renderError(args: readonly string[]): Promise<string> {
  try {
    await runHelm(['template', 'draingate', CHART, '--namespace', 'draingate', ...args]);
  } catch (error) {
    return (error as { stderr?: string }).stderr ?? String(error);
  }
  throw new Error(`helm rendered with ${args.join(' ')}`);
}

// --------------------------------------------------------------------------------------- raw API requests

/** Where each kind the chart renders lives in the API. */
const RESOURCES: Record<string, { plural: string; namespaced: boolean }> = {
  'v1/ConfigMap': { plural: 'configmaps', namespaced: true },
  'v1/Secret': { plural: 'secrets', namespaced: true },
  'v1/Service': { plural: 'services', namespaced: true },
  'v1/ServiceAccount': { plural: 'serviceaccounts', namespaced: true },
  'v1/Pod': { plural: 'pods', namespaced: true },
  'v1/Namespace': { plural: 'namespaces', namespaced: false },
  'apps/v1/Deployment': { plural: 'deployments', namespaced: true },
  'apps/v1/StatefulSet': { plural: 'statefulsets', namespaced: true },
  'policy/v1/PodDisruptionBudget': { plural: 'poddisruptionbudgets', namespaced: true },
  'autoscaling/v2/HorizontalPodAutoscaler': { plural: 'horizontalpodautoscalers', namespaced: true },
  'networking.k8s.io/v1/NetworkPolicy': { plural: 'networkpolicies', namespaced: true },
  'networking.k8s.io/v1/Ingress': { plural: 'ingresses', namespaced: true },
  'rbac.authorization.k8s.io/v1/ClusterRole': { plural: 'clusterroles', namespaced: false },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { plural: 'clusterrolebindings', namespaced: false },
  'rbac.authorization.k8s.io/v1/Role': { plural: 'roles', namespaced: true },
  'rbac.authorization.k8s.io/v1/RoleBinding': { plural: 'rolebindings', namespaced: true },
  'argoproj.io/v1alpha1/ClusterAnalysisTemplate': { plural: 'clusteranalysistemplates', namespaced: false },
  'monitoring.coreos.com/v1/ServiceMonitor': { plural: 'servicemonitors', namespaced: true },
  'apiextensions.k8s.io/v1/CustomResourceDefinition': {
    plural: 'customresourcedefinitions',
    namespaced: false,
  },
};

/** The collection path of a manifest's kind, e.g. /apis/apps/v1/namespaces/shop/deployments. */
export function collectionPath(manifest: Pick<Manifest, 'apiVersion' | 'kind' | 'metadata'>): string {
  const resource = RESOURCES[`${manifest.apiVersion}/${manifest.kind}`];
  if (!resource) throw new Error(`no API path known for ${manifest.apiVersion} ${manifest.kind}`);
  const root = manifest.apiVersion.includes('/')
    ? `/apis/${manifest.apiVersion}`
    : `/api/${manifest.apiVersion}`;
  if (!resource.namespaced) return `${root}/${resource.plural}`;
  const ns = manifest.metadata.namespace;
  if (!ns) throw new Error(`${manifest.kind} ${manifest.metadata.name} names no namespace`);
  return `${root}/namespaces/${ns}/${resource.plural}`;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  /** The API server's `Warning` headers (deprecations, unknown fields under fieldValidation=Warn). */
  warnings: string[];
}

/**
 * One request to the API server as the user of `kc`, with its status code whatever it is — except 429, which is
 * retried after its Retry-After as client-go does (a CRD's watch cache answers "storage is (re)initializing"
 * for a moment after CRDs change).
 */
export async function kubeRequest(
  kc: KubeConfig,
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH',
  path: string,
  body?: unknown,
): Promise<ApiResponse> {
  for (let attempt = 1; ; attempt += 1) {
    const res = await kubeRequestOnce(kc, method, path, body);
    if (res.status !== 429 || attempt === 10) return res;
    const seconds =
      (res.body as { details?: { retryAfterSeconds?: number } }).details?.retryAfterSeconds ?? 1;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }
}

async function kubeRequestOnce(
  kc: KubeConfig,
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH',
  path: string,
  body?: unknown,
): Promise<ApiResponse> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig selects no cluster');
  const url = new URL(path, cluster.server);
  const options: Parameters<KubeConfig['applyToHTTPSOptions']>[0] = {
    method,
    hostname: url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    headers: {
      accept: 'application/json',
      ...(body === undefined
        ? {}
        : {
            'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
          }),
    },
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const warning = res.headers['warning'];
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON: keep the text.
        }
        resolve({
          status: res.statusCode ?? 0,
          body: parsed,
          warnings: warning === undefined ? [] : String(warning).split(/,\s*(?=\d{3} )/),
        });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Creates `manifest` with `dryRun=All` and strict field validation: admitted and validated, stored nowhere. */
export function dryRunCreate(kc: KubeConfig, manifest: Manifest): Promise<ApiResponse> {
  return kubeRequest(kc, 'POST', `${collectionPath(manifest)}?dryRun=All&fieldValidation=Strict`, manifest);
}

/** Creates `manifest` for real (strict field validation); a 409 (already there) counts as success. */
export async function createObject(kc: KubeConfig, manifest: Manifest): Promise<ApiResponse> {
  const res = await kubeRequest(kc, 'POST', `${collectionPath(manifest)}?fieldValidation=Strict`, manifest);
  if (res.status >= 300 && res.status !== 409) {
    throw new Error(
      `creating ${manifest.kind} ${manifest.metadata.name}: ${res.status} ${JSON.stringify(res.body)}`,
    );
  }
  return res;
}
