import type { AlertView as ApiAlertView } from '@pulse/api';
import { isoOrNull, iso } from './format.js';
import type { Alert, AlertView, Transition } from './types.js';

/** The link to an alert in the dashboard, when a public URL is configured. */
export const alertLink = (publicUrl: string | null, id: string): string | null =>
  publicUrl ? `${publicUrl}/alerts/${encodeURIComponent(id)}` : null;

/** An alert as notifications (Slack, email, webhooks) carry it: snake_case JSON, ISO times. */
export function toAlertView(alert: Alert, publicUrl: string | null): AlertView {
  return {
    id: alert.id,
    rule: alert.ruleId,
    rule_name: alert.ruleName,
    severity: alert.severity,
    outlook: alert.outlook,
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

/** An alert as the JSON API and the live socket show it (camelCase, ISO times). */
export const toApiAlert = (alert: Alert, publicUrl: string | null): ApiAlertView =>
  apiAlertOf(toAlertView(alert, publicUrl));

/** A notification's alert view in the API's casing (the live socket relays notifications). */
export function apiAlertOf(view: AlertView): ApiAlertView {
  return {
    id: view.id,
    rule: view.rule,
    ruleName: view.rule_name,
    severity: view.severity,
    // Notifications journaled before outlooks existed lack one.
    outlook: view.outlook ?? 'risk',
    tenantId: view.tenant_id,
    key: view.key,
    state: view.state,
    title: view.title,
    summary: view.summary,
    amount: view.amount,
    value: view.value,
    count: view.count,
    eventUuids: view.event_uuids,
    firstSeen: view.first_seen,
    lastSeen: view.last_seen,
    lastEventAt: view.last_event_at,
    acknowledgedBy: view.acknowledged_by,
    acknowledgedAt: view.acknowledged_at,
    ackComment: view.ack_comment,
    resolvedBy: view.resolved_by,
    resolvedAt: view.resolved_at,
    resolveComment: view.resolve_comment,
    resolution: view.resolution,
    link: view.link,
  };
}

export function toTransitionView(t: Transition) {
  return { id: t.id, kind: t.kind, at: iso(t.at), actor: t.actor, comment: t.comment, backfill: t.backfill };
}
