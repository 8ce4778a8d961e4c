import type { Alert, Delivery, DurableChannelKind, Notification, Transition } from '../../alerts/types.js';
import type { SqlValue } from '../../sql.js';
import { DELIVERY_LEASE_MS } from '../alert-store.js';
import type { TableColumn } from './alert-tables.js';
import { join, sql, timestamp as time, type Sql } from './sql.js';
import { msOrNull as ms } from './sql-values.js';

export type Row = Record<string, unknown>;

export const num = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);
export const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : v === null || v === undefined ? null : JSON.stringify(v);

/** DuckDB values as the JSON-ish values events carry: BIGINT → number, TIMESTAMP → ISO string. */
export function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** A row value as a bound parameter (times are epoch ms). */
export function bound(value: unknown, type: string): Sql | SqlValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'JSON':
      return JSON.stringify(value);
    case 'TIMESTAMP':
      return time(value as number);
    case 'DOUBLE':
    case 'BIGINT':
    case 'INTEGER':
      return num(value as number);
    case 'BOOLEAN':
      return Boolean(value);
    default:
      return value as string;
  }
}

/** A VALUES row of `columns`. */
export const valuesRow = (columns: readonly TableColumn[], row: Row): Sql =>
  sql`(${join(columns.map((col) => bound(row[col.name], col.type)))})`;

export const alertSelect = sql`id, rule_id, rule_name, severity, tenant_id, dedup_key, key_parts, state, title, summary,
  amount, value, event_uuids, count, epoch_ms(first_seen) AS first_seen, epoch_ms(last_seen) AS last_seen,
  epoch_ms(last_event_at) AS last_event_at, acknowledged_by, epoch_ms(acknowledged_at) AS acknowledged_at,
  ack_comment, resolved_by, epoch_ms(resolved_at) AS resolved_at, resolve_comment, resolution, backfill,
  epoch_ms(updated_at) AS updated_at, outlook`;

export const alertRow = (a: Alert): Row => ({
  id: a.id,
  rule_id: a.ruleId,
  rule_name: a.ruleName,
  severity: a.severity,
  tenant_id: a.tenantId,
  dedup_key: a.dedupKey,
  key_parts: a.keyParts,
  state: a.state,
  title: a.title,
  summary: a.summary,
  amount: a.amount,
  value: a.value,
  event_uuids: a.eventUuids,
  count: a.count,
  first_seen: a.firstSeen,
  last_seen: a.lastSeen,
  last_event_at: a.lastEventAt,
  acknowledged_by: a.acknowledgedBy,
  acknowledged_at: a.acknowledgedAt,
  ack_comment: a.ackComment,
  resolved_by: a.resolvedBy,
  resolved_at: a.resolvedAt,
  resolve_comment: a.resolveComment,
  resolution: a.resolution,
  backfill: a.backfill,
  updated_at: a.updatedAt,
  outlook: a.outlook,
});

export function toAlert(r: Row): Alert {
  return {
    id: String(r.id),
    ruleId: String(r.rule_id),
    ruleName: String(r.rule_name),
    severity: r.severity as Alert['severity'],
    // Alerts stored before outlooks existed are risks unless the rule migration classified them.
    outlook: (r.outlook ?? 'risk') as Alert['outlook'],
    tenantId: String(r.tenant_id),
    dedupKey: String(r.dedup_key),
    keyParts: JSON.parse(String(r.key_parts)) as Record<string, string>,
    state: r.state as Alert['state'],
    title: String(r.title),
    summary: String(r.summary),
    amount: r.amount === null ? null : Number(r.amount),
    value: r.value === null ? null : Number(r.value),
    eventUuids: JSON.parse(String(r.event_uuids)) as string[],
    count: Number(r.count),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    lastEventAt: ms(r.last_event_at),
    acknowledgedBy: str(r.acknowledged_by),
    acknowledgedAt: ms(r.acknowledged_at),
    ackComment: str(r.ack_comment),
    resolvedBy: str(r.resolved_by),
    resolvedAt: ms(r.resolved_at),
    resolveComment: str(r.resolve_comment),
    resolution: (r.resolution ?? null) as Alert['resolution'],
    backfill: Boolean(r.backfill),
    updatedAt: Number(r.updated_at),
  };
}

export const transitionRow = (t: Transition): Row => ({
  id: t.id,
  alert_id: t.alertId,
  kind: t.kind,
  occurred_at: t.at,
  actor: t.actor,
  comment: t.comment,
  backfill: t.backfill,
});

export const deliverySelect = sql`id, alert_id, transition_id, channel, target, payload, status, attempts,
  epoch_ms(next_attempt_at) AS next_attempt_at, last_error, epoch_ms(created_at) AS created_at,
  epoch_ms(sent_at) AS sent_at`;

export const deliveryRow = (d: Delivery): Row => ({
  id: d.id,
  alert_id: d.alertId,
  transition_id: d.transitionId,
  channel: d.channel,
  target: d.target,
  payload: d.payload,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: d.nextAttemptAt,
  last_error: d.lastError,
  created_at: d.createdAt,
  sent_at: d.sentAt,
  claimed_until: d.nextAttemptAt + DELIVERY_LEASE_MS,
});

export function toDelivery(r: Row): Delivery {
  return {
    id: String(r.id),
    alertId: str(r.alert_id),
    transitionId: str(r.transition_id),
    channel: r.channel as DurableChannelKind,
    target: String(r.target),
    payload: JSON.parse(String(r.payload)) as Notification,
    status: r.status as Delivery['status'],
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: str(r.last_error),
    createdAt: Number(r.created_at),
    sentAt: ms(r.sent_at),
  };
}
