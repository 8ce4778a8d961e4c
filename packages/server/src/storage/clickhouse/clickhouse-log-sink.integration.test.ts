import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import { LogLoader } from '../../ingestion/log-loader.js';
import { sectionOf } from '../../ingestion/log-record.js';
import type { QuarantinedEvent } from '../event-store.js';
import {
  clickhouseUnavailable,
  createEventDatabase,
  startClickHouse,
  type TestClickHouse,
} from '../../../test/helpers/clickhouse.js';
import { temporaryDirectory } from '../../../test/helpers/temp-dir.js';
import { ClickHouseEventStore } from './clickhouse-event-store.js';

const unavailable = clickhouseUnavailable();
const tenant = 'tenant-sink-test';
const event = (i: number): CapturedEvent => ({
  uuid: randomUUID(),
  event: i % 3 ? 'revenue_impact_event' : '$pageview',
  distinctId: `d${i}`,
  timestamp: Date.UTC(2026, 0, 1) + i,
  properties: { tenant_id: tenant, impact_amount: i, impact_type: 'positive', note: `n${i}` },
});

describe.skipIf(unavailable !== null)(`ClickHouse log sink${unavailable ? ` (${unavailable})` : ''}`, () => {
  let clickhouse: TestClickHouse;
  beforeAll(async () => {
    clickhouse = await startClickHouse();
  }, 120_000);
  afterAll(async () => {
    await clickhouse?.stop();
  });

  /** A store, its sink and a loader over the ingest log in `dir` (the pipeline's parts, minus HTTP). */
  async function openAll(dir: string, url: string) {
    const store = await ClickHouseEventStore.open(url);
    const sink = await store.logSink();
    const quarantined: QuarantinedEvent[] = [];
    const { loader, replayed } = await LogLoader.open({
      dir: join(dir, 'ingest-log'),
      cipher: null,
      sink,
      registry: new Registry(),
      intervalMs: 60_000,
      onQuarantined: (q) => quarantined.push(q),
    });
    const append = async (events: CapturedEvent[], extraRows: string[] = []) => {
      const rows = [...events.map((e) => loader.encode(e, Date.now()).row), ...extraRows];
      await loader.append(
        { ingestedAt: Date.now(), rows: new Map([['events', rows]]), quarantined: [], released: [] },
        events.map((e) => e.uuid),
      );
    };
    /** A crash: the log file handle goes away, nothing is loaded or closed cleanly. */
    const crash = async () => {
      await (loader as unknown as { log: { close(): Promise<void> } }).log.close();
      await store.close();
    };
    const close = async () => {
      await loader.close();
      await store.close();
    };
    return { store, sink, loader, replayed, append, crash, close, quarantined };
  }

  it('a crash after the rows were inserted but before the position was: the replay adds nothing', async () => {
    const dir = temporaryDirectory('pulse-ch-sink-');
    const url = await createEventDatabase(clickhouse);
    const first = await openAll(dir, url);
    const loaded = Array.from({ length: 20 }, (_, i) => event(i));
    await first.append(loaded);
    await first.loader.barrier(10_000);
    const tail = Array.from({ length: 30 }, (_, i) => event(100 + i));
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

    const second = await openAll(dir, url);
    expect(second.replayed).toBe(30);
    await second.loader.barrier(10_000);
    expect(await second.sink.loadedPosition()).toBeGreaterThan(positionBefore);
    const uuids = (await second.store.listEvents({ limit: 1_000, tenants: [tenant] })).events.map(
      (e) => e.uuid,
    );
    expect(uuids).toHaveLength(50);
    expect(new Set(uuids)).toEqual(new Set([...loaded, ...tail].map((e) => e.uuid)));
    expect(await second.store.countEvents()).toBe(50);
    await second.close();

    const third = await openAll(dir, url);
    expect(third.replayed).toBe(0);
    await third.close();
  });

  it('isolates a row ClickHouse refuses into the quarantine and loads the rest', async () => {
    const dir = temporaryDirectory('pulse-ch-sink-');
    const s = await openAll(dir, await createEventDatabase(clickhouse));
    const good = Array.from({ length: 12 }, (_, i) => event(i));
    const bad = event(100); // a revenue_impact_event (typed impact_amount column)
    const badRow = s.loader
      .encode(bad, Date.now())
      .row.replace(/"impact_amount":\d+/, '"impact_amount":"not a number"');
    expect(badRow).toContain('not a number');
    await s.append(good, [badRow]);
    await s.append([event(200)]); // a later group still loads
    await s.loader.barrier(20_000);
    expect(await s.store.countEvents()).toBe(13);
    const quarantine = await s.store.listQuarantine({ limit: 10 });
    expect(quarantine.map((q) => q.id)).toEqual([bad.uuid]);
    expect(quarantine[0]?.issues[0]?.message).toMatch(/store/);
    expect(s.quarantined.map((q) => q.id)).toEqual([bad.uuid]);
    await s.close();
  });
});
