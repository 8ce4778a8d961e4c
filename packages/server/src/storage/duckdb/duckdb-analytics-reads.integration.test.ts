import { join } from 'node:path';
import { runAnalyticsReadsContract } from '../analytics-reads.contract.js';
import { DuckDbAnalyticsReads } from './duckdb-analytics-reads.js';
import { DuckDbEventStore } from './duckdb-event-store.js';

runAnalyticsReadsContract('duckdb (file)', async (dir) => {
  const events = await DuckDbEventStore.open({ path: join(dir, 'events.duckdb') });
  const subscriptions = await events.subscriptionStore();
  return {
    events,
    saveSubscriptions: (rows) => subscriptions.upsert(rows),
    reads: await DuckDbAnalyticsReads.open(events),
    close: () => events.close(),
  };
});
