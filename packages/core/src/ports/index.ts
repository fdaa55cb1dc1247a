export * from './errors.js';
export type * from './clock.js';
export type * from './metrics.js';
export * from './elb.js';
export type * from './cluster.js';
export type * from './verdict.js';
