import { expect, it } from 'vitest';
import { runAlertEventSourceContract } from '../alert-event-source.contract.js';
import { describeWithClickHouse } from '../../../test/helpers/clickhouse.js';
import { ClickHouseEventStore } from './clickhouse-event-store.js';

describeWithClickHouse('ClickHouse alert event reads', (clickhouse) => {
  // Every event is stored twice, as a replayed log load leaves it until the parts merge: reads count it once.
  runAlertEventSourceContract('ClickHouse', async (events, ingestedAt) => {
    const store = await ClickHouseEventStore.open(await clickhouse.freshDatabase());
    // Merges held off, so the copies stay in separate parts while the contract reads them.
    await clickhouse.server.admin(`SYSTEM STOP MERGES ${store.connection.target.database}.events`);
    const batch = { events: [...events], quarantined: [], releasedQuarantineIds: [], ingestedAt };
    await store.commit(batch);
    await store.commit(batch);
    return { source: store.alertEventSource(), close: () => store.close() };
  });

  it('a store without events reads nothing', async () => {
    const store = await ClickHouseEventStore.open(await clickhouse.freshDatabase());
    try {
      const source = store.alertEventSource();
      const event = 'revenue_impact_event';
      expect(await source.recentEvents({ event, columns: ['impact_amount'], minutes: 60 })).toEqual([]);
      expect(await source.latestByEntity({ event, entity: 'event_type', columns: [] })).toEqual([]);
      expect(await source.eventsBetween({ event, from: 0, to: Date.now(), limit: 10 })).toEqual([]);
      const none = { deletions: 0, newestIngestedAt: null, uuidsAtNewest: [] };
      expect(await source.ingestionMark?.()).toEqual(none);
      expect(await source.ingestedAfter?.({ events: [event], ingestedAt: 0, uuids: [] })).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
