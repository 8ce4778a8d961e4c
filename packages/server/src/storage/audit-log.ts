import type { AuditEntry, AuditRecord, AuditResult, VerifyReport } from '../access/audit-chain.js';

export interface AuditFilter {
  /** Actor id (an API key id, 'bootstrap-admin', a user id). */
  actor?: string;
  /** Exact action, or a prefix ending in '.' or '*' ('keys.' / 'keys.*' = every keys action). */
  action?: string;
  result?: AuditResult;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  limit?: number;
  /** 'desc' (newest first, the default for reading) or 'asc' (for exports). */
  order?: 'asc' | 'desc';
}

/**
 * The append-only, hash-chained audit trail: one writer seals records in order, so the
 * chain is linear; `verify` walks it and names the first edited, removed or reordered record.
 */
export interface AuditLog {
  /** Resolves once the record is durably written; rejects when it is not (nothing of it is kept). */
  append(entry: AuditEntry): Promise<AuditRecord>;
  list(filter?: AuditFilter): Promise<AuditRecord[]>;
  verify(expectHead?: { seq: number; hash: string }): Promise<VerifyReport>;
  /** Resolves once every append made so far is written (before shutdown). */
  flush(): Promise<void>;
}

/** How a filter's action matches: a prefix when it ends in '.' or '*' (the '*' dropped), else exactly. */
export const actionMatch = (action: string): { prefix: string } | { exact: string } =>
  /[.*]$/.test(action) ? { prefix: action.replace(/\*$/, '') } : { exact: action };
