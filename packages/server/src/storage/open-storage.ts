import { join } from 'node:path';
import type { Logger } from 'pino';
import type { FullConfig } from '../config/index.js';
import { ROLLUP_SNAPSHOT_FILE } from '../analytics/rollup-snapshot.js';
import { RULE_STATE_FILE } from '../alerts/rule-state-file.js';
import { loadAtRestKey, logAtRestStatus, recordCipherFor, type AtRestKey } from '../encryption/at-rest.js';
import type { RecordCipher } from '../encryption/record-cipher.js';
import type { StoreCompaction, StoreEncryptionMaintenance } from '../encryption/store-maintenance.js';
import { logIdOf } from '../ingestion/log-id.js';
import type { LogSink } from '../ingestion/log-sink.js';
import type { EventHistorySource, EventStateSource } from './alert-store.js';
import { auditJournalIn, type OpenAuditJournal } from './audit-journal.js';
import { openDuckDbAlertEventSource } from './duckdb/alert-event-reads.js';
import { DuckDbAlertStore } from './duckdb/duckdb-alert-store.js';
import { DuckDbAnalyticsReads } from './duckdb/duckdb-analytics-reads.js';
import { DuckDbApiKeyStore } from './duckdb/duckdb-api-key-store.js';
import { DuckDbAuditLog } from './duckdb/duckdb-audit-log.js';
import { DuckDbCaptureCountStore } from './duckdb/duckdb-capture-count-store.js';
import { DuckDbEventStore } from './duckdb/duckdb-event-store.js';
import { inspectDuckDbFile } from './duckdb/open-database.js';
import type { ReleasedMemory } from './duckdb/engine-memory.js';
import { DuckDbForecastSeriesStore } from './duckdb/duckdb-forecast-series-store.js';
import { DuckDbInsightReads } from './duckdb/duckdb-insight-reads.js';
import { DuckDbRelayDeadLetterStore } from './duckdb/duckdb-relay-dead-letter-store.js';
import { DuckDbReportScheduleStore } from './duckdb/duckdb-report-schedule-store.js';
import { DuckDbRetentionStore } from './duckdb/duckdb-retention-store.js';
import { DuckDbStateDatabase } from './duckdb/duckdb-state-database.js';
import { DuckDbSyncStore } from './duckdb/duckdb-sync-store.js';
import { DuckDbUserStore } from './duckdb/duckdb-user-store.js';
import { DuckDbWebhookStore } from './duckdb/duckdb-webhook-store.js';
import { duckDbEncryptionMaintenance, duckDbStoreCompaction } from './duckdb/rewrite-database.js';
import type { PostgresStateContext } from './postgres/open-postgres-state.js';
import { keepSubscriptionCopy, type SubscriptionCopy } from './subscription-copy.js';
import type { StateStores, Storage } from './storage.js';

const auditJournalDir = (config: FullConfig) => join(config.dataDir, 'audit-journal');

/** PULSE_STORE_URL=clickhouse://…: the events in ClickHouse, the state in PostgreSQL or a state-only file. */
const inClickHouse = (config: FullConfig): boolean => config.storeUrl?.startsWith('clickhouse:') ?? false;

/** The embedded DuckDB file: PULSE_STORE_URL's duckdb:<file>, else pulse.duckdb in the data dir. */
function embeddedStorePath(config: FullConfig, purpose: string): string {
  if (config.storeUrl && !config.storeUrl.startsWith('duckdb:'))
    // Only the scheme: the URL may carry a password.
    throw new Error(`PULSE_STORE_URL is ${config.storeUrl.split(':')[0]}://…: ${purpose}`);
  return config.storeUrl?.slice('duckdb:'.length) || join(config.dataDir, 'pulse.duckdb');
}

/** The state as opened, and how to release it (after its stores are flushed and closed). */
export interface OpenedState {
  stores: StateStores;
  close: () => Promise<void>;
}

/**
 * The state in an embedded DuckDB file: the event store's own (under the same encryption), or a state-only
 * file when the events are elsewhere, whose alert rules then read `alertEvents`. Audit records are durable
 * once in the audit journal (storage/audit-journal.ts).
 */
async function openEmbeddedState(
  db: DuckDbEventStore | DuckDbStateDatabase,
  auditJournal: OpenAuditJournal,
  logger?: Logger,
  alertEvents?: EventStateSource & EventHistorySource,
): Promise<OpenedState> {
  const audit = await DuckDbAuditLog.open(db, { journal: auditJournal });
  const stores: StateStores = {
    subscriptions: await db.subscriptionStore(),
    alerts: await DuckDbAlertStore.open(db, logger, alertEvents),
    apiKeys: await DuckDbApiKeyStore.open(db),
    audit,
    retention: await DuckDbRetentionStore.open(db),
    users: await DuckDbUserStore.open(db),
    webhooks: await DuckDbWebhookStore.open(db),
    captureCounts: await DuckDbCaptureCountStore.open(db),
    sync: await DuckDbSyncStore.open(db),
    relayDeadLetters: await DuckDbRelayDeadLetterStore.open(db),
    reportSchedules: await DuckDbReportScheduleStore.open(db),
  };
  return { stores, close: () => audit.close() };
}

/** An existing embedded store, for `pulse migrate` to copy out; refused when there is no DuckDB file at its path. */
export async function openEmbeddedStore(
  config: FullConfig,
): Promise<{ path: string; events: DuckDbEventStore }> {
  const path = embeddedStorePath(
    config,
    'the store to migrate must be the embedded DuckDB store (duckdb:<file>)',
  );
  const kind = inspectDuckDbFile(path);
  if (kind === 'missing')
    throw new Error(
      `${path}: no Pulse store there. Point PULSE_DATA_DIR or PULSE_STORE_URL (duckdb:<file>) at the store to migrate.`,
    );
  if (kind === 'unknown')
    throw new Error(`${path} is not a DuckDB store (no DuckDB header); nothing was read.`);
  const key = loadAtRestKey(config);
  return {
    path,
    events: await DuckDbEventStore.open({
      path,
      memoryLimit: config.duckdbMemoryLimit,
      checkpointThreshold: config.duckdbCheckpointThreshold,
      threads: config.duckdbThreads,
      encryption: duckDbEncryption(config, key),
    }),
  };
}

/** The embedded store's state as a start opens it (tables brought up to date, the audit journal stored). */
export function openEmbeddedStateOf(config: FullConfig, events: DuckDbEventStore): Promise<OpenedState> {
  return openEmbeddedState(events, auditJournal(config, loadAtRestKey(config)));
}

/**
 * The state kept where the events' engine cannot join it: the engine keeps a copy of the subscriptions for
 * the reads that join them with events (the named reports, /api/query's `subscriptions`).
 */
async function withSubscriptionCopy(
  state: OpenedState,
  copy: SubscriptionCopy,
  logger?: Logger,
): Promise<OpenedState> {
  const kept = await keepSubscriptionCopy(state.stores, copy, logger);
  return {
    stores: { ...state.stores, subscriptions: kept.subscriptions, sync: kept.sync },
    close: async () => {
      kept.stop();
      await state.close();
    },
  };
}

/** PULSE_STATE_URL: the state in PostgreSQL, shared with other Pulse processes, on one pool. */
async function openSharedState(url: string, context: PostgresStateContext): Promise<OpenedState> {
  // Loaded only when configured, as the ClickHouse modules below: a start on DuckDB alone does not pay for them.
  const { openPgPool } = await import('./postgres/pg-client.js');
  const { openPostgresState } = await import('./postgres/open-postgres-state.js');
  const pool = openPgPool(url);
  try {
    return { stores: await openPostgresState(pool, context), close: () => pool.end() };
  } catch (error) {
    await pool.end();
    const { host, pathname } = new URL(url); // never the password
    throw new Error(`PULSE_STATE_URL ${host}${pathname}: ${(error as Error).message}`, { cause: error });
  }
}

/** What the server opens: every store, the ingest log's sink and the ciphers of what is kept in files. */
export type OpenedStorage = Storage & {
  recordCipher: RecordCipher | null;
  alertJournalCipher: RecordCipher | null;
  summaryRollupsCipher: RecordCipher | null;
  alertRuleStateCipher: RecordCipher | null;
  logSink: LogSink;
  /** Releases the state's connections (after the stores are flushed and closed). */
  closeState: () => Promise<void>;
  /** The embedded engine's worker threads from now on (absent: events in ClickHouse). */
  setEngineThreads?: (threads: number) => Promise<void>;
  /** Evicts the blocks the embedded engine keeps cached after the start's scans (absent: ClickHouse). */
  releaseEngineMemory?: () => Promise<ReleasedMemory>;
};

/** The DuckDB file's encryption at rest (docs/encryption.md), from the key file; null when off. */
const duckDbEncryption = (config: FullConfig, key: AtRestKey | null) =>
  key && {
    key: key.bytes,
    keySource: `PULSE_ENCRYPTION_KEY_FILE ${key.file}`,
    extensionDir: config.duckdbExtensionDir,
    allowUnsafeMbedtls: config.encryptionAllowUnsafeMbedtls,
  };

/** Seals what Pulse keeps in files of its own under subkeys of the at-rest key; null ciphers when it is off. */
/** The audit journal in front of an embedded audit table, under its own subkey: records name tenants and actors. */
const auditJournal = (config: FullConfig, key: AtRestKey | null) =>
  auditJournalIn(auditJournalDir(config), recordCipherFor(key, 'audit-journal'));

const fileCiphers = (key: AtRestKey | null) => ({
  // Business data kept outside the store (the ingest log).
  recordCipher: recordCipherFor(key, 'ingest-log'),
  // The alert journal's own subkey: a record cannot be replayed from one log into the other.
  alertJournalCipher: recordCipherFor(key, 'alert-journal'),
  // The saved summary rollups (analytics/rollup-snapshot.ts): tenants and amounts, under their own subkey.
  summaryRollupsCipher: recordCipherFor(key, 'summary-rollups'),
  // The alert rules' saved state (alerts/rule-state-file.ts): tenants, entities and amounts.
  alertRuleStateCipher: recordCipherFor(key, 'alert-rule-state'),
});

/**
 * Opens the configured storage (the embedded DuckDB file or ClickHouse for the events; PostgreSQL for the
 * state when PULSE_STATE_URL is set), plus the ingest log's ciphers and its loader's sink.
 */
export async function openStorage(config: FullConfig, logger?: Logger): Promise<OpenedStorage> {
  if (inClickHouse(config)) return openClickHouseStorage(config, logger);
  const path = embeddedStorePath(
    config,
    'the event store is the embedded DuckDB file (duckdb:<file>) or ClickHouse (clickhouse://…)',
  );
  // Encryption at rest (docs/encryption.md): the key file opens the DuckDB file and keys the record cipher.
  const key = loadAtRestKey(config);
  const events = await DuckDbEventStore.open({
    path,
    memoryLimit: config.duckdbMemoryLimit,
    checkpointThreshold: config.duckdbCheckpointThreshold,
    threads: config.duckdbThreads,
    encryption: duckDbEncryption(config, key),
  });
  let state: OpenedState;
  try {
    state = config.stateUrl
      ? await withSubscriptionCopy(
          await openSharedState(config.stateUrl, {
            alertEvents: await openDuckDbAlertEventSource(events),
            ...(logger ? { logger } : {}),
          }),
          await events.subscriptionCopy(),
          logger,
        )
      : await openEmbeddedState(events, auditJournal(config, key), logger);
  } catch (error) {
    await events.close();
    throw error;
  }
  if (logger) logAtRestStatus(logger, key, events.encryption, path);
  return {
    events,
    queries: events.queryRunner(),
    ...state.stores,
    closeState: state.close,
    analyticsReads: await DuckDbAnalyticsReads.open(events),
    forecastSeries: await DuckDbForecastSeriesStore.open(events),
    insights: await DuckDbInsightReads.open(events),
    ...fileCiphers(key),
    // Bulk-loads the ingest log into the event tables (ADR 0002).
    logSink: await events.logSink(),
    setEngineThreads: (threads) => events.setThreads(threads),
    releaseEngineMemory: () => events.releaseCachedBlocks(),
  };
}

/** The state-only DuckDB file beside events kept in ClickHouse (when PULSE_STATE_URL is not set). */
export const STATE_FILE = 'pulse-state.duckdb';

/**
 * Events in ClickHouse; the state in PostgreSQL (PULSE_STATE_URL) or else in a state-only DuckDB file in the
 * data dir, encrypted as the embedded store is. The alert rules read the events from ClickHouse.
 */
async function openClickHouseStorage(config: FullConfig, logger?: Logger): Promise<OpenedStorage> {
  const key = loadAtRestKey(config);
  const [{ ClickHouseEventStore }, { ClickHouseAnalyticsReads }, { ClickHouseInsightEventReads }, forecast] =
    await Promise.all([
      import('./clickhouse/clickhouse-event-store.js'),
      import('./clickhouse/clickhouse-analytics-reads.js'),
      import('./clickhouse/clickhouse-insight-event-reads.js'),
      import('./clickhouse/clickhouse-forecast-series-store.js'),
    ]);
  const events = await ClickHouseEventStore.open(config.storeUrl ?? '');
  let state: OpenedState | null = null;
  try {
    const alertEvents = events.alertEventSource();
    if (config.stateUrl) {
      state = await openSharedState(config.stateUrl, { alertEvents, ...(logger ? { logger } : {}) });
    } else {
      const path = join(config.dataDir, STATE_FILE);
      const db = await DuckDbStateDatabase.open({
        path,
        memoryLimit: config.duckdbMemoryLimit,
        threads: config.duckdbThreads,
        encryption: duckDbEncryption(config, key),
      });
      if (logger) logAtRestStatus(logger, key, db.encryption, path);
      const embedded = await openEmbeddedState(db, auditJournal(config, key), logger, alertEvents);
      state = {
        stores: embedded.stores,
        close: async () => {
          await embedded.close();
          await db.close();
        },
      };
    }
    const analyticsReads = await ClickHouseAnalyticsReads.open(events.connection);
    state = await withSubscriptionCopy(
      state,
      { replace: (subscriptions) => analyticsReads.replaceSubscriptions(subscriptions) },
      logger,
    );
    return {
      events,
      queries: events.queryRunner(),
      ...state.stores,
      insights: new ClickHouseInsightEventReads(events.connection),
      forecastSeries: new forecast.ClickHouseForecastSeriesStore(events.connection),
      closeState: state.close,
      analyticsReads,
      ...fileCiphers(key),
      // Loads the ingest log into ClickHouse in large inserts (clickhouse-log-sink.ts), keeping this log's
      // own position: other processes load theirs into the same store.
      logSink: await events.logSink(logIdOf(join(config.dataDir, 'ingest-log'))),
    };
  } catch (error) {
    await state?.close();
    await events.close();
    throw error;
  }
}

/** What offline rewrites of the embedded store need: its crypto settings and the ingest log to check. */
const maintenanceSettings = (config: FullConfig) => ({
  extensionDir: config.duckdbExtensionDir,
  allowUnsafeMbedtls: config.encryptionAllowUnsafeMbedtls,
  ingestLogDir: join(config.dataDir, 'ingest-log'),
  alertJournalDir: join(config.dataDir, 'alert-journal'),
  auditJournalDir: auditJournalDir(config),
  derivedFiles: [join(config.dataDir, ROLLUP_SNAPSHOT_FILE), join(config.dataDir, RULE_STATE_FILE)],
});

/** Offline encryption maintenance of the embedded store (`pulse encryption status|rotate|encrypt`). */
export function storeEncryptionMaintenance(config: FullConfig): StoreEncryptionMaintenance {
  const path = embeddedStorePath(config, 'encryption maintenance is for the embedded DuckDB store');
  return duckDbEncryptionMaintenance(path, maintenanceSettings(config));
}

/** Offline compaction of the embedded store (`pulse store compact`). */
export function storeCompaction(config: FullConfig): StoreCompaction {
  const path = embeddedStorePath(config, 'compaction is for the embedded DuckDB store');
  return duckDbStoreCompaction(path, maintenanceSettings(config));
}
