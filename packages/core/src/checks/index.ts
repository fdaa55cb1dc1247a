/** Runtime checks: pure evaluations of live evidence into verdicts, and thin wrappers that read it through the ports. */
export * from './params.js';
export * from './verdict.js';
export * from './series.js';
export * from './queries.js';
export * from './stats.js';
export * from './elb-5xx.js';
export * from './target-health.js';
export * from './drain-timing.js';
export * from './canary.js';
export * from './sequential.js';
export * from './canary-start.js';
export * from './sign-test.js';
export * from './latency.js';
