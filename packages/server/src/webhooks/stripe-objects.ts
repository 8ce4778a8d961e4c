import type { Subscription, SubscriptionStatus } from '../storage/subscription-store.js';
import { subscriptionStatuses } from '../storage/subscription-store.js';
import { isRecord } from './provider.js';

/** The fields of a Stripe event envelope Pulse reads. */
export interface StripeEvent {
  id: string;
  type: string;
  /** Epoch seconds: when Stripe recorded the change (the order of truth for out-of-order deliveries). */
  created: number;
  apiVersion: string | null;
  object: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (isRecord(v) ? v : {});
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const items = (sub: Obj): Obj[] => {
  const data = obj(sub.items).data;
  return Array.isArray(data) ? data.map(obj) : [];
};

/** Months per billing interval, to state every price per month. */
const monthsPer: Record<string, number> = { day: 12 / 365, week: 12 / 52, month: 1, year: 12 };

/** One item's price per month in major units (cents / 100), from `price` (or the legacy `plan`). */
function monthlyOf(item: Obj): number {
  const price = isRecord(item.price) ? item.price : obj(item.plan);
  const recurring = obj(price.recurring);
  const cents = num(price.unit_amount) ?? num(price.amount) ?? Number(price.unit_amount_decimal ?? 0);
  const interval = text(recurring.interval) ?? text(price.interval) ?? 'month';
  const count = num(recurring.interval_count) ?? num(price.interval_count) ?? 1;
  const quantity = num(item.quantity) ?? 1;
  return (cents * quantity) / 100 / ((monthsPer[interval] ?? 1) * count);
}

function planNameOf(sub: Obj): string {
  const first = items(sub)[0] ?? {};
  const price = isRecord(first.price) ? first.price : obj(first.plan);
  return text(price.nickname) ?? text(price.lookup_key) ?? text(price.product) ?? text(price.id) ?? 'stripe';
}

/**
 * Current period: on the subscription before 2025-03-31 ("basil"); on its items since, where items may
 * differ, so the period spans them all (earliest start, latest end).
 */
function periodOf(sub: Obj): { start: number | null; end: number | null } {
  const top = { start: num(sub.current_period_start), end: num(sub.current_period_end) };
  if (top.start !== null || top.end !== null) return top;
  const starts = items(sub)
    .map((i) => num(i.current_period_start))
    .filter((n): n is number => n !== null);
  const ends = items(sub)
    .map((i) => num(i.current_period_end))
    .filter((n): n is number => n !== null);
  return { start: starts.length ? Math.min(...starts) : null, end: ends.length ? Math.max(...ends) : null };
}

/** The subscriptions row a Stripe subscription object describes, dated by its event. */
export function subscriptionRow(sub: Obj, tenantId: string, eventCreated: number): Subscription {
  const status = subscriptionStatuses.includes(sub.status as SubscriptionStatus)
    ? (sub.status as SubscriptionStatus)
    : 'incomplete';
  const period = periodOf(sub);
  return {
    tenantId,
    status,
    planName: planNameOf(sub),
    priceMonthly: Math.round(items(sub).reduce((sum, i) => sum + monthlyOf(i), 0) * 100) / 100,
    currentPeriodStart: period.start === null ? null : period.start * 1000,
    currentPeriodEnd: period.end === null ? null : period.end * 1000,
    updatedAt: eventCreated * 1000,
  };
}

/** The subscription an invoice bills: `subscription` before basil, `parent.subscription_details` since. */
export function invoiceSubscription(invoice: Obj): { id: string | null; metadata: Obj } {
  const details = obj(obj(invoice.parent).subscription_details);
  const legacy = obj(invoice.subscription_details);
  return {
    id: text(details.subscription) ?? text(invoice.subscription),
    metadata: { ...obj(legacy.metadata), ...obj(details.metadata) },
  };
}

/** A tenant named by the object itself: its metadata, an expanded customer's, or its invoice's subscription's. */
export function stripeTenantOf(object: Obj): string | null {
  return (
    text(obj(object.metadata).tenant_id) ??
    text(obj(obj(object.customer).metadata).tenant_id) ??
    text(invoiceSubscription(object).metadata.tenant_id)
  );
}

/** The customer id an object belongs to (itself, for a customer). */
export function stripeCustomerOf(object: Obj): string | null {
  if (object.object === 'customer') return text(object.id);
  return text(object.customer) ?? text(obj(object.customer).id);
}

/** Stripe amounts are in the currency's minor unit; these currencies have none. */
const zeroDecimal = new Set('bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf'.split(' '));
export const majorUnits = (amount: number, currency: string | null): number =>
  zeroDecimal.has((currency ?? '').toLowerCase()) ? amount : amount / 100;

export function parseStripeEvent(value: unknown): StripeEvent | null {
  if (!isRecord(value) || typeof value.id !== 'string' || typeof value.type !== 'string') return null;
  const created = num(value.created);
  const object = obj(value.data).object;
  if (created === null || !isRecord(object)) return null;
  return { id: value.id, type: value.type, created, apiVersion: text(value.api_version), object };
}
