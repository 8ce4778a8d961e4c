import type { Silence, SilencedSet } from '../../alerts/silences.js';
import type { AlertFilter, AlertGroupQuery, SilenceFilter } from '../alert-store.js';
import { literal } from '../../sql.js';
import { isIn, join, sql, timestamp as time, type Sql } from './sql.js';

/** Snoozes and mutes: rewritten whole by id (delete + insert) when cancelled. */
export const silenceTableSql = `CREATE TABLE IF NOT EXISTS alert_silences (id VARCHAR NOT NULL, kind VARCHAR NOT NULL,
  alert_id VARCHAR, tenant_id VARCHAR NOT NULL, rule_id VARCHAR NOT NULL, until TIMESTAMP NOT NULL, comment VARCHAR,
  created_by VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, cancelled_by VARCHAR, cancelled_at TIMESTAMP)`;

function coveredBy(set: SilencedSet): Sql {
  const parts = set.tenantRules.map((p) => sql`(tenant_id = ${p.tenantId} AND rule_id = ${p.ruleId})`);
  if (set.alertIds.length) parts.push(isIn(sql`id`, set.alertIds));
  return parts.length ? sql`(${join(parts, ' OR ')})` : sql`FALSE`;
}

/** The WHERE of an alert filter (without its page position). */
export function alertWhere(filter: Omit<AlertFilter, 'after' | 'limit'>): Sql {
  const where = [sql`TRUE`];
  if (filter.ids) where.push(isIn(sql`id`, filter.ids));
  if (filter.states) where.push(isIn(sql`state`, filter.states));
  if (filter.severities) where.push(isIn(sql`severity`, filter.severities));
  if (filter.tenants) where.push(isIn(sql`tenant_id`, filter.tenants));
  if (filter.rules) where.push(isIn(sql`rule_id`, filter.rules));
  if (filter.outlooks) where.push(isIn(sql`coalesce(outlook, 'risk')`, filter.outlooks));
  if (filter.silenced)
    where.push(
      filter.silenced.mode === 'only'
        ? coveredBy(filter.silenced.set)
        : sql`NOT ${coveredBy(filter.silenced.set)}`,
    );
  if (filter.from !== undefined) where.push(sql`last_seen >= ${time(filter.from)}`);
  if (filter.to !== undefined) where.push(sql`first_seen < ${time(filter.to)}`);
  return join(where, ' AND ');
}

/** After a row in the order last seen descending, then the given keys ascending. */
function after(lastSeen: Sql, at: number, keys: [Sql, string][]): Sql {
  let tail: Sql = sql`FALSE`;
  for (const [column, value] of [...keys].reverse())
    tail = sql`(${column} > ${value} OR (${column} = ${value} AND ${tail}))`;
  return sql`(${lastSeen} < ${time(at)} OR (${lastSeen} = ${time(at)} AND ${tail}))`;
}

export function alertPageSql(select: Sql, filter: AlertFilter): Sql {
  const page = filter.after
    ? sql` AND ${after(sql`last_seen`, filter.after.lastSeen, [[sql`id`, filter.after.id]])}`
    : sql``;
  return sql`SELECT ${select} FROM alerts_current WHERE ${alertWhere(filter)}${page}
      ORDER BY last_seen DESC, id LIMIT ${Math.trunc(filter.limit)}`;
}

/** One row per tenant + rule, with its counts and the occurrences per sparkline slice. */
export function alertGroupsSql(query: AlertGroupQuery): Sql {
  const { from, to, count } = query.slices;
  // A time at or past `to` (a sender's clock ahead of ours) counts in the last slice.
  const slice = sql`least(CAST(floor((epoch_ms(coalesce(last_event_at, last_seen)) - ${literal(from)}) * ${literal(count)} / ${literal(Math.max(1, to - from))}) AS INTEGER), ${literal(count - 1)})`;
  const page = query.after
    ? sql`WHERE ${after(sql`last_seen`, query.after.lastSeen, [
        [sql`tenant_id`, query.after.tenantId],
        [sql`rule_id`, query.after.ruleId],
      ])}`
    : sql``;
  return sql`WITH matched AS (SELECT *, ${slice} AS slice FROM alerts_current WHERE ${alertWhere(query.filter)}),
    grouped AS (
      SELECT tenant_id, rule_id, arg_max(rule_name, last_seen) AS rule_name,
        min(CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END) AS severity_rank,
        arg_max(coalesce(outlook, 'risk'), last_seen) AS outlook, arg_max(title, last_seen) AS title,
        arg_max(id, last_seen) AS latest_id,
        count(*) AS alerts, sum(count) AS occurrences, count_if(state = 'open') AS open,
        count_if(state = 'acknowledged') AS acknowledged, count_if(state = 'resolved') AS resolved,
        sum(amount) AS amount, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
        list([slice, CAST(count AS INTEGER)]) FILTER (WHERE slice >= 0) AS slices
      FROM matched GROUP BY tenant_id, rule_id)
    SELECT tenant_id, rule_id, rule_name, severity_rank, outlook, title, latest_id, alerts, occurrences, open, acknowledged,
      resolved, amount, epoch_ms(first_seen) AS first_seen, epoch_ms(last_seen) AS last_seen, slices
    FROM grouped ${page} ORDER BY grouped.last_seen DESC, tenant_id, rule_id LIMIT ${Math.trunc(query.filter.limit)}`;
}

const silenceSelect = sql`id, kind, alert_id, tenant_id, rule_id, epoch_ms(until) AS until, comment, created_by,
  epoch_ms(created_at) AS created_at, cancelled_by, epoch_ms(cancelled_at) AS cancelled_at`;

export function silencesSql(filter: SilenceFilter): Sql {
  const where = [sql`TRUE`];
  if (filter.id !== undefined) where.push(sql`id = ${filter.id}`);
  if (filter.kinds) where.push(isIn(sql`kind`, filter.kinds));
  if (filter.tenants) where.push(isIn(sql`tenant_id`, filter.tenants));
  if (filter.holdingAt !== undefined)
    where.push(sql`cancelled_at IS NULL AND until > ${time(filter.holdingAt)}`);
  return sql`SELECT ${silenceSelect} FROM alert_silences WHERE ${join(where, ' AND ')}
    ORDER BY created_at DESC, id LIMIT ${Math.trunc(filter.limit)}`;
}

export function writeSilencesSql(rows: readonly Silence[]): Sql[] {
  if (!rows.length) return [];
  return [
    sql`DELETE FROM alert_silences WHERE ${isIn(
      sql`id`,
      rows.map((s) => s.id),
    )}`,
    sql`INSERT INTO alert_silences VALUES ${join(
      rows.map(
        (s) =>
          sql`(${s.id}, ${s.kind}, ${s.alertId}, ${s.tenantId}, ${s.ruleId}, ${time(s.until)}, ${s.comment},
            ${s.createdBy}, ${time(s.createdAt)}, ${s.cancelledBy}, ${time(s.cancelledAt)})`,
      ),
    )}`,
  ];
}
