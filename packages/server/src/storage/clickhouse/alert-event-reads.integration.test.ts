import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAlertEventSourceContract } from '../alert-event-source.contract.js';
import {
  clickhouseUnavailable,
  createEventDatabase,
  startClickHouse,
  type TestClickHouse,
} from '../../../test/helpers/clickhouse.js';
import { ClickHouseEventStore } from './clickhouse-event-store.js';

const unavailable = clickhouseUnavailable();

describe.skipIf(unavailable !== null)(
  `ClickHouse alert event reads${unavailable ? ` (${unavailable})` : ''}`,
  () => {
    let clickhouse: TestClickHouse;
    beforeAll(async () => {
      clickhouse = await startClickHouse();
    }, 120_000);
    afterAll(async () => {
      await clickhouse?.stop();
    });

    // Every event is stored twice, as a replayed log load leaves it until the parts merge: reads count it once.
    runAlertEventSourceContract('ClickHouse', async (events, ingestedAt) => {
      const store = await ClickHouseEventStore.open(await createEventDatabase(clickhouse));
      const batch = { events: [...events], quarantined: [], releasedQuarantineIds: [], ingestedAt };
      await store.commit(batch);
      await store.commit(batch);
      return { source: store.alertEventSource(), close: () => store.close() };
    });

    it('a store without events reads nothing', async () => {
      const store = await ClickHouseEventStore.open(await createEventDatabase(clickhouse));
      try {
        const source = store.alertEventSource();
        const event = 'revenue_impact_event';
        expect(await source.recentEvents({ event, columns: ['impact_amount'], minutes: 60 })).toEqual([]);
        expect(await source.latestByEntity({ event, entity: 'event_type', columns: [] })).toEqual([]);
        expect(await source.eventsBetween({ event, from: 0, to: Date.now(), limit: 10 })).toEqual([]);
      } finally {
        await store.close();
      }
    });
  },
);
