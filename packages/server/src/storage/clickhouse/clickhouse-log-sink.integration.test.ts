import { expect, it } from 'vitest';
import { sectionOf } from '../../ingestion/log-record.js';
import { openLoaderOn, runLogSinkContract, sinkTestEvent, sinkTestTenant } from '../log-sink.contract.js';
import { describeWithClickHouse } from '../../../test/helpers/clickhouse.js';
import { temporaryDirectory } from '../../../test/helpers/temp-dir.js';
import { ClickHouseEventStore } from './clickhouse-event-store.js';

describeWithClickHouse('ClickHouse log sink', (clickhouse) => {
  runLogSinkContract('clickhouse', async () => {
    const url = await clickhouse.freshDatabase();
    return () => ClickHouseEventStore.open(url);
  });

  // ClickHouse has no transactions: the rows and the loaded position are two inserts.
  it('a crash after the rows were inserted but before the position was: the replay adds nothing', async () => {
    const dir = temporaryDirectory('pulse-ch-sink-');
    const url = await clickhouse.freshDatabase();
    const openStore = () => ClickHouseEventStore.open(url);
    const first = await openLoaderOn(openStore, dir);
    const loaded = Array.from({ length: 20 }, (_, i) => sinkTestEvent(i));
    await first.append(loaded);
    await first.loader.barrier(10_000);
    const tail = Array.from({ length: 30 }, (_, i) => sinkTestEvent(100 + i));
    await first.append(tail);
    // The insert of the tail reached ClickHouse; the position write did not (the process died between).
    const rows = tail.map((e) => first.sink.encode(e, Date.now()).row);
    const section = sectionOf('events', rows);
    await first.sink.load(
      { tables: [{ table: 'events', rows: section.rows, parts: [section.bytes] }], quarantine: [] },
      0,
    );
    expect(await first.store.countEvents()).toBe(50);
    const positionBefore = await first.sink.loadedPosition();
    await first.crash();

    const second = await openLoaderOn(openStore, dir);
    expect(second.replayed).toBe(30);
    await second.loader.barrier(10_000);
    expect(await second.sink.loadedPosition()).toBeGreaterThan(positionBefore);
    const uuids = (await second.store.listEvents({ limit: 1_000, tenants: [sinkTestTenant] })).events.map(
      (e) => e.uuid,
    );
    expect(uuids).toHaveLength(50);
    expect(new Set(uuids)).toEqual(new Set([...loaded, ...tail].map((e) => e.uuid)));
    expect(await second.store.countEvents()).toBe(50);
    await second.close();

    const third = await openLoaderOn(openStore, dir);
    expect(third.replayed).toBe(0);
    await third.close();
  });
});
