/**
 * @draingate/core: the pure domain of draingate. Manifest loading with source positions, normalized facts,
 * the timing model, drain-timing rules, and report renderers. No SDKs, no I/O, no clock.
 */
export * from './manifest/source.js';
export { parseManifests, describeValue, describeType } from './manifest/parse.js';
export { findKustomizeRoots } from './manifest/kustomize.js';
export type { ManifestObject, ParsedManifests, ParseOptions } from './manifest/parse.js';
export * from './model/provenance.js';
export * from './model/facts.js';
export * from './model/objects.js';
export { parsePreStop, parseSleepArgs } from './model/prestop.js';
export type { PreStop } from './model/prestop.js';
export {
  buildFacts,
  createInventory,
  normalizeObjects,
  linkInventory,
  servingContainerNames,
} from './model/link.js';
export type { BuildFactsOptions, BuiltFacts, Inventory } from './model/link.js';
export {
  ANNOTATIONS,
  ALB,
  NLB,
  EKS_AUTO_MODE,
  LEGACY_READINESS_GATE_PREFIX,
  READINESS_GATE_PREFIXES,
  parseAttributeList,
} from './model/annotations.js';
export * from './timing/defaults.js';
export * from './timing/model.js';
export * from './timing/rolling-update.js';
export * from './rules/types.js';
export { RULES, findRule } from './rules/registry.js';
export { evaluateRules, reachesThreshold, countBySeverity } from './rules/evaluate.js';
export type { Report, Suppressed, FailOn, EvaluateOptions } from './rules/evaluate.js';
export {
  parseConfig,
  allowancesFrom,
  clusterFactsFrom,
  checkIngressClassName,
  checkGatewayClassName,
} from './config/config.js';
export type { ClusterFlags, DraingateConfig, ParsedConfig } from './config/config.js';
export { hasClusterFacts, mergeClusterFacts } from './model/cluster.js';
export type { ClusterFacts } from './model/cluster.js';
export { validateManifests, loadFacts } from './validate.js';
export type { ManifestSource, ValidateOptions } from './validate.js';
export { renderText } from './report/text.js';
export type { TextOptions } from './report/text.js';
export { renderJson, findingJson, REPORT_SCHEMA } from './report/json.js';
export { renderSarif } from './report/sarif.js';
export { renderMarkdown, escapeMarkdown } from './report/markdown.js';
export { renderRuleDoc, renderRuleIndex } from './report/rule-docs.js';
export { DRAINGATE_VERSION } from './report/version.js';
export * from './simulate/index.js';
export * from './ports/index.js';
export * from './checks/index.js';
export * from './model/live.js';
export * from './gate/index.js';
