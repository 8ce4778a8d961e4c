import type { ChannelRegistry } from './channels/index.js';
import { toAlertView } from './present.js';
import type { AlertSettings } from './settings.js';
import { iso } from './format.js';
import type {
  Alert,
  Delivery,
  DurableChannelKind,
  Notification,
  Severity,
  Transition,
  TransitionKind,
} from './types.js';

/**
 * Which push channels a transition goes to: critical → every critical channel at once; high →
 * the channels for high; medium → none (the weekly digest). A resolve is announced where the alert was
 * (not by email: nobody needs a second mail to learn a thing is fine); an acknowledgement only reaches
 * machines (the webhook). Backfilled transitions are recorded and shown, never pushed.
 */
export function pushChannelsFor(
  severity: Severity,
  kind: TransitionKind,
  routes: AlertSettings['routes'],
): DurableChannelKind[] {
  if (severity === 'medium') return [];
  const tier = routes[severity];
  switch (kind) {
    case 'opened':
    case 'refired':
      return tier;
    case 'resolved':
      return tier.filter((c) => c !== 'email');
    case 'acknowledged':
      return tier.filter((c) => c === 'webhook');
  }
}

export function alertNotification(
  alert: Alert,
  transition: Transition,
  idempotencyKey: string,
  publicUrl: string | null,
): Extract<Notification, { type: 'alert' }> {
  return {
    type: 'alert',
    idempotency_key: idempotencyKey,
    transition: {
      id: transition.id,
      kind: transition.kind,
      at: iso(transition.at),
      actor: transition.actor,
      comment: transition.comment,
    },
    alert: toAlertView(alert, publicUrl),
  };
}

/** The outbox rows of one transition: one per channel target, id = transition id + channel (+ recipient). */
export function deliveriesFor(
  alert: Alert,
  transition: Transition,
  settings: AlertSettings,
  channels: ChannelRegistry,
): Delivery[] {
  // Opportunities (good news) are never pushed, whatever severity an alert stored earlier carries.
  if (transition.backfill || alert.outlook === 'opportunity') return [];
  const rows: Delivery[] = [];
  for (const channel of pushChannelsFor(alert.severity, transition.kind, settings.routes)) {
    for (const target of channels[channel].targets()) {
      const id = target ? `${transition.id}.${channel}.${target}` : `${transition.id}.${channel}`;
      rows.push({
        id,
        alertId: alert.id,
        transitionId: transition.id,
        channel,
        target,
        payload: alertNotification(alert, transition, id, settings.publicUrl),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: transition.at,
        lastError: null,
        createdAt: transition.at,
        sentAt: null,
      });
    }
  }
  return rows;
}
