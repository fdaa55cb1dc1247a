// Test helpers that play the controllers this API server lacks: no controller-manager runs, so the tests
// create ReplicaSets and Pods and write status through the status subresources themselves.

import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1PodTemplateSpec,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import { adminKubeConfig, uniqueName } from './index.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Admin clients for arranging the cluster. */
export interface Admin {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
}

export function admin(): Admin {
  const kc = adminKubeConfig();
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
  };
}

/** A fresh namespace (namespaces are never finalized here), optionally labelled. */
export async function freshNamespace(
  a: Admin,
  prefix: string,
  labels: Record<string, string> = {},
): Promise<string> {
  const name = uniqueName(prefix);
  await a.core.createNamespace({ body: { metadata: { name, labels } } });
  return name;
}

/** A pod template for `app` running `image`. */
export function aTemplate(app: string, image: string): V1PodTemplateSpec {
  return {
    metadata: { labels: { app } },
    spec: {
      terminationGracePeriodSeconds: 45,
      readinessGates: [{ conditionType: `target-health.elbv2.k8s.aws/k8s-${app}` }],
      containers: [
        {
          name: 'web',
          image,
          ports: [{ name: 'http', containerPort: 8080 }],
          lifecycle: { preStop: { sleep: { seconds: 20 } } },
        },
      ],
    },
  };
}

/** Creates Deployment `name` (selector app=name) with `image`. */
export async function createDeployment(
  a: Admin,
  namespace: string,
  name: string,
  image: string,
  replicas = 2,
): Promise<V1Deployment> {
  return a.apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name, labels: { app: name } },
      spec: {
        replicas,
        progressDeadlineSeconds: 600,
        selector: { matchLabels: { app: name } },
        template: aTemplate(name, image),
      },
    },
  });
}

/**
 * Does what the Deployment controller does for revision `revision` of the Deployment's current template: a
 * ReplicaSet `<name>-<hash>` owned by it with the hash label and the revision annotation, and the revision
 * annotation on the Deployment.
 */
export async function recordRevision(
  a: Admin,
  namespace: string,
  name: string,
  revision: number,
  replicas: number,
  extraAnnotations: Record<string, string> = {},
): Promise<V1ReplicaSet> {
  const deployment = await a.apps.readNamespacedDeployment({ name, namespace });
  const hash = `h${revision}x${Math.random().toString(36).slice(2, 7)}`;
  const template = structuredClone(deployment.spec!.template);
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, 'pod-template-hash': hash },
  };
  const rs = await a.apps.createNamespacedReplicaSet({
    namespace,
    body: {
      metadata: {
        name: `${name}-${hash}`,
        labels: template.metadata.labels,
        annotations: { 'deployment.kubernetes.io/revision': String(revision), ...extraAnnotations },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name,
            uid: deployment.metadata!.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        replicas,
        selector: { matchLabels: { app: name, 'pod-template-hash': hash } },
        template,
      },
    },
  });
  await setReplicaSetReplicas(a, namespace, rs.metadata!.name!, replicas);
  await a.apps.patchNamespacedDeployment(
    {
      name,
      namespace,
      body: { metadata: { annotations: { 'deployment.kubernetes.io/revision': String(revision) } } },
    },
    merge,
  );
  return rs;
}

/** Sets a ReplicaSet's status.replicas (and ready/available). */
export async function setReplicaSetReplicas(
  a: Admin,
  namespace: string,
  name: string,
  replicas: number,
): Promise<void> {
  await a.apps.patchNamespacedReplicaSetStatus(
    {
      name,
      namespace,
      body: {
        status: { replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: 1 },
      },
    },
    merge,
  );
}

/** Scales a ReplicaSet down in spec and status, as the controller would once its pods are gone. */
export async function scaleReplicaSet(
  a: Admin,
  namespace: string,
  name: string,
  replicas: number,
): Promise<void> {
  await a.apps.patchNamespacedReplicaSet({ name, namespace, body: { spec: { replicas } } }, merge);
  await setReplicaSetReplicas(a, namespace, name, replicas);
}

/** The Deployment's status as the controller would write it. */
export interface DeploymentStatusArgs {
  readonly observed?: boolean;
  readonly replicas: number;
  readonly updated: number;
  readonly available: number;
  readonly ready?: number;
  readonly deadlineExceeded?: boolean;
}

export async function setDeploymentStatus(
  a: Admin,
  namespace: string,
  name: string,
  args: DeploymentStatusArgs,
): Promise<void> {
  const deployment = await a.apps.readNamespacedDeployment({ name, namespace });
  const generation = deployment.metadata!.generation!;
  const now = new Date().toISOString();
  const progressing = args.deadlineExceeded
    ? {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: `ReplicaSet "${name}-x" has timed out progressing.`,
        lastUpdateTime: now,
        lastTransitionTime: now,
      }
    : {
        type: 'Progressing',
        status: 'True',
        reason: 'ReplicaSetUpdated',
        message: 'progressing',
        lastUpdateTime: now,
        lastTransitionTime: now,
      };
  await a.apps.patchNamespacedDeploymentStatus(
    {
      name,
      namespace,
      body: {
        status: {
          observedGeneration: args.observed === false ? generation - 1 : generation,
          replicas: args.replicas,
          updatedReplicas: args.updated,
          availableReplicas: args.available,
          readyReplicas: args.ready ?? args.available,
          conditions: [progressing],
        },
      },
    },
    merge,
  );
}

/** Sets the Deployment's template image (a new generation). */
export async function setImage(a: Admin, namespace: string, name: string, image: string): Promise<void> {
  const deployment = await a.apps.readNamespacedDeployment({ name, namespace });
  const template = aTemplate(name, image);
  await a.apps.replaceNamespacedDeployment({
    name,
    namespace,
    body: { ...deployment, spec: { ...deployment.spec!, template } },
  });
}

/** A pod owned by `owner` (a ReplicaSet), Running and Ready with `ip`, and its readiness gate set. */
export async function createPod(
  a: Admin,
  namespace: string,
  name: string,
  owner: V1ReplicaSet,
  options: { ip: string; ready: boolean; gate?: 'True' | 'False'; finalizer?: boolean },
): Promise<void> {
  const labels = owner.spec!.template!.metadata!.labels!;
  const app = labels['app']!;
  await a.core.createNamespacedPod({
    namespace,
    body: {
      metadata: {
        name,
        labels,
        ...(options.finalizer ? { finalizers: ['draingate.io/test-hold'] } : {}),
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: owner.metadata!.name!,
            uid: owner.metadata!.uid!,
            controller: true,
          },
        ],
      },
      spec: owner.spec!.template!.spec!,
    },
  });
  const now = new Date().toISOString();
  await a.core.patchNamespacedPodStatus(
    {
      name,
      namespace,
      body: {
        status: {
          phase: 'Running',
          podIP: options.ip,
          podIPs: [{ ip: options.ip }],
          conditions: [
            { type: 'Ready', status: options.ready ? 'True' : 'False', lastTransitionTime: now },
            ...(options.gate
              ? [
                  {
                    type: `target-health.elbv2.k8s.aws/k8s-${app}`,
                    status: options.gate,
                    lastTransitionTime: now,
                  },
                ]
              : []),
          ],
        },
      },
    },
    merge,
  );
}

/** Deletes a pod that holds a finalizer: it stays, terminating (deletionTimestamp set). */
export async function terminatePod(a: Admin, namespace: string, name: string): Promise<void> {
  await a.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 30 });
}

export const ROLLOUTS = { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' } as const;
export const TGBS = { group: 'elbv2.k8s.aws', version: 'v1beta1', plural: 'targetgroupbindings' } as const;

/** A canary Rollout `name` with ALB traffic routing, and its status set as Argo would mid-rollout. */
export async function createRollout(
  a: Admin,
  namespace: string,
  name: string,
  image: string,
): Promise<Record<string, unknown>> {
  return (await a.custom.createNamespacedCustomObject({
    ...ROLLOUTS,
    namespace,
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: name } },
        template: aTemplate(name, image),
        strategy: {
          canary: {
            stableService: `${name}-stable`,
            canaryService: `${name}-canary`,
            scaleDownDelaySeconds: 30,
            trafficRouting: { alb: { ingress: name, servicePort: 80 } },
            steps: [{ setWeight: 20 }, { pause: {} }],
          },
        },
      },
    },
  })) as Record<string, unknown>;
}

/** An Argo Rollout that runs the pod template of Deployment `deployment` (spec.workloadRef), with no template of its own. */
export async function createWorkloadRefRollout(
  a: Admin,
  namespace: string,
  name: string,
  deployment: string,
  replicas?: number,
): Promise<void> {
  await a.custom.createNamespacedCustomObject({
    ...ROLLOUTS,
    namespace,
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name },
      spec: {
        ...(replicas !== undefined ? { replicas } : {}),
        selector: { matchLabels: { app: 'web' } },
        workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment },
        strategy: { canary: { steps: [{ setWeight: 20 }] } },
      },
    },
  });
}

export async function setRolloutStatus(
  a: Admin,
  namespace: string,
  name: string,
  status: Record<string, unknown>,
): Promise<void> {
  await a.custom.patchNamespacedCustomObjectStatus({ ...ROLLOUTS, namespace, name, body: { status } }, merge);
}

export async function readRollout(
  a: Admin,
  namespace: string,
  name: string,
): Promise<Record<string, unknown>> {
  return (await a.custom.getNamespacedCustomObject({ ...ROLLOUTS, namespace, name })) as Record<
    string,
    unknown
  >;
}

/** A ReplicaSet owned by a Rollout, labelled with Argo's hash label. */
export async function createRolloutReplicaSet(
  a: Admin,
  namespace: string,
  rollout: Record<string, unknown>,
  hash: string,
  image: string,
  revision: number,
): Promise<V1ReplicaSet> {
  const metadata = rollout['metadata'] as { name: string; uid: string };
  const template = aTemplate(metadata.name, image);
  template.metadata!.labels!['rollouts-pod-template-hash'] = hash;
  return a.apps.createNamespacedReplicaSet({
    namespace,
    body: {
      metadata: {
        name: `${metadata.name}-${hash}`,
        labels: template.metadata!.labels!,
        annotations: { 'rollout.argoproj.io/revision': String(revision) },
        ownerReferences: [
          {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Rollout',
            name: metadata.name,
            uid: metadata.uid,
            controller: true,
          },
        ],
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: metadata.name, 'rollouts-pod-template-hash': hash } },
        template,
      },
    },
  });
}
