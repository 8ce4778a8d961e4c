import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatedLogWriter, type HeldWrite } from './helpers/gated-log-writer.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { metricValue, readAllEvents } from './helpers/read-events.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// A copy of an event still being written (same uuid, another request) must not be answered 200 before the
// original is durable: if the original's write fails, the copy's request writes the event itself. The
// gate holds the original's ingest-log write at the file boundary while the copy arrives, then lets it
// through or fails it as a full disk does.

const pageview = (uuid: string, tenant: string) => ({
  event: '$pageview',
  distinct_id: 'visitor',
  uuid,
  properties: { tenant_id: tenant },
});

describe('a copy of an event in flight', () => {
  const dataDir = temporaryDirectory('pulse-dup-in-flight-');
  const writer = new GatedLogWriter();
  /** Every event whose request was answered 200, by tenant. */
  const acknowledged = new Map<string, Set<string>>();
  let server: TestServer;

  beforeAll(async () => {
    // No background loads: the queue depth moves only with the requests of the test.
    server = await startTestServer({ PULSE_INGEST_LOAD_INTERVAL_MS: '60000' }, dataDir, {
      logWriter: writer,
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const capture = async (tenant: string, uuids: string[]) => {
    const response = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'phc_dup', batch: uuids.map((uuid) => pageview(uuid, tenant)) }),
    });
    if (response.status === 200) {
      const set = acknowledged.get(tenant) ?? new Set();
      for (const uuid of uuids) set.add(uuid);
      acknowledged.set(tenant, set);
    }
    return response.status;
  };

  /** Yields to the event loop until a request sent meanwhile has been placed (its fresh events queued). */
  const untilQueued = async (depth: number) => {
    while (server.pipeline.queueDepth < depth) await new Promise((resolve) => setImmediate(resolve));
  };

  /** Sends `first` and holds its write; then sends each copy and waits until the server has placed it. */
  const whileHeld = async (tenant: string, first: string[], copies: string[][]) => {
    const held = writer.nextWrite();
    const original = capture(tenant, first);
    const write: HeldWrite = await held;
    let depth = server.pipeline.queueDepth;
    const sent: Promise<number>[] = [];
    for (const copy of copies) {
      sent.push(capture(tenant, copy));
      // Each copy request carries one fresh event: queued once the request is placed.
      await untilQueued(++depth);
    }
    return { write, original, copies: sent };
  };

  const storedUuids = async (tenant: string) =>
    (await readAllEvents(server.url, server.adminKey, { tenant })).map((e) => e.uuid).sort();

  it('the original fails (disk full): the copy is written by its own request, so its 200 is true', async () => {
    const tenant = `t-fail-${randomUUID().slice(0, 8)}`;
    const [o, fresh] = [randomUUID(), randomUUID()];
    const { write, original, copies } = await whileHeld(tenant, [o], [[o, fresh]]);
    write.failDiskFull();
    expect(await original).toBe(503);
    expect(await copies[0]).toBe(200);
    expect(await storedUuids(tenant)).toEqual([o, fresh].sort());
    // A later copy is a duplicate, not a second row.
    expect(await capture(tenant, [o])).toBe(200);
    expect(await storedUuids(tenant)).toEqual([o, fresh].sort());
  });

  it('the original becomes durable: both answered 200, one copy stored', async () => {
    const tenant = `t-ok-${randomUUID().slice(0, 8)}`;
    const [o, fresh] = [randomUUID(), randomUUID()];
    const duplicates = await metricValue(server.url, 'pulse_events_duplicate_total');
    const { write, original, copies } = await whileHeld(tenant, [o], [[o, fresh]]);
    write.pass();
    expect(await original).toBe(200);
    expect(await copies[0]).toBe(200);
    expect(await storedUuids(tenant)).toEqual([o, fresh].sort());
    expect(await metricValue(server.url, 'pulse_events_duplicate_total')).toBe(duplicates + 1);
  });

  it('three copies: the first to take over writes it, the third is a duplicate of that write', async () => {
    const tenant = `t-three-${randomUUID().slice(0, 8)}`;
    const [o, a, b] = [randomUUID(), randomUUID(), randomUUID()];
    const duplicates = await metricValue(server.url, 'pulse_events_duplicate_total');
    const { write, original, copies } = await whileHeld(
      tenant,
      [o],
      [
        [o, a],
        [b, o],
      ],
    );
    write.failDiskFull();
    expect(await original).toBe(503);
    expect(await Promise.all(copies)).toEqual([200, 200]);
    expect(await storedUuids(tenant)).toEqual([o, a, b].sort());
    expect(await metricValue(server.url, 'pulse_events_duplicate_total')).toBe(duplicates + 1);
  });

  it('the takeover fails too: no copy is answered 200; their retries are stored', async () => {
    const tenant = `t-twice-${randomUUID().slice(0, 8)}`;
    const [o, a, b] = [randomUUID(), randomUUID(), randomUUID()];
    const { write, original, copies } = await whileHeld(
      tenant,
      [o],
      [
        [o, a],
        [b, o],
      ],
    );
    const takeover = writer.nextWrite();
    write.failDiskFull();
    expect(await original).toBe(503);
    // One write holds the takeover and both copies' fresh events.
    (await takeover).failDiskFull();
    expect(await Promise.all(copies)).toEqual([503, 503]);
    expect(await storedUuids(tenant)).toEqual([]);
    const retried = await whileHeld(tenant, [o, a], [[b, o]]);
    retried.write.pass();
    expect([await retried.original, ...(await Promise.all(retried.copies))]).toEqual([200, 200]);
    expect(await storedUuids(tenant)).toEqual([o, a, b].sort());
  });

  it('original and copy in one request share its fate; a copy after the failure is simply written', async () => {
    const tenant = `t-same-${randomUUID().slice(0, 8)}`;
    const o = randomUUID();
    const held = writer.nextWrite();
    const both = capture(tenant, [o, o]);
    (await held).failDiskFull();
    expect(await both).toBe(503);
    expect(await capture(tenant, [o, o])).toBe(200);
    expect(await storedUuids(tenant)).toEqual([o]);
  });

  it('every acknowledged event is stored exactly once, also after a restart on the same data dir', async () => {
    expect(writer.failures).toBeGreaterThan(0);
    await server.close();
    // Everything rebuilt from the data dir: the store, the ingest log's tail, the dedup index.
    server = await startTestServer({}, dataDir);
    for (const [tenant, uuids] of acknowledged) {
      const stored = await readAllEvents(server.url, server.adminKey, { tenant });
      expect(stored.map((e) => e.uuid).sort()).toEqual([...uuids].sort());
    }
  });
});
