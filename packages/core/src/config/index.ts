/** The `.draingate.yaml` settings: allowances and cluster facts the manifests lack. */
export { parseConfig, allowancesFrom, clusterFactsFrom, checkIngressClassName } from './config.js';
export type { ClusterFlags, DraingateConfig, ParsedConfig } from './config.js';
