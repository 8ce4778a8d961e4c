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
import { AuditAppendQueue } from '../audit-append-queue.js';
import { actionMatch, type AuditFilter, type AuditLog } from '../audit-log.js';
import { createSchema, query } from './pg-client.js';

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

const rowSql = (r: AuditRecord): Sql =>
  sql`(${r.seq}, ${Math.trunc(r.at)}, ${r.actor.kind}, ${r.actor.id}, ${r.actor.role}, ${r.action},
    ${canonicalJson(r.scope)}, ${canonicalJson(r.detail)}, ${r.result}, ${r.requestId}, ${r.prevHash}, ${r.hash},
    ${r.clientRequestId ?? null})`;

function whereSql(filter: AuditFilter): Sql {
  const where: Sql[] = [sql`TRUE`];
  if (filter.actor !== undefined) where.push(sql`actor_id = ${filter.actor}`);
  if (filter.action !== undefined) {
    const match = actionMatch(filter.action);
    where.push('prefix' in match ? sql`starts_with(action, ${match.prefix})` : sql`action = ${match.exact}`);
  }
  if (filter.result !== undefined) where.push(sql`result = ${filter.result}`);
  if (filter.from !== undefined) where.push(sql`"at" >= ${Math.trunc(filter.from)}`);
  if (filter.to !== undefined) where.push(sql`"at" < ${Math.trunc(filter.to)}`);
  return join(where, ' AND ');
}

/**
 * The audit trail in PostgreSQL, one chain for every process on the database: each batch of appends takes
 * a lock on the table that only one writer holds at a time, reads the head under it and chains onto it.
 */
export class PgAuditLog implements AuditLog {
  /** Appends of this process queue and are sealed in arrival order, a batch per transaction. */
  private readonly appends = new AuditAppendQueue((entries) => this.write(entries));

  private constructor(private readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PgAuditLog> {
    await createSchema(pool, tablesSql);
    return new PgAuditLog(pool);
  }

  append(entry: AuditEntry): Promise<AuditRecord> {
    return this.appends.append(entry);
  }

  flush(): Promise<void> {
    return this.appends.flush();
  }

  /** One transaction of three round trips: an audited request waits for each (each is a wake-up of PostgreSQL). */
  private async write(entries: AuditEntry[]): Promise<AuditRecord[]> {
    const client = await this.pool.connect();
    try {
      // One round trip opens the transaction, takes the lock and reads the head under it: SHARE ROW EXCLUSIVE
      // conflicts with itself and with plain INSERTs, not with readers, so appenders of every process queue
      // here, and the head read after it is the one the insert chains onto. Several statements in one
      // query run on the simple protocol (no parameters), which answers with a result per statement.
      const results = (await client.query(
        'BEGIN; LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE; SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
      )) as unknown as pg.QueryResult<{ seq: number; hash: string }>[];
      let last: { seq: number; hash: string } | null = results.at(-1)?.rows[0] ?? null;
      const sealed = entries.map((entry) => (last = seal(entry, last)));
      await query(client, sql`INSERT INTO audit_log VALUES ${join(sealed.map(rowSql))}`);
      await client.query('COMMIT');
      return sealed;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async list(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    // A reader of the trail sees every record this process appended before it asked.
    await this.flush();
    const order = filter.order === 'asc' ? sql`ASC` : sql`DESC`;
    const limit = filter.limit !== undefined ? sql`LIMIT ${Math.trunc(filter.limit)}` : sql``;
    const rows = await query(
      this.pool,
      sql`SELECT * FROM audit_log WHERE ${whereSql(filter)} ORDER BY seq ${order} ${limit}`,
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
