import { describe, expect, it } from 'vitest';
import { GateScenario } from '../testing/rollout-gate.js';
import { aPod, aTarget } from '../testing/memory-ports.js';
import type { GateTimelinePoint } from './types.js';
import { formatGateProgress, renderGateCharts, renderGateMarkdown, renderGateText } from './render.js';

function aPoint(elapsedSeconds: number, healthyTargets: number, errors5xx?: number): GateTimelinePoint {
  return {
    at: new Date(Date.parse('2026-01-01T12:00:00Z') + elapsedSeconds * 1000).toISOString(),
    elapsedSeconds,
    replicas: 3,
    updatedReplicas: 3,
    availableReplicas: 3,
    oldReplicas: 0,
    rolloutPhase: 'Complete',
    healthyTargets,
    targets: 3,
    drainingTargets: 0,
    ...(errors5xx !== undefined ? { errors5xx, requests: 100, errorRate: errors5xx / 100 } : {}),
  };
}

const axisOf = (lines: readonly string[]): string | undefined =>
  lines.find((line) => line.trimStart().startsWith('x-axis'))?.trim();
const linesOf = (lines: readonly string[]): string[] =>
  lines.filter((line) => line.trimStart().startsWith('line')).map((line) => line.trim());

async function aFailedGate() {
  const scenario = new GateScenario();
  scenario.pods([aPod('web-0', '10.0.1.1')]);
  // A hostile message from the cluster: Markdown, HTML and a fence that must not escape the summary.
  const message = '<img src=x onerror=alert(1)> **bold** | pipe ```mermaid\nxychart-beta';
  return scenario.run({ onFailure: 'rollback' }, (t) => {
    scenario.targets([aTarget('10.0.1.1', 'healthy')]);
    scenario.status(
      t < 10
        ? { phase: 'Progressing', updatedReplicas: 1, replicas: 2, oldReplicas: 1 }
        : { phase: 'Failed', progressDeadlineExceeded: true, message },
    );
  });
}

describe('gate renderers', () => {
  it('renders a job summary with a table, the action, charts of numbers only, and escapes cluster text', async () => {
    const result = await aFailedGate();
    const markdown = renderGateMarkdown(result);
    expect(markdown).toMatch(/^## ❌ draingate gate: Failed$/m);
    expect(markdown).toMatch(/^\| Elapsed \| Revision \| Replicas/m);
    expect(markdown).toMatch(/\*\*Rollback\*\* \(performed\): rolled back Deployment shop\/web/);
    expect(markdown).not.toMatch(/(^|[^\\])<img/);
    expect(markdown).toContain('\\<img src=x onerror=alert\\(1\\)\\>');
    expect(markdown).not.toContain('**bold**');
    // Exactly the fences the renderer opened: the message's own fence is escaped.
    const fences = markdown.match(/^```/gm) ?? [];
    expect(fences.length % 2).toBe(0);
    expect(markdown).toMatch(/^\| \+10 s \| Failed \| 3 \| 3 \| 0 \| 1 \| 0 \| 0 \| 0 \|$/m);
    const chart = /```mermaid\n(xychart-beta[\s\S]*?)```/.exec(markdown)?.[1] ?? '';
    expect(chart).toMatch(
      /^xychart-beta\n {4}title "Healthy targets and updated replicas"\n {4}x-axis "seconds since start" 0 --> 10\n {4}y-axis "count" 0 --> 3\n {4}line \[1, 1, 1\]\n {4}line \[1, 1, 3\]\n$/,
    );
  });

  it('renders text with every decision and a progress line with the numbers', async () => {
    const result = await aFailedGate();
    expect(renderGateText(result)).toMatch(/^draingate gate: FAILED — Deployment shop\/web after 10 s\n/);
    expect(renderGateText(result)).toMatch(
      /\+10 s rollout-failed: the rollout failed: progress deadline exceeded/,
    );
    const first = result.timeline[0];
    expect(first && formatGateProgress(first)).toBe(
      'replicas 1 updated / 3 available of 2 (1 old) · targets 1/1 healthy · 5xx 0/0 (0%) · Progressing · 0 s',
    );
  });

  it('a gate that fails at its first poll gets no chart but its numbers, not folded away', async () => {
    const scenario = new GateScenario();
    scenario.pods([aPod('web-0', '10.0.1.1')]);
    const result = await scenario.run({ onFailure: 'rollback', dryRun: true }, () => {
      scenario.targets([aTarget('10.0.1.1', 'healthy')]);
      scenario.status({ phase: 'Failed', progressDeadlineExceeded: true });
    });
    expect(result.timeline).toHaveLength(1);
    const markdown = renderGateMarkdown(result);
    expect(markdown).not.toContain('xychart-beta');
    expect(markdown).not.toContain('<summary>Timeline</summary>');
    expect(markdown).toContain('*Decided before there was a time span to chart: the numbers of each poll.*');
    expect(markdown).toMatch(/^\| \+0 s \| Failed \| 3 \| 3 \| 0 \| 1 \| 0 \| – \| – \|$/m);
    // The dry run is said once.
    expect(markdown).toMatch(/\*\*Rollback\*\* \(dry run\): would roll back Deployment shop\/web/);
  });

  it.each([
    {
      name: 'polls 5 s apart → seconds, one value per poll',
      timeline: [aPoint(0, 3), aPoint(5, 2), aPoint(10, 3)],
      axis: 'x-axis "seconds since start" 0 --> 10',
      line: 'line [3, 2, 3]',
    },
    {
      name: 'a slow read between polls → values at even instants, the last poll at or before each',
      timeline: [aPoint(0, 3), aPoint(5, 1), aPoint(65, 2), aPoint(70, 3), aPoint(75, 3)],
      axis: 'x-axis "seconds since start" 0 --> 75',
      line: 'line [3, 1, 1, 1, 3]',
    },
    {
      name: 'a gate longer than ten minutes → minutes',
      timeline: [aPoint(0, 3), aPoint(450, 3), aPoint(900, 2)],
      axis: 'x-axis "minutes since start" 0 --> 15',
      line: 'line [3, 3, 2]',
    },
  ])('the x axis is time: $name', ({ timeline, axis, line }) => {
    const charts = renderGateCharts(timeline);
    expect(axisOf(charts)).toBe(axis);
    expect(linesOf(charts)[0]).toBe(line);
  });

  it('one poll spans no time: no chart', () => {
    expect(renderGateCharts([aPoint(0, 3, 0)])).toEqual([]);
  });
});
