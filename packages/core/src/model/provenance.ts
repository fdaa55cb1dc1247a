import type { SourceRef } from '../manifest/source.js';
import { formatSourceRef } from '../manifest/source.js';

/** A Kubernetes object named in a finding. */
export interface ObjectRef {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** Where the object was written; absent for objects read live from the cluster. */
  readonly source?: SourceRef;
}

/** `Kind namespace/name`, as people write it in tickets. */
export function formatObjectRef(ref: ObjectRef): string {
  return CLUSTER_SCOPED.has(ref.kind)
    ? `${ref.kind} ${ref.name}`
    : `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/** Kinds that live in no namespace: their name alone names them. */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['Namespace', 'IngressClass', 'GatewayClass']);

/** Where a value draingate used came from. Every number in a finding carries one. */
export type Provenance =
  | { readonly kind: 'field'; readonly object: ObjectRef; readonly field: string; readonly at?: SourceRef }
  | {
      readonly kind: 'annotation';
      readonly object: ObjectRef;
      readonly annotation: string;
      /** The key inside a `key=value,…` annotation, e.g. `deregistration_delay.timeout_seconds`. */
      readonly key?: string;
      readonly at?: SourceRef;
    }
  | {
      readonly kind: 'ingress-class-params';
      readonly object: ObjectRef;
      readonly field: string;
      readonly at?: SourceRef;
    }
  | { readonly kind: 'aws'; readonly resource: string; readonly attribute: string }
  | { readonly kind: 'default'; readonly authority: DefaultAuthority; readonly note: string }
  | { readonly kind: 'setting'; readonly setting: string };

/** Whose default a value is. */
export type DefaultAuthority =
  | 'kubernetes'
  | 'aws-load-balancer-controller'
  | 'eks-auto-mode'
  | 'aws'
  | 'argo-rollouts'
  | 'keda'
  | 'draingate';

/** A value together with where it came from. */
export interface Resolved<T> {
  readonly value: T;
  readonly from: Provenance;
}

export function resolved<T>(value: T, from: Provenance): Resolved<T> {
  return { value, from };
}

export function isDefault(from: Provenance): boolean {
  return from.kind === 'default';
}

/** Says where a value came from, in words a reader can act on. */
export function describeProvenance(from: Provenance): string {
  switch (from.kind) {
    case 'field':
      return `${from.field} on ${formatObjectRef(from.object)}${at(from.at)}`;
    case 'annotation':
      return `${from.key ? `${from.key} in ` : ''}annotation ${from.annotation} on ${formatObjectRef(from.object)}${at(from.at)}`;
    case 'ingress-class-params':
      return `${from.field} on IngressClassParams ${from.object.name}${at(from.at)}`;
    case 'aws':
      return `${from.attribute} of ${from.resource}`;
    case 'default':
      return `${defaultLabel(from.authority)} default: ${from.note}`;
    case 'setting':
      return from.setting;
  }
}

function at(ref: SourceRef | undefined): string {
  return ref ? ` (${formatSourceRef(ref)})` : '';
}

function defaultLabel(authority: DefaultAuthority): string {
  switch (authority) {
    case 'kubernetes':
      return 'Kubernetes';
    case 'aws-load-balancer-controller':
      return 'controller';
    case 'aws':
      return 'AWS';
    case 'eks-auto-mode':
      return 'EKS Auto Mode';
    case 'argo-rollouts':
      return 'Argo Rollouts';
    case 'keda':
      return 'KEDA';
    case 'draingate':
      return 'draingate';
  }
}
