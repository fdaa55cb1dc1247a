/** The drain-timing rules: one file each, the registry, and their evaluation into a report. */
export * from './types.js';
export { RULES, findRule } from './registry.js';
export { evaluateRules, reachesThreshold, countBySeverity } from './evaluate.js';
export type { Report, Suppressed, FailOn, EvaluateOptions } from './evaluate.js';
