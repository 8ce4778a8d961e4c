import { afterAll, beforeAll, describe } from 'vitest';
import { runForecastSeriesStoreContract } from '../forecast-series-store.contract.js';
import { runInsightEventReadsContract } from '../insight-event-reads.contract.js';
import {
  clickhouseUnavailable,
  createEventDatabase,
  startClickHouse,
  type TestClickHouse,
} from '../../../test/helpers/clickhouse.js';
import { ClickHouseEventStore } from './clickhouse-event-store.js';
import { ClickHouseForecastSeriesStore } from './clickhouse-forecast-series-store.js';
import { ClickHouseInsightEventReads } from './clickhouse-insight-event-reads.js';

const unavailable = clickhouseUnavailable();

describe.skipIf(unavailable !== null)(
  `ClickHouse forecast series and insight event reads${unavailable ? ` (${unavailable})` : ''}`,
  () => {
    let clickhouse: TestClickHouse;
    beforeAll(async () => {
      clickhouse = await startClickHouse();
    }, 120_000);
    afterAll(async () => {
      await clickhouse?.stop();
    });
    const openEvents = async () => ClickHouseEventStore.open(await createEventDatabase(clickhouse));

    runForecastSeriesStoreContract('clickhouse', async () => {
      const events = await openEvents();
      return {
        events,
        store: new ClickHouseForecastSeriesStore(events.connection),
        close: () => events.close(),
      };
    });

    runInsightEventReadsContract('clickhouse', async () => {
      const events = await openEvents();
      return {
        events,
        reads: new ClickHouseInsightEventReads(events.connection),
        close: () => events.close(),
      };
    });
  },
);
