import { join } from 'node:path';
import type { Logger } from 'pino';
import type { FullConfig } from '../config/index.js';
import { ROLLUP_SNAPSHOT_FILE } from '../analytics/rollup-snapshot.js';
import { loadAtRestKey, logAtRestStatus, recordCipherFor } from '../encryption/at-rest.js';
import type { RecordCipher } from '../encryption/record-cipher.js';
import type { StoreCompaction, StoreEncryptionMaintenance } from '../encryption/store-maintenance.js';
import { DuckDbAlertStore } from './duckdb/duckdb-alert-store.js';
import { DuckDbAnalyticsReads } from './duckdb/duckdb-analytics-reads.js';
import { DuckDbApiKeyStore } from './duckdb/duckdb-api-key-store.js';
import { DuckDbAuditLog } from './duckdb/duckdb-audit-log.js';
import { DuckDbEventStore } from './duckdb/duckdb-event-store.js';
import { DuckDbForecastSeriesStore } from './duckdb/duckdb-forecast-series-store.js';
import { DuckDbCaptureCountStore } from './duckdb/duckdb-capture-count-store.js';
import { DuckDbInsightReads } from './duckdb/duckdb-insight-reads.js';
import type { DuckDbLogSink } from './duckdb/duckdb-log-sink.js';
import { DuckDbRelayDeadLetterStore } from './duckdb/duckdb-relay-dead-letter-store.js';
import { DuckDbReportScheduleStore } from './duckdb/duckdb-report-schedule-store.js';
import { DuckDbRetentionStore } from './duckdb/duckdb-retention-store.js';
import { DuckDbSyncStore } from './duckdb/duckdb-sync-store.js';
import { DuckDbUserStore } from './duckdb/duckdb-user-store.js';
import { DuckDbWebhookStore } from './duckdb/duckdb-webhook-store.js';
import { duckDbEncryptionMaintenance, duckDbStoreCompaction } from './duckdb/rewrite-database.js';
import { openPgPool } from './postgres/pg-client.js';
import { auditJournalIn, type OpenAuditJournal } from './audit-journal.js';
import { openDuckDbAlertEventSource } from './duckdb/alert-event-reads.js';
import { openPostgresState } from './postgres/open-postgres-state.js';
import { keepSubscriptionCopy } from './subscription-copy.js';
import type { StateStores, Storage } from './storage.js';

const auditJournalDir = (config: FullConfig) => join(config.dataDir, 'audit-journal');

/** The embedded DuckDB file: PULSE_STORE_URL's duckdb:<file>, else pulse.duckdb in the data dir. */
function embeddedStorePath(config: FullConfig, purpose: string): string {
  if (config.storeUrl && !config.storeUrl.startsWith('duckdb:'))
    throw new Error(`PULSE_STORE_URL ${config.storeUrl}: ${purpose}`);
  return config.storeUrl?.slice('duckdb:'.length) || join(config.dataDir, 'pulse.duckdb');
}

/**
 * The state in the embedded DuckDB file, beside the events (so under the same encryption); audit records
 * are durable once in the audit journal (storage/audit-journal.ts), which `close` closes.
 */
async function openEmbeddedState(
  events: DuckDbEventStore,
  auditJournal: OpenAuditJournal,
  logger?: Logger,
): Promise<{ stores: StateStores; close: () => Promise<void> }> {
  const audit = await DuckDbAuditLog.open(events, { journal: auditJournal });
  return { stores: await openEmbeddedStores(events, audit, logger), close: () => audit.close() };
}

async function openEmbeddedStores(
  events: DuckDbEventStore,
  audit: DuckDbAuditLog,
  logger?: Logger,
): Promise<StateStores> {
  return {
    subscriptions: await events.subscriptionStore(),
    alerts: await DuckDbAlertStore.open(events, logger),
    apiKeys: await DuckDbApiKeyStore.open(events),
    audit,
    retention: await DuckDbRetentionStore.open(events),
    users: await DuckDbUserStore.open(events),
    webhooks: await DuckDbWebhookStore.open(events),
    captureCounts: await DuckDbCaptureCountStore.open(events),
    sync: await DuckDbSyncStore.open(events),
    relayDeadLetters: await DuckDbRelayDeadLetterStore.open(events),
    reportSchedules: await DuckDbReportScheduleStore.open(events),
  };
}

/**
 * PULSE_STATE_URL: the state in PostgreSQL, shared with other Pulse processes, on one pool. The event
 * store keeps a copy of the subscriptions for the reads that join them with events.
 */
async function openSharedState(
  url: string,
  events: DuckDbEventStore,
  logger?: Logger,
): Promise<{ stores: StateStores; close: () => Promise<void> }> {
  const pool = openPgPool(url);
  try {
    const context = { alertEvents: await openDuckDbAlertEventSource(events), ...(logger ? { logger } : {}) };
    const stores = await openPostgresState(pool, context);
    const copy = await keepSubscriptionCopy(stores, await events.subscriptionCopy(), logger);
    const close = async () => {
      copy.stop();
      await pool.end();
    };
    return { stores: { ...stores, subscriptions: copy.subscriptions, sync: copy.sync }, close };
  } catch (error) {
    await pool.end();
    const { host, pathname } = new URL(url); // never the password
    throw new Error(`PULSE_STATE_URL ${host}${pathname}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Opens the configured storage (the embedded DuckDB file, and PostgreSQL for the state when PULSE_STATE_URL
 * is set), plus the ingest log's cipher and its loader's sink. `closeState` releases the state's connections (after the stores are flushed and closed).
 */
export async function openStorage(
  config: FullConfig,
  logger?: Logger,
): Promise<
  Storage & {
    recordCipher: RecordCipher | null;
    alertJournalCipher: RecordCipher | null;
    summaryRollupsCipher: RecordCipher | null;
    logSink: DuckDbLogSink;
    closeState: () => Promise<void>;
  }
> {
  const path = embeddedStorePath(
    config,
    'only the embedded DuckDB store (duckdb:<file>) is available in this build',
  );
  // Encryption at rest (docs/encryption.md): the key file opens the DuckDB file and keys the record cipher.
  const key = loadAtRestKey(config);
  const events = await DuckDbEventStore.open({
    path,
    memoryLimit: config.duckdbMemoryLimit,
    threads: config.duckdbThreads,
    encryption: key && {
      key: key.bytes,
      keySource: `PULSE_ENCRYPTION_KEY_FILE ${key.file}`,
      extensionDir: config.duckdbExtensionDir,
      allowUnsafeMbedtls: config.encryptionAllowUnsafeMbedtls,
    },
  });
  const shared = config.stateUrl
    ? await openSharedState(config.stateUrl, events, logger).catch(async (error: unknown) => {
        await events.close();
        throw error;
      })
    : null;
  if (logger) logAtRestStatus(logger, key, events.encryption, path);
  const state =
    shared ??
    (await openEmbeddedState(
      events,
      // Its own subkey, as the alert journal's: records name tenants and actors.
      auditJournalIn(auditJournalDir(config), recordCipherFor(key, 'audit-journal')),
      logger,
    ));
  return {
    events,
    queries: events.queryRunner(),
    ...state.stores,
    closeState: state.close,
    analyticsReads: await DuckDbAnalyticsReads.open(events),
    forecastSeries: await DuckDbForecastSeriesStore.open(events),
    insights: await DuckDbInsightReads.open(events),
    // Seals business data kept outside the store (the ingest log); null when encryption is off.
    recordCipher: recordCipherFor(key, 'ingest-log'),
    // The alert journal's own subkey: a record cannot be replayed from one log into the other.
    alertJournalCipher: recordCipherFor(key, 'alert-journal'),
    // The saved summary rollups (analytics/rollup-snapshot.ts): tenants and amounts, under their own subkey.
    summaryRollupsCipher: recordCipherFor(key, 'summary-rollups'),
    // Bulk-loads the ingest log into the event tables (ADR 0002).
    logSink: await events.logSink(),
  };
}

/** What offline rewrites of the embedded store need: its crypto settings and the ingest log to check. */
const maintenanceSettings = (config: FullConfig) => ({
  extensionDir: config.duckdbExtensionDir,
  allowUnsafeMbedtls: config.encryptionAllowUnsafeMbedtls,
  ingestLogDir: join(config.dataDir, 'ingest-log'),
  alertJournalDir: join(config.dataDir, 'alert-journal'),
  auditJournalDir: auditJournalDir(config),
  derivedFiles: [join(config.dataDir, ROLLUP_SNAPSHOT_FILE)],
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
