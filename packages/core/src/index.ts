/**
 * @draingate/core: the pure domain of draingate. Manifest loading with source positions, normalized facts,
 * the timing model, drain-timing rules, report renderers, runtime checks, the rollout gate and the ports the
 * adapters implement. No SDKs, no I/O, no clock.
 *
 * Each area is also its own entry point (`@draingate/core/checks`, `/rollout-gate`, `/ports`, …; see package.json):
 * import from the one you use. This root re-exports them all and stays for compatibility.
 */
export * from './manifest/index.js';
export * from './model/index.js';
export * from './timing/index.js';
export * from './rules/index.js';
export * from './config/index.js';
export { validateManifests, loadFacts } from './validate.js';
export type { ManifestSource, ValidateOptions } from './validate.js';
export * from './report/index.js';
export * from './simulate/index.js';
export * from './ports/index.js';
export * from './checks/index.js';
export * from './rollout-gate/index.js';
export * from './params/index.js';
