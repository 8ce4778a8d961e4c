import { Resvg } from '@resvg/resvg-js';
import { escapeHtml } from './format.js';

/** One horizontal bar chart: a bar per item, an optional lighter bar for its previous value. */
export interface BarChart {
  kind?: 'bar';
  id: string;
  title: string;
  /** How the values are printed beside their bars. */
  format: (value: number) => string;
  items: { label: string; value: number | null; previous?: number | null }[];
}

/** A daily series: its history as a line, then a dashed forecast inside a shaded interval. */
export interface BandChart {
  kind: 'band';
  id: string;
  title: string;
  format: (value: number) => string;
  history: { date: string; value: number }[];
  forecast: { date: string; value: number; lower: number; upper: number }[];
}

export type Chart = BarChart | BandChart;

export interface ChartImage {
  id: string;
  title: string;
  /** A text alternative: every value, for mail clients that block images and for screen readers. */
  alt: string;
  png: Buffer;
}

const WIDTH = 560;
const ROW = 28;
const LABEL = 170;
const VALUE = 90;
const BAR = '#2563eb';
const PREVIOUS = '#cbd5e1';

/** The chart as SVG (sans-serif text; the PNG is rasterized from it with the system's fonts). */
export function barChartSvg(chart: BarChart): string {
  const values = chart.items.flatMap((i) => [i.value ?? 0, i.previous ?? 0]).map(Math.abs);
  const max = Math.max(1e-9, ...values);
  const span = WIDTH - LABEL - VALUE - 10;
  const height = chart.items.length * ROW + 16;
  const rows = chart.items.map((item, i) => {
    const y = 8 + i * ROW;
    const bar = (v: number | null | undefined, dy: number, h: number, fill: string) =>
      v === null || v === undefined
        ? ''
        : `<rect x="${LABEL}" y="${y + dy}" width="${Math.max(1, (Math.abs(v) / max) * span).toFixed(1)}" height="${h}" fill="${fill}" rx="2"/>`;
    return [
      `<text x="${LABEL - 8}" y="${y + 16}" text-anchor="end" font-size="12" fill="#334155">${escapeHtml(clip(item.label))}</text>`,
      item.previous !== undefined ? bar(item.previous, 15, 6, PREVIOUS) : '',
      bar(item.value, 3, item.previous !== undefined ? 11 : 18, BAR),
      `<text x="${WIDTH - 4}" y="${y + 16}" text-anchor="end" font-size="12" fill="#0f172a">${escapeHtml(
        item.value === null ? '—' : chart.format(item.value),
      )}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"><rect width="100%" height="100%" fill="#ffffff"/>${rows.join('')}</svg>`;
}

const clip = (s: string) => (s.length > 26 ? `${s.slice(0, 25)}…` : s);

const BAND_HEIGHT = 200;
const PLOT = { left: 80, right: WIDTH - 10, top: 10, bottom: BAND_HEIGHT - 24 };

/** The band chart as SVG: one x step per day, the y range spanning every value and interval bound. */
export function bandChartSvg(chart: BandChart): string {
  const days = chart.history.length + chart.forecast.length;
  const all = [
    ...chart.history.map((p) => p.value),
    ...chart.forecast.flatMap((p) => [p.lower, p.upper, p.value]),
  ];
  const [min, max] = [Math.min(0, ...all), Math.max(1e-9, ...all)];
  const x = (i: number) => PLOT.left + (i / Math.max(1, days - 1)) * (PLOT.right - PLOT.left);
  const y = (v: number) => PLOT.bottom - ((v - min) / (max - min || 1)) * (PLOT.bottom - PLOT.top);
  const at = (i: number, v: number) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  const start = chart.history.length;
  // The forecast line starts from the last history day so the two join.
  const last = chart.history.at(-1);
  const joined = last ? [at(start - 1, last.value)] : [];
  const band = [
    ...chart.forecast.map((p, i) => at(start + i, p.upper)),
    ...chart.forecast.map((p, i) => at(start + i, p.lower)).reverse(),
  ];
  const text = (tx: number, ty: number, anchor: string, s: string) =>
    `<text x="${tx}" y="${ty}" text-anchor="${anchor}" font-size="11" fill="#334155">${escapeHtml(s)}</text>`;
  const first = chart.history[0] ?? chart.forecast[0];
  const end = chart.forecast.at(-1) ?? last;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${BAND_HEIGHT}" viewBox="0 0 ${WIDTH} ${BAND_HEIGHT}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"><rect width="100%" height="100%" fill="#ffffff"/>${[
    `<line x1="${PLOT.left}" y1="${y(0).toFixed(1)}" x2="${PLOT.right}" y2="${y(0).toFixed(1)}" stroke="#e2e8f0"/>`,
    band.length ? `<polygon points="${band.join(' ')}" fill="${BAR}" fill-opacity="0.15"/>` : '',
    `<polyline points="${chart.history.map((p, i) => at(i, p.value)).join(' ')}" fill="none" stroke="${BAR}" stroke-width="1.5"/>`,
    `<polyline points="${[...joined, ...chart.forecast.map((p, i) => at(start + i, p.value))].join(' ')}" fill="none" stroke="${BAR}" stroke-width="1.5" stroke-dasharray="5 4"/>`,
    text(PLOT.left - 6, PLOT.top + 8, 'end', chart.format(max)),
    text(PLOT.left - 6, PLOT.bottom, 'end', chart.format(min)),
    first ? text(PLOT.left, BAND_HEIGHT - 6, 'start', first.date) : '',
    end ? text(PLOT.right, BAND_HEIGHT - 6, 'end', end.date) : '',
  ].join('')}</svg>`;
}

function altText(chart: Chart): string {
  if (chart.kind !== 'band')
    return `${chart.title}: ${chart.items
      .map((i) => `${i.label} ${i.value === null ? 'no data' : chart.format(i.value)}`)
      .join('; ')}`;
  const end = chart.forecast.at(-1);
  return end
    ? `${chart.title}: forecast ${chart.format(end.value)} on ${end.date} (interval ${chart.format(end.lower)} to ${chart.format(end.upper)})`
    : `${chart.title}: no forecast`;
}

/** Whether a chart has anything to draw. */
export const hasData = (chart: Chart) =>
  chart.kind === 'band' ? chart.history.length + chart.forecast.length > 0 : chart.items.length > 0;

/** PNG at twice the size (sharp on high-density screens), for mail clients that do not show SVG. */
export function renderChart(chart: Chart): ChartImage {
  const svg = chart.kind === 'band' ? bandChartSvg(chart) : barChartSvg(chart);
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 } }).render().asPng();
  return { id: chart.id, title: chart.title, alt: altText(chart), png };
}
