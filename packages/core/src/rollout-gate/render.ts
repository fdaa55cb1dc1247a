import { formatRate } from '../checks/verdict.js';
import { escapeMarkdown } from '../report/markdown.js';
import { formatDuration } from './evidence.js';
import type { Verdict } from '../ports/verdict.js';
import type { GateAction, GateEvent, GateResult, GateTimelinePoint } from './types.js';

/** One line of progress: replicas, healthy targets, 5xx so far, elapsed. For a TTY line or a log line. */
export function formatGateProgress(point: GateTimelinePoint): string {
  const parts = [
    `replicas ${point.updatedReplicas} updated / ${point.availableReplicas} available of ${point.replicas}${point.oldReplicas > 0 ? ` (${point.oldReplicas} old)` : ''}`,
    point.healthyTargets !== undefined
      ? `targets ${point.healthyTargets}/${point.targets ?? 0} healthy${point.drainingTargets ? `, ${point.drainingTargets} draining` : ''}`
      : undefined,
    point.errors5xx !== undefined
      ? `5xx ${point.errors5xx}/${point.requests ?? 0} (${formatRate(point.errorRate ?? 0)})`
      : undefined,
    `${point.rolloutPhase}`,
    formatDuration(point.elapsedSeconds),
  ];
  return parts.filter((part) => part !== undefined).join(' · ');
}

/** A gate event as one plain log line (without timestamp), or undefined for events that print nothing. */
export function formatGateEvent(event: GateEvent): string | undefined {
  switch (event.type) {
    case 'started':
      return `watching ${event.workload.kind} ${event.workload.namespace}/${event.workload.name}`;
    case 'poll':
      return formatGateProgress(event.point);
    case 'decision':
      return `${event.decision.kind}: ${event.decision.message}`;
    case 'action':
      return `${event.action.kind}: ${describeAction(event.action)}`;
    case 'finished':
      return undefined;
  }
}

function describeAction(action: GateAction): string {
  return `${action.status}: ${action.description}`;
}

/** The gate's final summary as text: verdict, reason, what was done, and every decision. */
export function renderGateText(result: GateResult): string {
  const w = result.workload;
  const lines = [
    `draingate gate: ${result.phase.toUpperCase()} — ${w.kind} ${w.namespace}/${w.name} after ${formatDuration(result.elapsedSeconds)}`,
    `  ${result.reason}`,
    `  revision ${result.watched.revision || '(unknown)'} · generation ${result.watched.generation} · healthy targets ${result.healthyTargets} · 5xx ${result.errors5xx} (${formatRate(result.errorRate)})`,
  ];
  for (const verdict of canaryVerdicts(result))
    lines.push(`  ${verdict.check} (canary against stable): ${verdict.phase} — ${verdict.reason}`);
  if (result.action) lines.push(`  ${result.action.kind} ${describeAction(result.action)}`);
  lines.push('  decisions:');
  for (const decision of result.decisions) {
    lines.push(`    +${formatDuration(decision.elapsedSeconds)} ${decision.kind}: ${decision.message}`);
  }
  return `${lines.join('\n')}\n`;
}

const ICON: Readonly<Record<GateResult['phase'], string>> = {
  Successful: '✅',
  Failed: '❌',
  Inconclusive: '⏸️',
  Error: '⚠️',
};

/** At most this many points in a chart; longer timelines are sampled evenly (the last point always kept). */
const MAX_CHART_POINTS = 40;

/** At most this many rows in the timeline table. */
const MAX_TABLE_ROWS = 60;

/**
 * The gate's job summary: verdict, a table of the numbers, the action, a Mermaid chart of 5xx and healthy
 * targets over time, and the decisions. Everything from the cluster or AWS is escaped; the charts carry only
 * numbers and labels the gate made.
 */
export function renderGateMarkdown(result: GateResult): string {
  const w = result.workload;
  const name = escapeMarkdown(`${w.kind} ${w.namespace}/${w.name}`);
  const last = result.timeline.at(-1);
  const lines = [
    `## ${ICON[result.phase]} draingate gate: ${result.phase}`,
    '',
    `**${name}** — ${escapeMarkdown(result.reason)}`,
    '',
    '| Elapsed | Revision | Replicas (updated / available / total) | Healthy targets | 5xx | Error rate |',
    '| ---: | :--- | :---: | ---: | ---: | ---: |',
    `| ${formatDuration(result.elapsedSeconds)} | ${escapeMarkdown(result.watched.revision || '–')} | ${last ? `${last.updatedReplicas} / ${last.availableReplicas} / ${last.replicas}` : '–'} | ${result.healthyTargets} | ${result.errors5xx} | ${formatRate(result.errorRate)} |`,
    '',
  ];
  const comparisons = canaryVerdicts(result);
  if (comparisons.length > 0) {
    lines.push(
      '| Canary against stable | Verdict | Why |',
      '| :--- | :--- | :--- |',
      ...comparisons.map(
        (verdict) =>
          `| ${verdict.check === 'latency' ? 'latency' : '5xx rate'} | ${verdict.phase} | ${escapeMarkdown(verdict.reason)} |`,
      ),
      '',
    );
  }
  if (result.action) {
    const { status, dryRun } = result.action;
    // A dry run's status already says so; a dry run that was refused or failed says both.
    const how = status === 'dry-run' ? 'dry run' : `${status}${dryRun ? ', dry run' : ''}`;
    lines.push(
      `**${result.action.kind === 'abort' ? 'Abort' : 'Rollback'}** (${how}): ${escapeMarkdown(result.action.description)}`,
      '',
    );
  }
  const charts = renderGateCharts(result.timeline);
  lines.push(...charts);
  if (result.timeline.length > 0) {
    // A gate decided at its first poll or two has no chart to draw: its numbers are shown, not folded away.
    lines.push(
      ...(charts.length > 0
        ? ['<details><summary>Timeline</summary>']
        : ['*Decided before there was a time span to chart: the numbers of each poll.*']),
      '',
      '| At | Phase | Updated | Available | Old | Healthy targets | Draining | 5xx | Requests |',
      '| ---: | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...sample(result.timeline, MAX_TABLE_ROWS).map(
        (p) =>
          `| +${formatDuration(p.elapsedSeconds)} | ${escapeMarkdown(p.rolloutPhase)} | ${p.updatedReplicas} | ${p.availableReplicas} | ${p.oldReplicas} | ${p.healthyTargets ?? '–'} | ${p.drainingTargets ?? '–'} | ${p.errors5xx ?? '–'} | ${p.requests ?? '–'} |`,
      ),
      '',
      ...(charts.length > 0 ? ['</details>', ''] : []),
    );
  }
  if (result.decisions.length > 0) {
    lines.push(
      '<details><summary>Decisions</summary>',
      '',
      '| At | Decision | Why |',
      '| ---: | :--- | :--- |',
    );
    for (const decision of result.decisions) {
      lines.push(
        `| +${formatDuration(decision.elapsedSeconds)} | ${decision.kind} | ${escapeMarkdown(decision.message)} |`,
      );
    }
    lines.push('', '</details>', '');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Mermaid xychart-beta charts of healthy targets / updated replicas and of 5xx over time. The x axis is time:
 * Mermaid spaces a line's values evenly over a numeric axis, so the timeline is read at evenly spaced instants
 * (each the last poll at or before it), in seconds, or minutes for a gate longer than ten minutes. A timeline
 * that spans no time (one poll) has no chart.
 */
export function renderGateCharts(timeline: readonly GateTimelinePoint[]): string[] {
  const span = timeline.length > 1 ? (timeline.at(-1)?.elapsedSeconds ?? 0) : 0;
  if (span <= 0) return [];
  const points = atEvenInstants(timeline, Math.min(MAX_CHART_POINTS, timeline.length), span);
  const minutes = span > 600;
  const end = minutes ? Math.round((span / 60) * 10) / 10 : Math.round(span * 10) / 10;
  const axis = `x-axis "${minutes ? 'minutes' : 'seconds'} since start" 0 --> ${end}`;
  const chart = (title: string, yTitle: string, series: readonly (readonly number[])[]): string[] => {
    const max = Math.max(1, ...series.flat());
    return [
      '```mermaid',
      'xychart-beta',
      `    title "${title}"`,
      `    ${axis}`,
      `    y-axis "${yTitle}" 0 --> ${Math.ceil(max)}`,
      ...series.map((values) => `    line [${values.join(', ')}]`),
      '```',
      '',
    ];
  };
  const out: string[] = [];
  if (points.some((p) => p.healthyTargets !== undefined)) {
    out.push(
      '*Healthy targets (first line) and updated replicas (second line) over time.*',
      '',
      ...chart('Healthy targets and updated replicas', 'count', [
        points.map((p) => p.healthyTargets ?? 0),
        points.map((p) => p.updatedReplicas),
      ]),
    );
  }
  if (points.some((p) => p.errors5xx !== undefined)) {
    out.push(
      '*ELB and target 5xx counted since the gate started, as CloudWatch reported them.*',
      '',
      ...chart('5xx so far', '5xx', [points.map((p) => p.errors5xx ?? 0)]),
    );
  }
  return out;
}

/** The canary comparisons the gate made, 5xx first. */
function canaryVerdicts(result: GateResult): Verdict[] {
  return [result.canary, result.latency].filter((verdict): verdict is Verdict => verdict !== undefined);
}

/** The timeline read at `count` evenly spaced instants from 0 to `span` seconds: the last poll at or before each. */
function atEvenInstants(
  timeline: readonly GateTimelinePoint[],
  count: number,
  span: number,
): GateTimelinePoint[] {
  const out: GateTimelinePoint[] = [];
  let index = 0;
  for (let step = 0; step < count; step += 1) {
    const at = (span * step) / (count - 1);
    while (index + 1 < timeline.length && (timeline[index + 1]?.elapsedSeconds ?? Infinity) <= at + 1e-9) {
      index += 1;
    }
    const point = timeline[index];
    if (point) out.push(point);
  }
  return out;
}

function sample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const out: T[] = [];
  const step = (items.length - 1) / (max - 1);
  for (let index = 0; index < max; index += 1) {
    const item = items[Math.round(index * step)];
    if (item !== undefined) out.push(item);
  }
  return out;
}
