import { quote, type Column } from './schema.js';

export interface TableColumn extends Column {
  notNull?: boolean;
}

const c = (name: string, type: string, notNull = true): TableColumn => ({ name, type, notNull });

export const alertTable: TableColumn[] = [
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
  // Added after the first release: last, so positional inserts into older files line up.
  c('outlook', 'VARCHAR', false),
];

export const transitionTable: TableColumn[] = [
  c('id', 'VARCHAR'),
  c('alert_id', 'VARCHAR'),
  c('kind', 'VARCHAR'),
  c('occurred_at', 'TIMESTAMP'),
  c('actor', 'VARCHAR'),
  c('comment', 'VARCHAR', false),
  c('backfill', 'BOOLEAN'),
];

export const outboxTable: TableColumn[] = [
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
  // Added later, as the alerts' outlook: which sender holds a pending row until when (alert-store.ts).
  c('claimed_until', 'TIMESTAMP', false),
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
export const tablesSql = [
  create('alerts', alertTable),
  `ALTER TABLE alerts ADD COLUMN IF NOT EXISTS outlook VARCHAR`,
  `DROP INDEX IF EXISTS alerts_id`,
  // Reads go through this view: one row per id even if a write was ever applied twice (no key enforces it).
  `CREATE OR REPLACE VIEW alerts_current AS SELECT * FROM alerts
     QUALIFY row_number() OVER (PARTITION BY id ORDER BY updated_at DESC, count DESC) = 1`,
  create('alert_transitions', transitionTable),
  create('alert_outbox', outboxTable),
  `ALTER TABLE alert_outbox ADD COLUMN IF NOT EXISTS claimed_until TIMESTAMP`,
  `CREATE INDEX IF NOT EXISTS alert_outbox_id ON alert_outbox (id)`,
  // Whole sets, replaced by delete + insert in one transaction.
  `CREATE TABLE IF NOT EXISTS alert_rules (position INTEGER NOT NULL, id VARCHAR NOT NULL, rule JSON NOT NULL, updated_at TIMESTAMP NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS alert_budgets (tenant_id VARCHAR NOT NULL, resource_type VARCHAR NOT NULL, monthly_usd DOUBLE NOT NULL, updated_at TIMESTAMP NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS alert_meta (key VARCHAR NOT NULL, value VARCHAR NOT NULL)`,
];
