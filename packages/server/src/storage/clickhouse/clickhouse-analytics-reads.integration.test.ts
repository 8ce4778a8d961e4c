import { afterAll, beforeAll, describe } from 'vitest';
import { runAnalyticsReadsContract } from '../analytics-reads.contract.js';
import {
  clickhouseUnavailable,
  createEventDatabase,
  startClickHouse,
  type TestClickHouse,
} from '../../../test/helpers/clickhouse.js';
import { ClickHouseAnalyticsReads } from './clickhouse-analytics-reads.js';
import { ClickHouseEventStore } from './clickhouse-event-store.js';

const unavailable = clickhouseUnavailable();

describe.skipIf(unavailable !== null)(
  `ClickHouse analytics reads${unavailable ? ` (${unavailable})` : ''}`,
  () => {
    let clickhouse: TestClickHouse;
    beforeAll(async () => {
      clickhouse = await startClickHouse();
    }, 120_000);
    afterAll(async () => {
      await clickhouse?.stop();
    });

    runAnalyticsReadsContract('clickhouse', async () => {
      const events = await ClickHouseEventStore.open(await createEventDatabase(clickhouse));
      const reads = await ClickHouseAnalyticsReads.open(events.connection);
      return {
        events,
        reads,
        saveSubscriptions: (rows) => reads.replaceSubscriptions(rows),
        close: () => events.close(),
      };
    });
  },
);
