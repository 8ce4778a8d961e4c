import type { DuckDBConnection } from '@duckdb/node-api';
import type { Rule } from '../../alerts/rule-model.js';
import type { Alert, AlertLogger, Delivery, Transition } from '../../alerts/types.js';
import type { Silence } from '../../alerts/silences.js';
import type {
  AlertFilter,
  AlertGroupQuery,
  AlertGroupRow,
  AlertStore,
  AlertWrite,
  AlertWriteOutcome,
  Budget,
  DeliveryFilter,
  DeliveryUpdate,
  EventHistorySource,
  EventStateSource,
  HistoryQuery,
  IngestedAfterQuery,
  IngestedRow,
  IngestionMark,
  LatestRow,
  RecentRow,
  SilenceFilter,
  TrendBucketQuery,
  TrendBuckets,
  WriteLane,
} from '../alert-store.js';
import { DELIVERY_LEASE_MS, journalStoredKey, type JournalPosition } from '../alert-store.js';
import { alertColumns, deliveryColumns, groupFromColumns, transitionColumns } from '../alert-columns.js';
import {
  alertGroupsSql,
  alertPageSql,
  silencesSql,
  silenceTableSql,
  writeSilencesSql,
} from './alert-inbox-reads.js';
import { eventsBetween, latestByEntity, recentEvents } from './alert-event-reads.js';
import { classifyStoredOutlooks, renameStoredRuleFields } from './alert-rule-migration.js';
import {
  alertSelect,
  deliverySelect,
  num,
  str,
  toAlert,
  toDelivery,
  toSilence,
  valuesRow,
  type Row,
} from './alert-rows.js';
import { alertTable, outboxTable, tablesSql, transitionTable, type TableColumn } from './alert-tables.js';
import { selectFromStaging } from './read-json-sql.js';
import { StagingArea } from './staging.js';
import { trendBuckets } from './trend-buckets.js';
import { ingestedAfter, ingestionMark } from './ingested-after.js';
import { ident, isIn, join, readRows, run, runAndReadAll, sql, timestamp as time, type Sql } from './sql.js';

const transitionSelect = sql`id, alert_id, kind, epoch_ms(occurred_at) AS at, actor, comment, backfill`;
const toTransition = (r: Record<string, unknown>): Transition => ({
  id: String(r.id),
  alertId: String(r.alert_id),
  kind: r.kind as Transition['kind'],
  at: Number(r.at),
  actor: String(r.actor),
  comment: str(r.comment),
  backfill: Boolean(r.backfill),
});
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Above this many rows, a batch is bulk-loaded from a staged NDJSON file instead of a VALUES list. */
const STAGE_ABOVE = 32;

/**
 * Alerts, transitions, the outbox, rules and budgets in the events' DuckDB file (same file, same
 * encryption). Writes go through one connection, one transaction at a time; reads use another.
 */
export class DuckDbAlertStore implements AlertStore {
  private chain: Promise<unknown> = Promise.resolve();
  private bulkChain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly writer: DuckDBConnection,
    private readonly bulkWriter: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    private readonly staging: StagingArea,
    /** The stored events' reads; null: the event tables of this same file. */
    private readonly events: (EventStateSource & EventHistorySource) | null,
  ) {}

  /**
   * On the event store's database, or on a state-only file with `events` read elsewhere (ClickHouse);
   * alert titles name tenants, so staging follows the file's encryption policy.
   */
  static async open(
    db: { connect(): Promise<DuckDBConnection>; readonly encryption: object | null },
    logger?: Pick<AlertLogger, 'info'>,
    events?: EventStateSource & EventHistorySource,
  ): Promise<DuckDbAlertStore> {
    const writer = await db.connect();
    for (const statement of [...tablesSql, silenceTableSql]) await writer.run(statement);
    const renamed = await renameStoredRuleFields(writer);
    if (renamed)
      logger?.info({ rules: renamed }, 'stored alert rules rewritten to the camelCase field names');
    // The file has one process: what a previous one held is this one's to send, at once.
    await writer.run(`UPDATE alert_outbox SET claimed_until = NULL WHERE status = 'pending'`);
    const classified = await classifyStoredOutlooks(writer);
    if (classified)
      logger?.info({ rules: classified }, 'stored alert rules classified as risk or opportunity');
    const staging = StagingArea.open({ ramOnly: db.encryption !== null });
    return new DuckDbAlertStore(writer, await db.connect(), await db.connect(), staging, events ?? null);
  }

  /** Runs `fn` alone on the writer connection (a transaction must not interleave with another call). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The same for the bulk connection. */
  private exclusiveBulk<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.bulkChain.then(fn, fn);
    this.bulkChain = run.catch(() => undefined);
    return run;
  }

  /**
   * BEGIN, the statements, COMMIT. Each statement is its own call with bound values (measured: a one-alert
   * write costs the same within noise as one multi-statement call of spliced literals, ~6–9 ms).
   */
  private transaction(
    statements: readonly Sql[],
    files: readonly string[] = [],
    lane: WriteLane = 'fast',
  ): Promise<void> {
    const connection = lane === 'fast' ? this.writer : this.bulkWriter;
    const work = async () => {
      if (!statements.length) return;
      try {
        await connection.run('BEGIN TRANSACTION');
        for (const statement of statements) await run(connection, statement);
        await connection.run('COMMIT');
      } catch (error) {
        // A failed statement leaves the transaction open and aborted.
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        for (const file of files) this.staging.remove(file);
      }
    };
    return lane === 'fast' ? this.exclusive(work) : this.exclusiveBulk(work);
  }

  private rows(statement: Sql): Promise<Row[]> {
    return readRows(this.reader, statement);
  }

  async write(
    batch: AlertWrite,
    lane: WriteLane = 'fast',
    journal?: JournalPosition,
  ): Promise<AlertWriteOutcome> {
    const statements: Sql[] = [];
    const files: string[] = [];
    // A snapshot replaces the previous one of its alert; a just-opened alert has none to replace.
    const opened = new Set(batch.transitions.filter((t) => t.kind === 'opened').map((t) => t.alertId));
    const replaced = batch.alerts.filter((a) => !opened.has(a.id));
    if (replaced.length > STAGE_ABOVE) {
      const file = this.staging.write(replaced.map((a) => JSON.stringify({ id: a.id })));
      files.push(file);
      statements.push(
        sql`DELETE FROM alerts WHERE id IN (SELECT id FROM read_json(${file}, format = 'newline_delimited', columns = {'id': 'VARCHAR'}))`,
      );
    } else if (replaced.length)
      statements.push(
        sql`DELETE FROM alerts WHERE ${isIn(
          sql`id`,
          replaced.map((a) => a.id),
        )}`,
      );
    this.insert(statements, files, 'alerts', alertTable, batch.alerts.map(alertColumns));
    this.insert(
      statements,
      files,
      'alert_transitions',
      transitionTable,
      batch.transitions.map(transitionColumns),
    );
    this.insert(statements, files, 'alert_outbox', outboxTable, batch.deliveries.map(deliveryColumns));
    if (journal)
      statements.push(
        sql`DELETE FROM alert_meta WHERE key = ${journalStoredKey(journal.id)}`,
        sql`INSERT INTO alert_meta VALUES (${journalStoredKey(journal.id)}, ${String(Math.trunc(journal.end))})`,
      );
    await this.transaction(statements, files, lane);
    // One process writes this file: nothing is ever held open by another.
    return { dropped: new Set() };
  }

  async journalStored(journalId: string): Promise<number> {
    const [row] = await this.rows(
      sql`SELECT value FROM alert_meta WHERE key = ${journalStoredKey(journalId)}`,
    );
    return row ? Number(row.value) : 0;
  }

  /** An INSERT of rows: a VALUES list when small (the latency path), a staged bulk load when large. */
  private insert(
    statements: Sql[],
    files: string[],
    table: string,
    columns: readonly TableColumn[],
    rows: readonly Row[],
  ): void {
    if (!rows.length) return;
    if (rows.length <= STAGE_ABOVE) {
      statements.push(
        sql`INSERT INTO ${ident(table)} VALUES ${join(rows.map((r) => valuesRow(columns, r)))}`,
      );
      return;
    }
    const file = this.staging.write(rows.map((r) => JSON.stringify(r)));
    files.push(file);
    statements.push(sql`INSERT INTO ${ident(table)} ${selectFromStaging(file, columns)}`);
  }

  async activeAlerts(): Promise<Alert[]> {
    return (await this.rows(sql`SELECT ${alertSelect} FROM alerts_current WHERE state <> 'resolved'`)).map(
      toAlert,
    );
  }

  async listAlerts(filter: AlertFilter): Promise<Alert[]> {
    return (await this.rows(alertPageSql(alertSelect, filter))).map(toAlert);
  }

  async alertGroups(query: AlertGroupQuery): Promise<AlertGroupRow[]> {
    return (await this.rows(alertGroupsSql(query))).map((r) => groupFromColumns(r, query.slices.count));
  }

  async getAlert(id: string): Promise<Alert | null> {
    const rows = await this.rows(sql`SELECT ${alertSelect} FROM alerts_current WHERE id = ${id}`);
    return rows[0] ? toAlert(rows[0]) : null;
  }

  async transitions(alertId: string): Promise<Transition[]> {
    const rows = await this.rows(
      sql`SELECT ${transitionSelect} FROM alert_transitions WHERE alert_id = ${alertId} ORDER BY occurred_at, rowid`,
    );
    return rows.map(toTransition);
  }

  async transition(alertId: string, transitionId: string): Promise<Transition | null> {
    const [row] = await this.rows(
      sql`SELECT ${transitionSelect} FROM alert_transitions WHERE alert_id = ${alertId} AND id = ${transitionId}`,
    );
    return row ? toTransition(row) : null;
  }

  claimDeliveries(now: number, limit: number): Promise<Delivery[]> {
    return this.exclusive(async () => {
      const rows = await readRows(
        this.writer,
        sql`UPDATE alert_outbox SET claimed_until = ${time(now + DELIVERY_LEASE_MS)} WHERE id IN (
          SELECT id FROM alert_outbox WHERE status = 'pending'
            AND coalesce(claimed_until, next_attempt_at) <= ${time(now)}
          ORDER BY next_attempt_at, id LIMIT ${Math.trunc(limit)})
        RETURNING ${deliverySelect}`,
      );
      return rows.map(toDelivery).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || cmp(a.id, b.id));
    });
  }

  async listDeliveries(filter: DeliveryFilter): Promise<Delivery[]> {
    const where = [sql`TRUE`];
    if (filter.statuses) where.push(isIn(sql`status`, filter.statuses));
    if (filter.alertId !== undefined) where.push(sql`alert_id = ${filter.alertId}`);
    if (filter.channel !== undefined) where.push(sql`channel = ${filter.channel}`);
    const statement = sql`SELECT ${deliverySelect} FROM alert_outbox WHERE ${join(where, ' AND ')}
      ORDER BY created_at DESC, id LIMIT ${Math.trunc(filter.limit)}`;
    return (await this.rows(statement)).map(toDelivery);
  }

  async getDelivery(id: string): Promise<Delivery | null> {
    const rows = await this.rows(sql`SELECT ${deliverySelect} FROM alert_outbox WHERE id = ${id}`);
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  updateDeliveries(updates: readonly DeliveryUpdate[]): Promise<void> {
    const latest = new Map(updates.map((u) => [u.id, u]));
    return this.transaction(
      [...latest.values()].map(
        (u) =>
          sql`UPDATE alert_outbox SET status = ${u.status}, attempts = ${u.attempts},
           next_attempt_at = ${time(u.nextAttemptAt)}, last_error = ${u.lastError}, sent_at = ${time(u.sentAt)},
           claimed_until = ${time(u.nextAttemptAt + DELIVERY_LEASE_MS)} WHERE id = ${u.id}`,
      ),
    );
  }

  insertDeliveries(rows: readonly Delivery[]): Promise<Delivery[]> {
    return this.exclusive(async () => {
      if (!rows.length) return [];
      await this.writer.run('BEGIN TRANSACTION');
      try {
        const existing = new Set(
          (
            await runAndReadAll(
              this.writer,
              sql`SELECT id FROM alert_outbox WHERE ${isIn(
                sql`id`,
                rows.map((r) => r.id),
              )}`,
            )
          )
            .getRowObjectsJS()
            .map((r) => r.id as string),
        );
        const fresh = rows.filter((r) => !existing.has(r.id));
        if (fresh.length) {
          const values = fresh.map((d) => valuesRow(outboxTable, deliveryColumns(d)));
          await run(this.writer, sql`INSERT INTO alert_outbox VALUES ${join(values)}`);
        }
        await this.writer.run('COMMIT');
        return fresh;
      } catch (error) {
        await this.writer.run('ROLLBACK');
        throw error;
      }
    });
  }

  async loadRules(): Promise<unknown[] | null> {
    const saved = await this.rows(sql`SELECT value FROM alert_meta WHERE key = 'rules_saved'`);
    if (!saved.length) return null;
    const rows = await this.rows(sql`SELECT rule FROM alert_rules ORDER BY position`);
    return rows.map((r) => JSON.parse(String(r.rule)) as unknown);
  }

  saveRules(rules: readonly Rule[]): Promise<void> {
    const now = Date.now();
    return this.transaction([
      sql`DELETE FROM alert_rules`,
      ...(rules.length
        ? [
            sql`INSERT INTO alert_rules VALUES ${join(
              rules.map((r, i) => sql`(${i}, ${r.id}, ${JSON.stringify(r)}, ${time(now)})`),
            )}`,
          ]
        : []),
      sql`DELETE FROM alert_meta WHERE key = 'rules_saved'`,
      sql`INSERT INTO alert_meta VALUES ('rules_saved', ${new Date(now).toISOString()})`,
    ]);
  }

  async listBudgets(): Promise<Budget[]> {
    const rows = await this.rows(
      sql`SELECT tenant_id, resource_type, monthly_usd, epoch_ms(updated_at) AS updated_at FROM alert_budgets
       ORDER BY tenant_id, resource_type`,
    );
    return rows.map((r) => ({
      tenantId: String(r.tenant_id),
      resourceType: r.resource_type === '' ? null : String(r.resource_type),
      monthlyUsd: Number(r.monthly_usd),
      updatedAt: Number(r.updated_at),
    }));
  }

  replaceBudgets(tenantId: string, budgets: readonly Budget[]): Promise<void> {
    return this.transaction([
      sql`DELETE FROM alert_budgets WHERE tenant_id = ${tenantId}`,
      ...(budgets.length
        ? [
            sql`INSERT INTO alert_budgets VALUES ${join(
              budgets.map(
                (b) =>
                  sql`(${tenantId}, ${b.resourceType ?? ''}, ${num(b.monthlyUsd)}, ${time(b.updatedAt)})`,
              ),
            )}`,
          ]
        : []),
    ]);
  }

  async listSilences(filter: SilenceFilter): Promise<Silence[]> {
    return (await this.rows(silencesSql(filter))).map(toSilence);
  }

  writeSilences(rows: readonly Silence[]): Promise<void> {
    return this.transaction(writeSilencesSql(rows));
  }

  latestByEntity(query: Parameters<AlertStore['latestByEntity']>[0]): Promise<LatestRow[]> {
    if (this.events) return this.events.latestByEntity(query);
    return latestByEntity((statement) => this.rows(statement), query);
  }

  recentEvents(query: Parameters<AlertStore['recentEvents']>[0]): Promise<RecentRow[]> {
    if (this.events) return this.events.recentEvents(query);
    return recentEvents((statement) => this.rows(statement), query);
  }

  trendBuckets(query: TrendBucketQuery): Promise<TrendBuckets | null> {
    if (this.events) return this.events.trendBuckets(query);
    return trendBuckets(this.reader, query);
  }

  ingestionMark(): Promise<IngestionMark | null> {
    if (this.events) return this.events.ingestionMark?.() ?? Promise.resolve(null);
    return ingestionMark((statement) => this.rows(statement));
  }

  ingestedAfter(query: IngestedAfterQuery): Promise<IngestedRow[] | null> {
    if (this.events) return this.events.ingestedAfter?.(query) ?? Promise.resolve(null);
    return ingestedAfter((statement) => this.rows(statement), query);
  }

  eventsBetween(query: HistoryQuery): Promise<RecentRow[]> {
    if (this.events) return this.events.eventsBetween(query);
    return eventsBetween((statement) => this.rows(statement), query);
  }

  async close(): Promise<void> {
    await Promise.all([this.chain, this.bulkChain]);
    this.reader.closeSync();
    this.bulkWriter.closeSync();
    this.writer.closeSync();
    this.staging.close();
  }
}
