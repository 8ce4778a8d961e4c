import { Resvg } from '@resvg/resvg-js';
import { escapeHtml } from './format.js';

/** One horizontal bar chart: a bar per item, an optional lighter bar for its previous value. */
export interface BarChart {
  id: string;
  title: string;
  /** How the values are printed beside their bars. */
  format: (value: number) => string;
  items: { label: string; value: number | null; previous?: number | null }[];
}

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

/** PNG at twice the size (sharp on high-density screens), for mail clients that do not show SVG. */
export function renderChart(chart: BarChart): ChartImage {
  const png = new Resvg(barChartSvg(chart), { fitTo: { mode: 'zoom', value: 2 } }).render().asPng();
  const alt = `${chart.title}: ${chart.items
    .map((i) => `${i.label} ${i.value === null ? 'no data' : chart.format(i.value)}`)
    .join('; ')}`;
  return { id: chart.id, title: chart.title, alt, png };
}
