import { formatSeconds } from './cause.js';
import type { ScenarioChange } from './fix.js';
import type { LatencySummary } from './histogram.js';
import { FAILURE_REASONS, STATUS_OF_REASON } from './result.js';
import type { SimulationResult } from './result.js';
import type { SimulationScenario } from './scenario.js';
import type { RunManyResult, Spread, SweepPoint } from './sweep.js';

/** How text is rendered: colour only when the caller knows the terminal wants it. */
export interface SimulationTextOptions {
  readonly colour?: boolean;
}

const ANSI = {
  red: '\u001b[31m',
  green: '\u001b[32m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  reset: '\u001b[0m',
};

function paint(text: string, style: keyof typeof ANSI, options: SimulationTextOptions): string {
  return options.colour === true ? `${ANSI[style]}${text}${ANSI.reset}` : text;
}

/** Milliseconds the way Vegeta prints them: 28.646ms, 10.027s. */
export function formatLatency(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(3)}ms` : `${(ms / 1000).toFixed(3)}s`;
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(2)}%`;
}

function row(label: string, legend: string, value: string): string {
  return `${label.padEnd(14)}${legend.padEnd(34)}${value}`;
}

/** One line on what was simulated: strategy, targets, termination timings, ALB settings, traffic. */
export function describeScenario(s: SimulationScenario): string[] {
  const strategy =
    s.strategy.kind === 'rolling'
      ? `rolling update of ${s.replicas} pods (maxSurge ${s.strategy.maxSurge}, maxUnavailable ${s.strategy.maxUnavailable})`
      : `Argo canary of ${s.replicas} pods (${s.strategy.steps
          .map((step) =>
            step.kind === 'setWeight' ? `${step.weight} %` : `pause ${formatSeconds(step.seconds)}`,
          )
          .join(', ')})`;
  const gate = `${s.readinessGate ? 'readiness gate' : 'no readiness gate'}${s.readinessProbe ? '' : ', no readiness probe'}`;
  const preStop =
    s.preStopSeconds > 0 ? `preStop ${s.preStopAction} ${formatSeconds(s.preStopSeconds)}` : 'no preStop';
  return [
    `${strategy}, ${s.targetType} targets, ${gate}`,
    `${preStop}, grace ${formatSeconds(s.terminationGracePeriodSeconds)}, app ${s.shutdownBehaviour} ${formatSeconds(s.shutdownSeconds)}, deregistration delay ${formatSeconds(s.deregistrationDelaySeconds)}`,
    `controller latency ${formatSeconds(s.controllerLatencySeconds)}, propagation ${formatSeconds(s.propagationSeconds)}, health checks ${s.healthyThresholdCount} × ${formatSeconds(s.healthCheckIntervalSeconds)}`,
    `${s.rps} req/s ${s.arrivals}, requests ${s.requestMedianMs} ms median, seed ${s.seed}`,
  ];
}

function latencyRow(latency: LatencySummary): string {
  const values = [
    latency.minMs,
    latency.meanMs,
    latency.p50Ms,
    latency.p90Ms,
    latency.p95Ms,
    latency.p99Ms,
    latency.maxMs,
  ].map(formatLatency);
  return row('Latencies', '[min, mean, 50, 90, 95, 99, max]', values.join(', '));
}

/** A load tester's report of one simulated rollout, ending with the cause of most failures. */
export function renderSimulationText(result: SimulationResult, options: SimulationTextOptions = {}): string {
  const lines: string[] = [];
  describeScenario(result.scenario).forEach((line, index) =>
    lines.push(`${(index === 0 ? 'Scenario' : '').padEnd(14)}${line}`),
  );
  const rollout =
    result.rolloutCompleteSecond !== null
      ? formatSeconds(result.rolloutCompleteSecond - result.rolloutStartSecond)
      : result.trafficSeconds <= result.rolloutStartSecond
        ? `not started (starts at ${formatSeconds(result.rolloutStartSecond)})`
        : `not complete after ${formatSeconds(result.trafficSeconds - result.rolloutStartSecond)}`;
  lines.push(row('Duration', '[traffic, rollout]', `${formatSeconds(result.trafficSeconds)}, ${rollout}`));
  lines.push(row('Requests', '[total, rate]', `${result.requests}, ${result.scenario.rps.toFixed(2)}`));
  lines.push(latencyRow(result.latency));
  const ratio = percent(result.successRatio);
  lines.push(row('Success', '[ratio]', paint(ratio, result.failures === 0 ? 'green' : 'red', options)));
  const codes = ([200, 502, 503, 504] as const)
    .filter((status) => status === 200 || result.byStatus[status] > 0)
    .map((status) => `${status}:${result.byStatus[status]}`)
    .join('  ');
  lines.push(row('Status Codes', '[code:count]', codes));
  lines.push('Error Set:');
  for (const reason of FAILURE_REASONS) {
    const count = result.byReason[reason];
    if (count > 0) lines.push(`  ${STATUS_OF_REASON[reason]} ${reason}: ${count}`);
  }
  lines.push('');
  lines.push(
    result.cause === null
      ? paint('No request failed.', 'green', options)
      : `${paint('Cause:', 'bold', options)} ${result.cause.sentence}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The configuration as it is and as `proposeFix` would change it, simulated with the same seed. */
export function renderComparisonText(
  before: SimulationResult,
  after: SimulationResult,
  changes: readonly ScenarioChange[],
  options: SimulationTextOptions = {},
): string {
  const lines = [paint('As configured', 'bold', options), renderSimulationText(before, options)];
  lines.push(paint('With the proposed fix', 'bold', options));
  if (changes.length === 0) lines.push('  nothing to change');
  for (const change of changes)
    lines.push(`  ${change.field}: ${change.from} → ${change.to}  (${change.why})`);
  lines.push('', renderSimulationText(after, options));
  const delta = `${before.failures} → ${after.failures} failed requests, ${percent(before.successRatio)} → ${percent(after.successRatio)} success`;
  lines.push(paint(delta, after.failures === 0 ? 'green' : 'red', options));
  return `${lines.join('\n')}\n`;
}

function spreadText(spread: Spread, format: (value: number) => string = String): string {
  return `min ${format(spread.min)}, median ${format(spread.median)}, max ${format(spread.max)}`;
}

/** The spread of several runs of one scenario. */
export function renderRunManyText(many: RunManyResult, options: SimulationTextOptions = {}): string {
  const first = many.results[0];
  const lines: string[] = [];
  if (first !== undefined)
    lines.push(...describeScenario(first.scenario).map((line) => `${''.padEnd(14)}${line}`));
  lines.push(row('Runs', '', String(many.results.length)));
  lines.push(row('Success', '[ratio]', spreadText(many.successRatio, percent)));
  lines.push(row('Failures', '[requests]', spreadText(many.failures)));
  lines.push(row('502', '', spreadText(many.status502)));
  lines.push(row('503', '', spreadText(many.status503)));
  lines.push(row('504', '', spreadText(many.status504)));
  const worst = [...many.results].sort((a, b) => b.failures - a.failures)[0];
  lines.push('');
  lines.push(
    worst?.cause == null
      ? paint('No request failed in any run.', 'green', options)
      : `${paint('Cause (worst run):', 'bold', options)} ${worst.cause.sentence}`,
  );
  return `${lines.join('\n')}\n`;
}

/** How failures vary with one parameter: one row per value, or why the value was skipped. */
export function renderSweepText(
  field: string,
  points: readonly SweepPoint[],
  options: SimulationTextOptions = {},
): string {
  const header = `${field.padEnd(30)}${'requests'.padStart(9)}${'502'.padStart(7)}${'503'.padStart(7)}${'504'.padStart(7)}${'success'.padStart(10)}`;
  const lines = [paint(header, 'bold', options)];
  for (const point of points) {
    const r = point.result;
    if (r === undefined) {
      lines.push(`${String(point.value).padEnd(30)}${paint(`skipped: ${point.skipped}`, 'dim', options)}`);
      continue;
    }
    const success = percent(r.successRatio).padStart(10);
    lines.push(
      `${String(point.value).padEnd(30)}${String(r.requests).padStart(9)}${String(r.byStatus[502]).padStart(7)}` +
        `${String(r.byStatus[503]).padStart(7)}${String(r.byStatus[504]).padStart(7)}${paint(success, r.failures === 0 ? 'green' : 'red', options)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
