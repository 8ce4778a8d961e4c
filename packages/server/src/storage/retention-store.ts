import type { BusinessEventName } from '@pulse/events';

/** The tables retention deletes from: the seven business types and every other event ('generic'). */
export type RetentionTable = BusinessEventName | 'generic';

/** A policy's target: one table, or `*` (the default for every table without its own policy). */
export type RetentionEvent = RetentionTable | '*';

/** How long events are kept: a max age in whole days, or null (keep forever). */
export interface RetentionPolicy {
  event: RetentionEvent;
  /** A tenant override; null = the default for every tenant. */
  tenant: string | null;
  days: number | null;
}

/**
 * What one table loses in a run, resolved from the policies (retention/policy.ts `planCuts`): rows whose
 * time (events: timestamp; quarantine: received_at) is before the cutoff, in epoch ms. null = keep.
 */
export interface RetentionCut {
  table: RetentionTable;
  /** For tenants without an override (and rows without a tenant). */
  cutoff: number | null;
  /** Tenants whose cutoff differs from the default one. */
  tenants: ReadonlyMap<string, number | null>;
}

/** Rows of one (table, tenant) that a run deleted (or, dry, would delete). */
export interface RetentionCount {
  table: RetentionTable;
  tenant: string | null;
  events: number;
  quarantined: number;
}

/** Where the policies live: in the store itself, so they survive restarts and are set at runtime. */
export interface RetentionStore {
  listPolicies(): Promise<RetentionPolicy[]>;
  /** Replaces every policy at once (one transaction). */
  replacePolicies(policies: readonly RetentionPolicy[], at: number): Promise<void>;
  /** Stores `policies` only when none are stored yet (config seed); returns whether it did. */
  seedPolicies(policies: readonly RetentionPolicy[], at: number): Promise<boolean>;
}
