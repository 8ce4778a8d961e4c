import type { Silence } from '../../alerts/silences.js';
import type { Alert, Delivery, DurableChannelKind, Notification, Transition } from '../../alerts/types.js';
import { DELIVERY_LEASE_MS } from '../alert-store.js';

/* Alert-store values as PostgreSQL rows and back (BIGINT epoch ms and NUMERIC arrive as numbers). */

export type Row = Record<string, unknown>;

const finiteOrNull = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);
const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const numberOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** An alert as a JSON object keyed by column: a batch goes in as one jsonb parameter. */
export const alertDoc = (a: Alert): Row => ({
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

/** The columns of `alerts` a snapshot replaces (all but its id). */
export const alertColumns = Object.keys(alertDoc({} as Alert)).filter((c) => c !== 'id');

export const toAlert = (r: Row): Alert => ({
  id: String(r.id),
  ruleId: String(r.rule_id),
  ruleName: String(r.rule_name),
  severity: r.severity as Alert['severity'],
  outlook: r.outlook as Alert['outlook'],
  tenantId: String(r.tenant_id),
  dedupKey: String(r.dedup_key),
  keyParts: r.key_parts as Record<string, string>,
  state: r.state as Alert['state'],
  title: String(r.title),
  summary: String(r.summary),
  amount: numberOrNull(r.amount),
  value: numberOrNull(r.value),
  eventUuids: r.event_uuids as string[],
  count: Number(r.count),
  firstSeen: Number(r.first_seen),
  lastSeen: Number(r.last_seen),
  lastEventAt: numberOrNull(r.last_event_at),
  acknowledgedBy: textOrNull(r.acknowledged_by),
  acknowledgedAt: numberOrNull(r.acknowledged_at),
  ackComment: textOrNull(r.ack_comment),
  resolvedBy: textOrNull(r.resolved_by),
  resolvedAt: numberOrNull(r.resolved_at),
  resolveComment: textOrNull(r.resolve_comment),
  resolution: (r.resolution ?? null) as Alert['resolution'],
  backfill: Boolean(r.backfill),
  updatedAt: Number(r.updated_at),
});

export const transitionDoc = (t: Transition): Row => ({
  id: t.id,
  alert_id: t.alertId,
  kind: t.kind,
  occurred_at: t.at,
  actor: t.actor,
  comment: t.comment,
  backfill: t.backfill,
});

export const toTransition = (r: Row): Transition => ({
  id: String(r.id),
  alertId: String(r.alert_id),
  kind: r.kind as Transition['kind'],
  at: Number(r.occurred_at),
  actor: String(r.actor),
  comment: textOrNull(r.comment),
  backfill: Boolean(r.backfill),
});

/** A new outbox row: held by the process writing it, which sends it at once. */
export const deliveryDoc = (d: Delivery): Row => ({
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

export const toDelivery = (r: Row): Delivery => ({
  id: String(r.id),
  alertId: textOrNull(r.alert_id),
  transitionId: textOrNull(r.transition_id),
  channel: r.channel as DurableChannelKind,
  target: String(r.target),
  payload: r.payload as Notification,
  status: r.status as Delivery['status'],
  attempts: Number(r.attempts),
  nextAttemptAt: Number(r.next_attempt_at),
  lastError: textOrNull(r.last_error),
  createdAt: Number(r.created_at),
  sentAt: numberOrNull(r.sent_at),
});

export const silenceDoc = (s: Silence): Row => ({
  id: s.id,
  kind: s.kind,
  alert_id: s.alertId,
  tenant_id: s.tenantId,
  rule_id: s.ruleId,
  until: s.until,
  comment: s.comment,
  created_by: s.createdBy,
  created_at: s.createdAt,
  cancelled_by: s.cancelledBy,
  cancelled_at: s.cancelledAt,
});

export const toSilence = (r: Row): Silence => ({
  id: String(r.id),
  kind: r.kind === 'mute' ? 'mute' : 'snooze',
  alertId: textOrNull(r.alert_id),
  tenantId: String(r.tenant_id),
  ruleId: String(r.rule_id),
  until: Number(r.until),
  comment: textOrNull(r.comment),
  createdBy: String(r.created_by),
  createdAt: Number(r.created_at),
  cancelledBy: textOrNull(r.cancelled_by),
  cancelledAt: numberOrNull(r.cancelled_at),
});
