import type { Summary, UnknownTenant } from '@pulse/api';
import type { ExecutiveSummary, TimeWindow } from './summary-types.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoWindow = (w: TimeWindow) => ({ from: iso(w.from), to: iso(w.to) });

/** The summary as the API answers it: the same figures, every time an ISO 8601 UTC string. */
export function presentSummary(s: ExecutiveSummary, unknownTenants: readonly UnknownTenant[]): Summary {
  return {
    ...s,
    unknownTenants,
    window: isoWindow(s.window),
    previousWindow: isoWindow(s.previousWindow),
    generatedAt: iso(s.generatedAt),
    restatedAt: s.restatedAt === null ? null : iso(s.restatedAt),
    criticalAlerts: s.criticalAlerts.map((a) => ({
      ...a,
      firstSeen: iso(a.firstSeen),
      lastSeen: iso(a.lastSeen),
    })),
  };
}
