import type { AuditEntry, AuditRecord } from '../access/audit-chain.js';

/** Records sealed and written in one batch at most (group commit under load). */
const MAX_BATCH = 500;

interface Pending {
  entry: AuditEntry;
  resolve: (record: AuditRecord) => void;
  reject: (error: unknown) => void;
}

/**
 * The appends of one process, serialised: concurrent appends queue and are handed to `write` in arrival
 * order, a batch at a time. `write` seals and stores a batch whole, or throws and none of it is kept.
 */
export class AuditAppendQueue {
  private pending: Pending[] = [];
  private draining: Promise<void> | null = null;

  constructor(private readonly write: (entries: AuditEntry[]) => Promise<AuditRecord[]>) {}

  append(entry: AuditEntry): Promise<AuditRecord> {
    return new Promise<AuditRecord>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      this.kick();
    });
  }

  /** Resolves once every append made so far is written. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = (async () => {
      while (this.pending.length) await this.writeBatch(this.pending.splice(0, MAX_BATCH));
    })().finally(() => {
      this.draining = null;
      if (this.pending.length) this.kick();
    });
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    try {
      const records = await this.write(batch.map((p) => p.entry));
      batch.forEach((p, i) => p.resolve(records[i] as AuditRecord));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
