import type pg from 'pg';
import type { Rule } from '../../alerts/rule-model.js';
import type { Silence } from '../../alerts/silences.js';
import type { Alert, AlertLogger, Delivery, Transition } from '../../alerts/types.js';
import { ident, isIn, join, sql } from '../../sql.js';
import {
  DELIVERY_LEASE_MS,
  type AlertFilter,
  type AlertGroupQuery,
  type AlertGroupRow,
  type AlertStore,
  type AlertWrite,
  type Budget,
  type DeliveryFilter,
  type DeliveryUpdate,
  type EventHistorySource,
  type EventStateSource,
  type HistoryQuery,
  type TrendBucketQuery,
  type TrendBuckets,
  type IngestedAfterQuery,
  type IngestedRow,
  type IngestionMark,
  type LatestRow,
  type RecentRow,
  type SilenceFilter,
  type WriteLane,
  type AlertWriteOutcome,
  type JournalPosition,
  journalStoredKey,
} from '../alert-store.js';
import { alertGroupsSql, alertPageSql, alertSelect, silencesSql } from './pg-alert-inbox-reads.js';
import { alertColumns, deliveryColumns, groupFromColumns, transitionColumns } from '../alert-columns.js';
import {
  alertSnapshotColumns,
  silenceDoc,
  toAlert,
  toDelivery,
  toSilence,
  toTransition,
} from './pg-alert-rows.js';
import { alertTablesSql } from './pg-alert-tables.js';
import { inTransaction, query, type PgQueryable } from './pg-client.js';

/** Where a state may go: forward only, except an alert that fires again after its cooldown (refired). */
const stateRank = (alias: string) =>
  sql`array_position(ARRAY['open', 'acknowledged', 'resolved'], ${ident(alias)}.state)`;

const byDue = (a: Delivery, b: Delivery) =>
  a.nextAttemptAt - b.nextAttemptAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Alerts, transitions, the outbox, rules, budgets and silences in PostgreSQL, shared by several Pulse
 * processes. What the alert rules read from stored events comes from `events` (the event store's engine).
 * Two processes raising the same alert: the unique index on an active alert's dedup key keeps the first,
 * and the second's alert, transitions and notifications are dropped in the same transaction.
 */
export class PgAlertStore implements AlertStore {
  private readonly lanes: Record<WriteLane, Promise<unknown>> = {
    fast: Promise.resolve(),
    bulk: Promise.resolve(),
  };
  /** Alerts this process opened after another had opened the same: their later snapshots are dropped too. */
  private readonly superseded = new Set<string>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly events: EventStateSource & EventHistorySource,
    private readonly logger: Pick<AlertLogger, 'info'> | undefined,
  ) {}

  static async open(
    pool: pg.Pool,
    events: EventStateSource & EventHistorySource,
    logger?: Pick<AlertLogger, 'info'>,
  ): Promise<PgAlertStore> {
    await inTransaction(pool, async (client) => {
      // Processes starting together would race to create the same tables.
      await query(client, sql`SELECT pg_advisory_xact_lock(hashtext('pulse.alert_tables'))`);
      for (const statement of alertTablesSql) await query(client, statement);
    });
    return new PgAlertStore(pool, events, logger);
  }

  /** Runs `fn` after the lane's earlier writes: each lane applies its writes in order. */
  private inLane<T>(lane: WriteLane, fn: () => Promise<T>): Promise<T> {
    const run = this.lanes[lane].then(fn, fn);
    this.lanes[lane] = run.catch(() => undefined);
    return run;
  }

  write(batch: AlertWrite, lane: WriteLane = 'fast', journal?: JournalPosition): Promise<AlertWriteOutcome> {
    return this.inLane(lane, async () => {
      const { opened, dropped } = await inTransaction(this.pool, (client) =>
        this.writeIn(client, batch, journal),
      );
      for (const alert of opened) {
        this.superseded.add(alert.id);
        this.logger?.info(
          { alert: alert.id, dedupKey: alert.dedupKey },
          'this alert is already open (raised by another process): kept that one, dropped this one',
        );
      }
      return { dropped };
    });
  }

  /**
   * The batch in one transaction; returns the opened alerts dropped because another was already active, and
   * the ids of every alert of the batch not written.
   */
  private async writeIn(
    client: PgQueryable,
    batch: AlertWrite,
    journal?: JournalPosition,
  ): Promise<{ opened: Alert[]; dropped: Set<string> }> {
    const latest = new Map(batch.alerts.filter((a) => !this.superseded.has(a.id)).map((a) => [a.id, a]));
    const docs = [...latest.values()].map(alertColumns);
    const kept = new Set<string>();
    if (docs.length) {
      const refired = batch.transitions.filter((t) => t.kind === 'refired').map((t) => t.alertId);
      // A snapshot older than what another process stored (an alert acknowledged or resolved since) is refused.
      const updated = await query(
        client,
        sql`UPDATE alerts a SET ${join(alertSnapshotColumns.map((c) => sql`${ident(c)} = i.${ident(c)}`))}
          FROM jsonb_populate_recordset(NULL::alerts, ${JSON.stringify(docs)}::jsonb) i
          WHERE a.id = i.id AND (${stateRank('i')} >= ${stateRank('a')} OR ${isIn(sql`a.id`, refired)})
          RETURNING a.id`,
      );
      for (const row of updated) kept.add(String(row.id));
      const fresh = docs.filter((d) => !kept.has(String(d.id)));
      if (fresh.length) {
        // No target: a conflict on the id (a refused snapshot) or on the active dedup key inserts nothing.
        const inserted = await query(
          client,
          sql`INSERT INTO alerts SELECT * FROM jsonb_populate_recordset(NULL::alerts, ${JSON.stringify(fresh)}::jsonb)
            ON CONFLICT DO NOTHING RETURNING id`,
        );
        for (const row of inserted) kept.add(String(row.id));
      }
    }
    const refused = new Set([...latest.keys()].filter((id) => !kept.has(id)));
    const dropped = (id: string | null) => id !== null && (refused.has(id) || this.superseded.has(id));
    const transitions = batch.transitions.filter((t) => !dropped(t.alertId));
    const deliveries = batch.deliveries.filter((d) => !dropped(d.alertId));
    if (transitions.length)
      await query(
        client,
        sql`INSERT INTO alert_transitions (id, alert_id, kind, occurred_at, actor, comment, backfill)
          SELECT id, alert_id, kind, occurred_at, actor, comment, backfill
          FROM jsonb_populate_recordset(NULL::alert_transitions, ${JSON.stringify(transitions.map(transitionColumns))}::jsonb)
            WITH ORDINALITY ORDER BY ordinality
          ON CONFLICT (id) DO NOTHING`,
      );
    if (deliveries.length) await this.insertOutbox(client, deliveries);
    if (journal)
      await query(
        client,
        sql`INSERT INTO alert_meta VALUES (${journalStoredKey(journal.id)}, ${String(Math.trunc(journal.end))})
          ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      );
    const opened = new Set(batch.transitions.filter((t) => t.kind === 'opened').map((t) => t.alertId));
    const ids = [...batch.alerts.map((a) => a.id), ...batch.transitions.map((t) => t.alertId)];
    return {
      opened: [...latest.values()].filter((a) => refused.has(a.id) && opened.has(a.id)),
      dropped: new Set(ids.filter(dropped)),
    };
  }

  /** Inserts outbox rows whose id is new; returns the ids inserted. */
  private async insertOutbox(client: PgQueryable, rows: readonly Delivery[]): Promise<Set<string>> {
    const inserted = await query(
      client,
      sql`INSERT INTO alert_outbox
        SELECT * FROM jsonb_populate_recordset(NULL::alert_outbox, ${JSON.stringify(rows.map(deliveryColumns))}::jsonb)
        ON CONFLICT (id) DO NOTHING RETURNING id`,
    );
    return new Set(inserted.map((r) => String(r.id)));
  }

  async journalStored(journalId: string): Promise<number> {
    const [row] = await query(
      this.pool,
      sql`SELECT value FROM alert_meta WHERE key = ${journalStoredKey(journalId)}`,
    );
    return row ? Number(row.value) : 0;
  }

  async activeAlerts(): Promise<Alert[]> {
    const rows = await query(this.pool, sql`SELECT ${alertSelect} FROM alerts WHERE state <> 'resolved'`);
    return rows.map(toAlert);
  }

  async listAlerts(filter: AlertFilter): Promise<Alert[]> {
    return (await query(this.pool, alertPageSql(filter))).map(toAlert);
  }

  async alertGroups(q: AlertGroupQuery): Promise<AlertGroupRow[]> {
    return (await query(this.pool, alertGroupsSql(q))).map((r) => groupFromColumns(r, q.slices.count));
  }

  async getAlert(id: string): Promise<Alert | null> {
    const [row] = await query(this.pool, sql`SELECT ${alertSelect} FROM alerts WHERE id = ${id}`);
    return row ? toAlert(row) : null;
  }

  async transitions(alertId: string): Promise<Transition[]> {
    const rows = await query(
      this.pool,
      sql`SELECT * FROM alert_transitions WHERE alert_id = ${alertId} ORDER BY occurred_at, seq`,
    );
    return rows.map(toTransition);
  }

  async transition(alertId: string, transitionId: string): Promise<Transition | null> {
    const [row] = await query(
      this.pool,
      sql`SELECT * FROM alert_transitions WHERE alert_id = ${alertId} AND id = ${transitionId}`,
    );
    return row ? toTransition(row) : null;
  }

  /** SKIP LOCKED: two processes claiming at once take different rows, neither waits for the other. */
  async claimDeliveries(now: number, limit: number): Promise<Delivery[]> {
    const rows = await query(
      this.pool,
      sql`UPDATE alert_outbox SET claimed_until = ${now + DELIVERY_LEASE_MS} WHERE id IN (
          SELECT id FROM alert_outbox WHERE status = 'pending' AND claimed_until <= ${now}
          ORDER BY next_attempt_at, id COLLATE "C" LIMIT ${Math.trunc(limit)} FOR UPDATE SKIP LOCKED)
        RETURNING *`,
    );
    return rows.map(toDelivery).sort(byDue);
  }

  async listDeliveries(filter: DeliveryFilter): Promise<Delivery[]> {
    const where = [sql`TRUE`];
    if (filter.statuses) where.push(isIn(sql`status`, filter.statuses));
    if (filter.alertId !== undefined) where.push(sql`alert_id = ${filter.alertId}`);
    if (filter.channel !== undefined) where.push(sql`channel = ${filter.channel}`);
    const rows = await query(
      this.pool,
      sql`SELECT * FROM alert_outbox WHERE ${join(where, ' AND ')}
        ORDER BY created_at DESC, id COLLATE "C" LIMIT ${Math.trunc(filter.limit)}`,
    );
    return rows.map(toDelivery);
  }

  async getDelivery(id: string): Promise<Delivery | null> {
    const [row] = await query(this.pool, sql`SELECT * FROM alert_outbox WHERE id = ${id}`);
    return row ? toDelivery(row) : null;
  }

  async updateDeliveries(updates: readonly DeliveryUpdate[]): Promise<void> {
    if (!updates.length) return;
    const latest = [...new Map(updates.map((u) => [u.id, u])).values()];
    await query(
      this.pool,
      sql`UPDATE alert_outbox o SET status = u.status, attempts = u.attempts, next_attempt_at = u.next_attempt_at,
          last_error = u.last_error, sent_at = u.sent_at, claimed_until = u.next_attempt_at + ${DELIVERY_LEASE_MS}
        FROM jsonb_to_recordset(${JSON.stringify(
          latest.map((u) => ({
            id: u.id,
            status: u.status,
            attempts: u.attempts,
            next_attempt_at: u.nextAttemptAt,
            last_error: u.lastError,
            sent_at: u.sentAt,
          })),
        )}::jsonb) AS u(id TEXT, status TEXT, attempts INTEGER, next_attempt_at BIGINT, last_error TEXT, sent_at BIGINT)
        WHERE o.id = u.id`,
    );
  }

  async insertDeliveries(rows: readonly Delivery[]): Promise<Delivery[]> {
    if (!rows.length) return [];
    const inserted = await this.insertOutbox(this.pool, rows);
    return rows.filter((r) => inserted.has(r.id));
  }

  async loadRules(): Promise<unknown[] | null> {
    const saved = await query(this.pool, sql`SELECT 1 FROM alert_meta WHERE key = 'rules_saved'`);
    if (!saved.length) return null;
    return (await query(this.pool, sql`SELECT rule FROM alert_rules ORDER BY position`)).map(
      (r) => r.rule as unknown,
    );
  }

  async saveRules(rules: readonly Rule[]): Promise<void> {
    const now = Date.now();
    await inTransaction(this.pool, async (client) => {
      // Whole-set replace: two saves at once would otherwise interleave their deletes and inserts.
      await query(client, sql`LOCK TABLE alert_rules IN EXCLUSIVE MODE`);
      await query(client, sql`DELETE FROM alert_rules`);
      if (rules.length)
        await query(
          client,
          sql`INSERT INTO alert_rules VALUES ${join(
            rules.map((r, i) => sql`(${i}, ${r.id}, ${JSON.stringify(r)}::jsonb, ${now})`),
          )}`,
        );
      await query(
        client,
        sql`INSERT INTO alert_meta VALUES ('rules_saved', ${new Date(now).toISOString()})
          ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      );
    });
  }

  async listBudgets(): Promise<Budget[]> {
    const rows = await query(
      this.pool,
      sql`SELECT * FROM alert_budgets ORDER BY tenant_id COLLATE "C", resource_type COLLATE "C"`,
    );
    return rows.map((r) => ({
      tenantId: String(r.tenant_id),
      resourceType: r.resource_type === '' ? null : String(r.resource_type),
      monthlyUsd: Number(r.monthly_usd),
      updatedAt: Number(r.updated_at),
    }));
  }

  async replaceBudgets(tenantId: string, budgets: readonly Budget[]): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      // Serialises replaces of one tenant: otherwise the second's insert meets the first's rows.
      await query(client, sql`SELECT pg_advisory_xact_lock(hashtext(${`pulse.alert_budgets.${tenantId}`}))`);
      await query(client, sql`DELETE FROM alert_budgets WHERE tenant_id = ${tenantId}`);
      if (budgets.length)
        await query(
          client,
          sql`INSERT INTO alert_budgets VALUES ${join(
            budgets.map((b) => sql`(${tenantId}, ${b.resourceType ?? ''}, ${b.monthlyUsd}, ${b.updatedAt})`),
          )}`,
        );
    });
  }

  async listSilences(filter: SilenceFilter): Promise<Silence[]> {
    return (await query(this.pool, silencesSql(filter))).map(toSilence);
  }

  async writeSilences(rows: readonly Silence[]): Promise<void> {
    if (!rows.length) return;
    const latest = [...new Map(rows.map((s) => [s.id, s])).values()];
    await query(
      this.pool,
      sql`INSERT INTO alert_silences
        SELECT * FROM jsonb_populate_recordset(NULL::alert_silences, ${JSON.stringify(latest.map(silenceDoc))}::jsonb)
        ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, alert_id = EXCLUDED.alert_id,
          tenant_id = EXCLUDED.tenant_id, rule_id = EXCLUDED.rule_id, until = EXCLUDED.until,
          comment = EXCLUDED.comment, created_by = EXCLUDED.created_by, created_at = EXCLUDED.created_at,
          cancelled_by = EXCLUDED.cancelled_by, cancelled_at = EXCLUDED.cancelled_at`,
    );
  }

  latestByEntity(q: Parameters<AlertStore['latestByEntity']>[0]): Promise<LatestRow[]> {
    return this.events.latestByEntity(q);
  }

  recentEvents(q: Parameters<AlertStore['recentEvents']>[0]): Promise<RecentRow[]> {
    return this.events.recentEvents(q);
  }

  eventsBetween(q: HistoryQuery): Promise<RecentRow[]> {
    return this.events.eventsBetween(q);
  }

  trendBuckets(q: TrendBucketQuery): Promise<TrendBuckets | null> {
    return this.events.trendBuckets(q);
  }

  ingestionMark(): Promise<IngestionMark | null> {
    return this.events.ingestionMark?.() ?? Promise.resolve(null);
  }

  ingestedAfter(q: IngestedAfterQuery): Promise<IngestedRow[] | null> {
    return this.events.ingestedAfter?.(q) ?? Promise.resolve(null);
  }

  /** Waits for queued writes; the pool is the caller's (every state store shares it). */
  async close(): Promise<void> {
    await Promise.all(Object.values(this.lanes));
  }
}
