import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Predicate } from '../../alerts/rule-model.js';
import type { TrendBucketQuery, TrendBucketRow, TrendBuckets } from '../alert-store.js';
import { lookback } from './alert-event-reads.js';
import { eventTables } from './schema.js';
import { ident, isIn, join, sql, type Sql } from './sql.js';

/*
 * A trend rule's state summed in SQL: one row per tenant, key and bucket instead of every event of the
 * lookback (a month of a busy type is millions of rows, seconds and a GiB of JS objects at start). The
 * filters mirror alerts/evaluate/predicates.ts `holds` on the values recentEvents returns (BIGINT as a
 * number, NULL as absent); a test compares both paths on the same store.
 */

const numericTypes = new Set(['DOUBLE', 'BIGINT', 'INTEGER']);
/** Column types whose values read back as the JS scalars the evaluator sees (string, number, boolean). */
const scalarTypes = new Set([...numericTypes, 'VARCHAR', 'BOOLEAN']);

/** The JS type a column's values have in the evaluator. */
const jsType = (columnType: string): 'number' | 'string' | 'boolean' =>
  numericTypes.has(columnType) ? 'number' : columnType === 'BOOLEAN' ? 'boolean' : 'string';

const present = (column: Sql): Sql => sql`${column} IS NOT NULL`;

/** `column <op> value` for a numeric comparison (ops cannot be bound, so each is its own fragment). */
function compare(column: Sql, op: '>' | '>=' | '<' | '<=', value: number): Sql {
  switch (op) {
    case '>':
      return sql`${column} > ${value}`;
    case '>=':
      return sql`${column} >= ${value}`;
    case '<':
      return sql`${column} < ${value}`;
    case '<=':
      return sql`${column} <= ${value}`;
  }
}

/** A predicate as SQL over a column of `columnType`; null when its values are not plain scalars. */
export function predicateSql(p: Predicate, columnType: string): Sql | null {
  const column = ident(p.property);
  if (p.op === 'exists') return present(column);
  if (!scalarTypes.has(columnType)) return null;
  const type = jsType(columnType);
  // A value of another JS type never equals a column value (=== in the evaluator), so it matches nothing.
  const same = (v: unknown): v is string | number | boolean => typeof v === type;
  switch (p.op) {
    case '>':
    case '>=':
    case '<':
    case '<=':
      if (typeof p.value !== 'number') return null;
      return type === 'number' ? compare(column, p.op, p.value) : sql`FALSE`;
    case '==':
      return same(p.value) ? sql`${column} = ${p.value}` : sql`FALSE`;
    case '!=':
      return same(p.value) ? sql`(${present(column)} AND ${column} <> ${p.value})` : present(column);
    case 'in':
    case 'not_in': {
      if (!Array.isArray(p.value)) return null;
      const matching = isIn(column, p.value.filter(same));
      return p.op === 'in' ? matching : sql`(${present(column)} AND NOT (${matching}))`;
    }
  }
}

interface Plan {
  table: Sql;
  bucket: Sql;
  counted: Sql;
  x: Sql;
  w: Sql;
}

/** The statement's parts, or null when a filter or key column cannot be expressed. */
function plan(query: TrendBucketQuery): Plan | null {
  const { table, columns } = eventTables[query.event];
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const typeOf = (name: string): string => {
    const type = types.get(name);
    if (!type) throw new Error(`${query.event} has no stored column ${JSON.stringify(name)}`);
    return type;
  };
  if (query.key.some((k) => !scalarTypes.has(typeOf(k)))) return null;
  const conditions: Sql[] = [];
  for (const p of query.where) {
    const condition = predicateSql(p, typeOf(p.property));
    if (!condition) return null;
    conditions.push(condition);
  }
  const numeric = (name: string) => numericTypes.has(typeOf(name));
  const property = ident(query.property);
  if (query.propertyRequired) conditions.push(numeric(query.property) ? present(property) : sql`FALSE`);
  let w = sql`1.0`;
  if (query.weight !== undefined) {
    const weight = ident(query.weight);
    w = sql`CAST(${weight} AS DOUBLE)`;
    conditions.push(numeric(query.weight) ? sql`${weight} >= 0` : sql`FALSE`);
  }
  return {
    table: ident(table),
    bucket: sql`floor(CAST(epoch_ms("timestamp") AS DOUBLE) / CAST(${query.bucketMs} AS DOUBLE))`,
    counted: conditions.length ? sql`coalesce(${join(conditions, ' AND ')}, FALSE)` : sql`TRUE`,
    x: numeric(query.property) ? sql`coalesce(CAST(${property} AS DOUBLE), 0)` : sql`0.0`,
    w,
  };
}

/** The rows of a statement as chunks of driver vectors (read column-wise: no object per row). */
async function chunks(connection: DuckDBConnection, statement: Sql) {
  const result = await connection.run(statement.text, statement.values as DuckDBValue[]);
  return result.fetchAllChunks();
}

const asNumber = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : Number(v ?? 0));
/** A key value as recentEvents returns it (BIGINT as a number). */
const asValue = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);

export async function trendBuckets(
  connection: DuckDBConnection,
  query: TrendBucketQuery,
): Promise<TrendBuckets | null> {
  const parts = plan(query);
  if (!parts) return null;
  const keys = query.key.map((k, i) => sql`, ${ident(k)} AS ${ident(`k${i}`)}`);
  const keyColumns = query.key.map((_, i) => sql`, ${ident(`k${i}`)}`);
  const list = (items: Sql[]) => (items.length ? join(items, '') : sql``);
  const sums = sql`SELECT tenant_id, bucket${list(keyColumns)}, count(*) AS events,
        count(*) FILTER (WHERE counted) AS n,
        coalesce(sum(x) FILTER (WHERE counted), 0) AS sx,
        coalesce(sum(w) FILTER (WHERE counted), 0) AS sw,
        coalesce(sum(x * w) FILTER (WHERE counted), 0) AS sxw
      FROM (
        SELECT tenant_id, ${parts.bucket} AS bucket${list(keys)},
          ${parts.counted} AS counted, ${parts.x} AS x, ${parts.w} AS w
        FROM ${lookback(parts.table, query.minutes)}
      ) GROUP BY ALL`;
  const rows: TrendBucketRow[] = [];
  for (const chunk of await chunks(connection, sums)) {
    const vector = (i: number) => chunk.getColumnVector(i);
    const [tenants, buckets] = [vector(0), vector(1)];
    const keyVectors = query.key.map((_, i) => vector(2 + i));
    const [events, n, sx, sw, sxw] = [0, 1, 2, 3, 4].map((i) => vector(2 + query.key.length + i));
    for (let r = 0; r < chunk.rowCount; r++)
      rows.push({
        tenantId: String(tenants?.getItem(r)),
        keyValues: keyVectors.map((v) => asValue(v.getItem(r))),
        bucket: asNumber(buckets?.getItem(r)),
        events: asNumber(events?.getItem(r)),
        n: asNumber(n?.getItem(r)),
        sx: asNumber(sx?.getItem(r)),
        sw: asNumber(sw?.getItem(r)),
        sxw: asNumber(sxw?.getItem(r)),
      });
  }
  const newest = sql`SELECT uuid::VARCHAR, epoch_ms("timestamp") FROM ${lookback(parts.table, query.minutes)}
      ORDER BY "timestamp" DESC LIMIT ${Math.trunc(query.latestIds)}`;
  const latest: TrendBuckets['latest'] = [];
  for (const chunk of await chunks(connection, newest)) {
    const [uuids, times] = [chunk.getColumnVector(0), chunk.getColumnVector(1)];
    for (let r = 0; r < chunk.rowCount; r++)
      latest.push({ uuid: String(uuids.getItem(r)), timestamp: asNumber(times.getItem(r)) });
  }
  return { rows, latest: latest.reverse() };
}
