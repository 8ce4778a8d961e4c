/** What verified provider webhooks keep durably: receipts (dedup), email windows, billing state, the tenant map. */

/** Counts of one tenant, provider and sending domain, not yet reported, in the window slot starting at `start`. */
export interface EmailWindow {
  tenantId: string;
  provider: string;
  sendingDomain: string;
  /** Window start, epoch ms (aligned to the window length). */
  start: number;
  delivered: number;
  hardBounced: number;
  softBounced: number;
  deferred: number;
  complained: number;
  /** Highest risk level already reported for this slot (0 = none), so a worsening is reported once. */
  reportedRisk: number;
}

/** A failed invoice payment reported as a negative revenue impact, until a paid invoice resolves it. */
export interface OpenPaymentFailure {
  invoiceId: string;
  tenantId: string;
  amount: number;
  failedAt: number;
}

export type TenantMapKind = 'domain' | 'stripe_customer';
export interface TenantMapEntry {
  kind: TenantMapKind;
  key: string;
  tenantId: string;
}

/** One request's effect, applied in one transaction once its events are durable in the ingest pipeline. */
export interface WebhookCommit {
  provider: string;
  at: number;
  /** Provider event ids (and single-use tokens) seen by this request. */
  receipts: string[];
  /** Count increments per window (reportedRisk ignored). */
  windows: EmailWindow[];
  failures?: { open?: OpenPaymentFailure[]; resolve?: string[] };
}

export interface WebhookStore {
  /** Which of these ids of `provider` were already received. */
  seen(provider: string, ids: readonly string[]): Promise<Set<string>>;
  /**
   * Applies a request's effect atomically, unless one of its receipts is already recorded (another process
   * committed the same delivery meanwhile): then nothing is applied and it resolves false.
   */
  commit(commit: WebhookCommit): Promise<boolean>;
  /** Windows whose slot started before `before` (due to close), or all when undefined. */
  windows(before?: number): Promise<EmailWindow[]>;
  /** Replaces one window row (counts reset after a report), or deletes it when `remove`. */
  settleWindow(window: EmailWindow, remove: boolean): Promise<void>;
  openFailure(invoiceId: string): Promise<OpenPaymentFailure | null>;
  tenantMap(): Promise<TenantMapEntry[]>;
  replaceTenantMap(entries: readonly TenantMapEntry[]): Promise<void>;
}
