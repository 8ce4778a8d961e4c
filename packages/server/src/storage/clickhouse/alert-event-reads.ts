import type { BusinessEventName, FieldKind } from '@pulse/events';
import type { EventStateSource, HistoryQuery, LatestRow, RecentRow } from '../alert-store.js';
import { ident, join, sql, type Sql } from '../../sql.js';
import { isIn } from './clauses.js';
import type { ClickHouseConnection } from './connection.js';
import { EVENTS_TABLE, typedProperties } from './schema.js';

/*
 * What the alert rules read from the stored events at start (latest state per entity, recent events) and a
 * rule preview replays. Values come back as the DuckDB store returns them (storage/alert-event-source.contract.ts).
 */

const events = ident(EVENTS_TABLE);

/** The kind of each column a query names, refusing a column the event type has no typed column for. */
export function kindsOf(event: BusinessEventName, columns: readonly string[]): FieldKind[] {
  const typed = typedProperties.get(event);
  return columns.map((c) => {
    if (c === 'tenant_id') return 'string';
    const kind = typed?.get(c);
    if (!kind) throw new Error(`${event} has no stored column ${JSON.stringify(c)}`);
    return kind;
  });
}

/**
 * A typed column's value as the evaluators see it: UInt8 as a boolean, epoch ms as UTC ISO text, and an
 * empty list as absent (18.16 lists cannot be NULL; storage/PARITY.md).
 */
export function fromColumn(kind: FieldKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'boolean':
      return Number(value) === 1;
    case 'date-time':
      return new Date(Number(value)).toISOString();
    case 'string[]':
      return Array.isArray(value) && value.length === 0 ? null : value;
    case 'number':
    case 'integer':
      return Number(value);
    case 'string':
      return value;
  }
}

/** A condition that holds when the column has a value (an empty list has none). */
export function presentSql(column: string, kind: FieldKind): Sql {
  return kind === 'string[]' ? sql`notEmpty(${ident(column)})` : sql`isNotNull(${ident(column)})`;
}

/** `, <column> AS c0, …`: the columns a query reads, under positional aliases. */
export const valueColumns = (columns: readonly string[]): Sql =>
  columns.length
    ? join(
        columns.map((c, i) => sql`, ${ident(c)} AS ${ident(`c${i}`)}`),
        '',
      )
    : sql``;

export const valuesOf = (
  row: Record<string, unknown>,
  columns: readonly string[],
  kinds: readonly FieldKind[],
): Record<string, unknown> =>
  Object.fromEntries(columns.map((c, i) => [c, fromColumn(kinds[i] ?? 'string', row[`c${i}`])]));

/**
 * Events of one type with a tenant, read plainly. A row written twice (a replayed load) is the same row: the
 * newest row per entity is the same with or without its copy, and reads returning or counting rows keep one
 * per uuid (`LIMIT 1 BY`) over the rows they select. FINAL would merge every stored event before filtering
 * (storage/PARITY.md).
 */
const ofType = (event: BusinessEventName): Sql =>
  sql`SELECT * FROM ${events} WHERE event = ${event} AND has_tenant = 1`;

export async function latestByEntity(
  connection: ClickHouseConnection,
  query: Parameters<EventStateSource['latestByEntity']>[0],
): Promise<LatestRow[]> {
  const [entityKind = 'string', ...kinds] = kindsOf(query.event, [query.entity, ...query.columns]);
  const where = [presentSql(query.entity, entityKind)];
  if (query.nonNull)
    where.push(presentSql(query.nonNull, kindsOf(query.event, [query.nonNull])[0] ?? 'string'));
  if (query.since !== undefined) where.push(sql`timestamp >= ${query.since}`);
  const month = query.byMonth
    ? sql`formatDateTime(toDateTime(intDiv(timestamp, 1000), 'UTC'), '%Y-%m')`
    : sql`NULL`;
  const rows = await connection.rows(
    sql`SELECT tenant_id, toString(${ident(query.entity)}) AS __entity, ${month} AS __month,
        toString(uuid) AS __uuid, timestamp AS __ts${valueColumns(query.columns)}
      FROM (${ofType(query.event)}) WHERE ${join(where, ' AND ')}
      ORDER BY tenant_id, __entity, __month, timestamp DESC, __uuid DESC
      LIMIT 1 BY tenant_id, __entity, __month`,
  );
  return rows
    .map((r) => ({
      tenantId: String(r.tenant_id),
      entity: String(r.__entity),
      month: typeof r.__month === 'string' ? r.__month : null,
      uuid: String(r.__uuid),
      timestamp: Number(r.__ts),
      values: valuesOf(r, query.columns, kinds),
    }))
    .sort((a, b) => a.timestamp - b.timestamp);
}

/** The events of one type in the `minutes` before each tenant's newest event of it, each once, as a subquery. */
export function lookback(event: BusinessEventName, minutes: number): Sql {
  const span = Math.trunc(minutes * 60_000);
  return sql`(SELECT * FROM (${ofType(event)}) ANY INNER JOIN (
        SELECT tenant_id, max(timestamp) AS __newest FROM ${events}
        WHERE event = ${event} AND has_tenant = 1 GROUP BY tenant_id
      ) USING tenant_id WHERE timestamp > __newest - ${span} LIMIT 1 BY uuid)`;
}

/** Bounds the events a trend rule's state is rebuilt from (memory at start); as the embedded store. */
export const RECENT_EVENTS_MAX = 5_000_000;

export async function recentEvents(
  connection: ClickHouseConnection,
  query: Parameters<EventStateSource['recentEvents']>[0],
): Promise<RecentRow[]> {
  const kinds = kindsOf(query.event, query.columns);
  const found = await connection.rows(
    sql`SELECT tenant_id, toString(uuid) AS __uuid, timestamp AS __ts${valueColumns(query.columns)}
      FROM ${lookback(query.event, query.minutes)}
      ORDER BY timestamp, __uuid LIMIT ${RECENT_EVENTS_MAX + 1}`,
  );
  // A partial lookback would be a wrong baseline that looks right: refuse it, so the rule says it failed.
  if (found.length > RECENT_EVENTS_MAX)
    throw new Error(
      `${query.event}: the last ${query.minutes} minutes hold more than ${RECENT_EVENTS_MAX} events, more than a rule's state is rebuilt from`,
    );
  return found.map((r) => ({
    tenantId: String(r.tenant_id),
    uuid: String(r.__uuid),
    timestamp: Number(r.__ts),
    values: valuesOf(r, query.columns, kinds),
  }));
}

/** Events of one type in [from, to], oldest first, with every catalog property they carry (a rule preview). */
export async function eventsBetween(
  connection: ClickHouseConnection,
  query: HistoryQuery,
): Promise<RecentRow[]> {
  const columns = [...(typedProperties.get(query.event)?.keys() ?? [])];
  const kinds = kindsOf(query.event, columns);
  const where = [sql`timestamp >= ${query.from}`, sql`timestamp <= ${query.to}`];
  if (query.tenants) where.push(isIn(sql`tenant_id`, query.tenants));
  const rows = await connection.rows(
    sql`SELECT tenant_id, toString(uuid) AS __uuid, timestamp AS __ts${valueColumns(columns)}
      FROM (${ofType(query.event)}) WHERE ${join(where, ' AND ')}
      ORDER BY timestamp, ingested_at, __uuid LIMIT 1 BY __uuid LIMIT ${Math.trunc(query.limit)}`,
  );
  return rows.map((r) => {
    const values: Record<string, unknown> = { tenant_id: String(r.tenant_id) };
    // Absent properties read as NULL (an empty list); the evaluators see them absent, as on the live stream.
    for (const [c, value] of Object.entries(valuesOf(r, columns, kinds)))
      if (value !== null) values[c] = value;
    return { tenantId: String(r.tenant_id), uuid: String(r.__uuid), timestamp: Number(r.__ts), values };
  });
}
