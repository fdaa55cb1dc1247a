/** The timing model rules and simulator share: defaults, resolved drain timing, rolling-update budgets. */
export * from './defaults.js';
export * from './model.js';
export * from './rolling-update.js';
