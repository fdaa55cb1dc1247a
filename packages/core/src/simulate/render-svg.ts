import type { SimulationResult, TimelinePoint } from './result.js';

/** One panel of the chart: a simulated rollout and what to call it. */
export interface TimelinePanel {
  readonly label: string;
  readonly result: SimulationResult;
}

/** Chart options. */
export interface TimelineSvgOptions {
  readonly title?: string;
  /** Total width in pixels (default 960). */
  readonly width?: number;
}

const STATES = [
  { key: 'healthy', label: 'healthy', colour: '#2e9e5b' },
  { key: 'initial', label: 'initial', colour: '#8fb3e0' },
  { key: 'unhealthy', label: 'unhealthy', colour: '#f0a030' },
  { key: 'draining', label: 'draining (pod serving)', colour: '#d8c66f' },
  { key: 'drainingPodGone', label: 'draining (pod gone)', colour: '#b8323b' },
] as const satisfies readonly { key: keyof TimelinePoint; label: string; colour: string }[];

const ERRORS = [
  { key: 'status502', label: '502', colour: '#e4572e' },
  { key: 'status503', label: '503', colour: '#7b4fb3' },
  { key: 'status504', label: '504', colour: '#6b1d1d' },
] as const satisfies readonly { key: keyof TimelinePoint; label: string; colour: string }[];

const LEFT = 72;
const RIGHT = 28;
const TARGETS_TOP = 56;
const TARGETS_HEIGHT = 150;
const GAP = 18;
const ERRORS_HEIGHT = 80;
const PANEL_HEIGHT = TARGETS_TOP + TARGETS_HEIGHT + GAP + ERRORS_HEIGHT + 46;
const LEGEND_HEIGHT = 44;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fixed(value: number): string {
  return Number(value.toFixed(2)).toString();
}

/** A round step so that `max / step` gives at most `ticks` intervals. */
function niceStep(max: number, ticks: number): number {
  const raw = Math.max(max, 1) / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * magnitude >= raw) return Math.max(1, factor * magnitude);
  }
  return Math.max(1, 10 * magnitude);
}

const TARGET_TICKS = 4;
const ERROR_TICKS = 2;

/** `max` rounded up to a whole number of nice steps, so the top grid line is the top of the chart. */
function roundUp(max: number, ticks: number): number {
  const step = niceStep(max, ticks);
  return Math.ceil(max / step) * step;
}

function niceTimeStep(seconds: number): number {
  for (const step of [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600]) {
    if (seconds / step <= 12) return step;
  }
  return 7200;
}

interface Scales {
  readonly seconds: number;
  readonly targetsMax: number;
  readonly errorsMax: number;
  readonly plotWidth: number;
}

function totalTargets(point: TimelinePoint): number {
  return STATES.reduce((sum, state) => sum + point[state.key], 0);
}

function totalErrors(point: TimelinePoint): number {
  return ERRORS.reduce((sum, error) => sum + point[error.key], 0);
}

function renderPanel(panel: TimelinePanel, top: number, scales: Scales): string[] {
  const { result } = panel;
  const out: string[] = [];
  const x = (second: number): number => LEFT + (second / scales.seconds) * scales.plotWidth;
  const targetsBottom = top + TARGETS_TOP + TARGETS_HEIGHT;
  const errorsTop = targetsBottom + GAP;
  const errorsBottom = errorsTop + ERRORS_HEIGHT;
  const yTargets = (count: number): number => targetsBottom - (count / scales.targetsMax) * TARGETS_HEIGHT;
  const yErrors = (count: number): number => errorsBottom - (count / scales.errorsMax) * ERRORS_HEIGHT;

  const success = `${(result.successRatio * 100).toFixed(2)} % success`;
  const codes = ([502, 503, 504] as const)
    .map((status) => `${status}: ${result.byStatus[status]}`)
    .join(' · ');
  out.push(
    `<text x="${LEFT}" y="${top + 22}" font-size="16" font-weight="bold" ${FONT}>${escapeXml(ellipsize(panel.label, 84))}</text>`,
  );
  out.push(
    `<text x="${LEFT}" y="${top + 40}" font-size="12" fill="#444" ${FONT}>${escapeXml(`${result.requests} requests · ${success} · ${codes}`)}</text>`,
  );

  // Grid and y axis of the targets chart.
  const targetStep = niceStep(scales.targetsMax, TARGET_TICKS);
  for (let value = 0; value <= scales.targetsMax; value += targetStep) {
    const y = fixed(yTargets(value));
    out.push(`<line x1="${LEFT}" y1="${y}" x2="${LEFT + scales.plotWidth}" y2="${y}" stroke="#e4e4e4"/>`);
    out.push(
      `<text x="${LEFT - 6}" y="${y}" dy="4" font-size="11" text-anchor="end" fill="#555" ${FONT}>${value}</text>`,
    );
  }
  const midTargets = top + TARGETS_TOP + TARGETS_HEIGHT / 2;
  out.push(
    `<text transform="translate(${LEFT - 44} ${midTargets}) rotate(-90)" font-size="12" text-anchor="middle" fill="#333" ${FONT}>targets</text>`,
  );

  // Stacked step areas, one path per state.
  const timeline = result.timeline;
  const base = new Float64Array(timeline.length);
  for (const state of STATES) {
    if (!timeline.some((point) => point[state.key] > 0)) continue;
    const upper: string[] = [];
    const lower: string[] = [];
    timeline.forEach((point, index) => {
      const x0 = fixed(x(point.second));
      const x1 = fixed(x(Math.min(point.second + 1, scales.seconds)));
      const below = base[index] ?? 0;
      const above = below + point[state.key];
      upper.push(`${x0},${fixed(yTargets(above))}`, `${x1},${fixed(yTargets(above))}`);
      lower.push(`${x0},${fixed(yTargets(below))}`, `${x1},${fixed(yTargets(below))}`);
      base[index] = above;
    });
    const points = [...upper, ...lower.reverse()].join(' ');
    out.push(
      `<polygon points="${points}" fill="${state.colour}" stroke="none"><title>${escapeXml(state.label)}</title></polygon>`,
    );
  }
  out.push(
    `<line x1="${LEFT}" y1="${targetsBottom}" x2="${LEFT + scales.plotWidth}" y2="${targetsBottom}" stroke="#888"/>`,
  );

  // 5xx per second, stacked bars.
  const errorStep = niceStep(scales.errorsMax, ERROR_TICKS);
  for (let value = 0; value <= scales.errorsMax; value += errorStep) {
    const y = fixed(yErrors(value));
    out.push(`<line x1="${LEFT}" y1="${y}" x2="${LEFT + scales.plotWidth}" y2="${y}" stroke="#eee"/>`);
    out.push(
      `<text x="${LEFT - 6}" y="${y}" dy="4" font-size="11" text-anchor="end" fill="#555" ${FONT}>${value}</text>`,
    );
  }
  out.push(
    `<text transform="translate(${LEFT - 44} ${errorsTop + ERRORS_HEIGHT / 2}) rotate(-90)" font-size="12" text-anchor="middle" fill="#333" ${FONT}>5xx / s</text>`,
  );
  const barWidth = Math.max(0.5, scales.plotWidth / scales.seconds - 0.4);
  for (const point of timeline) {
    let stacked = 0;
    for (const error of ERRORS) {
      const count = point[error.key];
      if (count === 0) continue;
      const y1 = yErrors(stacked + count);
      const height = yErrors(stacked) - y1;
      out.push(
        `<rect x="${fixed(x(point.second))}" y="${fixed(y1)}" width="${fixed(barWidth)}" height="${fixed(height)}" fill="${error.colour}"><title>${error.label} × ${count} at ${point.second} s</title></rect>`,
      );
      stacked += count;
    }
  }
  out.push(
    `<line x1="${LEFT}" y1="${errorsBottom}" x2="${LEFT + scales.plotWidth}" y2="${errorsBottom}" stroke="#888"/>`,
  );

  // Time axis.
  const timeStep = niceTimeStep(scales.seconds);
  for (let second = 0; second <= scales.seconds; second += timeStep) {
    const tx = fixed(x(second));
    out.push(`<line x1="${tx}" y1="${errorsBottom}" x2="${tx}" y2="${errorsBottom + 4}" stroke="#888"/>`);
    out.push(
      `<text x="${tx}" y="${errorsBottom + 16}" font-size="11" text-anchor="middle" fill="#555" ${FONT}>${second}</text>`,
    );
  }
  out.push(
    `<text x="${LEFT + scales.plotWidth / 2}" y="${errorsBottom + 34}" font-size="12" text-anchor="middle" fill="#333" ${FONT}>seconds since traffic started</text>`,
  );

  // Rollout markers: dashed lines across both charts, labels staggered so neighbours do not collide.
  let lastLabelEnd = Number.NEGATIVE_INFINITY;
  let row = 0;
  for (const marker of result.markers) {
    const mx = x(marker.second);
    row = mx < lastLabelEnd ? row + 1 : 0;
    const labelY = top + TARGETS_TOP + 12 + row * 13;
    out.push(
      `<line x1="${fixed(mx)}" y1="${top + TARGETS_TOP}" x2="${fixed(mx)}" y2="${errorsBottom}" stroke="#333" stroke-dasharray="4 3" stroke-width="1"/>`,
    );
    out.push(
      `<text x="${fixed(mx + 4)}" y="${labelY}" font-size="11" fill="#222" ${FONT} paint-order="stroke" stroke="#fff" stroke-width="3">${escapeXml(marker.label)}</text>`,
    );
    lastLabelEnd = mx + 8 + marker.label.length * 6;
  }
  return out;
}

function renderLegend(top: number): string[] {
  const out: string[] = [];
  let x = LEFT;
  const items = [...STATES, ...ERRORS.map((error) => ({ ...error, label: `${error.label} / s` }))];
  for (const item of items) {
    out.push(`<rect x="${x}" y="${top + 12}" width="12" height="12" fill="${item.colour}"/>`);
    out.push(
      `<text x="${x + 17}" y="${top + 22}" font-size="12" fill="#333" ${FONT}>${escapeXml(item.label)}</text>`,
    );
    x += 30 + item.label.length * 6.6;
  }
  return out;
}

/**
 * An SVG chart of one or more simulated rollouts: targets by state stacked over time (healthy, initial,
 * unhealthy, draining with the pod serving, draining with the pod gone), 5xx per second below, rollout markers.
 * Panels share their scales so before and after compare at a glance.
 */
export function renderTimelineSvg(
  input: SimulationResult | readonly TimelinePanel[],
  options: TimelineSvgOptions = {},
): string {
  const panels: readonly TimelinePanel[] = Array.isArray(input)
    ? (input as readonly TimelinePanel[])
    : [{ label: 'Simulated rollout', result: input as SimulationResult }];
  const width = options.width ?? 960;
  const points = panels.flatMap((panel) => panel.result.timeline);
  const scales: Scales = {
    seconds: Math.max(10, ...panels.map((panel) => Math.ceil(panel.result.trafficSeconds))),
    targetsMax: roundUp(Math.max(1, ...points.map(totalTargets)), TARGET_TICKS),
    errorsMax: roundUp(Math.max(1, ...points.map(totalErrors)), ERROR_TICKS),
    plotWidth: width - LEFT - RIGHT,
  };
  const titleHeight = options.title === undefined ? 0 : 30;
  const height = titleHeight + panels.length * PANEL_HEIGHT + LEGEND_HEIGHT;
  const body: string[] = [];
  if (options.title !== undefined) {
    body.push(
      `<text x="${LEFT}" y="24" font-size="18" font-weight="bold" ${FONT}>${escapeXml(options.title)}</text>`,
    );
  }
  panels.forEach((panel, index) =>
    body.push(...renderPanel(panel, titleHeight + index * PANEL_HEIGHT, scales)),
  );
  body.push(...renderLegend(titleHeight + panels.length * PANEL_HEIGHT));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`,
    `<title>${escapeXml(options.title ?? panels.map((panel) => panel.label).join(' vs '))}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** Shortens a label that would run off the chart, keeping its start and its end (the file name). */
function ellipsize(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.ceil((max - 1) * 0.55);
  return `${text.slice(0, head)}…${text.slice(text.length - (max - 1 - head))}`;
}
