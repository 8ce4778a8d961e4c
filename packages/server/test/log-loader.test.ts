import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RecordCipher } from '../src/encryption/record-cipher.js';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import type { CapturedEvent } from '../src/ingestion/captured-event.js';
import { LogLoader } from '../src/ingestion/log-loader.js';
import type { QuarantinedEvent } from '../src/storage/event-store.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const tenant = 'tenant-loader-test';
const event = (i: number): CapturedEvent => ({
  uuid: randomUUID(),
  event: i % 3 ? 'revenue_impact_event' : '$pageview',
  distinctId: `d${i}`,
  timestamp: Date.UTC(2026, 0, 1) + i,
  properties: { tenant_id: tenant, impact_amount: i, impact_type: 'positive', note: `n${i}` },
});

async function openAll(dir: string, options: { cipher?: RecordCipher | null; intervalMs?: number } = {}) {
  const store = await DuckDbEventStore.open({ path: join(dir, 'pulse.duckdb') });
  const sink = await store.logSink();
  const quarantined: QuarantinedEvent[] = [];
  const { loader, replayed } = await LogLoader.open({
    dir: join(dir, 'ingest-log'),
    cipher: options.cipher ?? null,
    sink,
    registry: new Registry(),
    intervalMs: options.intervalMs ?? 60_000,
    onQuarantined: (q) => quarantined.push(q),
  });
  /** Logs a group the way the pipeline does. */
  const append = async (events: CapturedEvent[], extraRows: { table: string; row: string }[] = []) => {
    const tables = new Map<string, string[]>();
    for (const e of events) {
      const { table, row } = loader.encode(e, Date.now());
      tables.set(table, [...(tables.get(table) ?? []), row]);
    }
    for (const { table, row } of extraRows) tables.set(table, [...(tables.get(table) ?? []), row]);
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
  return { store, loader, replayed, append, crash, close, quarantined };
}

describe('LogLoader', () => {
  it('holds logged uuids for dedup until loaded, and the barrier loads on demand', async () => {
    const dir = temporaryDirectory('pulse-loader-');
    const s = await openAll(dir);
    const events = Array.from({ length: 30 }, (_, i) => event(i));
    await s.append(events);
    expect(s.loader.holds(events[0]?.uuid ?? '')).toBe(true);
    expect(await s.store.countEvents()).toBe(0); // the 60 s interval has not passed
    await s.loader.barrier(5_000);
    expect(await s.store.countEvents()).toBe(30);
    expect(s.loader.holds(events[0]?.uuid ?? '')).toBe(false);
    expect(s.loader.backlog.rows).toBe(0);
    await s.close();
  });

  it('a crash between the log fsync and the load: the restart replays the tail exactly once', async () => {
    const dir = temporaryDirectory('pulse-loader-');
    const first = await openAll(dir);
    const loadedBefore = Array.from({ length: 20 }, (_, i) => event(i));
    await first.append(loadedBefore);
    await first.loader.barrier(5_000);
    const unloaded = Array.from({ length: 25 }, (_, i) => event(100 + i));
    await first.append(unloaded.slice(0, 10));
    await first.append(unloaded.slice(10));
    expect(await first.store.countEvents()).toBe(20);
    await first.crash();

    const second = await openAll(dir);
    expect(second.replayed).toBe(25);
    const page = await second.store.listEvents({ limit: 1_000, tenants: [tenant] });
    const uuids = page.events.map((e) => e.uuid);
    expect(uuids).toHaveLength(45);
    expect(new Set(uuids).size).toBe(45);
    await second.crash();

    // Loaded position and rows were committed together: a third start replays nothing.
    const third = await openAll(dir);
    expect(third.replayed).toBe(0);
    expect(await third.store.countEvents()).toBe(45);
    await third.close();
  });

  it('isolates a value the store refuses into the quarantine and loads the rest', async () => {
    const dir = temporaryDirectory('pulse-loader-');
    const s = await openAll(dir);
    const good = Array.from({ length: 12 }, (_, i) => event(i));
    const bad = event(100); // a revenue_impact_event (typed impact_amount column)
    const badRow = s.loader
      .encode(bad, Date.now())
      .row.replace(/"impact_amount":\d+/, '"impact_amount":"not a number"');
    expect(badRow).toContain('not a number');
    await s.append(good, [{ table: 'ev_revenue_impact_event', row: badRow }]);
    await s.append([event(200)]); // a later group still loads
    await s.loader.barrier(10_000);
    expect(await s.store.countEvents()).toBe(13);
    const quarantine = await s.store.listQuarantine({ limit: 10 });
    expect(quarantine.map((q) => q.id)).toEqual([bad.uuid]);
    expect(quarantine[0]?.issues[0]?.message).toMatch(/store/);
    expect(s.quarantined.map((q) => q.id)).toEqual([bad.uuid]);
    await s.close();
  });

  it('encrypted: the log segments hold no plaintext tenant name, and still load', async () => {
    const dir = temporaryDirectory('pulse-loader-');
    const cipher = new RecordCipher(randomBytes(32));
    const s = await openAll(dir, { cipher });
    await s.append(Array.from({ length: 10 }, (_, i) => event(i)));
    const logDir = join(dir, 'ingest-log');
    const files = readdirSync(logDir);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(readFileSync(join(logDir, f)).includes(tenant)).toBe(false);
    await s.crash();
    const again = await openAll(dir, { cipher });
    expect(again.replayed).toBe(10);
    expect(await again.store.countEvents()).toBe(10);
    await again.close();
  });
});
