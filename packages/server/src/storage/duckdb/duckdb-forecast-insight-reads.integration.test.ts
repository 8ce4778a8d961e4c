import { join } from 'node:path';
import { runForecastSeriesStoreContract } from '../forecast-series-store.contract.js';
import { runInsightEventReadsContract } from '../insight-event-reads.contract.js';
import { DuckDbEventStore } from './duckdb-event-store.js';
import { DuckDbForecastSeriesStore } from './duckdb-forecast-series-store.js';
import { DuckDbInsightReads } from './duckdb-insight-reads.js';

runForecastSeriesStoreContract('duckdb (file)', async (dir) => {
  const events = await DuckDbEventStore.open({ path: join(dir, 'events.duckdb') });
  return { events, store: await DuckDbForecastSeriesStore.open(events), close: () => events.close() };
});

runInsightEventReadsContract('duckdb (file)', async (dir) => {
  const events = await DuckDbEventStore.open({ path: join(dir, 'events.duckdb') });
  return { events, reads: await DuckDbInsightReads.open(events), close: () => events.close() };
});
