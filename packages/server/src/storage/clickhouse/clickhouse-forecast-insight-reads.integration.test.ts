import { runForecastSeriesStoreContract } from '../forecast-series-store.contract.js';
import { runInsightEventReadsContract } from '../insight-event-reads.contract.js';
import { describeWithClickHouse } from '../../../test/helpers/clickhouse.js';
import { ClickHouseEventStore } from './clickhouse-event-store.js';
import { ClickHouseForecastSeriesStore } from './clickhouse-forecast-series-store.js';
import { ClickHouseInsightEventReads } from './clickhouse-insight-event-reads.js';

describeWithClickHouse('ClickHouse forecast series and insight event reads', (clickhouse) => {
  const openEvents = async () => ClickHouseEventStore.open(await clickhouse.freshDatabase());

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
});
