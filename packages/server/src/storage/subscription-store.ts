/** A tenant's subscription, kept by Pulse: fed by the admin API/CLI import, Stripe webhooks and synchronised views. */
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

/** A kept subscription, with who supplies it and the tenant's name for people. */
export interface StoredSubscription extends Subscription {
  /** The synchronised view that supplies it; null: the API, a CSV import or Stripe. */
  suppliedBy: string | null;
  displayName: string | null;
}

export interface SubscriptionStore {
  upsert(subscriptions: readonly Subscription[]): Promise<void>;
  list(tenants?: readonly string[]): Promise<StoredSubscription[]>;
  remove(tenantId: string): Promise<boolean>;
}
