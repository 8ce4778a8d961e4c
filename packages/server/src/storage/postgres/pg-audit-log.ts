import type pg from 'pg';
import {
  canonicalJson,
  recordFromColumns,
  seal,
  verifyChain,
  type AuditEntry,
  type AuditRecord,
  type VerifyReport,
} from '../../access/audit-chain.js';
import { join, sql, type Sql } from '../../sql.js';
import type { AuditFilter, AuditLog } from '../audit-log.js';
import { createSchema, inTransaction, query } from './pg-client.js';

/**
 * Append-only by contract. scope and detail are kept as the canonical JSON text that was hashed (TEXT, not
 * JSONB, which would rewrite it and refuses \u0000). No unique key on seq: the chain is the integrity check,
 * and a duplicated or missing seq is something `verify` reports; the index serves the head and the walk.
 */
const tablesSql = [
  sql`CREATE TABLE IF NOT EXISTS audit_log (
  seq BIGINT NOT NULL,
  "at" BIGINT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_role TEXT,
  action TEXT NOT NULL,
  scope TEXT NOT NULL,
  detail TEXT NOT NULL,
  result TEXT NOT NULL,
  request_id TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  client_request_id TEXT
)`,
  sql`CREATE INDEX IF NOT EXISTS audit_log_seq ON audit_log (seq)`,
  sql`CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log ("at")`,
];

/** Records sealed and inserted in one transaction at most (group commit under load). */
const MAX_BATCH = 500;

interface Pending {
  entry: AuditEntry;
  resolve: (record: AuditRecord) => void;
  reject: (error: unknown) => void;
}

const rowSql = (r: AuditRecord): Sql =>
  sql`(${r.seq}, ${Math.trunc(r.at)}, ${r.actor.kind}, ${r.actor.id}, ${r.actor.role}, ${r.action},
    ${canonicalJson(r.scope)}, ${canonicalJson(r.detail)}, ${r.result}, ${r.requestId}, ${r.prevHash}, ${r.hash},
    ${r.clientRequestId ?? null})`;

/**
 * The audit trail in PostgreSQL, one chain for every process on the database: each batch of appends takes
 * a lock on the table that only one writer holds at a time, reads the head under it and chains onto it.
 */
export class PgAuditLog implements AuditLog {
  private pending: Pending[] = [];
  private draining: Promise<void> | null = null;

  private constructor(private readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PgAuditLog> {
    await createSchema(pool, tablesSql);
    return new PgAuditLog(pool);
  }

  /** Concurrent appends of this process queue and are sealed in arrival order, a batch per transaction. */
  append(entry: AuditEntry): Promise<AuditRecord> {
    return new Promise<AuditRecord>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      this.kick();
    });
  }

  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = (async () => {
      while (this.pending.length) await this.write(this.pending.splice(0, MAX_BATCH));
    })().finally(() => {
      this.draining = null;
      if (this.pending.length) this.kick();
    });
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      const records = await inTransaction(this.pool, async (client) => {
        // SHARE ROW EXCLUSIVE conflicts with itself and with plain INSERTs, not with readers: appenders of
        // every process queue here, and the head read below is the one the insert chains onto.
        await query(client, sql`LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE`);
        const [head] = await query<{ seq: number; hash: string }>(
          client,
          sql`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`,
        );
        let last: { seq: number; hash: string } | null = head ?? null;
        const sealed = batch.map((p) => (last = seal(p.entry, last)));
        await query(client, sql`INSERT INTO audit_log VALUES ${join(sealed.map(rowSql))}`);
        return sealed;
      });
      batch.forEach((p, i) => p.resolve(records[i] as AuditRecord));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }

  async list(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    // A reader of the trail sees every record this process appended before it asked.
    await this.flush();
    const where: Sql[] = [sql`TRUE`];
    if (filter.actor !== undefined) where.push(sql`actor_id = ${filter.actor}`);
    if (filter.action !== undefined) {
      const prefix = /[.*]$/.test(filter.action) ? filter.action.replace(/\*$/, '') : null;
      where.push(prefix !== null ? sql`starts_with(action, ${prefix})` : sql`action = ${filter.action}`);
    }
    if (filter.result !== undefined) where.push(sql`result = ${filter.result}`);
    if (filter.from !== undefined) where.push(sql`"at" >= ${Math.trunc(filter.from)}`);
    if (filter.to !== undefined) where.push(sql`"at" < ${Math.trunc(filter.to)}`);
    const order = filter.order === 'asc' ? sql`ASC` : sql`DESC`;
    const limit = filter.limit !== undefined ? sql`LIMIT ${Math.trunc(filter.limit)}` : sql``;
    const rows = await query(
      this.pool,
      sql`SELECT * FROM audit_log WHERE ${join(where, ' AND ')} ORDER BY seq ${order} ${limit}`,
    );
    return rows.map(recordFromColumns);
  }

  /** Walks the whole trail in seq order (held in memory: fine to millions of records). */
  async verify(expectHead?: { seq: number; hash: string }): Promise<VerifyReport> {
    await this.flush();
    const rows = await query(this.pool, sql`SELECT * FROM audit_log ORDER BY seq, ctid`);
    return verifyChain(rows.map(recordFromColumns), expectHead);
  }
}
