import type { Window } from './components/pages';
import type { Location } from './router';

const DAY = 86_400_000;
export const presets = ['7d', '30d', '90d'] as const;

/** The time window a page shows: a rolling preset (7/30/90 days) or a custom range of whole UTC days. */
export function windowOf(loc: Location, now: number): Window {
  const range = loc.query.get('range') ?? '30d';
  if (range === 'custom') {
    const from = Date.parse(`${loc.query.get('from') ?? ''}T00:00:00Z`);
    const to = Date.parse(`${loc.query.get('to') ?? ''}T00:00:00Z`) + DAY;
    if (Number.isFinite(from) && Number.isFinite(to) && from < to) return { from, to, rolling: false };
  }
  const days = Number.parseInt(range, 10) || 30;
  return { from: now - days * DAY, to: now, rolling: true };
}

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
