import type { Subscription } from './subscription-store.js';
import type { SyncOutcome, SyncRead } from './sync-store.js';

/** What a sync needs to know of a row already kept. */
export interface Owned {
  suppliedBy: string | null;
  /** Equal fingerprints: the row would be written unchanged. */
  fingerprint: string;
  /** Already ended (canceled): a row gone from the view is ended once. */
  ended: boolean;
}

/** How a full read compares with the rows kept: what to write, what to end, what someone else owns. */
export function plan<Row extends { tenantId: string }>(
  source: string,
  read: SyncRead<Row>,
  kept: Map<string, Owned>,
  fingerprint: (row: Row) => string,
) {
  const outcome: SyncOutcome = {
    inserted: 0,
    updated: 0,
    ended: 0,
    unchanged: 0,
    conflicts: [],
    touched: [],
  };
  const writes: Row[] = [];
  for (const row of read.rows) {
    const current = kept.get(row.tenantId);
    if (current && current.suppliedBy !== source) {
      outcome.conflicts.push({ tenantId: row.tenantId, suppliedBy: current.suppliedBy });
    } else if (current && current.fingerprint === fingerprint(row)) {
      outcome.unchanged += 1;
    } else {
      outcome[current ? 'updated' : 'inserted'] += 1;
      outcome.touched.push(row.tenantId);
      writes.push(row);
    }
  }
  // Listed with an invalid row: still in the view, so neither changed nor ended.
  const listed = new Set([...read.rows.map((r) => r.tenantId), ...read.kept]);
  const ends = [...kept]
    .filter(([tenant, row]) => row.suppliedBy === source && !row.ended && !listed.has(tenant))
    .map(([tenant]) => tenant);
  outcome.ended = ends.length;
  for (const tenant of ends) outcome.touched.push(tenant);
  return { outcome, writes, ends };
}

export const subscriptionFingerprint = (s: Subscription) =>
  JSON.stringify([s.status, s.planName, s.priceMonthly, s.currentPeriodStart, s.currentPeriodEnd]);
