/** draingate's Argo Rollouts analysis provider: the runtime checks over HTTP. */
export { runProvider } from './run.js';
export { startProvider } from './server.js';
export type { RunningProvider, StartOptions } from './server.js';
export { loadProviderConfig, renderUsage, SETTINGS } from './config.js';
export type { ConfigResult, ProviderConfig } from './config.js';
export { createApp } from './api/app.js';
export type { AccessPolicy, AppDependencies, Lifecycle } from './api/app.js';
export { createOpenApiDocument } from './api/openapi.js';
export { CHECK_NAMES } from './api/schemas.js';
export type { CheckName } from './api/schemas.js';
export type { CheckPorts } from './api/run-check.js';
export { createLogger, silentLogger } from './logger.js';
export type { Logger, LogLevel } from './logger.js';
export { createTelemetry } from './telemetry.js';
export type { Telemetry } from './telemetry.js';
export { createBatchingMetricsSource } from './upstream/batching-metrics.js';
export { CoalescingCache } from './upstream/cache.js';
export { TokenStore } from './security/tokens.js';
