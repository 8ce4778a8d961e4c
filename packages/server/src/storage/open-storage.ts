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
import { DuckDbEventStore, type DuckDbStoreOptions } from './duckdb/duckdb-event-store.js';
import { inspectDuckDbFile } from './duckdb/open-database.js';
import { DuckDbForecastSeriesStore } from './duckdb/duckdb-forecast-series-store.js';
import { DuckDbInsightStore } from './duckdb/duckdb-insight-store.js';
import type { DuckDbLogSink } from './duckdb/duckdb-log-sink.js';
import { DuckDbRelayDeadLetterStore } from './duckdb/duckdb-relay-dead-letter-store.js';
import { DuckDbReportScheduleStore } from './duckdb/duckdb-report-schedule-store.js';
import { DuckDbRetentionStore } from './duckdb/duckdb-retention-store.js';
import { DuckDbSyncStore } from './duckdb/duckdb-sync-store.js';
import { DuckDbUserStore } from './duckdb/duckdb-user-store.js';
import { DuckDbWebhookStore } from './duckdb/duckdb-webhook-store.js';
import { duckDbEncryptionMaintenance, duckDbStoreCompaction } from './duckdb/rewrite-database.js';
import { openPgPool } from './postgres/pg-client.js';
import { openDuckDbAlertEventSource } from './duckdb/alert-event-reads.js';
import {
  openPostgresState,
  refuseIncompletePostgresState,
  type PostgresStateContext,
} from './postgres/open-postgres-state.js';
import type { StateStores, Storage } from './storage.js';

/** The embedded DuckDB file: PULSE_STORE_URL's duckdb:<file>, else pulse.duckdb in the data dir. */
function embeddedStorePath(config: FullConfig, purpose: string): string {
  if (config.storeUrl && !config.storeUrl.startsWith('duckdb:'))
    throw new Error(`PULSE_STORE_URL ${config.storeUrl}: ${purpose}`);
  return config.storeUrl?.slice('duckdb:'.length) || join(config.dataDir, 'pulse.duckdb');
}

/** How the embedded DuckDB file is opened: its path, limits, and the at-rest key when one is configured. */
const embeddedStoreOptions = (
  config: FullConfig,
  path: string,
  key: ReturnType<typeof loadAtRestKey>,
): DuckDbStoreOptions => ({
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
  return {
    path,
    events: await DuckDbEventStore.open(embeddedStoreOptions(config, path, loadAtRestKey(config))),
  };
}

/** The state in the embedded DuckDB file, beside the events (so under the same encryption). */
export async function openEmbeddedState(events: DuckDbEventStore, logger?: Logger): Promise<StateStores> {
  return {
    subscriptions: await events.subscriptionStore(),
    alerts: await DuckDbAlertStore.open(events, logger),
    apiKeys: await DuckDbApiKeyStore.open(events),
    audit: await DuckDbAuditLog.open(events),
    retention: await DuckDbRetentionStore.open(events),
    users: await DuckDbUserStore.open(events),
    webhooks: await DuckDbWebhookStore.open(events),
    insights: await DuckDbInsightStore.open(events),
    forecastSeries: await DuckDbForecastSeriesStore.open(events),
    sync: await DuckDbSyncStore.open(events),
    relayDeadLetters: await DuckDbRelayDeadLetterStore.open(events),
    reportSchedules: await DuckDbReportScheduleStore.open(events),
  };
}

/** PULSE_STATE_URL: the state in PostgreSQL, shared with other Pulse processes, on one pool. */
async function openSharedState(
  url: string,
  context: PostgresStateContext,
): Promise<{ stores: StateStores; close: () => Promise<void> }> {
  const pool = openPgPool(url);
  try {
    return { stores: await openPostgresState(pool, context), close: () => pool.end() };
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
  // Refused before anything is opened or created.
  if (config.stateUrl) refuseIncompletePostgresState();
  const events = await DuckDbEventStore.open(embeddedStoreOptions(config, path, key));
  const shared = config.stateUrl
    ? await openSharedState(config.stateUrl, {
        alertEvents: await openDuckDbAlertEventSource(events),
        ...(logger ? { logger } : {}),
      }).catch(async (error: unknown) => {
        await events.close();
        throw error;
      })
    : null;
  if (logger) logAtRestStatus(logger, key, events.encryption, path);
  return {
    events,
    queries: events.queryRunner(),
    ...(shared?.stores ?? (await openEmbeddedState(events, logger))),
    closeState: shared?.close ?? (async () => {}),
    analyticsReads: await DuckDbAnalyticsReads.open(events),
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
