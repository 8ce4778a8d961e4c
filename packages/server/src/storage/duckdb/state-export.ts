import type { DuckDBConnection } from '@duckdb/node-api';
import { allTables } from './schema.js';
import { ident, join, readRows, sql } from './sql.js';

/** Tables that are not shared state: the event side (events, quarantine and what only they need), and
 * the positions of this file's own journals. */
const notState = new Set([
  ...allTables.map((t) => t.table),
  'quarantine',
  'sdk_profiles',
  'ingest_log_state',
  'event_deletions',
  // How far this file's audit table holds the process's local audit journal: nothing to carry elsewhere.
  'audit_meta',
]);

/** Tables whose reads go through a view (alerts: one row per id, the latest write). */
const readThrough: Record<string, string> = { alerts: 'alerts_current' };

/** The state tables of the file, each with its columns (name → DuckDB type). */
export async function stateTables(connection: DuckDBConnection): Promise<Map<string, Map<string, string>>> {
  const rows = await readRows(
    connection,
    sql`SELECT c.table_name AS t, c.column_name AS c, c.data_type AS type
      FROM information_schema.columns c JOIN information_schema.tables t
        ON t.table_catalog = c.table_catalog AND t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE t.table_type = 'BASE TABLE' AND c.table_catalog = current_database() AND c.table_schema = 'main'
      ORDER BY c.table_name, c.ordinal_position`,
  );
  const tables = new Map<string, Map<string, string>>();
  for (const row of rows) {
    const table = String(row.t);
    if (notState.has(table)) continue;
    let columns = tables.get(table);
    if (!columns) tables.set(table, (columns = new Map<string, string>()));
    columns.set(String(row.c), String(row.type));
  }
  return tables;
}

/**
 * Visits a state table's rows (these columns) in pages, in the order they were written (rowid), so a
 * copy appends them in that order too (the audit trail walks ties in it).
 */
export async function forEachStatePage(
  connection: DuckDBConnection,
  table: string,
  columns: readonly string[],
  visit: (rows: Record<string, unknown>[]) => Promise<void> | void,
  pageSize = 5_000,
): Promise<void> {
  const selected = join(columns.map((c) => ident(c)));
  const view = readThrough[table];
  if (view) {
    await visit(await readRows(connection, sql`SELECT ${selected} FROM ${ident(view)} ORDER BY id`));
    return;
  }
  for (let after = -1; ;) {
    const rows = await readRows(
      connection,
      sql`SELECT rowid AS pulse_rowid, ${selected} FROM ${ident(table)} WHERE rowid > ${after} ORDER BY rowid LIMIT ${pageSize}`,
    );
    if (!rows.length) return;
    after = Number(rows.at(-1)?.pulse_rowid);
    for (const row of rows) delete row.pulse_rowid;
    await visit(rows);
  }
}
