import type { CapturedEvent } from '../ingestion/captured-event.js';
import type { Subscription, SubscriptionStore } from '../storage/subscription-store.js';
import type { OpenPaymentFailure, WebhookStore } from '../storage/webhook-store.js';
import { derivedUuid } from './derived-uuid.js';
import { majorUnits, subscriptionRow, type StripeEvent } from './stripe-objects.js';

const subscriptionEvents = new Set([
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
]);

/** What a batch of Stripe events changes, applied once their generic events are durable. */
export interface BillingEffects {
  revenueEvents: CapturedEvent[];
  failures: { open: OpenPaymentFailure[]; resolve: string[] };
}

/**
 * A newer fact replaces an older one, whatever order they arrive in: Stripe's `created` of each event
 * dates the row (`updated_at`); an event older than the row is ignored. In the same second a deletion wins.
 */
const supersedes = (next: Subscription, current: Subscription | undefined, type: string) =>
  !current ||
  next.updatedAt > current.updatedAt ||
  (next.updatedAt === current.updatedAt && type === 'customer.subscription.deleted');

function revenueEvent(
  event: StripeEvent,
  tenantId: string,
  amount: number,
  impact: 'negative' | 'positive',
  properties: Record<string, unknown>,
): CapturedEvent {
  const at = event.created * 1000;
  return {
    uuid: derivedUuid(`stripe:${event.id}:revenue`),
    event: 'revenue_impact_event',
    distinctId: tenantId,
    timestamp: at,
    properties: {
      tenant_id: tenantId,
      impact_amount: amount,
      impact_type: impact,
      event_category: 'revenue_impact',
      tracking_date: new Date(at).toISOString(),
      stripe_event_id: event.id,
      ...properties,
    },
  };
}

/**
 * Stripe's subscription and invoice events → the `subscriptions` rows and revenue impact.
 * A failed payment is a negative revenue impact of the amount due (once per invoice, however many attempts
 * fail); the invoice's later payment resolves it with a positive impact of the same amount
 * (event_type payment_recovered), so the net impact of a recovered invoice is zero.
 */
export async function applyBilling(
  events: readonly { event: StripeEvent; tenantId: string }[],
  deps: { subscriptions: SubscriptionStore; store: WebhookStore },
): Promise<BillingEffects> {
  const effects: BillingEffects = { revenueEvents: [], failures: { open: [], resolve: [] } };
  const opened = new Map<string, OpenPaymentFailure>();
  for (const { event, tenantId } of events) {
    const o = event.object;
    if (subscriptionEvents.has(event.type)) {
      const next = subscriptionRow(o, tenantId, event.created);
      const [current] = await deps.subscriptions.list([tenantId]);
      if (supersedes(next, current, event.type)) await deps.subscriptions.upsert([next]);
      continue;
    }
    if (event.type !== 'invoice.payment_failed' && event.type !== 'invoice.paid') continue;
    const invoiceId = typeof o.id === 'string' ? o.id : event.id;
    const currency = typeof o.currency === 'string' ? o.currency : null;
    const open = opened.get(invoiceId) ?? (await deps.store.openFailure(invoiceId));
    if (event.type === 'invoice.payment_failed') {
      await setStatus(deps.subscriptions, tenantId, event, 'past_due');
      if (open) continue;
      const amount = majorUnits(typeof o.amount_due === 'number' ? o.amount_due : 0, currency);
      const failure = { invoiceId, tenantId, amount, failedAt: event.created * 1000 };
      opened.set(invoiceId, failure);
      effects.failures.open.push(failure);
      effects.revenueEvents.push(
        revenueEvent(event, tenantId, amount, 'negative', {
          event_type: 'payment_failure',
          urgency_level: 'high',
          action_required: 'Update the payment method or contact the customer',
          invoice_id: invoiceId,
          currency,
          attempt_count: o.attempt_count,
        }),
      );
      continue;
    }
    await setStatus(deps.subscriptions, tenantId, event, 'active');
    if (!open) continue;
    opened.delete(invoiceId);
    effects.failures.open = effects.failures.open.filter((f) => f.invoiceId !== invoiceId);
    effects.failures.resolve.push(invoiceId);
    effects.revenueEvents.push(
      revenueEvent(event, open.tenantId, open.amount, 'positive', {
        event_type: 'payment_recovered',
        invoice_id: invoiceId,
        currency,
      }),
    );
  }
  return effects;
}

/**
 * A failed payment makes the tenant's subscription past_due and a payment makes a past_due or unpaid one
 * active, when the invoice event is newer than the row (Stripe also sends the subscription's own update).
 */
async function setStatus(
  subscriptions: SubscriptionStore,
  tenantId: string,
  event: StripeEvent,
  status: 'past_due' | 'active',
): Promise<void> {
  const [current] = await subscriptions.list([tenantId]);
  if (!current || current.updatedAt > event.created * 1000) return;
  if (status === 'active' && !['past_due', 'unpaid'].includes(current.status)) return;
  if (current.status === status || current.status === 'canceled') return;
  await subscriptions.upsert([{ ...current, status, updatedAt: event.created * 1000 }]);
}
