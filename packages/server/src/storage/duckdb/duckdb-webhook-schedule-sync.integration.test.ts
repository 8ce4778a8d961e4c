import { join } from 'node:path';
import { runCaptureCountStoreContract } from '../capture-count-store.contract.js';
import { runReportScheduleStoreContract } from '../report-schedule-store.contract.js';
import { runSyncStoreContract } from '../sync-store.contract.js';
import { runWebhookStoreContract } from '../webhook-store.contract.js';
import { DuckDbEventStore } from './duckdb-event-store.js';
import { DuckDbCaptureCountStore } from './duckdb-capture-count-store.js';
import { DuckDbReportScheduleStore } from './duckdb-report-schedule-store.js';
import { DuckDbSyncStore } from './duckdb-sync-store.js';
import { DuckDbWebhookStore } from './duckdb-webhook-store.js';
import { temporaryDirectory } from '../../../test/helpers/temp-dir.js';

/** The embedded file of one process: both handles of a contract are the one store. */
async function openFile() {
  return DuckDbEventStore.open({ path: join(temporaryDirectory('pulse-state-'), 'pulse.duckdb') });
}

runWebhookStoreContract('DuckDB', async () => {
  const events = await openFile();
  const store = await DuckDbWebhookStore.open(events);
  return { stores: [store, store], close: () => events.close() };
});

runReportScheduleStoreContract('DuckDB', async () => {
  const events = await openFile();
  const store = await DuckDbReportScheduleStore.open(events);
  return { stores: [store, store], close: () => events.close() };
});

runSyncStoreContract('DuckDB', async () => {
  const events = await openFile();
  const store = await DuckDbSyncStore.open(events);
  return {
    stores: [store, store],
    subscriptions: await events.subscriptionStore(),
    close: () => events.close(),
  };
});

runCaptureCountStoreContract('DuckDB', async () => {
  const events = await openFile();
  const store = await DuckDbCaptureCountStore.open(events);
  return { stores: [store, store], close: () => events.close() };
});
