import { join } from 'node:path';
import { runAlertEventSourceContract } from '../alert-event-source.contract.js';
import { openDuckDbAlertEventSource } from './alert-event-reads.js';
import { DuckDbAlertStore } from './duckdb-alert-store.js';
import { DuckDbEventStore } from './duckdb-event-store.js';
import { temporaryDirectory } from '../../../test/helpers/temp-dir.js';

async function openWith(events: Parameters<DuckDbEventStore['commit']>[0]) {
  const store = await DuckDbEventStore.open({
    path: join(temporaryDirectory('pulse-alert-events-'), 'p.duckdb'),
  });
  await store.commit(events);
  return store;
}

// The alert store's own reads (state in the same file) and the reads on a connection of their own
// (the alert store kept in PostgreSQL).
runAlertEventSourceContract('DuckDB alert store', async (events, ingestedAt) => {
  const store = await openWith({
    events: [...events],
    quarantined: [],
    releasedQuarantineIds: [],
    ingestedAt,
  });
  const alerts = await DuckDbAlertStore.open(store);
  return {
    source: alerts,
    close: async () => {
      await alerts.close();
      await store.close();
    },
  };
});

runAlertEventSourceContract('DuckDB event source', async (events, ingestedAt) => {
  const store = await openWith({
    events: [...events],
    quarantined: [],
    releasedQuarantineIds: [],
    ingestedAt,
  });
  return { source: await openDuckDbAlertEventSource(store), close: () => store.close() };
});
