/** Manifest loading: multi-document YAML with source positions, and kustomize roots. */
export * from './source.js';
export { parseManifests, describeValue, describeType } from './parse.js';
export { findKustomizeRoots } from './kustomize.js';
export type { ManifestObject, ParsedManifests, ParseOptions } from './parse.js';
