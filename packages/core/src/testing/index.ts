/**
 * @draingate/core/testing: what tests of every package share — in-memory ports, builders and gate scenarios.
 * Exported for the workspace's tests only (the `source` condition); it is not built nor published.
 */
export * from './memory-ports.js';
export * from './builders.js';
export * from './checks.js';
export * from './rollout-gate.js';
