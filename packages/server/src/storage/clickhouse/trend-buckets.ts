import type { FieldKind } from '@pulse/events';
import type { Predicate } from '../../alerts/rule-model.js';
import type { TrendBucketQuery, TrendBucketRow, TrendBuckets } from '../alert-store.js';
import { ident, join, sql, type Sql } from '../../sql.js';
import { fromColumn, kindsOf, lookback, presentSql } from './alert-event-reads.js';
import { always, isIn, never } from './clauses.js';
import type { ClickHouseConnection } from './connection.js';

/*
 * A trend rule's state summed in SQL, as the embedded store does (duckdb/trend-buckets.ts): the filters
 * mirror alerts/evaluate/predicates.ts `holds` on the values recentEvents returns. The contract suite
 * compares both paths on the same events.
 */

/** Kinds whose values the evaluator sees as plain scalars (date-times and lists are not compared here). */
const jsTypes: Partial<Record<FieldKind, 'number' | 'string' | 'boolean'>> = {
  number: 'number',
  integer: 'number',
  string: 'string',
  boolean: 'boolean',
};

/** A value as the column holds it: booleans are UInt8. */
const stored = (value: string | number | boolean): string | number =>
  typeof value === 'boolean' ? Number(value) : value;

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

/** A predicate as a ClickHouse condition over a column of `kind`; null when its values are not plain scalars. */
function predicateSql(p: Predicate, kind: FieldKind): Sql | null {
  const column = ident(p.property);
  if (p.op === 'exists') return presentSql(p.property, kind);
  const type = jsTypes[kind];
  if (!type) return null;
  // A value of another JS type never equals a column value (=== in the evaluator), so it matches nothing.
  const same = (v: unknown): v is string | number | boolean => typeof v === type;
  const present = presentSql(p.property, kind);
  switch (p.op) {
    case '>':
    case '>=':
    case '<':
    case '<=':
      if (typeof p.value !== 'number') return null;
      return type === 'number' ? sql`ifNull(${compare(column, p.op, p.value)}, 0)` : never;
    case '==':
      return same(p.value) ? sql`ifNull(${column} = ${stored(p.value)}, 0)` : never;
    case '!=':
      return same(p.value) ? sql`(${present} AND ifNull(${column} <> ${stored(p.value)}, 0))` : present;
    case 'in':
    case 'not_in': {
      if (!Array.isArray(p.value)) return null;
      const matching = sql`ifNull(${isIn(column, p.value.filter(same).map(stored))}, 0)`;
      return p.op === 'in' ? matching : sql`(${present} AND NOT ${matching})`;
    }
  }
}

interface Plan {
  counted: Sql;
  x: Sql;
  w: Sql;
}

/** The statement's parts, or null when a filter or key column cannot be expressed. */
function plan(query: TrendBucketQuery): Plan | null {
  const kind = (name: string): FieldKind => kindsOf(query.event, [name])[0] ?? 'string';
  if (query.key.some((k) => !jsTypes[kind(k)])) return null;
  const conditions: Sql[] = [];
  for (const p of query.where) {
    const condition = predicateSql(p, kind(p.property));
    if (!condition) return null;
    conditions.push(condition);
  }
  const numeric = (name: string) => jsTypes[kind(name)] === 'number';
  const property = ident(query.property);
  if (query.propertyRequired) conditions.push(numeric(query.property) ? sql`isNotNull(${property})` : never);
  let w = sql`1.0`;
  if (query.weight !== undefined) {
    const weight = ident(query.weight);
    w = numeric(query.weight) ? sql`toFloat64(ifNull(${weight}, 0))` : sql`0.0`;
    conditions.push(numeric(query.weight) ? sql`ifNull(${weight} >= 0, 0)` : never);
  }
  return {
    counted: conditions.length ? join(conditions, ' AND ') : always,
    x: numeric(query.property) ? sql`toFloat64(ifNull(${property}, 0))` : sql`0.0`,
    w,
  };
}

const asNumber = (v: unknown): number => Number(v ?? 0);

export async function trendBuckets(
  connection: ClickHouseConnection,
  query: TrendBucketQuery,
): Promise<TrendBuckets | null> {
  const parts = plan(query);
  if (!parts) return null;
  const keyKinds = kindsOf(query.event, query.key);
  const keys = query.key.map((k, i) => sql`, ${ident(k)} AS ${ident(`k${i}`)}`);
  const keyColumns = query.key.map((_, i) => sql`, ${ident(`k${i}`)}`);
  const list = (items: Sql[]) => (items.length ? join(items, '') : sql``);
  const rows = await connection.rows(
    sql`SELECT tenant_id, bucket${list(keyColumns)}, count() AS events,
        countIf(counted) AS n, sumIf(x, counted) AS sx, sumIf(w, counted) AS sw, sumIf(x * w, counted) AS sxw
      FROM (
        SELECT tenant_id, floor(timestamp / ${query.bucketMs}) AS bucket${list(keys)},
          ${parts.counted} AS counted, ${parts.x} AS x, ${parts.w} AS w
        FROM ${lookback(query.event, query.minutes)}
      ) GROUP BY tenant_id, bucket${list(keyColumns)}`,
  );
  const latest = await connection.rows<{ u: string; t: number }>(
    sql`SELECT toString(uuid) AS u, timestamp AS t FROM ${lookback(query.event, query.minutes)}
      ORDER BY timestamp DESC, u DESC LIMIT ${Math.trunc(query.latestIds)}`,
  );
  return {
    rows: rows.map((r): TrendBucketRow => ({
      tenantId: String(r.tenant_id),
      keyValues: keyKinds.map((kind, i) => fromColumn(kind, r[`k${i}`])),
      bucket: asNumber(r.bucket),
      events: asNumber(r.events),
      n: asNumber(r.n),
      sx: asNumber(r.sx),
      sw: asNumber(r.sw),
      sxw: asNumber(r.sxw),
    })),
    latest: latest.map((r) => ({ uuid: r.u, timestamp: asNumber(r.t) })).reverse(),
  };
}
