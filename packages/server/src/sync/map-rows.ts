import type { SyncSource } from '../config/sync-keys.js';
import type { Subscription } from '../storage/subscription-store.js';
import type { SyncRead, TenantName } from '../storage/sync-store.js';
import { parseSubscription } from '../subscriptions/parse-subscription.js';

/** A row of the view that was not applied, and why; `tenantId` is null when the row has none. */
export interface InvalidRow {
  /** Position in the read, from 1. */
  row: number;
  tenantId: string | null;
  reason: string;
}

export type MappedRead<Row> = SyncRead<Row> & { invalid: InvalidRow[] };

const columnsOf = {
  subscriptions: ['status', 'plan_name', 'price_monthly', 'current_period_start', 'current_period_end'],
  tenants: ['display_name'],
} as const;

const MAX_DISPLAY_NAME = 200;

/** A column's value as the row checks read it: text, a number, or an ISO time for a timestamptz. */
const value = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);

/** A row's tenant id: its key column as text, trimmed; null when empty. */
export const tenantOf = (v: unknown): string | null => {
  const text =
    typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'bigint' ? String(v) : '';
  return text || null;
};

/** A view without the columns its target needs is refused whole, naming them, before any row is applied. */
function checkColumns(source: SyncSource, rows: readonly Record<string, unknown>[]): void {
  const first = rows[0];
  if (!first) return;
  const missing = [source.key, ...columnsOf[source.target]].filter((c) => !(c in first));
  if (missing.length)
    throw new Error(
      `the source has no column ${missing.join(', ')} (it has ${Object.keys(first).join(', ')}); alias its columns in a query`,
    );
}

/**
 * Checks every row of a full read. Invalid rows are listed and skipped without blocking the others; the
 * tenants they name are still in the view, so they are `kept` (neither changed nor ended). A tenant listed
 * twice is ambiguous: all its rows are invalid.
 */
function mapRows<Row>(
  source: SyncSource,
  rows: readonly Record<string, unknown>[],
  parse: (row: Record<string, unknown>, tenantId: string) => Row,
): MappedRead<Row> {
  checkColumns(source, rows);
  const positions = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const tenant = tenantOf(row[source.key]);
    if (tenant) positions.set(tenant, [...(positions.get(tenant) ?? []), i + 1]);
  });
  const valid: Row[] = [];
  const invalid: InvalidRow[] = [];
  const kept = new Set<string>();
  rows.forEach((row, i) => {
    const tenantId = tenantOf(row[source.key]);
    const reject = (reason: string) => {
      invalid.push({ row: i + 1, tenantId, reason });
      if (tenantId) kept.add(tenantId);
    };
    if (!tenantId) return reject(`${source.key} (the tenant id) is empty`);
    const seen = positions.get(tenantId) ?? [];
    if (seen.length > 1)
      return reject(`tenant ${tenantId} appears in more than one row (rows ${seen.join(', ')})`);
    try {
      valid.push(parse(row, tenantId));
    } catch (error) {
      reject(error instanceof Error ? error.message.trim() : String(error));
    }
  });
  return { rows: valid, kept: [...kept], invalid };
}

/** Rows of a `subscriptions` source, checked as the API checks a subscription. */
export const mapSubscriptions = (
  source: SyncSource,
  rows: readonly Record<string, unknown>[],
  now: number,
): MappedRead<Subscription> =>
  mapRows(source, rows, (row, tenantId) =>
    parseSubscription(
      {
        tenant_id: tenantId,
        status: value(row.status),
        plan_name: value(row.plan_name),
        price_monthly: value(row.price_monthly),
        current_period_start: value(row.current_period_start),
        current_period_end: value(row.current_period_end),
      },
      '',
      now,
    ),
  );

/** Rows of a `tenants` source: a non-empty display name each. */
export const mapTenantNames = (
  source: SyncSource,
  rows: readonly Record<string, unknown>[],
): MappedRead<TenantName> =>
  mapRows(source, rows, (row, tenantId) => {
    const name = typeof row.display_name === 'string' ? row.display_name.trim() : '';
    if (!name || name.length > MAX_DISPLAY_NAME)
      throw new Error(`display_name must be text of 1 to ${MAX_DISPLAY_NAME} characters`);
    return { tenantId, displayName: name };
  });
