import type { Silence } from '../alerts/silences.js';
import type { Alert, Delivery, DurableChannelKind, Notification, Transition } from '../alerts/types.js';
import { DELIVERY_LEASE_MS, type AlertGroupRow } from './alert-store.js';

/* Alert-store values as rows keyed by column name and back, for every engine. An engine passes a
   ColumnValues saying how its driver hands back JSON and text columns; times arrive as epoch ms. */

export type Row = Record<string, unknown>;

export interface ColumnValues {
  /** A JSON column's value as the object it holds. */
  json(value: unknown): unknown;
  /** A nullable text column's value. */
  text(value: unknown): string | null;
}

const finiteOrNull = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);
export const numberOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export const alertColumns = (a: Alert): Row => ({
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
  amount: finiteOrNull(a.amount),
  value: finiteOrNull(a.value),
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

export const alertFromColumns =
  (values: ColumnValues) =>
  (r: Row): Alert => ({
    id: String(r.id),
    ruleId: String(r.rule_id),
    ruleName: String(r.rule_name),
    severity: r.severity as Alert['severity'],
    // Alerts stored before outlooks existed are risks unless the rule migration classified them.
    outlook: (r.outlook ?? 'risk') as Alert['outlook'],
    tenantId: String(r.tenant_id),
    dedupKey: String(r.dedup_key),
    keyParts: values.json(r.key_parts) as Record<string, string>,
    state: r.state as Alert['state'],
    title: String(r.title),
    summary: String(r.summary),
    amount: numberOrNull(r.amount),
    value: numberOrNull(r.value),
    eventUuids: values.json(r.event_uuids) as string[],
    count: Number(r.count),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    lastEventAt: numberOrNull(r.last_event_at),
    acknowledgedBy: values.text(r.acknowledged_by),
    acknowledgedAt: numberOrNull(r.acknowledged_at),
    ackComment: values.text(r.ack_comment),
    resolvedBy: values.text(r.resolved_by),
    resolvedAt: numberOrNull(r.resolved_at),
    resolveComment: values.text(r.resolve_comment),
    resolution: (r.resolution ?? null) as Alert['resolution'],
    backfill: Boolean(r.backfill),
    updatedAt: Number(r.updated_at),
  });

export const transitionColumns = (t: Transition): Row => ({
  id: t.id,
  alert_id: t.alertId,
  kind: t.kind,
  occurred_at: t.at,
  actor: t.actor,
  comment: t.comment,
  backfill: t.backfill,
});

/** A new outbox row: held by the process writing it, which sends it at once. */
export const deliveryColumns = (d: Delivery): Row => ({
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

export const deliveryFromColumns =
  (values: ColumnValues) =>
  (r: Row): Delivery => ({
    id: String(r.id),
    alertId: values.text(r.alert_id),
    transitionId: values.text(r.transition_id),
    channel: r.channel as DurableChannelKind,
    target: String(r.target),
    payload: values.json(r.payload) as Notification,
    status: r.status as Delivery['status'],
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: values.text(r.last_error),
    createdAt: Number(r.created_at),
    sentAt: numberOrNull(r.sent_at),
  });

export const silenceFromColumns =
  (values: ColumnValues) =>
  (r: Row): Silence => ({
    id: String(r.id),
    kind: r.kind === 'mute' ? 'mute' : 'snooze',
    alertId: values.text(r.alert_id),
    tenantId: String(r.tenant_id),
    ruleId: String(r.rule_id),
    until: Number(r.until),
    comment: values.text(r.comment),
    createdBy: String(r.created_by),
    createdAt: Number(r.created_at),
    cancelledBy: values.text(r.cancelled_by),
    cancelledAt: numberOrNull(r.cancelled_at),
  });

const severityByRank = ['critical', 'high', 'medium'] as const;

/** A row of an inbox group query; `slices` holds [slice, count] pairs. */
export function groupFromColumns(r: Row, sliceCount: number): AlertGroupRow {
  const counts = new Array<number>(sliceCount).fill(0);
  for (const [slice, n] of (r.slices ?? []) as [number, number][]) counts[slice] = (counts[slice] ?? 0) + n;
  return {
    tenantId: String(r.tenant_id),
    ruleId: String(r.rule_id),
    ruleName: String(r.rule_name),
    severity: severityByRank[Number(r.severity_rank)] ?? 'medium',
    outlook: r.outlook === 'opportunity' ? 'opportunity' : 'risk',
    title: String(r.title),
    latestId: String(r.latest_id),
    alerts: Number(r.alerts),
    occurrences: Number(r.occurrences),
    open: Number(r.open),
    acknowledged: Number(r.acknowledged),
    resolved: Number(r.resolved),
    amount: numberOrNull(r.amount),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    counts,
  };
}
