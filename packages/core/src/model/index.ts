/** Normalized facts: objects, their links (workload ↔ Service ↔ Ingress/TGB), provenance and live facts. */
export * from './provenance.js';
export * from './facts.js';
export * from './objects.js';
export { parsePreStop, parseSleepArgs } from './prestop.js';
export type { PreStop } from './prestop.js';
export {
  buildFacts,
  createInventory,
  normalizeObjects,
  linkInventory,
  servingContainerNames,
} from './link.js';
export type { BuildFactsOptions, BuiltFacts, Inventory } from './link.js';
export {
  ANNOTATIONS,
  ALB,
  NLB,
  EKS_AUTO_MODE,
  LEGACY_READINESS_GATE_PREFIX,
  READINESS_GATE_PREFIXES,
  parseAttributeList,
} from './annotations.js';
export { hasClusterFacts, mergeClusterFacts } from './cluster.js';
export type { ClusterFacts } from './cluster.js';
export * from './live.js';
