import { describe, expect, it } from 'vitest';
import { simulateRollout } from './engine.js';
import { proposeFix } from './fix.js';
import { renderSimulationJson, SIMULATION_JSON_SCHEMA } from './render-json.js';
import { renderTimelineSvg } from './render-svg.js';
import {
  renderComparisonText,
  renderRunManyText,
  renderSimulationText,
  renderSweepText,
} from './render-text.js';
import { createScenario } from './scenario.js';
import { runMany, sweep } from './sweep.js';

const scenario = createScenario({ replicas: 3 });
const before = simulateRollout(scenario);
const fix = proposeFix(scenario);
const after = simulateRollout(fix.scenario);

/** Tags balance, attributes are quoted, and every & starts an entity: enough to know a viewer will parse it. */
function wellFormedXmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  for (const match of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name = '', , selfClosing] = match;
    if (selfClosing === '/') continue;
    if (closing === '/') {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
    } else {
      stack.push(name);
    }
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  const tags = xml.match(/<[^>]*>/g) ?? [];
  const parsed = [...xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)].length;
  if (tags.length !== parsed) problems.push(`${tags.length - parsed} malformed tags`);
  if (/&(?!amp;|lt;|gt;|quot;|#\d+;)/.test(xml)) problems.push('bare &');
  return problems;
}

describe('renderSimulationText', () => {
  it('reads like a load tester report and ends with the cause', () => {
    const text = renderSimulationText(before);
    expect(text).toMatch(/^Latencies\s+\[min, mean, 50, 90, 95, 99, max\]/m);
    expect(text).toMatch(/^Success\s+\[ratio\]\s+\d+\.\d\d%/m);
    expect(text).toMatch(/^Status Codes\s+\[code:count\]\s+200:\d+/m);
    expect(text.trim().split('\n').pop()).toMatch(/^Cause: \d+ × 50[24]: /);
    expect(text).not.toContain('\u001b[');
  });

  it('colours only when asked', () => {
    expect(renderSimulationText(before, { colour: true })).toContain('\u001b[31m');
  });

  it('shows both runs and every change side by side with --fix', () => {
    const text = renderComparisonText(before, after, fix.changes);
    expect(text).toContain('preStopSeconds: 0 s → 30 s');
    expect(text).toMatch(/\d+ → 0 failed requests/);
  });

  it('renders a spread and a sweep', () => {
    expect(renderRunManyText(runMany(scenario, 3))).toMatch(/^Runs\s+3$/m);
    const text = renderSweepText('preStopSeconds', sweep(scenario, 'preStopSeconds', 0, 20, 3));
    expect(text.split('\n').filter((line) => line.length > 0)).toHaveLength(4);
  });
});

describe('renderSimulationJson', () => {
  it('is versioned JSON with the result and the fix', () => {
    const document = JSON.parse(
      renderSimulationJson({ result: before, fix: { changes: fix.changes, result: after } }),
    );
    expect(document.schema).toBe(SIMULATION_JSON_SCHEMA);
    expect(document.result.byStatus['200']).toBe(before.byStatus[200]);
    expect(document.fix.result.failures).toBe(0);
    expect(document.result.timeline.length).toBe(before.timeline.length);
  });
});

describe('renderTimelineSvg', () => {
  it.each([
    { name: 'one run', svg: renderTimelineSvg(before) },
    {
      name: 'before and after, with a title that needs escaping',
      svg: renderTimelineSvg(
        [
          { label: 'as configured', result: before },
          { label: 'with the fix', result: after },
        ],
        { title: 'web <shop> & co' },
      ),
    },
  ])('$name is well-formed SVG with labelled axes', ({ svg }) => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(wellFormedXmlProblems(svg)).toEqual([]);
    expect(svg).toContain('seconds since traffic started');
    expect(svg).toContain('>targets</text>');
    expect(svg).toContain('>5xx / s</text>');
    expect(svg).not.toContain('NaN');
  });

  it('draws one bar segment per second and status that had 5xx', () => {
    const svg = renderTimelineSvg(before);
    const segments = before.timeline.reduce(
      (sum, point) =>
        sum + [point.status502, point.status503, point.status504].filter((count) => count > 0).length,
      0,
    );
    expect(svg.match(/<rect [^>]*><title>50[234] ×/g)?.length).toBe(segments);
  });
});
