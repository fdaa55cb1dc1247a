export { createKubeAdapters } from './adapters.js';
export type { KubeAdapterOptions, KubeAdapters } from './adapters.js';
export { loadKubeConfig } from './config.js';
export type { KubeConfigOptions } from './config.js';
export { KubeClusterReader, formatSelector, toLiveObject } from './reader.js';
export type { KubeClusterPort, LiveObject, LiveObjects, LiveObjectsReader } from './reader.js';
export { KubeRolloutActuator, buildRollbackPatch } from './actuator.js';
export type { JsonPatchOperation } from './actuator.js';
export { DEFAULT_CALL_TIMEOUT_MS } from './client.js';
export { mapKubeError, failureOfStatus, KUBERNETES } from './errors.js';
export type { CallSubject } from './errors.js';
export { projectPod, formatLabelSelector } from './pods.js';
export {
  countOldReplicas,
  deriveArgoRolloutStatus,
  deriveDeploymentStatus,
  deriveDaemonSetStatus,
  deriveStatefulSetStatus,
  PROGRESS_DEADLINE_EXCEEDED,
} from './status.js';
export {
  comparePreconditions,
  orderByRevision,
  pickRollbackTarget,
  rollbackAnnotations,
  stripTemplateHash,
  templatesEqualIgnoringHash,
  DEPLOYMENT_REVISION,
  DEPLOYMENT_HASH_LABEL,
  ROLLOUT_HASH_LABEL,
} from './revisions.js';
export { KubeLeaseStore, LEASE_DOCUMENT_ANNOTATION } from './leases.js';
export type { LeaseClaim, LeaseDocument } from './leases.js';
