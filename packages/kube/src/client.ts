import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  Observable,
  type PatchStrategy,
  type ConfigurationOptions,
  type KubeConfig,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { UpstreamError } from '@draingate/core';
import { KUBERNETES, mapKubeError, type CallSubject } from './errors.js';
import { arrayAt, stringAt } from './json.js';

/** How long one API call may take unless the caller says otherwise. */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

/** Items per list call. */
export const DEFAULT_PAGE_SIZE = 500;

/** A group/version/plural triple: where a kind lives in the API (built-in groups included). */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  /** How warnings name its objects when the kind alone is ambiguous (two groups serve it). */
  readonly label?: string;
}

/** A patch's media type. */
export type PatchType = (typeof PatchStrategy)['JsonPatch' | 'MergePatch'];

function middleware(signal: AbortSignal, contentType: string | undefined): ObservableMiddleware {
  return {
    pre: (request: RequestContext) => {
      request.setSignal(signal);
      if (contentType !== undefined) request.setHeaderParam('Content-Type', contentType);
      return new Observable(Promise.resolve(request));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
}

/**
 * The three API clients the adapters use, each call under a deadline and with its errors mapped. Objects of
 * non-core groups (apps, networking, policy, CRDs) are read through CustomObjectsApi so they arrive as the
 * server's JSON, unknown fields included — a pod template written back by a rollback must lose nothing.
 */
export class KubeClients {
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly apps: AppsV1Api;

  constructor(
    config: KubeConfig,
    readonly timeoutMs: number = DEFAULT_CALL_TIMEOUT_MS,
    /** Items per list page; lists follow `continue` tokens to the end. */
    readonly pageSize: number = DEFAULT_PAGE_SIZE,
  ) {
    this.core = config.makeApiClient(CoreV1Api);
    this.custom = config.makeApiClient(CustomObjectsApi);
    this.apps = config.makeApiClient(AppsV1Api);
  }

  /**
   * Runs one API call with a deadline (`timeoutMs`, or the caller's signal if that fires first); any failure
   * becomes an UpstreamError naming `subject`.
   */
  async call<T>(
    subject: Omit<CallSubject, 'timeoutMs'>,
    signal: AbortSignal | undefined,
    run: (options: ConfigurationOptions) => Promise<T>,
    contentType?: string,
  ): Promise<T> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const options: ConfigurationOptions = {
      middleware: [middleware(combined, contentType)],
      middlewareMergeStrategy: 'append',
    };
    try {
      // The generated client awaits auth (exec plugins, token files) before sending: race it with the deadline
      // too, so nothing can hang past it.
      return await raceAbort(run(options), combined);
    } catch (err) {
      if (signal?.aborted) {
        // The caller's own deadline or cancellation, not the API server's slowness.
        const why =
          (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError'
            ? ': its deadline passed'
            : '';
        throw new UpstreamError(
          KUBERNETES,
          subject.operation,
          'timeout',
          `${subject.object}: cancelled by the caller${why}`,
          {
            cause: err,
            retryable: false,
          },
        );
      }
      throw mapKubeError(err, { ...subject, timeoutMs: this.timeoutMs });
    }
  }

  /** GET one object of a non-core group as JSON. */
  getObject(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    subject: Omit<CallSubject, 'timeoutMs'>,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const { group, version, plural } = type;
    return this.call(subject, signal, (options) =>
      namespace === undefined
        ? (this.custom.getClusterCustomObject({ group, version, plural, name }, options) as Promise<unknown>)
        : (this.custom.getNamespacedCustomObject(
            { group, version, plural, namespace, name },
            options,
          ) as Promise<unknown>),
    );
  }

  /**
   * Lists every object of a non-core group in `namespace` (or cluster-wide), following `continue` tokens. Items
   * get the `apiVersion` and `kind` that list responses leave out.
   */
  async listObjects(
    type: ResourceType,
    namespace: string | undefined,
    subject: Omit<CallSubject, 'timeoutMs'>,
    signal?: AbortSignal,
    labelSelector?: string,
  ): Promise<Record<string, unknown>[]> {
    const { group, version, plural } = type;
    const apiVersion = group === '' ? version : `${group}/${version}`;
    const items: Record<string, unknown>[] = [];
    let token: string | undefined;
    do {
      const page: unknown = await this.call(subject, signal, (options) => {
        const common = { group, version, plural, limit: this.pageSize, _continue: token, labelSelector };
        return (
          namespace === undefined
            ? this.custom.listClusterCustomObject(common, options)
            : this.custom.listNamespacedCustomObject({ ...common, namespace }, options)
        ) as Promise<unknown>;
      });
      for (const item of arrayAt(page, 'items')) {
        if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
          items.push({ apiVersion, kind: type.kind, ...(item as Record<string, unknown>) });
        }
      }
      token = stringAt(page, 'metadata', 'continue') || undefined;
    } while (token !== undefined);
    return items;
  }

  /** Patches one namespaced object of a non-core group (or its status subresource). */
  patchObject(
    type: ResourceType,
    namespace: string,
    name: string,
    body: unknown,
    patch: { readonly type: PatchType; readonly dryRun: boolean; readonly subresource?: 'status' },
    subject: Omit<CallSubject, 'timeoutMs'>,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const { group, version, plural } = type;
    const request = {
      group,
      version,
      plural,
      namespace,
      name,
      body,
      fieldManager: 'draingate',
      ...(patch.dryRun ? { dryRun: 'All' } : {}),
    };
    return this.call(
      subject,
      signal,
      (options) =>
        (patch.subresource === 'status'
          ? this.custom.patchNamespacedCustomObjectStatus(request, options)
          : this.custom.patchNamespacedCustomObject(request, options)) as Promise<unknown>,
      patch.type,
    );
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}

/** Where the kinds draingate reads live. */
export const RESOURCES = {
  deployments: { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' },
  statefulSets: { group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet' },
  daemonSets: { group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet' },
  replicaSets: { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet' },
  rollouts: { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts', kind: 'Rollout' },
  ingresses: { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', kind: 'Ingress' },
  ingressClasses: {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingressclasses',
    kind: 'IngressClass',
  },
  ingressClassParams: {
    group: 'elbv2.k8s.aws',
    version: 'v1beta1',
    plural: 'ingressclassparams',
    kind: 'IngressClassParams',
  },
  /** EKS Auto Mode's IngressClassParams (cluster-scoped); absent outside Auto Mode clusters. */
  eksIngressClassParams: {
    group: 'eks.amazonaws.com',
    version: 'v1',
    plural: 'ingressclassparams',
    kind: 'IngressClassParams',
    label: 'EKS Auto Mode IngressClassParams',
  },
  horizontalPodAutoscalers: {
    group: 'autoscaling',
    version: 'v2',
    plural: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
  },
  /** KEDA's ScaledObjects; absent where KEDA is not installed. */
  scaledObjects: { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects', kind: 'ScaledObject' },
  targetGroupBindings: {
    group: 'elbv2.k8s.aws',
    version: 'v1beta1',
    plural: 'targetgroupbindings',
    kind: 'TargetGroupBinding',
  },
  pdbs: { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget' },
} as const satisfies Record<string, ResourceType>;

const gatewayApi = (plural: string, kind: string, versions: readonly string[]): readonly ResourceType[] =>
  versions.map((version) => ({ group: 'gateway.networking.k8s.io', version, plural, kind }));
const gatewayAws = (plural: string, kind: string): readonly ResourceType[] =>
  ['v1', 'v1beta1'].map((version) => ({ group: 'gateway.k8s.aws', version, plural, kind }));

/**
 * The Gateway API kinds and the AWS Load Balancer Controller's Gateway CRDs draingate reads, each with the
 * versions to try, newest first: which one a cluster serves depends on the CRDs installed (TCPRoute and
 * UDPRoute are v1alpha2 in the experimental channel before Gateway API v1.6; the controller's CRDs were
 * v1beta1 before v3.3).
 */
export const GATEWAY_RESOURCES = {
  gatewayClasses: gatewayApi('gatewayclasses', 'GatewayClass', ['v1', 'v1beta1']),
  gateways: gatewayApi('gateways', 'Gateway', ['v1', 'v1beta1']),
  httpRoutes: gatewayApi('httproutes', 'HTTPRoute', ['v1', 'v1beta1']),
  grpcRoutes: gatewayApi('grpcroutes', 'GRPCRoute', ['v1']),
  tcpRoutes: gatewayApi('tcproutes', 'TCPRoute', ['v1', 'v1alpha2']),
  udpRoutes: gatewayApi('udproutes', 'UDPRoute', ['v1', 'v1alpha2']),
  tlsRoutes: gatewayApi('tlsroutes', 'TLSRoute', ['v1', 'v1alpha3', 'v1alpha2']),
  /** Standard channel since Gateway API v1.5.0; the controller reads this version only (v3.2.0 on). */
  listenerSets: gatewayApi('listenersets', 'ListenerSet', ['v1']),
  referenceGrants: gatewayApi('referencegrants', 'ReferenceGrant', ['v1', 'v1beta1']),
  targetGroupConfigurations: gatewayAws('targetgroupconfigurations', 'TargetGroupConfiguration'),
  loadBalancerConfigurations: gatewayAws('loadbalancerconfigurations', 'LoadBalancerConfiguration'),
} as const satisfies Record<string, readonly ResourceType[]>;
