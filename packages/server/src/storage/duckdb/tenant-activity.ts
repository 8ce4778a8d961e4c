import type { DuckDBConnection } from '@duckdb/node-api';
import type { TenantActivityPage, TenantFilter } from '../event-store.js';
import { allTables } from './schema.js';
import { ident, isIn, join, readRows, sql, stringList, type Sql } from './sql.js';

/** tenant_id and timestamp of every event table, read once (the `events` view carries every column). */
const tenantEvents = (where: Sql): Sql =>
  join(
    allTables.map(
      (t) =>
        sql`SELECT tenant_id, "timestamp" FROM ${ident(t.table)} WHERE tenant_id IS NOT NULL AND ${where}`,
    ),
    ' UNION ALL ',
  );

const scopeClause = (tenants: readonly string[] | undefined): Sql =>
  tenants === undefined ? sql`TRUE` : isIn(sql`tenant_id`, tenants);

const ms = (value: unknown): number => (value instanceof Date ? value.getTime() : Number(value));

/** Tenants with at least one stored event, by id, with their event count and first and last event time. */
export async function listTenantActivity(
  reader: DuckDBConnection,
  filter: TenantFilter,
): Promise<TenantActivityPage> {
  const where = [scopeClause(filter.tenants)];
  if (filter.after !== undefined) where.push(sql`tenant_id > ${filter.after}`);
  const rows = await readRows(
    reader,
    sql`SELECT tenant_id, count(*) AS events, min("timestamp") AS first_event, max("timestamp") AS last_event
FROM (${tenantEvents(join(where, ' AND '))})
GROUP BY tenant_id ORDER BY tenant_id LIMIT ${filter.limit + 1}`,
  );
  const tenants = rows.slice(0, filter.limit).map((r) => ({
    tenantId: String(r.tenant_id),
    events: Number(r.events),
    firstEventAt: ms(r.first_event),
    lastEventAt: ms(r.last_event),
  }));
  return { tenants, more: rows.length > filter.limit };
}

/** Of these tenant ids, the ones with at least one stored event. */
export async function tenantsWithEvents(
  reader: DuckDBConnection,
  names: readonly string[],
): Promise<Set<string>> {
  if (!names.length) return new Set();
  const wanted = sql`tenant_id IN (SELECT unnest(${stringList(names)}))`;
  const rows = await readRows(reader, sql`SELECT DISTINCT tenant_id FROM (${tenantEvents(wanted)})`);
  return new Set(rows.map((r) => String(r.tenant_id)));
}

/**
 * The tenants with events nearest to a name nobody has used, for "did you mean": case-insensitive, those
 * the name begins first, then by edit distance (a transposition counts once), at most a third of the name's
 * length (and at least 2) away; ties by id.
 */
export async function nearestTenants(
  reader: DuckDBConnection,
  name: string,
  filter: { tenants?: readonly string[]; limit: number },
): Promise<string[]> {
  const typed = name.toLowerCase();
  const maxDistance = Math.max(2, Math.ceil(typed.length / 3));
  const rows = await readRows(
    reader,
    sql`WITH known AS (
  SELECT DISTINCT tenant_id, lower(tenant_id) AS id FROM (${tenantEvents(scopeClause(filter.tenants))})
), ranked AS (
  SELECT tenant_id, starts_with(id, ${typed}) AS prefix,
    damerau_levenshtein(id, ${typed}) AS distance
  FROM known
)
SELECT tenant_id FROM ranked WHERE prefix OR distance <= ${maxDistance}
ORDER BY prefix DESC, distance, tenant_id LIMIT ${filter.limit}`,
  );
  return rows.map((r) => String(r.tenant_id));
}
