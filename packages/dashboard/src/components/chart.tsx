import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartBucket, timeTicks, type TimeAxis } from '../format';
import { usePaintedTheme } from '../theme';
import { bucketRange, latestIndex, valueRange } from './chart-scales';

export interface ChartSeries {
  label: string;
  /** A CSS custom property name (e.g. --neg) or a colour; read each time the chart is built. */
  color: string;
  kind?: 'line' | 'bars' | 'threshold';
  fill?: boolean;
  /** Drawn dashed (a forecast). */
  dash?: boolean;
}

/** How a chart's values read: on its axis (all ticks at once, in one style) and one by one in its legend. */
export interface ValueFormat {
  ticks: (values: readonly number[]) => string[];
  value: (v: number) => string;
}

export interface ChartProps {
  /** x (epoch seconds of each bucket's start) first, then one array per series. */
  data: uPlot.AlignedData;
  series: ChartSeries[];
  /** The length of one bucket (ms). */
  bucketMs: number;
  time: TimeAxis;
  values: ValueFormat;
  /** What the values are, shown above the plot ("USD per day"). */
  unit: string;
  height?: number;
  label: string;
  /** Shaded between two series, as [upper, lower] indexes into `series` (a prediction interval). */
  bands?: [number, number][];
  /** Called with the index of the point (bucket) clicked. */
  onPick?: (index: number) => void;
}

const DAY_S = 86_400;
/** Tick steps of a daily chart: whole days only, so no two ticks carry the same date. */
const DAY_STEPS = [1, 2, 3, 7, 14, 28, 56, 91, 182, 364].map((d) => d * DAY_S);

const cssVar = (el: Element, value: string) =>
  value.startsWith('--') ? getComputedStyle(el).getPropertyValue(value).trim() || '#888' : value;

/**
 * A uPlot chart that fills its container's width and follows it on resize. Its colours are read from the
 * theme's custom properties each time it is built, and it is rebuilt whenever the painted theme changes.
 * The legend shows each series' latest value until a bucket is hovered. The drawn scales and tick labels
 * are mirrored in `data-plot`, for whoever checks what the chart shows.
 */
export function Chart(props: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const painted = usePaintedTheme();
  const { data, series, bucketMs, time, values, unit, height = 200, label, bands } = props;
  const shape = [
    painted,
    bucketMs,
    time.utc,
    time.hourly,
    time.withYear,
    ...series.map((s) => `${s.label}:${s.color}`),
  ].join('|');
  const onPick = useRef(props.onPick);
  onPick.current = props.onPick;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const axisColor = cssVar(el, '--muted');
    const gridColor = cssVar(el, '--grid');
    const ticks: string[][] = [[], []];
    // Gains and losses share a bucket: one rises above zero, the other falls below it.
    const bars = uPlot.paths.bars?.({ size: [0.7, 48], gap: 1, align: 0 });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      ...(time.utc ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') } : {}),
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: { time: true, range: (_u, min, max) => bucketRange(min, max, bucketMs / 1000) },
        y: { range: (_u, min, max) => valueRange(min, max) },
      },
      axes: [
        {
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { stroke: gridColor },
          space: time.withYear ? 96 : 56,
          ...(time.hourly ? {} : { incrs: DAY_STEPS }),
          values: (_u, splits) =>
            (ticks[0] = timeTicks(
              splits.map((s) => s * 1000),
              time,
            )),
        },
        {
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { show: false },
          size: 60,
          values: (_u, splits) => (ticks[1] = values.ticks(splits)),
        },
      ],
      bands: bands?.map(([upper, lower]) => ({
        series: [upper + 1, lower + 1] as [number, number],
        fill: `${cssVar(el, series[upper]?.color ?? '--muted')}33`,
      })),
      series: [
        {
          label: 'Date',
          value: (_u, v, _s, idx) => (idx === null || v === null ? 'latest' : chartBucket(v * 1000, time)),
        },
        ...series.map((s): uPlot.Series => {
          const color = cssVar(el, s.color);
          const base: uPlot.Series = {
            label: s.label,
            stroke: color,
            width: s.kind === 'threshold' ? 1.5 : 2,
            // Not hovering: the series' latest value rather than a placeholder.
            value: (u, v, sidx, idx) => {
              const column = u.data[sidx] ?? [];
              const shown = idx === null ? column[latestIndex(column) ?? -1] : v;
              return shown === null || shown === undefined ? 'no data' : values.value(shown);
            },
            points: { show: false },
            spanGaps: true,
          };
          if (s.kind === 'threshold' || s.dash) base.dash = [6, 4];
          if (s.kind === 'bars' && bars) {
            base.paths = bars;
            base.fill = `${color}cc`;
            base.width = 0;
          } else if (s.fill) base.fill = `${color}22`;
          return base;
        }),
      ],
      hooks: {
        draw: [
          (u) => {
            el.dataset.plot = JSON.stringify({
              x: [u.scales.x?.min, u.scales.x?.max],
              y: [u.scales.y?.min, u.scales.y?.max],
              xTicks: ticks[0],
              yTicks: ticks[1],
            });
          },
        ],
      },
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
    // Rebuilt only when its shape or the painted theme changes; data updates go through setData.
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const unitLine = <p class="chart-unit">{unit}</p>;
  if (!props.onPick)
    return (
      <>
        {unitLine}
        <div class="chart" ref={host} role="img" aria-label={label} />
      </>
    );
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
    <>
      {unitLine}
      <div
        class="chart pickable"
        ref={host}
        role="img"
        tabIndex={0}
        aria-label={`${label}; arrow keys choose a point, Enter explains it`}
        onKeyDown={onKey}
      />
    </>
  );
}
