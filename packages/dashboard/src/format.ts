const usd0 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 1,
});

/** $12,345 (or $1.2M when `short`). */
export const money = (v: number | null | undefined, short = false): string =>
  v === null || v === undefined ? '—' : short && Math.abs(v) >= 100_000 ? compact.format(v) : usd0.format(v);

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

/** "3 min ago" style, for alert lists. */
export function ago(v: string | number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - new Date(v).getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export const label = (snake: string): string =>
  snake.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** A property value as text: strings, numbers and booleans as they are; anything else empty. */
export const text = (v: unknown, fallback = ''): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : fallback;
