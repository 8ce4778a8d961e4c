import type { DuckDBConnection } from '@duckdb/node-api';
import { businessEventNames } from '@pulse/events';
import type { RetentionCount, RetentionCut, RetentionTable } from '../retention-store.js';
import { eventTables, genericTable } from './schema.js';
import { ident, isIn, join, readRows, run, sql, type Sql } from './sql.js';

/** Runs `work` while no ingest commit runs, holding commits off until it is done (the store's writer lock). */
export type Exclusive = <T>(work: () => Promise<T>) => Promise<T>;

const MAX_ATTEMPTS = 5;

/**
 * How many retention transactions deleted events, counted in the deleting transaction itself: state
 * derived from the events and saved outside the store (the summary rollups' snapshot) compares it to
 * tell that events it holds may be gone.
 */
export const eventDeletionsTableSql =
  'CREATE TABLE IF NOT EXISTS event_deletions (id INTEGER PRIMARY KEY, runs BIGINT NOT NULL)';
const countDeletionSql = sql`INSERT INTO event_deletions VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET runs = runs + 1`;

/** An exact UTC instant as a TIMESTAMP (microseconds: no float rounding). */
const at = (ms: number) => sql`make_timestamp(CAST(${BigInt(Math.trunc(ms)) * 1000n} AS BIGINT))`;

/** The rows of one cut whose `column` is before their tenant's cutoff (overridden tenants excluded from the default). */
export function cutSql(cut: RetentionCut, column: Sql): Sql {
  const parts: Sql[] = [];
  const named = [...cut.tenants.keys()];
  if (cut.cutoff !== null)
    parts.push(
      sql`(${column} < ${at(cut.cutoff)}${named.length ? sql` AND (tenant_id IS NULL OR NOT ${isIn(sql`tenant_id`, named)})` : sql``})`,
    );
  for (const [tenant, cutoff] of cut.tenants)
    if (cutoff !== null) parts.push(sql`(tenant_id = ${tenant} AND ${column} < ${at(cutoff)})`);
  return parts.length ? join(parts, ' OR ') : sql`FALSE`;
}

const tableName = (table: RetentionTable) =>
  ident(table === 'generic' ? genericTable.table : eventTables[table].table);

/** The table a quarantine entry's claimed event belongs to. */
const quarantineTable = sql`CASE WHEN ${isIn(sql`event`, businessEventNames)} THEN event ELSE 'generic' END`;

/** A DuckDB write-write conflict (another transaction changed the same rows): worth retrying. */
const isConflict = (error: unknown) => /conflict/i.test((error as Error).message ?? '');

/**
 * Counts per tenant, then (unless dry) deletes the same rows in one transaction, so the counts are exactly
 * what went: both statements read the transaction's snapshot. Retried on a write-write conflict.
 */
async function countAndDelete(
  connection: DuckDBConnection,
  countSql: Sql,
  deleteSql: Sql,
  dryRun: boolean,
  eventTable: boolean,
): Promise<Record<string, unknown>[]> {
  for (let attempt = 1; ; attempt++) {
    if (dryRun) return readRows(connection, countSql);
    await connection.run('BEGIN TRANSACTION');
    try {
      const rows = await readRows(connection, countSql);
      const counted = rows.reduce((sum, r) => sum + Number(r.n), 0);
      if (counted > 0) {
        const deleted = Number((await run(connection, deleteSql)).rowsChanged);
        if (deleted !== counted) throw new Error(`retention counted ${counted} rows but deleted ${deleted}`);
        if (eventTable) await run(connection, countDeletionSql);
      }
      await connection.run('COMMIT');
      return rows;
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => {});
      if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
    }
  }
}

/**
 * Applies retention cuts: events by their timestamp, one transaction per table, and the quarantine by
 * received_at and the event type the entry claimed, in one transaction under the writer lock.
 *
 * Event tables only ever get appends from ingestion, and DuckDB's MVCC lets appends commit while another
 * transaction deletes older rows (no conflict): ingestion keeps flowing. The quarantine is different: a
 * commit may INSERT OR REPLACE or DELETE the very entry retention deletes, which DuckDB either refuses
 * ("Conflict on tuple deletion") or, measured with 1.5, resolves by losing the re-quarantined entry; so that
 * step holds commits off (it is small). A table per transaction keeps each one short; a run stopped midway
 * is simply finished by the next (retention is idempotent).
 */
export async function applyRetentionCuts(
  connection: DuckDBConnection,
  cuts: readonly RetentionCut[],
  options: { dryRun: boolean },
  exclusive: Exclusive,
): Promise<RetentionCount[]> {
  const counts = new Map<string, RetentionCount>();
  const countOf = (table: RetentionTable, tenant: string | null) => {
    const key = `${table}\u0000${tenant ?? ''}`;
    let count = counts.get(key);
    if (!count) counts.set(key, (count = { table, tenant, events: 0, quarantined: 0 }));
    return count;
  };
  for (const cut of cuts) {
    const where = cutSql(cut, sql`"timestamp"`);
    const name = tableName(cut.table);
    const rows = await countAndDelete(
      connection,
      sql`SELECT tenant_id AS t, count(*) AS n FROM ${name} WHERE ${where} GROUP BY tenant_id`,
      sql`DELETE FROM ${name} WHERE ${where}`,
      options.dryRun,
      true,
    );
    for (const r of rows) countOf(cut.table, (r.t as string | null) ?? null).events += Number(r.n);
  }
  if (cuts.length) {
    const where = join(
      cuts.map((cut) => sql`(${quarantineTable} = ${cut.table} AND (${cutSql(cut, sql`received_at`)}))`),
      ' OR ',
    );
    const rows = await exclusive(() =>
      countAndDelete(
        connection,
        sql`SELECT ${quarantineTable} AS e, tenant_id AS t, count(*) AS n FROM quarantine WHERE ${where} GROUP BY ALL`,
        sql`DELETE FROM quarantine WHERE ${where}`,
        options.dryRun,
        false,
      ),
    );
    for (const r of rows)
      countOf(r.e as RetentionTable, (r.t as string | null) ?? null).quarantined += Number(r.n);
  }
  return [...counts.values()].sort(
    (a, b) => a.table.localeCompare(b.table) || (a.tenant ?? '').localeCompare(b.tenant ?? ''),
  );
}
