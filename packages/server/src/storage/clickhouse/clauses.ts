import { join, sql, type Sql, type SqlValue } from '../../sql.js';

/** ClickHouse 18.16 has no TRUE/FALSE keywords: conditions are UInt8. */
export const always = sql`1`;
export const never = sql`0`;

/** `column IN (…)`; no values match nothing. */
export const isIn = (column: Sql, values: readonly SqlValue[]): Sql =>
  values.length ? sql`${column} IN (${join(values)})` : never;

/**
 * `column IN` a set of strings that may be long (every uuid a bulk load stored at one instant): one array
 * value (a single literal, or parameter), not a node per string, of which ClickHouse allows 50,000 a query.
 */
export const inStringSet = (column: Sql, values: readonly string[]): Sql =>
  // literals.ts renders a list as one array literal; the `sql` tag's value type does not name lists.
  values.length ? sql`${column} IN (SELECT arrayJoin(${values as unknown as SqlValue}))` : never;

/** Events of these tenants (undefined: any, tenantless ones included). */
export const tenantScope = (tenants: readonly string[] | undefined): Sql =>
  tenants === undefined ? always : sql`(has_tenant = 1 AND ${isIn(sql`tenant_id`, tenants)})`;

/** The columns an event is read back from (see rows.ts toStoredEvent). */
export const eventColumns = sql`toString(uuid) AS uuid_text, event, tenant_id, has_tenant, distinct_id, timestamp, ingested_at, properties`;

/** What follows a (timestamp, uuid) keyset cursor in newest-first order; uuids compare as their text (uuid_text, selected by eventColumns). */
export const beforeCursor = (cursor: { timestamp: number; uuid: string }): Sql =>
  sql`(timestamp < ${cursor.timestamp} OR (timestamp = ${cursor.timestamp} AND uuid_text < ${cursor.uuid}))`;

export const newestFirst = sql`ORDER BY timestamp DESC, uuid_text DESC`;
