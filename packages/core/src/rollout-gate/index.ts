/** The rollout gate: follow a rollout while watching the load balancer, decide, and undo it on harm. */
export type * from './types.js';
export { watchRollout, resolveGateOptions, GATE_DEFAULTS } from './watch.js';
export type { ResolvedGateOptions } from './watch.js';
export { judgeRolloutProgress } from './progress.js';
export type { ProgressState, RolloutProgress } from './progress.js';
export { actOnFailure, preconditionsOf } from './act.js';
export { gateMetricWindow, elb5xxTotals, targetTotals, formatDuration } from './evidence.js';
export { parseWorkloadRef, podSelectorOf, targetGroupArnsFor } from './workload-ref.js';
export { gateCanaryOf, gateSettingsFrom, metricsRegionOf, prepareGate } from './prepare.js';
export type { GateSettings, PreparedGate } from './prepare.js';
export {
  formatGateProgress,
  formatGateEvent,
  renderGateText,
  renderGateMarkdown,
  renderGateCharts,
} from './render.js';
