import { randomUUID } from 'node:crypto';
import type { Silence } from '../../src/alerts/silences.js';
import type { Alert, Delivery, Transition } from '../../src/alerts/types.js';

/* Alerts, transitions, outbox rows and silences as the engine writes them, for the alert store tests. */

export const T0 = Date.parse('2026-03-10T12:00:00Z');

export const alert = (over: Partial<Alert> = {}): Alert => ({
  id: randomUUID(),
  ruleId: 'revenue-loss-critical',
  ruleName: 'Negative revenue impact over $10,000',
  severity: 'critical',
  outlook: 'risk',
  tenantId: 'acme',
  dedupKey: 'revenue-loss-critical|acme|event_type=churn',
  keyParts: { event_type: 'churn' },
  state: 'open',
  title: "O'Brien's churn — $12,500",
  summary: 'impact_amount 12,500 > 10,000',
  amount: 12_500,
  value: null,
  eventUuids: ['e-1'],
  count: 1,
  firstSeen: T0,
  lastSeen: T0,
  lastEventAt: T0 - 1000,
  acknowledgedBy: null,
  acknowledgedAt: null,
  ackComment: null,
  resolvedBy: null,
  resolvedAt: null,
  resolveComment: null,
  resolution: null,
  backfill: false,
  updatedAt: T0,
  ...over,
});

export const transition = (a: Alert, over: Partial<Transition> = {}): Transition => ({
  id: randomUUID(),
  alertId: a.id,
  kind: 'opened',
  at: T0,
  actor: 'pulse',
  comment: null,
  backfill: false,
  ...over,
});

export const delivery = (a: Alert, t: Transition, channel: Delivery['channel'] = 'webhook'): Delivery => ({
  id: `${t.id}.${channel}`,
  alertId: a.id,
  transitionId: t.id,
  channel,
  target: '',
  payload: {
    type: 'digest',
    idempotency_key: `${t.id}.${channel}`,
    period: { from: 'a', to: 'b' },
    alerts: [],
    link: null,
  },
  status: 'pending',
  attempts: 0,
  nextAttemptAt: T0,
  lastError: null,
  createdAt: T0,
  sentAt: null,
});

export const silence = (over: Partial<Silence> = {}): Silence => ({
  id: randomUUID(),
  kind: 'mute',
  alertId: null,
  tenantId: 'acme',
  ruleId: 'revenue-loss-critical',
  until: T0 + 3_600_000,
  comment: "it's known",
  createdBy: 'ops@acme',
  createdAt: T0,
  cancelledBy: null,
  cancelledAt: null,
  ...over,
});

/** An opened alert with its transition and one outbox row, as one lifecycle step writes it. */
export function opened(over: Partial<Alert> = {}) {
  const a = alert(over);
  const t = transition(a);
  return { alert: a, transition: t, delivery: delivery(a, t) };
}
