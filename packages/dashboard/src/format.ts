import { compactMoney as compact, money as dollars } from '@pulse/events/format';

/** $12,345 (or $1.2M when `short`): the same rules as the reports (@pulse/events/format). */
export const money = (v: number | null | undefined, short = false): string =>
  v === null || v === undefined ? '—' : short && Math.abs(v) >= 100_000 ? compact(v) : dollars(v);

/** Always compact ($800, $4.2K, $1.5M), so figures side by side read in one style. */
export const compactMoney = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : compact(v);

/** Compact money as exact as an axis tick needs ($1.25M beside $1.5M), still without trailing zeros. */
const compactTick = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  minimumFractionDigits: 0,
  maximumFractionDigits: 3,
});

/** Money axis ticks: compact ($0, $50K, $1.2M), never "$50,000" beside "$200K". */
export const moneyTicks = (values: readonly number[]): string[] => values.map((v) => compactTick.format(v));

const plainTick = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 3 });

/** Percentage axis ticks of 0..1 fractions: "0 %", "5 %" or "0.1 %", "0.25 %" (no trailing zeros). */
export const pctTicks = (values: readonly number[]): string[] => values.map((v) => `${plainTick(v * 100)} %`);

/** Ticks of a plain number axis (a score): "25", "12.5". */
export const numberTicks = (values: readonly number[]): string[] => values.map(plainTick);

export const num = (v: number | null | undefined, digits = 0): string =>
  v === null || v === undefined
    ? '—'
    : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A 0..1 fraction as a percentage. */
export const pct = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)} %`;

export const dateTime = (v: string | number): string =>
  new Date(v).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export const day = (v: number): string =>
  new Date(v).toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric' });

const clock = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** The local time of day as HH:MM (24 h). */
export const clockTime = (v: string | number): string => clock.format(new Date(v));

/** How a chart's time axis reads its buckets: daily buckets are UTC days, hourly ones are read locally. */
export interface TimeAxis {
  utc: boolean;
  hourly: boolean;
  /** The range crosses a new year, so dates carry their year. */
  withYear: boolean;
}

export function timeAxis(fromMs: number, toMs: number, bucketMs: number): TimeAxis {
  const hourly = bucketMs < 86_400_000;
  const year = (v: number) => (hourly ? new Date(v).getFullYear() : new Date(v).getUTCFullYear());
  return { utc: !hourly, hourly, withYear: year(fromMs) !== year(toMs) };
}

/** "Dec 7" ("Dec 7, 2026" across a new year): the one date style of every chart. */
export const chartDate = (ms: number, axis: TimeAxis): string =>
  new Date(ms).toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    ...(axis.withYear ? { year: 'numeric' } : {}),
    ...(axis.utc ? { timeZone: 'UTC' } : {}),
  });

/** A bucket in a legend: its date, and its hour on an hourly chart ("Dec 7, 14:00"). */
export const chartBucket = (ms: number, axis: TimeAxis): string =>
  axis.hourly ? `${chartDate(ms, axis)}, ${clockTime(ms)}` : chartDate(ms, axis);

/** Time axis ticks: the date at each day, the hour ("14:00") between days on an hourly chart. */
export const timeTicks = (values: readonly number[], axis: TimeAxis): string[] =>
  values.map((ms) =>
    axis.hourly && new Date(ms).getHours() + new Date(ms).getMinutes() !== 0
      ? clockTime(ms)
      : chartDate(ms, axis),
  );

const absolute = new Intl.DateTimeFormat('en-US', {
  dateStyle: 'medium',
  timeStyle: 'long',
});

/** The exact local date and time with seconds and zone, for a tooltip: "Nov 26, 2025, 2:11:05 AM UTC". */
export const fullDateTime = (v: string | number): string => absolute.format(new Date(v));

/**
 * "3 min ago" style, for alert lists. Pure (`now` is passed in) so the shared clock decides when it is
 * re-evaluated. Minutes are its finest unit: the clock ticks every 15 s, so a seconds counter would visibly
 * stall, while a minute label is at most a quarter of its unit late. Future times (clock skew) read "just now".
 */
export function ago(v: string | number, now: number): string {
  const s = Math.max(0, (now - new Date(v).getTime()) / 1000);
  const minutes = Math.round(s / 60);
  if (minutes === 0) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(s / 3600);
  if (hours < 24) return `${hours} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export const label = (snake: string): string =>
  snake.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** A property value as text: strings, numbers and booleans as they are; anything else empty. */
export const text = (v: unknown, fallback = ''): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : fallback;
