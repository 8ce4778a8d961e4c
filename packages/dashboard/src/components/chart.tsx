import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** A CSS custom property name (e.g. --neg) or a colour. */
  color: string;
  kind?: 'line' | 'bars' | 'threshold';
  fill?: boolean;
  /** Which y scale (default 'y'). */
  scale?: string;
  format?: (v: number) => string;
  /** Drawn dashed (a forecast). */
  dash?: boolean;
}

export interface ChartProps {
  /** x (epoch seconds) first, then one array per series. */
  data: uPlot.AlignedData;
  series: ChartSeries[];
  height?: number;
  /** Format for the left axis (and the right one when `right` is given). */
  yFormat: (v: number) => string;
  right?: { scale: string; format: (v: number) => string };
  yRange?: [number, number];
  /** Changes when the theme changes, so colours are re-read. */
  theme: string;
  label: string;
  /** Shaded between two series, as [upper, lower] indexes into `series` (a prediction interval). */
  bands?: [number, number][];
  /** Called with the index of the point (bucket) clicked. */
  onPick?: (index: number) => void;
}

const cssVar = (el: Element, value: string) =>
  value.startsWith('--') ? getComputedStyle(el).getPropertyValue(value).trim() || '#888' : value;

/** A uPlot chart that fills its container's width and follows it on resize. */
export function Chart(props: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const onPick = useRef(props.onPick);
  onPick.current = props.onPick;
  const { data, series, height = 220, yFormat, right, yRange, theme, label, bands } = props;
  const shape = `${theme}|${series.map((s) => s.label).join(',')}`;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const axisColor = cssVar(el, '--muted');
    const gridColor = cssVar(el, '--grid');
    // Bar series stand side by side within a bucket (first left, second right).
    const barSeries = series.filter((s) => s.kind === 'bars').length;
    const barPaths = [-1, 1].map((align) =>
      uPlot.paths.bars?.({
        size: [barSeries > 1 ? 0.4 : 0.7, 40],
        gap: 1,
        align: barSeries > 1 ? (align as -1 | 1) : 0,
      }),
    );
    let barIndex = 0;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: { time: true },
        y: yRange
          ? { range: yRange }
          : { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] },
        ...(right ? { [right.scale]: { range: (_u, _min, max) => [0, Math.max(max * 1.15, 1e-9)] } } : {}),
      },
      axes: [
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } },
        {
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { show: false },
          size: 64,
          values: (_u, ticks) => ticks.map(yFormat),
        },
        ...(right
          ? [
              {
                scale: right.scale,
                side: 1 as const,
                stroke: axisColor,
                grid: { show: false },
                ticks: { show: false },
                size: 64,
                values: (_u: uPlot, ticks: number[]) => ticks.map(right.format),
              },
            ]
          : []),
      ],
      bands: bands?.map(([upper, lower]) => ({
        series: [upper + 1, lower + 1] as [number, number],
        fill: `${cssVar(el, series[upper]?.color ?? '--muted')}33`,
      })),
      series: [
        { label: 'Date' },
        ...series.map((s): uPlot.Series => {
          const color = cssVar(el, s.color);
          const base: uPlot.Series = {
            label: s.label,
            stroke: color,
            width: s.kind === 'threshold' ? 1.5 : 2,
            scale: s.scale ?? 'y',
            value: (_u, v) => (v === null || v === undefined ? '—' : (s.format ?? yFormat)(v)),
            points: { show: false },
            spanGaps: true,
          };
          if (s.kind === 'threshold' || s.dash) base.dash = [6, 4];
          const bars = s.kind === 'bars' ? barPaths[barIndex++ % 2] : undefined;
          if (bars) {
            base.paths = bars;
            base.fill = `${color}cc`;
            base.width = 0;
          } else if (s.fill) base.fill = `${color}22`;
          return base;
        }),
      ],
    };
    const chart = new uPlot(opts, data, el);
    plot.current = chart;
    chart.over.addEventListener('click', () => {
      if (chart.cursor.idx !== null && chart.cursor.idx !== undefined) onPick.current?.(chart.cursor.idx);
    });
    const observer = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(200, el.clientWidth), height }),
    );
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // The chart is rebuilt only when its shape or theme changes; data updates go through setData.
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  if (!props.onPick) return <div class="chart" ref={host} role="img" aria-label={label} />;
  /** The keyboard's click: arrows move the cursor from point to point, Enter picks the one under it. */
  const onKey = (e: KeyboardEvent) => {
    const chart = plot.current;
    const xs = chart?.data[0];
    if (!chart || !xs?.length) return;
    const at = chart.cursor.idx ?? xs.length - 1;
    const step = e.key === 'ArrowLeft' ? -1 : e.key === 'ArrowRight' ? 1 : 0;
    if (step) {
      const next = xs[Math.max(0, Math.min(xs.length - 1, at + step))] ?? 0;
      chart.setCursor({ left: chart.valToPos(next, 'x'), top: chart.over.clientHeight / 2 });
    } else if (e.key === 'Enter') onPick.current?.(at);
    else return;
    e.preventDefault();
  };
  return (
    <div
      class="chart pickable"
      ref={host}
      role="img"
      tabIndex={0}
      aria-label={`${label}; arrow keys choose a point, Enter explains it`}
      onKeyDown={onKey}
    />
  );
}
