import type { DuckDBConnection } from '@duckdb/node-api';
import type { QuarantinedEvent, StoredEvent } from '../event-store.js';
import { toQuarantined } from './duckdb-event-store.js';
import { readRows, sql, timestamp } from './sql.js';
import { toStoredEvent, withSdkProperties } from './stored-event-row.js';

/** Where a copy of the events has got to: the last event copied, in (timestamp, uuid) order. */
export interface EventPosition {
  timestamp: number;
  uuid: string;
}

const oldestFirst = sql`"timestamp", uuid`;

/**
 * The next `limit` stored events after `after` (from the start when null), oldest first by (timestamp,
 * uuid): a stable order, so a copy can stop anywhere and resume from its last position.
 */
export async function exportEventPage(
  reader: DuckDBConnection,
  after: EventPosition | null,
  limit: number,
): Promise<StoredEvent[]> {
  const at = after && timestamp(after.timestamp);
  const where = after
    ? sql`"timestamp" > ${at} OR ("timestamp" = ${at} AND uuid > CAST(${after.uuid} AS UUID))`
    : sql`TRUE`;
  const rows = await readRows(
    reader,
    withSdkProperties(
      sql`SELECT * FROM events WHERE ${where} ORDER BY ${oldestFirst} LIMIT ${limit}`,
      oldestFirst,
    ),
  );
  return rows.map((r) => toStoredEvent(r));
}

/** The next `limit` quarantine entries after the id `after` (from the start when null), by id. */
export async function exportQuarantinePage(
  reader: DuckDBConnection,
  after: string | null,
  limit: number,
): Promise<QuarantinedEvent[]> {
  const rows = await readRows(
    reader,
    sql`SELECT * FROM quarantine WHERE ${after === null ? sql`TRUE` : sql`id > ${after}`} ORDER BY id LIMIT ${limit}`,
  );
  return rows.map((r) => toQuarantined(r));
}

/** How many events and quarantine entries the store holds. */
export async function exportTotals(
  reader: DuckDBConnection,
): Promise<{ events: number; quarantine: number }> {
  const [row] = await readRows(
    reader,
    sql`SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM quarantine) AS quarantine`,
  );
  return { events: Number(row?.events ?? 0), quarantine: Number(row?.quarantine ?? 0) };
}
