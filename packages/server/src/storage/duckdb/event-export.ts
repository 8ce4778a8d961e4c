import type { DuckDBConnection } from '@duckdb/node-api';
import type { QuarantinedEvent, StoredEvent } from '../event-store.js';
import { toQuarantined } from './duckdb-event-store.js';
import { allTables } from './schema.js';
import { ident, readRows, sql, stream, timestamp } from './sql.js';
import { toStoredEvent, withSdkProperties } from './stored-event-row.js';

/** Where a copy of one event table has got to: its last event copied, in (timestamp, uuid) order. */
export interface EventPosition {
  timestamp: number;
  uuid: string;
}

/** The event tables a copy reads one after the other. */
export const eventTableNames: readonly string[] = allTables.map((t) => t.table);

const oldestFirst = sql`"timestamp", uuid`;

/**
 * The stored events of one event table after `after` (from the start when null), oldest first by
 * (timestamp, uuid), in one streaming query: a stable order within the table, so a copy can stop anywhere
 * and resume from its last position, and the table is sorted once per run, not once per chunk.
 */
export async function* streamTableEvents(
  reader: DuckDBConnection,
  table: string,
  after: EventPosition | null,
): AsyncGenerator<StoredEvent[]> {
  if (!eventTableNames.includes(table)) throw new Error(`${table} is not an event table`);
  const at = after && timestamp(after.timestamp);
  const where = after
    ? sql`"timestamp" > ${at} OR ("timestamp" = ${at} AND uuid > CAST(${after.uuid} AS UUID))`
    : sql`TRUE`;
  const result = await stream(
    reader,
    withSdkProperties(sql`SELECT * FROM ${ident(table)} WHERE ${where}`, oldestFirst),
  );
  for await (const rows of result.yieldRowObjectJs()) yield rows.map((r) => toStoredEvent(r));
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
