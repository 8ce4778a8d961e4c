/** A tenant's subscription, kept by Pulse: fed by the admin API/CLI import and Stripe webhooks. */
export interface Subscription {
  tenantId: string;
  status: SubscriptionStatus;
  planName: string;
  /** USD per month, major units. */
  priceMonthly: number;
  currentPeriodStart: number | null;
  currentPeriodEnd: number | null;
  updatedAt: number;
}

/** Stripe's subscription statuses, so its webhooks map one to one. */
export const subscriptionStatuses = [
  'active',
  'trialing',
  'past_due',
  'canceled',
  'unpaid',
  'incomplete',
  'incomplete_expired',
  'paused',
] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

export interface SubscriptionStore {
  upsert(subscriptions: readonly Subscription[]): Promise<void>;
  list(tenants?: readonly string[]): Promise<Subscription[]>;
  remove(tenantId: string): Promise<boolean>;
}
