export { readManifestSources, DEFAULT_MAX_FILE_BYTES } from './read-sources.js';
export type { ReadSourcesOptions } from './read-sources.js';
export { systemClock } from './clock.js';
