import { describe, expect, it } from 'vitest';
import { GateScenario } from '../testing/rollout-gate.js';
import { aPod, aTarget } from '../testing/memory-ports.js';
import { formatGateProgress, renderGateMarkdown, renderGateText } from './render.js';

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
      /^xychart-beta\n {4}title "Healthy targets and updated replicas"\n {4}x-axis "seconds since start" \["0", "5", "10"\]\n {4}y-axis "count" 0 --> 3\n {4}line \[1, 1, 1\]\n {4}line \[1, 1, 3\]\n$/,
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
});
