import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RecordCipher } from '../encryption/record-cipher.js';
import type { CapturedEvent } from '../ingestion/captured-event.js';
import { LogLoader } from '../ingestion/log-loader.js';
import type { LogSink } from '../ingestion/log-sink.js';
import type { EventStore, QuarantinedEvent } from './event-store.js';
import { temporaryDirectory } from '../../test/helpers/temp-dir.js';

/** An event store that loads the ingest log through a sink of its own. */
export type SinkStore = EventStore & { logSink(): Promise<LogSink> };

/** Opens one test's store; called again after a crash, it opens the same store. */
export type OpenSinkStore = () => Promise<SinkStore>;

export const sinkTestTenant = 'tenant-sink-test';

/** Event `i`: a revenue event (typed impact_amount column) unless i is a multiple of 3. */
export const sinkTestEvent = (i: number): CapturedEvent => ({
  uuid: randomUUID(),
  event: i % 3 ? 'revenue_impact_event' : '$pageview',
  distinctId: `d${i}`,
  timestamp: Date.UTC(2026, 0, 1) + i,
  properties: { tenant_id: sinkTestTenant, impact_amount: i, impact_type: 'positive', note: `n${i}` },
});

/** A store, its sink and a loader over the ingest log in `dir`: the pipeline's parts, minus HTTP. */
export async function openLoaderOn(
  openStore: OpenSinkStore,
  dir: string,
  options: { cipher?: RecordCipher | null } = {},
) {
  const store = await openStore();
  const sink = await store.logSink();
  const quarantined: QuarantinedEvent[] = [];
  const { loader, replayed } = await LogLoader.open({
    dir: join(dir, 'ingest-log'),
    cipher: options.cipher ?? null,
    sink,
    registry: new Registry(),
    intervalMs: 60_000, // never within a test: loads happen at a barrier or a restart
    onQuarantined: (q) => quarantined.push(q),
  });
  /** Logs a group the way the pipeline does; `extraRows` are encoded rows added as they are. */
  const append = async (events: CapturedEvent[], extraRows: { table: string; row: string }[] = []) => {
    const tables = new Map<string, string[]>();
    for (const { table, row } of [...events.map((e) => loader.encode(e, Date.now())), ...extraRows])
      tables.set(table, [...(tables.get(table) ?? []), row]);
    await loader.append(
      { ingestedAt: Date.now(), rows: tables, quarantined: [], released: [] },
      events.map((e) => e.uuid),
    );
  };
  /** A crash: the log file handle goes away, nothing is loaded or closed cleanly. */
  const crash = async () => {
    await (loader as unknown as { log: { close(): Promise<void> } }).log.close();
    sink.close();
    await store.close();
  };
  const close = async () => {
    await loader.close();
    sink.close();
    await store.close();
  };
  return { store, sink, loader, replayed, append, crash, close, quarantined };
}

/**
 * Behaviour every store's ingest-log sink must show, driven through the LogLoader; each adapter's test calls
 * this with a way to make a fresh store for a test (given the test's directory).
 */
export function runLogSinkContract(name: string, freshStore: (dir: string) => Promise<OpenSinkStore>): void {
  describe(`LogSink contract: ${name}`, () => {
    const open = async () => {
      const dir = temporaryDirectory('pulse-sink-');
      return { dir, openStore: await freshStore(dir) };
    };

    it('holds logged uuids for dedup until loaded, and the barrier loads on demand', async () => {
      const { dir, openStore } = await open();
      const s = await openLoaderOn(openStore, dir);
      const events = Array.from({ length: 30 }, (_, i) => sinkTestEvent(i));
      await s.append(events);
      expect(s.loader.holds(events[0]?.uuid ?? '')).toBe(true);
      expect(await s.store.countEvents()).toBe(0); // the 60 s interval has not passed
      await s.loader.barrier(10_000);
      expect(await s.store.countEvents()).toBe(30);
      expect(s.loader.holds(events[0]?.uuid ?? '')).toBe(false);
      expect(s.loader.backlog.rows).toBe(0);
      await s.close();
    });

    it('a crash between the log fsync and the load: the restart replays the tail exactly once', async () => {
      const { dir, openStore } = await open();
      const first = await openLoaderOn(openStore, dir);
      const loadedBefore = Array.from({ length: 20 }, (_, i) => sinkTestEvent(i));
      await first.append(loadedBefore);
      await first.loader.barrier(10_000);
      const unloaded = Array.from({ length: 25 }, (_, i) => sinkTestEvent(100 + i));
      await first.append(unloaded.slice(0, 10));
      await first.append(unloaded.slice(10));
      expect(await first.store.countEvents()).toBe(20);
      await first.crash();

      const second = await openLoaderOn(openStore, dir);
      expect(second.replayed).toBe(25);
      const page = await second.store.listEvents({ limit: 1_000, tenants: [sinkTestTenant] });
      const uuids = page.events.map((e) => e.uuid);
      expect(uuids).toHaveLength(45);
      expect(new Set(uuids)).toEqual(new Set([...loadedBefore, ...unloaded].map((e) => e.uuid)));
      await second.crash();

      // The replay recorded its position with its rows: a third start replays nothing.
      const third = await openLoaderOn(openStore, dir);
      expect(third.replayed).toBe(0);
      expect(await third.store.countEvents()).toBe(45);
      await third.close();
    });

    it('isolates a value the store refuses into the quarantine and loads the rest', async () => {
      const { dir, openStore } = await open();
      const s = await openLoaderOn(openStore, dir);
      const good = Array.from({ length: 12 }, (_, i) => sinkTestEvent(i));
      const bad = sinkTestEvent(100); // a revenue_impact_event (typed impact_amount column)
      const encoded = s.loader.encode(bad, Date.now());
      const badRow = encoded.row.replace(/"impact_amount":\d+/, '"impact_amount":"not a number"');
      expect(badRow).toContain('not a number');
      await s.append(good, [{ table: encoded.table, row: badRow }]);
      await s.append([sinkTestEvent(200)]); // a later group still loads
      await s.loader.barrier(20_000);
      expect(await s.store.countEvents()).toBe(13);
      const quarantine = await s.store.listQuarantine({ limit: 10 });
      expect(quarantine.map((q) => q.id)).toEqual([bad.uuid]);
      expect(quarantine[0]?.issues[0]?.message).toMatch(/store/);
      expect(s.quarantined.map((q) => q.id)).toEqual([bad.uuid]);
      await s.close();
    });

    it('encrypted: the log segments hold no plaintext tenant name, and still load', async () => {
      const { dir, openStore } = await open();
      const cipher = new RecordCipher(randomBytes(32));
      const s = await openLoaderOn(openStore, dir, { cipher });
      await s.append(Array.from({ length: 10 }, (_, i) => sinkTestEvent(i)));
      const logDir = join(dir, 'ingest-log');
      const files = readdirSync(logDir);
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) expect(readFileSync(join(logDir, f)).includes(sinkTestTenant)).toBe(false);
      await s.crash();
      const again = await openLoaderOn(openStore, dir, { cipher });
      expect(again.replayed).toBe(10);
      expect(await again.store.countEvents()).toBe(10);
      await again.close();
    });
  });
}
