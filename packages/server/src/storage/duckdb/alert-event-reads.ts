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
  const month = sql`strftime("timestamp", '%Y-%m')`;
  const where = [sql`tenant_id IS NOT NULL`, sql`${entity} IS NOT NULL`];
  if (query.nonNull) where.push(sql`${ident(query.nonNull)} IS NOT NULL`);
  if (query.since !== undefined) where.push(sql`"timestamp" >= ${time(query.since)}`);
  const statement = sql`SELECT tenant_id, CAST(${entity} AS VARCHAR) AS __entity, ${query.byMonth ? month : sql`NULL`} AS __month,
        uuid::VARCHAR AS __uuid, epoch_ms("timestamp") AS __ts${valueColumns(query.columns)}
      FROM ${table} WHERE ${join(where, ' AND ')}
      QUALIFY row_number() OVER (PARTITION BY tenant_id, ${entity}${query.byMonth ? sql`, ${month}` : sql``}
        ORDER BY "timestamp" DESC, uuid DESC) = 1
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
  const span = Math.trunc(query.minutes * 60_000);
  const statement = sql`WITH newest AS (
        SELECT tenant_id, max("timestamp") AS mt FROM ${table} WHERE tenant_id IS NOT NULL GROUP BY tenant_id
      )
      SELECT e.tenant_id, e.uuid::VARCHAR AS __uuid, epoch_ms(e."timestamp") AS __ts${valueColumns(query.columns, 'e')}
      FROM ${table} e JOIN newest n ON e.tenant_id = n.tenant_id
      WHERE e."timestamp" > n.mt - to_milliseconds(CAST(${span} AS BIGINT))
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
  };
}
