import type { DuckDBConnection } from '@duckdb/node-api';
import {
  auditColumns,
  canonicalJson,
  recordFromColumns,
  seal,
  verifyChain,
  type AuditEntry,
  type AuditRecord,
  type VerifyReport,
} from '../../access/audit-chain.js';
import { AuditAppendQueue } from '../audit-append-queue.js';
import type { AuditJournal, OpenAuditJournal } from '../audit-journal.js';
import { actionMatch, type AuditFilter, type AuditLog } from '../audit-log.js';
import { ident, join, readRows, run, sql, timestamp, type Sql } from './sql.js';
import { StagingArea } from './staging.js';

/**
 * Append-only by contract: Pulse only ever INSERTs here. No primary key on seq on purpose: the chain,
 * not the index, is the integrity check, and a duplicated or missing seq is something `verify` reports.
 */
export const auditLogTableSql = `CREATE TABLE IF NOT EXISTS audit_log (
  seq BIGINT NOT NULL,
  "at" TIMESTAMP NOT NULL,
  actor_kind VARCHAR NOT NULL,
  actor_id VARCHAR NOT NULL,
  actor_role VARCHAR,
  action VARCHAR NOT NULL,
  scope VARCHAR NOT NULL,
  detail VARCHAR NOT NULL,
  result VARCHAR NOT NULL,
  request_id VARCHAR,
  prev_hash VARCHAR NOT NULL,
  hash VARCHAR NOT NULL
)`;

/** Added after the first release: stores made before it gain the column (NULL in their older records). */
export const auditLogMigrationsSql = [
  'ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS client_request_id VARCHAR',
];

/** How far the audit journal is stored (`journal_stored`: the position its last stored batch ended at). */
export const auditMetaTableSql = `CREATE TABLE IF NOT EXISTS audit_meta (key VARCHAR NOT NULL, value VARCHAR NOT NULL)`;

/** Journaled records not stored past this many: appends wait for the table (and fail while it fails). */
const MAX_UNSTORED = 50_000;
/** Journaled records wait this long to be stored together: one table write per interval, not per request. */
const STORE_AFTER_MS = 200;
const RETRY_AFTER_MS = 1_000;

const columns = sql`seq, epoch_ms("at") AS "at", actor_kind, actor_id, actor_role, action, scope, detail, result, request_id, prev_hash, hash, client_request_id`;

/**
 * Above this many records a batch is staged as NDJSON and loaded with read_json: DuckDB parses and binds a
 * VALUES list row by row (measured ~80–120 µs of CPU per record at 150 records, against ~35 staged). With
 * bound values, CPU per record: 8 records ~300 µs bound vs ~330–480 staged; 16: ~210–290 vs ~150–200.
 */
const STAGE_ABOVE = 12;

const stagedColumns = join(
  auditColumns.map((name) => sql`${ident(name)}: ${name === 'seq' || name === 'at' ? 'BIGINT' : 'VARCHAR'}`),
);

const stagedLine = (r: AuditRecord): string =>
  JSON.stringify({
    seq: r.seq,
    at: Math.trunc(r.at),
    actor_kind: r.actor.kind,
    actor_id: r.actor.id,
    actor_role: r.actor.role,
    action: r.action,
    scope: canonicalJson(r.scope),
    detail: canonicalJson(r.detail),
    result: r.result,
    request_id: r.requestId,
    prev_hash: r.prevHash,
    hash: r.hash,
    client_request_id: r.clientRequestId ?? null,
  });

function rowSql(r: AuditRecord): Sql {
  return sql`(${r.seq}, ${timestamp(r.at)}, ${r.actor.kind}, ${r.actor.id}, ${r.actor.role}, ${r.action}, ${canonicalJson(r.scope)}, ${canonicalJson(r.detail)}, ${r.result}, ${r.requestId}, ${r.prevHash}, ${r.hash}, ${r.clientRequestId ?? null})`;
}

function whereSql(filter: AuditFilter): Sql {
  const where: Sql[] = [sql`TRUE`];
  if (filter.actor !== undefined) where.push(sql`actor_id = ${filter.actor}`);
  if (filter.action !== undefined) {
    const match = actionMatch(filter.action);
    where.push('prefix' in match ? sql`starts_with(action, ${match.prefix})` : sql`action = ${match.exact}`);
  }
  if (filter.result !== undefined) where.push(sql`result = ${filter.result}`);
  if (filter.from !== undefined) where.push(sql`"at" >= ${timestamp(filter.from)}`);
  if (filter.to !== undefined) where.push(sql`"at" < ${timestamp(filter.to)}`);
  return join(where, ' AND ');
}

/**
 * The audit trail in the event store's database file (so under the same encryption). With a journal, an
 * append is durable once its batch is fdatasync'ed there; the table takes the journaled records every
 * STORE_AFTER_MS (and before any read), with how far it holds the journal in the same transaction.
 */
export class DuckDbAuditLog implements AuditLog {
  /** Appends queue and are sealed in arrival order, a batch per INSERT (or per journal record). */
  private readonly appends = new AuditAppendQueue((entries) => this.write(entries));
  /** The chain's last record; undefined = read it from the table before the next append. */
  private head: { seq: number; hash: string } | null | undefined = undefined;
  /** Journaled batches the table does not hold yet, in order. */
  private unstored: { records: AuditRecord[]; end: number }[] = [];
  private unstoredRecords = 0;
  /** How far the table holds the journal. */
  private stored = 0;
  private storing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    private readonly staging: StagingArea,
    private readonly journal: AuditJournal | null,
  ) {}

  /**
   * `db` is the event store (`DuckDbEventStore.connect`): one connection appends, one reads. Records name
   * tenants, so large batches are staged as the store's encryption requires (RAM only when encrypted).
   * With `journal`, what a crash left journaled but not stored is stored before this resolves.
   */
  static async open(
    db: { connect(): Promise<DuckDBConnection>; readonly encryption: object | null },
    options: { journal?: OpenAuditJournal } = {},
  ): Promise<DuckDbAuditLog> {
    const writer = await db.connect();
    await writer.run(auditLogTableSql);
    for (const statement of auditLogMigrationsSql) await writer.run(statement);
    await writer.run(auditMetaTableSql);
    const staging = StagingArea.open({ ramOnly: db.encryption !== null });
    const reader = await db.connect();
    if (!options.journal) return new DuckDbAuditLog(writer, reader, staging, null);
    const stored = await journalStored(writer);
    const { journal, unstored } = await options.journal(stored);
    const log = new DuckDbAuditLog(writer, reader, staging, journal);
    log.stored = stored;
    log.unstored = unstored;
    log.unstoredRecords = unstored.reduce((n, batch) => n + batch.records.length, 0);
    try {
      await log.store();
      log.head = await log.readHead();
    } catch (error) {
      if (log.timer) clearTimeout(log.timer);
      await journal.close();
      throw error;
    }
    return log;
  }

  append(entry: AuditEntry): Promise<AuditRecord> {
    return this.appends.append(entry);
  }

  /** Resolves once every append made so far is in the table (for reads, shutdown and tests). */
  async flush(): Promise<void> {
    await this.appends.flush();
    while (this.unstored.length || this.storing) await this.store();
  }

  /** Closes the journal after the last store; it is deleted when the table holds all of it. */
  async close(): Promise<void> {
    await this.appends.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.storing?.catch(() => undefined);
    await this.journal?.close(this.unstored.length ? undefined : this.stored);
  }

  private async write(entries: AuditEntry[]): Promise<AuditRecord[]> {
    if (this.journal) return this.writeToJournal(this.journal, entries);
    try {
      const records = this.seal(entries, this.head === undefined ? await this.readHead() : this.head);
      await this.insert(records);
      this.head = records.at(-1) ?? this.head;
      return records;
    } catch (error) {
      this.head = undefined; // re-read: never chain onto a record that was not written
      throw error;
    }
  }

  private seal(entries: AuditEntry[], head: { seq: number; hash: string } | null): AuditRecord[] {
    return entries.map((entry) => {
      const record = seal(entry, head);
      head = record;
      return record;
    });
  }

  /** The head stays in memory (the table may lack the journal's tail); a failed append journals nothing. */
  private async writeToJournal(journal: AuditJournal, entries: AuditEntry[]): Promise<AuditRecord[]> {
    if (this.unstoredRecords >= MAX_UNSTORED) await this.store();
    const records = this.seal(entries, this.head ?? null);
    const end = await journal.append(records);
    this.head = records.at(-1) ?? this.head;
    this.unstored.push({ records, end });
    this.unstoredRecords += records.length;
    this.scheduleStore(STORE_AFTER_MS);
    return records;
  }

  /** Not holding the process open: what a stop leaves unstored is journaled, and stored at the next start. */
  private scheduleStore(afterMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.store().catch(() => undefined); // kept and retried; a read's flush reports the failure
    }, afterMs).unref();
  }

  /** Stores every journaled batch, one store at a time; a failure keeps them and retries. */
  private store(): Promise<void> {
    this.storing ??= this.storeUnstored().finally(() => (this.storing = null));
    return this.storing;
  }

  private async storeUnstored(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batches = this.unstored.splice(0);
    const last = batches.at(-1);
    if (!last) return;
    const records = batches.flatMap((batch) => batch.records);
    try {
      await this.writer.run('BEGIN TRANSACTION');
      await this.insert(records);
      await run(this.writer, sql`DELETE FROM audit_meta WHERE key = 'journal_stored'`);
      await run(this.writer, sql`INSERT INTO audit_meta VALUES ('journal_stored', ${String(last.end)})`);
      await this.writer.run('COMMIT');
    } catch (error) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      this.unstored = [...batches, ...this.unstored];
      this.scheduleStore(RETRY_AFTER_MS);
      throw error;
    }
    this.unstoredRecords -= records.length;
    this.stored = last.end;
    this.journal?.release(last.end);
  }

  private async insert(records: readonly AuditRecord[]): Promise<void> {
    if (records.length <= STAGE_ABOVE) {
      await run(this.writer, sql`INSERT INTO audit_log VALUES ${join(records.map(rowSql))}`);
      return;
    }
    const file = this.staging.write(records.map(stagedLine));
    try {
      await run(
        this.writer,
        sql`INSERT INTO audit_log SELECT seq, epoch_ms("at"), actor_kind, actor_id, actor_role, action, scope, detail, result, request_id, prev_hash, hash, client_request_id
         FROM read_json(${file}, format = 'newline_delimited', columns = {${stagedColumns}})`,
      );
    } finally {
      this.staging.remove(file);
    }
  }

  private async readHead(): Promise<{ seq: number; hash: string } | null> {
    const rows = (
      await this.writer.runAndReadAll('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')
    ).getRowObjectsJS();
    const row = rows[0];
    return row ? { seq: Number(row.seq), hash: row.hash as string } : null;
  }

  async list(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    // A reader of the trail sees every record appended before it asked (a subscription audited a moment ago).
    await this.flush();
    const order = filter.order === 'asc' ? sql`ASC` : sql`DESC`;
    const limit = filter.limit !== undefined ? sql`LIMIT ${Math.trunc(filter.limit)}` : sql``;
    const rows = await readRows(
      this.reader,
      sql`SELECT ${columns} FROM audit_log WHERE ${whereSql(filter)} ORDER BY seq ${order} ${limit}`,
    );
    return rows.map(recordFromColumns);
  }

  /** Walks the whole trail in seq order (held in memory: fine to millions of records). */
  async verify(expectHead?: { seq: number; hash: string }): Promise<VerifyReport> {
    await this.flush();
    const rows = await readRows(this.reader, sql`SELECT ${columns} FROM audit_log ORDER BY seq, rowid`);
    return verifyChain(rows.map(recordFromColumns), expectHead);
  }
}

async function journalStored(writer: DuckDBConnection): Promise<number> {
  const [row] = await readRows(writer, sql`SELECT value FROM audit_meta WHERE key = 'journal_stored'`);
  return row ? Number(row.value) : 0;
}
