import { setTimeout as delay } from 'node:timers/promises';
import { businessEventNames } from '@pulse/events';
import type { RetentionCount, RetentionCut, RetentionTable } from '../retention-store.js';
import { ident, join, sql, type Sql } from '../../sql.js';
import { isIn, never } from './clauses.js';
import type { ClickHouseConnection } from './connection.js';
import { EVENT_DELETIONS_TABLE, EVENTS_TABLE } from './schema.js';

/** The rows of one cut whose `column` is before their tenant's cutoff (overridden tenants excluded from the default). */
export function cutSql(
  cut: RetentionCut,
  column: Sql,
  tenant: { id: Sql; present: Sql } = { id: sql`tenant_id`, present: sql`has_tenant` },
): Sql {
  const parts: Sql[] = [];
  const named = [...cut.tenants.keys()];
  if (cut.cutoff !== null)
    parts.push(
      sql`(${column} < ${cut.cutoff}${named.length ? sql` AND (${tenant.present} = 0 OR NOT ${isIn(tenant.id, named)})` : sql``})`,
    );
  for (const [name, cutoff] of cut.tenants)
    if (cutoff !== null)
      parts.push(sql`(${tenant.present} = 1 AND ${tenant.id} = ${name} AND ${column} < ${cutoff})`);
  return parts.length ? sql`(${join(parts, ' OR ')})` : never;
}

/** The events of one retention table: a business type, or every other event ('generic'). */
export const tableSql = (table: RetentionTable, column: Sql): Sql =>
  table === 'generic' ? sql`NOT ${isIn(column, businessEventNames)}` : sql`${column} = ${table}`;

/** How many rows per tenant a read returned, added to the run's counts. */
export type CountOf = (table: RetentionTable, tenant: string | null) => RetentionCount;

/**
 * Events: counted (exactly, through FINAL) and then deleted with one ALTER TABLE … DELETE mutation per cut,
 * waited for until ClickHouse reports it done. A mutation rewrites the parts that exist when it starts:
 * rows inserted meanwhile with an old timestamp stay until the next run.
 */
export async function deleteEvents(
  connection: ClickHouseConnection,
  cuts: readonly RetentionCut[],
  dryRun: boolean,
  countOf: CountOf,
): Promise<void> {
  for (const cut of cuts) {
    const where = sql`${tableSql(cut.table, sql`event`)} AND ${cutSql(cut, sql`timestamp`)}`;
    const rows = await connection.rows<{ tenant_id: string; has_tenant: number; n: number }>(
      sql`SELECT tenant_id, has_tenant, count() AS n FROM ${ident(EVENTS_TABLE)} FINAL WHERE ${where}
        GROUP BY tenant_id, has_tenant`,
    );
    for (const r of rows) countOf(cut.table, r.has_tenant ? r.tenant_id : null).events += Number(r.n);
    if (dryRun || !rows.length) continue;
    // Counted before it starts (analytics-reads eventDeletions): a deletion cut short still makes saved rollups stale.
    await connection.insertLines(EVENT_DELETIONS_TABLE, [Buffer.from(`{"at":${Date.now()}}\n`)]);
    await connection.command(sql`ALTER TABLE ${ident(EVENTS_TABLE)} DELETE WHERE ${where}`);
    await mutationsDone(connection);
  }
}

/** How long a retention run waits for its deletion to finish before reporting it still running. */
const MUTATION_WAIT_MS = 10 * 60_000;

/**
 * Waits until the events table has no unfinished mutation (18.16 has neither mutations_sync nor a failure
 * reason in system.mutations); past MUTATION_WAIT_MS the run fails, the deletion going on in the background.
 */
async function mutationsDone(connection: ClickHouseConnection): Promise<void> {
  const deadline = Date.now() + MUTATION_WAIT_MS;
  for (;;) {
    const [pending] = await connection.rows<{ n: number; parts: number }>(
      sql`SELECT count() AS n, sum(parts_to_do) AS parts FROM system.mutations
        WHERE database = currentDatabase() AND table = ${EVENTS_TABLE} AND is_done = 0`,
    );
    if (!pending || Number(pending.n) === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `ClickHouse is still deleting expired events (${pending.parts} parts to go); the deletion continues in the background`,
      );
    await delay(50);
  }
}
