import type { SqlValue } from '../../sql.js';
import {
  alertFromColumns,
  deliveryFromColumns,
  silenceFromColumns,
  type ColumnValues,
  type Row,
} from '../alert-columns.js';
import type { TableColumn } from './alert-tables.js';
import { join, sql, timestamp as time, type Sql } from './sql.js';

export type { Row };

export const num = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);
export const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : v === null || v === undefined ? null : JSON.stringify(v);

/** DuckDB values as the JSON-ish values events carry: BIGINT → number, TIMESTAMP → ISO string. */
export function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** A row value as a bound parameter (times are epoch ms). */
export function bound(value: unknown, type: string): Sql | SqlValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'JSON':
      return JSON.stringify(value);
    case 'TIMESTAMP':
      return time(value as number);
    case 'DOUBLE': {
      const n = num(value as number);
      // The driver binds an integral number as a 64-bit integer: one past its range (1e29 from an event's
      // property) is bound as text and cast, or the whole alert write would fail.
      return n !== null && Number.isInteger(n) && !Number.isSafeInteger(n)
        ? sql`CAST(${String(n)} AS DOUBLE)`
        : n;
    }
    case 'BIGINT':
    case 'INTEGER':
      return num(value as number);
    case 'BOOLEAN':
      return Boolean(value);
    default:
      return value as string;
  }
}

/** A VALUES row of `columns`. */
export const valuesRow = (columns: readonly TableColumn[], row: Row): Sql =>
  sql`(${join(columns.map((col) => bound(row[col.name], col.type)))})`;

export const alertSelect = sql`id, rule_id, rule_name, severity, tenant_id, dedup_key, key_parts, state, title, summary,
  amount, value, event_uuids, count, epoch_ms(first_seen) AS first_seen, epoch_ms(last_seen) AS last_seen,
  epoch_ms(last_event_at) AS last_event_at, acknowledged_by, epoch_ms(acknowledged_at) AS acknowledged_at,
  ack_comment, resolved_by, epoch_ms(resolved_at) AS resolved_at, resolve_comment, resolution, backfill,
  epoch_ms(updated_at) AS updated_at, outlook`;

export const deliverySelect = sql`id, alert_id, transition_id, channel, target, payload, status, attempts,
  epoch_ms(next_attempt_at) AS next_attempt_at, last_error, epoch_ms(created_at) AS created_at,
  epoch_ms(sent_at) AS sent_at`;

/** How DuckDB hands back JSON (as text) and text columns. */
const duckdbValues: ColumnValues = { json: (value): unknown => JSON.parse(String(value)), text: str };

export const toAlert = alertFromColumns(duckdbValues);
export const toDelivery = deliveryFromColumns(duckdbValues);
export const toSilence = silenceFromColumns(duckdbValues);
