import type pg from 'pg';
import { ident, join, sql } from '../../sql.js';
import { inTransaction, query } from './pg-client.js';

/*
 * How the embedded store's state tables land in PostgreSQL, in one place. The adapters name tables and
 * columns as DuckDB does, so a row moves column by column, each value converted to its PostgreSQL column's
 * type (TIMESTAMP → epoch ms in BIGINT, JSON text → JSONB, lists → arrays). Below: what is not one to one.
 */

/** NOT NULL columns the embedded store may hold NULL in (rows written before the column existed). */
const whenNull: Record<string, Record<string, unknown>> = {
  // Alerts stored before outlooks are risks, as both engines read them (alert-columns.ts).
  alerts: { outlook: 'risk' },
  // Held by no sender: the first process to look sends it.
  alert_outbox: { claimed_until: 0 },
};

/** Throws when the server does not answer (or refuses the login). */
export async function ping(db: pg.Pool): Promise<void> {
  await query(db, sql`SELECT 1`);
}

/** A PostgreSQL state table's columns that a copy writes (identity columns number themselves). */
export interface PgStateTable {
  columns: Map<string, string>;
}

/** The state tables of the database (after every adapter created its own), with their writable columns. */
export async function pgStateTables(db: pg.Pool): Promise<Map<string, PgStateTable>> {
  const rows = await query<{ t: string; c: string; type: string; generated: boolean }>(
    db,
    sql`SELECT table_name AS t, column_name AS c, data_type AS type,
        (is_identity = 'YES' OR is_generated = 'ALWAYS') AS generated
      FROM information_schema.columns WHERE table_schema = current_schema()
      ORDER BY table_name, ordinal_position`,
  );
  const tables = new Map<string, PgStateTable>();
  for (const row of rows) {
    let table = tables.get(row.t);
    if (!table) tables.set(row.t, (table = { columns: new Map() }));
    if (!row.generated) table.columns.set(row.c, row.type);
  }
  return tables;
}

/** A value the embedded store returned, as the PostgreSQL column of `type` takes it in JSON. */
function converted(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) {
    if (type === 'date') return value.toISOString().slice(0, 10);
    return ['bigint', 'integer', 'double precision', 'numeric'].includes(type)
      ? value.getTime()
      : value.toISOString();
  }
  if ((type === 'jsonb' || type === 'json') && typeof value === 'string') return JSON.parse(value) as unknown;
  return value;
}

/**
 * The conversion of one table's rows, or why the table cannot be copied without losing something: a
 * column only one side has (beyond identity columns), which needs a line in this file first.
 */
export function stateRowMapping(
  table: string,
  source: ReadonlyMap<string, string>,
  target: PgStateTable,
): { columns: string[]; convert: (row: Record<string, unknown>) => Record<string, unknown> } {
  const lost = [...source.keys()].filter((c) => !target.columns.has(c));
  const missing = [...target.columns.keys()].filter((c) => !source.has(c));
  if (lost.length || missing.length)
    throw new Error(
      `state table ${table} differs between the embedded store and PostgreSQL (` +
        [
          lost.length ? `only the embedded store has ${lost.join(', ')}` : '',
          missing.length ? `only PostgreSQL has ${missing.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ') +
        '): this version of Pulse cannot copy it; nothing of it was written',
    );
  const columns = [...target.columns.keys()];
  const defaults = whenNull[table] ?? {};
  return {
    columns,
    convert: (row) =>
      Object.fromEntries(
        columns.map((c) => [c, converted(target.columns.get(c) ?? 'text', row[c] ?? defaults[c] ?? null)]),
      ),
  };
}

/**
 * Writes a table's rows in one transaction (an interrupted copy leaves the table as it was), in the order
 * given. Returns false, writing nothing, when the table already holds rows.
 */
export async function copyStateTable(
  pool: pg.Pool,
  table: string,
  columns: readonly string[],
  pages: (write: (rows: readonly Record<string, unknown>[]) => Promise<void>) => Promise<void>,
): Promise<boolean> {
  const name = ident(table);
  const list = join(columns.map((c) => ident(c)));
  return inTransaction(pool, async (client) => {
    await query(client, sql`LOCK TABLE ${name} IN EXCLUSIVE MODE`);
    const [held] = await query<{ any: boolean }>(client, sql`SELECT EXISTS (SELECT 1 FROM ${name}) AS any`);
    if (held?.any) return false;
    await pages(async (rows) => {
      if (rows.length)
        await query(
          client,
          sql`INSERT INTO ${name} (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::${name}, ${JSON.stringify(rows)}::jsonb)`,
        );
    });
    return true;
  });
}

/** Visits a table's rows (these columns) as JSON values, the form a copy wrote them in. */
export async function forEachPgStateRow(
  pool: pg.Pool,
  table: string,
  columns: readonly string[],
  visit: (row: Record<string, unknown>) => void,
): Promise<number> {
  const rows = await query<{ r: string }>(
    pool,
    sql`SELECT row_to_json(t)::text AS r FROM (SELECT ${join(columns.map((c) => ident(c)))} FROM ${ident(table)}) t`,
  );
  for (const row of rows) visit(JSON.parse(row.r) as Record<string, unknown>);
  return rows.length;
}
