import type { DuckDBConnection } from '@duckdb/node-api';
import type { BusinessEventName } from '@pulse/events';
import type { Rule } from '../../alerts/rule-model.js';
import type { Alert, Delivery, DurableChannelKind, Notification, Transition } from '../../alerts/types.js';
import type {
  AlertFilter,
  AlertStore,
  AlertWrite,
  Budget,
  DeliveryFilter,
  DeliveryUpdate,
  LatestRow,
  RecentRow,
  WriteLane,
} from '../alert-store.js';
import { selectFromStaging } from './read-json-sql.js';
import { eventTables, quote, type Column } from './schema.js';
import { StagingArea } from './staging.js';
import type { SqlValue } from '../../sql.js';
import { ident, isIn, join, readRows, run, runAndReadAll, sql, timestamp as time, type Sql } from './sql.js';
import { msOrNull as ms } from './sql-values.js';

interface TableColumn extends Column {
  notNull?: boolean;
}

const c = (name: string, type: string, notNull = true): TableColumn => ({ name, type, notNull });

const alertTable: TableColumn[] = [
  c('id', 'VARCHAR'),
  c('rule_id', 'VARCHAR'),
  c('rule_name', 'VARCHAR'),
  c('severity', 'VARCHAR'),
  c('tenant_id', 'VARCHAR'),
  c('dedup_key', 'VARCHAR'),
  c('key_parts', 'JSON'),
  c('state', 'VARCHAR'),
  c('title', 'VARCHAR'),
  c('summary', 'VARCHAR'),
  c('amount', 'DOUBLE', false),
  c('value', 'DOUBLE', false),
  c('event_uuids', 'JSON'),
  c('count', 'BIGINT'),
  c('first_seen', 'TIMESTAMP'),
  c('last_seen', 'TIMESTAMP'),
  c('last_event_at', 'TIMESTAMP', false),
  c('acknowledged_by', 'VARCHAR', false),
  c('acknowledged_at', 'TIMESTAMP', false),
  c('ack_comment', 'VARCHAR', false),
  c('resolved_by', 'VARCHAR', false),
  c('resolved_at', 'TIMESTAMP', false),
  c('resolve_comment', 'VARCHAR', false),
  c('resolution', 'VARCHAR', false),
  c('backfill', 'BOOLEAN'),
  c('updated_at', 'TIMESTAMP'),
];

const transitionTable: TableColumn[] = [
  c('id', 'VARCHAR'),
  c('alert_id', 'VARCHAR'),
  c('kind', 'VARCHAR'),
  c('occurred_at', 'TIMESTAMP'),
  c('actor', 'VARCHAR'),
  c('comment', 'VARCHAR', false),
  c('backfill', 'BOOLEAN'),
];

const outboxTable: TableColumn[] = [
  c('id', 'VARCHAR'),
  c('alert_id', 'VARCHAR', false),
  c('transition_id', 'VARCHAR', false),
  c('channel', 'VARCHAR'),
  c('target', 'VARCHAR'),
  c('payload', 'JSON'),
  c('status', 'VARCHAR'),
  c('attempts', 'INTEGER'),
  c('next_attempt_at', 'TIMESTAMP'),
  c('last_error', 'VARCHAR', false),
  c('created_at', 'TIMESTAMP'),
  c('sent_at', 'TIMESTAMP', false),
];

const create = (table: string, columns: readonly TableColumn[]) =>
  `CREATE TABLE IF NOT EXISTS ${table} (${columns
    .map((col) => `${quote(col.name)} ${col.type}${col.notNull ? ' NOT NULL' : ''}`)
    .join(', ')})`;

/*
 * No primary keys: DuckDB's constraint checks (INSERT OR REPLACE) cost ~10 ms a statement, on the path to
 * every notification. Ids are unique by construction (UUIDs, transition id + channel). The outbox's
 * point updates use an index; alerts have none: every snapshot write deletes and re-inserts rows (an ART
 * index there cost ~20 % more CPU per write and doubled the table's size on disk), and reads by id go
 * through the view's window anyway.
 */
const tablesSql = [
  create('alerts', alertTable),
  `DROP INDEX IF EXISTS alerts_id`,
  // Reads go through this view: one row per id even if a write was ever applied twice (no key enforces it).
  `CREATE OR REPLACE VIEW alerts_current AS SELECT * FROM alerts
     QUALIFY row_number() OVER (PARTITION BY id ORDER BY updated_at DESC, count DESC) = 1`,
  create('alert_transitions', transitionTable),
  create('alert_outbox', outboxTable),
  `CREATE INDEX IF NOT EXISTS alert_outbox_id ON alert_outbox (id)`,
  // Whole sets, replaced by delete + insert in one transaction.
  `CREATE TABLE IF NOT EXISTS alert_rules (position INTEGER NOT NULL, id VARCHAR NOT NULL, rule JSON NOT NULL, updated_at TIMESTAMP NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS alert_budgets (tenant_id VARCHAR NOT NULL, resource_type VARCHAR NOT NULL, monthly_usd DOUBLE NOT NULL, updated_at TIMESTAMP NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS alert_meta (key VARCHAR NOT NULL, value VARCHAR NOT NULL)`,
];

type Row = Record<string, unknown>;

const num = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);
const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : v === null || v === undefined ? null : JSON.stringify(v);

/** DuckDB values as the JSON-ish values events carry: BIGINT → number, TIMESTAMP → ISO string. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** A row value as a bound parameter (times are epoch ms). */
function bound(value: unknown, type: string): Sql | SqlValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'JSON':
      return JSON.stringify(value);
    case 'TIMESTAMP':
      return time(value as number);
    case 'DOUBLE':
    case 'BIGINT':
    case 'INTEGER':
      return num(value as number);
    case 'BOOLEAN':
      return Boolean(value);
    default:
      return value as string;
  }
}

/** A VALUES row of `columns`. */
const valuesRow = (columns: readonly TableColumn[], row: Row): Sql =>
  sql`(${join(columns.map((col) => bound(row[col.name], col.type)))})`;

/** Above this many rows, a batch is bulk-loaded from a staged NDJSON file instead of a VALUES list. */
const STAGE_ABOVE = 32;

const alertSelect = sql`id, rule_id, rule_name, severity, tenant_id, dedup_key, key_parts, state, title, summary,
  amount, value, event_uuids, count, epoch_ms(first_seen) AS first_seen, epoch_ms(last_seen) AS last_seen,
  epoch_ms(last_event_at) AS last_event_at, acknowledged_by, epoch_ms(acknowledged_at) AS acknowledged_at,
  ack_comment, resolved_by, epoch_ms(resolved_at) AS resolved_at, resolve_comment, resolution, backfill,
  epoch_ms(updated_at) AS updated_at`;

const alertRow = (a: Alert): Row => ({
  id: a.id,
  rule_id: a.ruleId,
  rule_name: a.ruleName,
  severity: a.severity,
  tenant_id: a.tenantId,
  dedup_key: a.dedupKey,
  key_parts: a.keyParts,
  state: a.state,
  title: a.title,
  summary: a.summary,
  amount: a.amount,
  value: a.value,
  event_uuids: a.eventUuids,
  count: a.count,
  first_seen: a.firstSeen,
  last_seen: a.lastSeen,
  last_event_at: a.lastEventAt,
  acknowledged_by: a.acknowledgedBy,
  acknowledged_at: a.acknowledgedAt,
  ack_comment: a.ackComment,
  resolved_by: a.resolvedBy,
  resolved_at: a.resolvedAt,
  resolve_comment: a.resolveComment,
  resolution: a.resolution,
  backfill: a.backfill,
  updated_at: a.updatedAt,
});

function toAlert(r: Row): Alert {
  return {
    id: String(r.id),
    ruleId: String(r.rule_id),
    ruleName: String(r.rule_name),
    severity: r.severity as Alert['severity'],
    tenantId: String(r.tenant_id),
    dedupKey: String(r.dedup_key),
    keyParts: JSON.parse(String(r.key_parts)) as Record<string, string>,
    state: r.state as Alert['state'],
    title: String(r.title),
    summary: String(r.summary),
    amount: r.amount === null ? null : Number(r.amount),
    value: r.value === null ? null : Number(r.value),
    eventUuids: JSON.parse(String(r.event_uuids)) as string[],
    count: Number(r.count),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    lastEventAt: ms(r.last_event_at),
    acknowledgedBy: str(r.acknowledged_by),
    acknowledgedAt: ms(r.acknowledged_at),
    ackComment: str(r.ack_comment),
    resolvedBy: str(r.resolved_by),
    resolvedAt: ms(r.resolved_at),
    resolveComment: str(r.resolve_comment),
    resolution: (r.resolution ?? null) as Alert['resolution'],
    backfill: Boolean(r.backfill),
    updatedAt: Number(r.updated_at),
  };
}

const transitionRow = (t: Transition): Row => ({
  id: t.id,
  alert_id: t.alertId,
  kind: t.kind,
  occurred_at: t.at,
  actor: t.actor,
  comment: t.comment,
  backfill: t.backfill,
});

const deliverySelect = sql`id, alert_id, transition_id, channel, target, payload, status, attempts,
  epoch_ms(next_attempt_at) AS next_attempt_at, last_error, epoch_ms(created_at) AS created_at,
  epoch_ms(sent_at) AS sent_at`;

const deliveryRow = (d: Delivery): Row => ({
  id: d.id,
  alert_id: d.alertId,
  transition_id: d.transitionId,
  channel: d.channel,
  target: d.target,
  payload: d.payload,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: d.nextAttemptAt,
  last_error: d.lastError,
  created_at: d.createdAt,
  sent_at: d.sentAt,
});

function toDelivery(r: Row): Delivery {
  return {
    id: String(r.id),
    alertId: str(r.alert_id),
    transitionId: str(r.transition_id),
    channel: r.channel as DurableChannelKind,
    target: String(r.target),
    payload: JSON.parse(String(r.payload)) as Notification,
    status: r.status as Delivery['status'],
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: str(r.last_error),
    createdAt: Number(r.created_at),
    sentAt: ms(r.sent_at),
  };
}

/** `, <column> AS c0, …`: the columns a query reads, under positional aliases. */
const valueColumns = (columns: readonly string[], alias?: string): Sql =>
  columns.length
    ? join(
        columns.map(
          (c, i) => sql`, ${alias ? sql`${ident(alias)}.` : sql``}${ident(c)} AS ${ident(`c${i}`)}`,
        ),
        '',
      )
    : sql``;

function tableOf(event: BusinessEventName, columns: readonly string[]): Sql {
  const table = eventTables[event];
  const known = new Set(table.columns.map((c) => c.name));
  for (const c of columns)
    if (!known.has(c)) throw new Error(`${event} has no stored column ${JSON.stringify(c)}`);
  return ident(table.table);
}

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
  ) {}

  /** On the event store's database; alert titles name tenants, so staging follows its encryption policy. */
  static async open(db: {
    connect(): Promise<DuckDBConnection>;
    readonly encryption: object | null;
  }): Promise<DuckDbAlertStore> {
    const writer = await db.connect();
    for (const statement of tablesSql) await writer.run(statement);
    const staging = StagingArea.open({ ramOnly: db.encryption !== null });
    return new DuckDbAlertStore(writer, await db.connect(), await db.connect(), staging);
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

  write(batch: AlertWrite, lane: WriteLane = 'fast', journalEnd?: number): Promise<void> {
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
    this.insert(statements, files, 'alerts', alertTable, batch.alerts.map(alertRow));
    this.insert(
      statements,
      files,
      'alert_transitions',
      transitionTable,
      batch.transitions.map(transitionRow),
    );
    this.insert(statements, files, 'alert_outbox', outboxTable, batch.deliveries.map(deliveryRow));
    if (journalEnd !== undefined)
      statements.push(
        sql`DELETE FROM alert_meta WHERE key = 'journal_stored'`,
        sql`INSERT INTO alert_meta VALUES ('journal_stored', ${String(Math.trunc(journalEnd))})`,
      );
    return this.transaction(statements, files, lane);
  }

  async journalStored(): Promise<number> {
    const [row] = await this.rows(sql`SELECT value FROM alert_meta WHERE key = 'journal_stored'`);
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
    const where = [sql`TRUE`];
    if (filter.states) where.push(isIn(sql`state`, filter.states));
    if (filter.severities) where.push(isIn(sql`severity`, filter.severities));
    if (filter.tenants) where.push(isIn(sql`tenant_id`, filter.tenants));
    if (filter.rules) where.push(isIn(sql`rule_id`, filter.rules));
    if (filter.from !== undefined) where.push(sql`last_seen >= ${time(filter.from)}`);
    if (filter.to !== undefined) where.push(sql`first_seen < ${time(filter.to)}`);
    const statement = sql`SELECT ${alertSelect} FROM alerts_current WHERE ${join(where, ' AND ')}
      ORDER BY last_seen DESC, id LIMIT ${Math.trunc(filter.limit)}`;
    return (await this.rows(statement)).map(toAlert);
  }

  async getAlert(id: string): Promise<Alert | null> {
    const rows = await this.rows(sql`SELECT ${alertSelect} FROM alerts_current WHERE id = ${id}`);
    return rows[0] ? toAlert(rows[0]) : null;
  }

  async transitions(alertId: string): Promise<Transition[]> {
    const rows = await this.rows(
      sql`SELECT id, alert_id, kind, epoch_ms(occurred_at) AS at, actor, comment, backfill FROM alert_transitions
       WHERE alert_id = ${alertId} ORDER BY occurred_at, rowid`,
    );
    return rows.map((r) => ({
      id: String(r.id),
      alertId: String(r.alert_id),
      kind: r.kind as Transition['kind'],
      at: Number(r.at),
      actor: String(r.actor),
      comment: str(r.comment),
      backfill: Boolean(r.backfill),
    }));
  }

  async pendingDeliveries(): Promise<Delivery[]> {
    return (
      await this.rows(
        sql`SELECT ${deliverySelect} FROM alert_outbox WHERE status = 'pending' ORDER BY next_attempt_at, id`,
      )
    ).map(toDelivery);
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
           next_attempt_at = ${time(u.nextAttemptAt)}, last_error = ${u.lastError}, sent_at = ${time(u.sentAt)}
           WHERE id = ${u.id}`,
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
          const values = fresh.map((d) => valuesRow(outboxTable, deliveryRow(d)));
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

  async latestByEntity(query: {
    event: BusinessEventName;
    entity: string;
    columns: readonly string[];
    nonNull?: string;
    byMonth?: boolean;
    since?: number;
  }): Promise<LatestRow[]> {
    const table = tableOf(query.event, [
      query.entity,
      ...query.columns,
      ...(query.nonNull ? [query.nonNull] : []),
    ]);
    const entity = ident(query.entity);
    const month = sql`strftime("timestamp", '%Y-%m')`;
    const where = [sql`tenant_id IS NOT NULL`, sql`${entity} IS NOT NULL`];
    if (query.nonNull) where.push(sql`${ident(query.nonNull)} IS NOT NULL`);
    if (query.since !== undefined) where.push(sql`"timestamp" >= ${time(query.since)}`);
    const statement = sql`SELECT tenant_id, CAST(${entity} AS VARCHAR) AS __entity, ${query.byMonth ? month : sql`NULL`} AS __month,
        uuid::VARCHAR AS __uuid, epoch_ms("timestamp") AS __ts${valueColumns(query.columns)}
      FROM ${table} WHERE ${join(where, ' AND ')}
      QUALIFY row_number() OVER (PARTITION BY tenant_id, ${entity}${query.byMonth ? sql`, ${month}` : sql``}
        ORDER BY "timestamp" DESC, uuid DESC) = 1
      ORDER BY __ts`;
    return (await this.rows(statement)).map((r) => ({
      tenantId: String(r.tenant_id),
      entity: String(r.__entity),
      month: str(r.__month),
      uuid: String(r.__uuid),
      timestamp: Number(r.__ts),
      values: Object.fromEntries(query.columns.map((c, i) => [c, plain(r[`c${i}`])])),
    }));
  }

  async recentEvents(query: {
    event: BusinessEventName;
    columns: readonly string[];
    minutes: number;
  }): Promise<RecentRow[]> {
    const table = tableOf(query.event, query.columns);
    const span = Math.trunc(query.minutes * 60_000);
    const statement = sql`WITH newest AS (
        SELECT tenant_id, max("timestamp") AS mt FROM ${table} WHERE tenant_id IS NOT NULL GROUP BY tenant_id
      )
      SELECT e.tenant_id, e.uuid::VARCHAR AS __uuid, epoch_ms(e."timestamp") AS __ts${valueColumns(query.columns, 'e')}
      FROM ${table} e JOIN newest n ON e.tenant_id = n.tenant_id
      WHERE e."timestamp" > n.mt - to_milliseconds(CAST(${span} AS BIGINT))
      ORDER BY e."timestamp" LIMIT 5000000`;
    return (await this.rows(statement)).map((r) => ({
      tenantId: String(r.tenant_id),
      uuid: String(r.__uuid),
      timestamp: Number(r.__ts),
      values: Object.fromEntries(query.columns.map((c, i) => [c, plain(r[`c${i}`])])),
    }));
  }

  async close(): Promise<void> {
    await Promise.all([this.chain, this.bulkChain]);
    this.reader.closeSync();
    this.bulkWriter.closeSync();
    this.writer.closeSync();
    this.staging.close();
  }
}
