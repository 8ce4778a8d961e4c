import type { DuckDBConnection } from '@duckdb/node-api';
import type { ContributionFilter, ContributionPage, ContributionRule } from '../contributions.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { eventTables } from './schema.js';
import { empty, ident, isIn, join, readRows, sql, timestamp, type Sql } from './sql.js';
import { toStoredEvent, withSdkProperties } from './stored-event-row.js';

/** The column the amount is read into; removed before the row becomes an event. */
const AMOUNT = 'pulse_contribution_amount';

function amountSql(amount: ContributionRule['amount']): Sql {
  if ('count' in amount) return sql`1`;
  if ('flag' in amount) {
    const flag = ident(amount.flag);
    return sql`CASE WHEN ${flag} THEN 1 WHEN NOT ${flag} THEN 0 END`;
  }
  const value = sql`CAST(${ident(amount.property)} AS DOUBLE)`;
  if (!amount.negate) return value;
  return sql`CASE WHEN ${ident(amount.negate.property)} = ${amount.negate.value} THEN -${value} ELSE ${value} END`;
}

/** The key of `latestPer`: the first property present (`uuid` as text). */
const keySql = (properties: readonly string[]): Sql =>
  sql`coalesce(${join(properties.map((p) => (p === 'uuid' ? sql`CAST(uuid AS VARCHAR)` : ident(p))))})`;

/**
 * The events behind one number with their amounts, newest first, one page. The window and the latest-per-key
 * selection are applied first, the cursor after: every page is cut from the same set.
 */
export async function listContributions(
  reader: DuckDBConnection,
  filter: ContributionFilter,
): Promise<ContributionPage> {
  const { rule } = filter;
  const amount = amountSql(rule.amount);
  const where: Sql[] = [
    filter.tenants === undefined ? sql`tenant_id IS NOT NULL` : isIn(sql`tenant_id`, filter.tenants),
    sql`"timestamp" >= ${timestamp(filter.from)}`,
    sql`"timestamp" < ${timestamp(filter.to)}`,
  ];
  if (rule.match) where.push(isIn(ident(rule.match.property), rule.match.values));
  if (rule.requires) where.push(sql`${ident(rule.requires)} IS NOT NULL`);
  const latest = rule.latestPer
    ? sql` QUALIFY row_number() OVER (PARTITION BY tenant_id, ${keySql(rule.latestPer)}
        ORDER BY "timestamp" DESC, ${amount} ASC NULLS FIRST) = 1`
    : empty;
  const selected = sql`SELECT *, ${amount} AS ${ident(AMOUNT)} FROM ${ident(eventTables[rule.event].table)}
    WHERE ${join(where, ' AND ')}${latest}`;
  const outer: Sql[] = [sql`${ident(AMOUNT)} IS NOT NULL`];
  if (filter.cursor !== undefined) {
    const cursor = decodeCursor(filter.cursor);
    const at = timestamp(cursor.timestamp);
    outer.push(sql`("timestamp" < ${at} OR ("timestamp" = ${at} AND uuid < CAST(${cursor.uuid} AS UUID)))`);
  }
  const rows = await readRows(
    reader,
    withSdkProperties(
      sql`SELECT * FROM (${selected}) WHERE ${join(outer, ' AND ')}
        ORDER BY "timestamp" DESC, uuid DESC LIMIT ${filter.limit + 1}`,
      sql`"timestamp" DESC, uuid DESC`,
    ),
  );
  const contributions = rows.slice(0, filter.limit).map(({ [AMOUNT]: value, ...row }) => ({
    event: toStoredEvent(row),
    amount: Number(value),
  }));
  const last = contributions.at(-1)?.event;
  return {
    contributions,
    nextCursor: rows.length > filter.limit && last ? encodeCursor(last.timestamp, last.uuid) : null,
  };
}
