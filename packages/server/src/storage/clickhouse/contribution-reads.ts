import type { ContributionFilter, ContributionPage, ContributionRule } from '../contributions.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { empty, ident, join, sql, type Sql } from '../../sql.js';
import { beforeCursor, eventColumns, isIn, newestFirst } from './clauses.js';
import type { ClickHouseConnection } from './connection.js';
import { EVENTS_TABLE } from './schema.js';
import { toStoredEvent } from './rows.js';

/** The column the amount is read into; removed before the row becomes an event. */
const AMOUNT = 'pulse_contribution_amount';
const KEY = 'pulse_contribution_key';

function amountSql(amount: ContributionRule['amount']): Sql {
  if ('count' in amount) return sql`toFloat64(1)`;
  if ('flag' in amount) return sql`CAST(${ident(amount.flag)} AS Nullable(Float64))`;
  const value = sql`CAST(${ident(amount.property)} AS Nullable(Float64))`;
  if (!amount.negate) return value;
  return sql`if(${ident(amount.negate.property)} = ${amount.negate.value}, -${value}, ${value})`;
}

/** The key of `latestPer`: the first property present (`uuid` as text). */
const keySql = (properties: readonly string[]): Sql =>
  sql`coalesce(${join(properties.map((p) => (p === 'uuid' ? sql`toString(uuid)` : ident(p))))})`;

/**
 * The events behind one number with their amounts, newest first, one page. The window and the latest-per-key
 * selection (LIMIT 1 BY: 18.16 has no window functions) come first, the cursor after: every page is cut
 * from the same set.
 */
export async function listContributions(
  connection: ClickHouseConnection,
  filter: ContributionFilter,
): Promise<ContributionPage> {
  const { rule } = filter;
  const amount = amountSql(rule.amount);
  const where: Sql[] = [
    sql`has_tenant = 1`,
    filter.tenants === undefined ? sql`1` : isIn(sql`tenant_id`, filter.tenants),
    sql`event = ${rule.event}`,
    sql`timestamp >= ${filter.from}`,
    sql`timestamp < ${filter.to}`,
  ];
  if (rule.match) where.push(isIn(ident(rule.match.property), rule.match.values));
  if (rule.requires) where.push(sql`isNotNull(${ident(rule.requires)})`);
  const latest = rule.latestPer
    ? sql` ORDER BY timestamp DESC, ${ident(AMOUNT)} ASC NULLS FIRST LIMIT 1 BY tenant_id, ${ident(KEY)}`
    : empty;
  const key = rule.latestPer ? sql`, ${keySql(rule.latestPer)} AS ${ident(KEY)}` : empty;
  const selected = sql`SELECT ${eventColumns}, ${amount} AS ${ident(AMOUNT)}${key}
    FROM ${ident(EVENTS_TABLE)} FINAL WHERE ${join(where, ' AND ')}${latest}`;
  const outer: Sql[] = [sql`isNotNull(${ident(AMOUNT)})`];
  if (filter.cursor !== undefined) outer.push(beforeCursor(decodeCursor(filter.cursor)));
  const rows = await connection.rows(
    sql`SELECT * FROM (${selected}) WHERE ${join(outer, ' AND ')} ${newestFirst} LIMIT ${filter.limit + 1}`,
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
