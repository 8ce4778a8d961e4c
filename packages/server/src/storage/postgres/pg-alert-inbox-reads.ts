import type { SilencedSet } from '../../alerts/silences.js';
import { ident, isIn, join, sql, type Sql } from '../../sql.js';
import type { AlertFilter, AlertGroupQuery, SilenceFilter } from '../alert-store.js';

/* The inbox's reads of alerts and silences on PostgreSQL. Ids sort bytewise (COLLATE "C"), as DuckDB sorts them. */

export const alertSelect = sql`id, rule_id, rule_name, severity, tenant_id, dedup_key, key_parts, state, title,
  summary, amount, value, event_uuids, count, first_seen, last_seen, last_event_at, acknowledged_by, acknowledged_at,
  ack_comment, resolved_by, resolved_at, resolve_comment, resolution, backfill, updated_at, outlook`;

function coveredBy(set: SilencedSet): Sql {
  const parts = set.tenantRules.map((p) => sql`(tenant_id = ${p.tenantId} AND rule_id = ${p.ruleId})`);
  if (set.alertIds.length) parts.push(isIn(sql`id`, set.alertIds));
  return parts.length ? sql`(${join(parts, ' OR ')})` : sql`FALSE`;
}

function alertWhere(filter: Omit<AlertFilter, 'after' | 'limit'>): Sql {
  const where = [sql`TRUE`];
  if (filter.ids) where.push(isIn(sql`id`, filter.ids));
  if (filter.states) where.push(isIn(sql`state`, filter.states));
  if (filter.severities) where.push(isIn(sql`severity`, filter.severities));
  if (filter.tenants) where.push(isIn(sql`tenant_id`, filter.tenants));
  if (filter.rules) where.push(isIn(sql`rule_id`, filter.rules));
  if (filter.outlooks) where.push(isIn(sql`outlook`, filter.outlooks));
  if (filter.silenced)
    where.push(
      filter.silenced.mode === 'only'
        ? coveredBy(filter.silenced.set)
        : sql`NOT ${coveredBy(filter.silenced.set)}`,
    );
  if (filter.from !== undefined) where.push(sql`last_seen >= ${filter.from}`);
  if (filter.to !== undefined) where.push(sql`first_seen < ${filter.to}`);
  return join(where, ' AND ');
}

/** After a row in the order last seen descending, then the given keys ascending. */
function after(lastSeen: Sql, at: number, keys: [Sql, string][]): Sql {
  let tail: Sql = sql`FALSE`;
  for (const [column, value] of [...keys].reverse())
    tail = sql`(${column} COLLATE "C" > ${value} OR (${column} = ${value} AND ${tail}))`;
  return sql`(${lastSeen} < ${at} OR (${lastSeen} = ${at} AND ${tail}))`;
}

export function alertPageSql(filter: AlertFilter): Sql {
  const page = filter.after
    ? sql` AND ${after(sql`last_seen`, filter.after.lastSeen, [[sql`id`, filter.after.id]])}`
    : sql``;
  return sql`SELECT ${alertSelect} FROM alerts WHERE ${alertWhere(filter)}${page}
    ORDER BY last_seen DESC, id COLLATE "C" LIMIT ${Math.trunc(filter.limit)}`;
}

/** One row per tenant + rule, with its counts and the occurrences per sparkline slice. */
export function alertGroupsSql(query: AlertGroupQuery): Sql {
  const { from, to, count } = query.slices;
  // A time at or past `to` (a sender's clock ahead of ours) counts in the last slice; before `from`, in none.
  const slice = sql`least(floor((coalesce(last_event_at, last_seen) - ${from})::float8 * ${count}
    / ${Math.max(1, to - from)})::int, ${count - 1})`;
  const newest = (column: string) =>
    sql`(array_agg(${ident(column)} ORDER BY last_seen DESC, id COLLATE "C" DESC))[1]`;
  const page = query.after
    ? sql`WHERE ${after(sql`last_seen`, query.after.lastSeen, [
        [sql`tenant_id`, query.after.tenantId],
        [sql`rule_id`, query.after.ruleId],
      ])}`
    : sql``;
  return sql`WITH matched AS (SELECT *, ${slice} AS slice FROM alerts WHERE ${alertWhere(query.filter)}),
    grouped AS (
      SELECT tenant_id, rule_id, ${newest('rule_name')} AS rule_name,
        min(CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END) AS severity_rank,
        ${newest('outlook')} AS outlook, ${newest('title')} AS title, ${newest('id')} AS latest_id,
        count(*) AS alerts, sum(count) AS occurrences, count(*) FILTER (WHERE state = 'open') AS open,
        count(*) FILTER (WHERE state = 'acknowledged') AS acknowledged,
        count(*) FILTER (WHERE state = 'resolved') AS resolved,
        sum(amount) AS amount, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
        jsonb_agg(jsonb_build_array(slice, count)) FILTER (WHERE slice >= 0) AS slices
      FROM matched GROUP BY tenant_id, rule_id)
    SELECT * FROM grouped ${page}
    ORDER BY last_seen DESC, tenant_id COLLATE "C", rule_id COLLATE "C" LIMIT ${Math.trunc(query.filter.limit)}`;
}

export function silencesSql(filter: SilenceFilter): Sql {
  const where = [sql`TRUE`];
  if (filter.id !== undefined) where.push(sql`id = ${filter.id}`);
  if (filter.kinds) where.push(isIn(sql`kind`, filter.kinds));
  if (filter.tenants) where.push(isIn(sql`tenant_id`, filter.tenants));
  if (filter.holdingAt !== undefined) where.push(sql`cancelled_at IS NULL AND until > ${filter.holdingAt}`);
  return sql`SELECT * FROM alert_silences WHERE ${join(where, ' AND ')}
    ORDER BY created_at DESC, id COLLATE "C" LIMIT ${Math.trunc(filter.limit)}`;
}
