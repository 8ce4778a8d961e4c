import { trendBuckets } from './trend-buckets.js';
import type { BusinessEventName } from '@pulse/events';
import type { DuckDBConnection } from '@duckdb/node-api';
import type {
  EventHistorySource,
  EventStateSource,
  HistoryQuery,
  LatestRow,
  RecentRow,
} from '../alert-store.js';
import { plain, str, type Row } from './alert-rows.js';
import { eventTables } from './schema.js';
import { ingestedAfter, ingestionMark } from './ingested-after.js';
import { ident, isIn, join, readRows, sql, timestamp as time, type Sql } from './sql.js';

/* What the alert rules read from the event tables (latest state per entity, recent events), not alert tables. */

/** `, <column> AS c0, …`: the columns a query reads, under positional aliases. */
const valueColumns = (columns: readonly string[], alias?: string): Sql =>
  columns.length
    ? join(
        columns.map(
          (c, i) => sql`, ${alias ? sql`${ident(alias)}.` : sql``}${ident(c)} AS ${ident(`c${i}`)}`,
        ),
        '',
      )
    : sql``;

function tableOf(event: BusinessEventName, columns: readonly string[]): Sql {
  const table = eventTables[event];
  const known = new Set(table.columns.map((c) => c.name));
  for (const c of columns)
    if (!known.has(c)) throw new Error(`${event} has no stored column ${JSON.stringify(c)}`);
  return ident(table.table);
}

export async function latestByEntity(
  rows: (statement: Sql) => Promise<Row[]>,
  query: {
    event: BusinessEventName;
    entity: string;
    columns: readonly string[];
    nonNull?: string;
    byMonth?: boolean;
    since?: number;
  },
): Promise<LatestRow[]> {
  const table = tableOf(query.event, [
    query.entity,
    ...query.columns,
    ...(query.nonNull ? [query.nonNull] : []),
  ]);
  const entity = ident(query.entity);
  const month = sql`date_trunc('month', "timestamp")`;
  const where = [sql`tenant_id IS NOT NULL`, sql`${entity} IS NOT NULL`];
  if (query.nonNull) where.push(sql`${ident(query.nonNull)} IS NOT NULL`);
  if (query.since !== undefined) where.push(sql`"timestamp" >= ${time(query.since)}`);
  // One hash aggregate keeping each group's newest row (newest time, then highest uuid): a window's
  // per-partition sort of every row cost 3-5× as much at a start.
  const newest = sql`max_by(struct_pack(__uuid := uuid, __ts := "timestamp"${join(
    query.columns.map((c, i) => sql`, ${ident(`c${i}`)} := ${ident(c)}`),
    '',
  )}), ("timestamp", uuid))`;
  const statement = sql`SELECT tenant_id, __entity, __month, __row.__uuid::VARCHAR AS __uuid,
        epoch_ms(__row.__ts) AS __ts${join(
          query.columns.map((_, i) => sql`, __row.${ident(`c${i}`)} AS ${ident(`c${i}`)}`),
          '',
        )}
      FROM (SELECT tenant_id, CAST(${entity} AS VARCHAR) AS __entity,
          ${query.byMonth ? sql`strftime(${month}, '%Y-%m')` : sql`NULL`} AS __month, ${newest} AS __row
        FROM ${table} WHERE ${join(where, ' AND ')}
        GROUP BY tenant_id, ${entity}${query.byMonth ? sql`, ${month}` : sql``})
      ORDER BY __ts`;
  return (await rows(statement)).map((r) => ({
    tenantId: String(r.tenant_id),
    entity: String(r.__entity),
    month: str(r.__month),
    uuid: String(r.__uuid),
    timestamp: Number(r.__ts),
    values: Object.fromEntries(query.columns.map((c, i) => [c, plain(r[`c${i}`])])),
  }));
}

/** The events of a table in the `minutes` before each tenant's newest event of it, as a subquery. */
export function lookback(table: Sql, minutes: number): Sql {
  const span = Math.trunc(minutes * 60_000);
  return sql`(SELECT e.* FROM ${table} e JOIN (
        SELECT tenant_id, max("timestamp") AS mt FROM ${table} WHERE tenant_id IS NOT NULL GROUP BY tenant_id
      ) n ON e.tenant_id = n.tenant_id
      WHERE e."timestamp" > n.mt - to_milliseconds(CAST(${span} AS BIGINT)))`;
}

/** Bounds the events a trend rule's state is rebuilt from (memory at start). */
export const RECENT_EVENTS_MAX = 5_000_000;

export async function recentEvents(
  rows: (statement: Sql) => Promise<Row[]>,
  query: {
    event: BusinessEventName;
    columns: readonly string[];
    minutes: number;
  },
): Promise<RecentRow[]> {
  const table = tableOf(query.event, query.columns);
  const statement = sql`SELECT e.tenant_id, e.uuid::VARCHAR AS __uuid, epoch_ms(e."timestamp") AS __ts${valueColumns(query.columns, 'e')}
      FROM ${lookback(table, query.minutes)} e
      ORDER BY e."timestamp" LIMIT ${RECENT_EVENTS_MAX + 1}`;
  const found = await rows(statement);
  // A partial lookback would be a wrong baseline that looks right: refuse it, so the rule says it failed.
  if (found.length > RECENT_EVENTS_MAX)
    throw new Error(
      `${query.event}: the last ${query.minutes} minutes hold more than ${RECENT_EVENTS_MAX} events, more than a rule's state is rebuilt from`,
    );
  return found.map((r) => ({
    tenantId: String(r.tenant_id),
    uuid: String(r.__uuid),
    timestamp: Number(r.__ts),
    values: Object.fromEntries(query.columns.map((c, i) => [c, plain(r[`c${i}`])])),
  }));
}

/** Events of one type in [from, to], oldest first, with every catalog property they carry (a rule preview). */
export async function eventsBetween(
  rows: (statement: Sql) => Promise<Row[]>,
  query: HistoryQuery,
): Promise<RecentRow[]> {
  const { table, propertyColumns } = eventTables[query.event];
  const columns = propertyColumns.map((c) => c.name);
  const where = [
    sql`tenant_id IS NOT NULL`,
    sql`"timestamp" >= ${time(query.from)}`,
    sql`"timestamp" <= ${time(query.to)}`,
  ];
  if (query.tenants) where.push(isIn(sql`tenant_id`, query.tenants));
  const statement = sql`SELECT tenant_id, uuid::VARCHAR AS __uuid, epoch_ms("timestamp") AS __ts${valueColumns(columns)}
      FROM ${ident(table)} WHERE ${join(where, ' AND ')}
      ORDER BY "timestamp", ingested_at, uuid LIMIT ${Math.trunc(query.limit)}`;
  return (await rows(statement)).map((r) => {
    const values: Record<string, unknown> = { tenant_id: String(r.tenant_id) };
    // Absent properties are stored as NULL; the evaluators see them absent, as on the live stream.
    columns.forEach((c, i) => {
      const value = plain(r[`c${i}`]);
      if (value !== null && value !== undefined) values[c] = value;
    });
    return { tenantId: String(r.tenant_id), uuid: String(r.__uuid), timestamp: Number(r.__ts), values };
  });
}

/**
 * These reads on a connection of their own to the event database, for an alert store kept elsewhere
 * (PostgreSQL): a rebuild at start (seconds on large stores) must not hold up other reads.
 */
export async function openDuckDbAlertEventSource(db: {
  connect(): Promise<DuckDBConnection>;
}): Promise<EventStateSource & EventHistorySource> {
  const connection = await db.connect();
  const rows = (statement: Sql) => readRows(connection, statement);
  return {
    latestByEntity: (query) => latestByEntity(rows, query),
    recentEvents: (query) => recentEvents(rows, query),
    eventsBetween: (query) => eventsBetween(rows, query),
    trendBuckets: (query) => trendBuckets(connection, query),
    ingestionMark: () => ingestionMark(rows),
    ingestedAfter: (query) => ingestedAfter(rows, query),
  };
}
