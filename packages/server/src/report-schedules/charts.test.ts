import { describe, expect, it } from 'vitest';
import { bandChartSvg, hasData, renderChart, type BandChart } from './charts.js';

const chart: BandChart = {
  kind: 'band',
  id: 'forecast-x',
  title: 'X',
  format: (n) => `${n}`,
  history: [
    { date: '2026-03-01', value: 10 },
    { date: '2026-03-02', value: 20 },
  ],
  forecast: [
    { date: '2026-03-03', value: 20, lower: 15, upper: 25 },
    { date: '2026-03-04', value: 20, lower: 12, upper: 28 },
  ],
};

describe('band chart', () => {
  it('draws the history solid, the forecast dashed from the last history day, and a shaded interval', () => {
    const svg = bandChartSvg(chart);
    expect(svg.match(/<polygon points="([^"]+)"/)?.[1]?.split(' ')).toHaveLength(4);
    const [history, forecast] = [...svg.matchAll(/<polyline points="([^"]+)"([^>]*)>/g)];
    expect(history?.[1]?.split(' ')).toHaveLength(2);
    expect(history?.[2]).not.toContain('dasharray');
    expect(forecast?.[1]?.split(' ')).toHaveLength(3);
    expect(forecast?.[2]).toContain('stroke-dasharray');
    expect(svg).toContain('2026-03-01');
    expect(svg).toContain('2026-03-04');
  });

  it('renders a PNG with the forecast’s end as its text alternative, and nothing without data', () => {
    const image = renderChart(chart);
    expect(image.png.subarray(1, 4).toString()).toBe('PNG');
    expect(image.alt).toBe('X: forecast 20 on 2026-03-04 (interval 12 to 28)');
    expect(hasData({ ...chart, history: [], forecast: [] })).toBe(false);
  });
});
