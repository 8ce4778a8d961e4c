import { isoOrNull, iso } from './format.js';
import type { Alert, AlertView, Transition } from './types.js';

/** The link to an alert in the dashboard, when a public URL is configured. */
export const alertLink = (publicUrl: string | null, id: string): string | null =>
  publicUrl ? `${publicUrl}/alerts/${encodeURIComponent(id)}` : null;

/** An alert as the API, the CLI and notifications show it (snake_case JSON, ISO times). */
export function toAlertView(alert: Alert, publicUrl: string | null): AlertView {
  return {
    id: alert.id,
    rule: alert.ruleId,
    rule_name: alert.ruleName,
    severity: alert.severity,
    tenant_id: alert.tenantId,
    key: alert.keyParts,
    state: alert.state,
    title: alert.title,
    summary: alert.summary,
    amount: alert.amount,
    value: alert.value,
    count: alert.count,
    event_uuids: alert.eventUuids,
    first_seen: iso(alert.firstSeen),
    last_seen: iso(alert.lastSeen),
    last_event_at: isoOrNull(alert.lastEventAt),
    acknowledged_by: alert.acknowledgedBy,
    acknowledged_at: isoOrNull(alert.acknowledgedAt),
    ack_comment: alert.ackComment,
    resolved_by: alert.resolvedBy,
    resolved_at: isoOrNull(alert.resolvedAt),
    resolve_comment: alert.resolveComment,
    resolution: alert.resolution,
    link: alertLink(publicUrl, alert.id),
  };
}

export function toTransitionView(t: Transition) {
  return { id: t.id, kind: t.kind, at: iso(t.at), actor: t.actor, comment: t.comment, backfill: t.backfill };
}
