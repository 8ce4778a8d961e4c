import type { Subscription } from './subscription-store.js';

/** A tenant's name for people, as a synchronised view supplies it. */
export interface TenantName {
  tenantId: string;
  displayName: string;
}

/** What one synchronisation changed. */
export interface SyncOutcome {
  inserted: number;
  updated: number;
  /** Rows this source supplied before that its view no longer has. */
  ended: number;
  unchanged: number;
  /** Tenants whose row another supplier (the API, a CSV import, Stripe, another source) owns: left as they are. */
  conflicts: { tenantId: string; suppliedBy: string | null }[];
  /** Tenants whose rows were inserted, updated or ended. */
  touched: string[];
}

/** One read of a source: its valid rows, and the tenants it listed with invalid rows (kept as they are). */
export interface SyncRead<Row> {
  rows: readonly Row[];
  kept: readonly string[];
}

/**
 * Applies full reads of synchronised views, each in one transaction. A source owns the rows it supplied:
 * new or changed rows are written, rows gone from its view are ended, and rows supplied by anyone else
 * are never written.
 */
export interface SyncStore {
  /** Ended subscriptions become `canceled` with their period ending at `at`. */
  applySubscriptions(source: string, read: SyncRead<Subscription>, at: number): Promise<SyncOutcome>;
  /** Ended tenant names are removed. */
  applyTenantNames(source: string, read: SyncRead<TenantName>, at: number): Promise<SyncOutcome>;
}
