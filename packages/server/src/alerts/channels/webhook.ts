import type { SafeFetch } from '../../net/safe-fetch.js';
import type { AlertSettings } from '../settings.js';
import type { Notification } from '../types.js';
import { checkHttpAnswer, DeliveryError, type Channel } from './channel.js';
import { signWebhook } from './webhook-signature.js';

/** The JSON body: Standard Webhooks' `{type, timestamp, data}` plus the idempotency key receivers dedupe on. */
export function webhookBody(n: Notification, sentAt: Date): string {
  const common = { idempotency_key: n.idempotency_key, timestamp: sentAt.toISOString() };
  if (n.type === 'report')
    return JSON.stringify({
      type: 'report.sent',
      ...common,
      data: { schedule: n.schedule, period: n.period, scope: n.scope, subject: n.subject, link: n.link },
    });
  if (n.type === 'digest')
    return JSON.stringify({
      type: 'digest.weekly',
      ...common,
      data: { period: n.period, alerts: n.alerts, link: n.link },
    });
  return JSON.stringify({
    type: `alert.${n.transition.kind}`,
    ...common,
    data: { transition: n.transition, alert: n.alert },
  });
}

/**
 * Generic webhook (PULSE_ALERT_WEBHOOK_URL), signed with PULSE_ALERT_WEBHOOK_SECRET: headers webhook-id
 * (the outbox id, the same on every retry), webhook-timestamp (seconds) and webhook-signature.
 */
export function webhookChannel(
  settings: AlertSettings,
  fetch: SafeFetch,
  now: () => number = Date.now,
): Channel {
  const { url, secret } = settings.webhook;
  return {
    kind: 'webhook',
    validateConfig: () => {
      const problems: string[] = [];
      if (url && !/^https?:\/\//.test(url)) problems.push('PULSE_ALERT_WEBHOOK_URL must be an http(s) URL');
      if (url && !secret)
        problems.push('PULSE_ALERT_WEBHOOK_SECRET is not set: webhook bodies go out unsigned');
      return problems;
    },
    targets: () => (url ? [''] : []),
    async send(delivery) {
      if (!url)
        throw new DeliveryError('the alert webhook is not configured (PULSE_ALERT_WEBHOOK_URL)', true);
      const sentAt = new Date(now());
      const body = webhookBody(delivery.payload, sentAt);
      const timestamp = Math.floor(sentAt.getTime() / 1000);
      const response = await fetch({
        url,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(timestamp),
          ...(secret ? { 'webhook-signature': signWebhook(secret, delivery.id, timestamp, body) } : {}),
        },
        body,
      });
      checkHttpAnswer(response, 'the alert webhook');
    },
  };
}
