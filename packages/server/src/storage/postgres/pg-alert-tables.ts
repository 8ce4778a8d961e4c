import { sql, type Sql } from '../../sql.js';

/*
 * The alert tables on PostgreSQL, named as in the DuckDB file. Times are epoch ms (BIGINT), as the
 * interface speaks them. Unlike DuckDB, keys are enforced: several processes write here, and the unique
 * index on an active alert's dedup key is what lets only one of two processes raise the same alert.
 */
export const alertTablesSql: Sql[] = [
  sql`CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, rule_name TEXT NOT NULL, severity TEXT NOT NULL,
    tenant_id TEXT NOT NULL, dedup_key TEXT NOT NULL, key_parts JSONB NOT NULL, state TEXT NOT NULL,
    title TEXT NOT NULL, summary TEXT NOT NULL, amount DOUBLE PRECISION, value DOUBLE PRECISION,
    event_uuids TEXT[] NOT NULL, count BIGINT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,
    last_event_at BIGINT, acknowledged_by TEXT, acknowledged_at BIGINT, ack_comment TEXT, resolved_by TEXT,
    resolved_at BIGINT, resolve_comment TEXT, resolution TEXT, backfill BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL, outlook TEXT NOT NULL)`,
  // One open or acknowledged alert per rule + tenant + key (the dedup key spells all three).
  sql`CREATE UNIQUE INDEX IF NOT EXISTS alerts_active_dedup_key ON alerts (dedup_key) WHERE state <> 'resolved'`,
  sql`CREATE INDEX IF NOT EXISTS alerts_last_seen ON alerts (last_seen DESC, id COLLATE "C")`,
  // seq keeps the order transitions were written in (several may share a millisecond).
  sql`CREATE TABLE IF NOT EXISTS alert_transitions (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, alert_id TEXT NOT NULL,
    kind TEXT NOT NULL, occurred_at BIGINT NOT NULL, actor TEXT NOT NULL, comment TEXT, backfill BOOLEAN NOT NULL)`,
  sql`CREATE INDEX IF NOT EXISTS alert_transitions_alert ON alert_transitions (alert_id, occurred_at, seq)`,
  sql`CREATE TABLE IF NOT EXISTS alert_outbox (
    id TEXT PRIMARY KEY, alert_id TEXT, transition_id TEXT, channel TEXT NOT NULL, target TEXT NOT NULL,
    payload JSONB NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at BIGINT NOT NULL,
    last_error TEXT, created_at BIGINT NOT NULL, sent_at BIGINT, claimed_until BIGINT NOT NULL)`,
  sql`CREATE INDEX IF NOT EXISTS alert_outbox_claimable ON alert_outbox (claimed_until) WHERE status = 'pending'`,
  sql`CREATE INDEX IF NOT EXISTS alert_outbox_created ON alert_outbox (created_at DESC, id)`,
  sql`CREATE INDEX IF NOT EXISTS alert_outbox_alert ON alert_outbox (alert_id)`,
  sql`CREATE TABLE IF NOT EXISTS alert_rules (
    position INTEGER PRIMARY KEY, id TEXT NOT NULL, rule JSONB NOT NULL, updated_at BIGINT NOT NULL)`,
  // resource_type '' is the tenant's whole-month budget.
  sql`CREATE TABLE IF NOT EXISTS alert_budgets (
    tenant_id TEXT NOT NULL, resource_type TEXT NOT NULL, monthly_usd DOUBLE PRECISION NOT NULL,
    updated_at BIGINT NOT NULL, PRIMARY KEY (tenant_id, resource_type))`,
  sql`CREATE TABLE IF NOT EXISTS alert_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  sql`CREATE TABLE IF NOT EXISTS alert_silences (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, alert_id TEXT, tenant_id TEXT NOT NULL, rule_id TEXT NOT NULL,
    until BIGINT NOT NULL, comment TEXT, created_by TEXT NOT NULL, created_at BIGINT NOT NULL,
    cancelled_by TEXT, cancelled_at BIGINT)`,
];
