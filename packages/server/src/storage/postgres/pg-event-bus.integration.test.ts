import { pino } from 'pino';
import type pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { EventBus } from '../../cluster/event-bus.js';
import { EventStream, type CommittedBatch } from '../../ingestion/event-stream.js';
import { sql } from '../../sql.js';
import type { StoredEvent } from '../event-store.js';
import { createStateDatabase, describeWithPostgres } from '../../../test/helpers/postgres.js';
import { openPgPool, query } from './pg-client.js';
import { PgBusChannel } from './pg-event-bus.js';

const logger = pino({ level: 'silent' });

/** One process's side: its own pool, stream and bus, and what its stream saw. */
interface Side {
  pool: pg.Pool;
  stream: EventStream;
  bus: EventBus;
  channel: PgBusChannel;
  seen: CommittedBatch[];
  missed: number;
  published: number;
  /** Resolves once `done` holds, checked after each thing the side sees (a batch, a publish, a miss). */
  until: (done: () => boolean) => Promise<void>;
  /** Resolves once the stream has seen `count` events of other processes. */
  peerEvents: (count: number) => Promise<StoredEvent[]>;
}

const running: Side[] = [];
afterEach(async () => {
  for (const side of running.splice(0)) {
    await side.bus.stop();
    await side.pool.end();
  }
});

async function side(url: string): Promise<Side> {
  const pool = openPgPool(url);
  const stream = new EventStream((error) => {
    throw error;
  });
  const channel = await PgBusChannel.open(pool, url);
  const seen: CommittedBatch[] = [];
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  stream.subscribe((batch) => {
    seen.push(batch);
    wake();
  });
  const peers = () => seen.filter((b) => b.peer).flatMap((b) => b.events);
  const result: Side = {
    pool,
    stream,
    channel,
    seen,
    missed: 0,
    published: 0,
    bus: new EventBus({
      channel,
      stream,
      origin: `process-${running.length}`,
      logger,
      counters: {
        published: (events) => {
          result.published += events;
          wake();
        },
        received: () => {},
        dropped: () => {},
        missed: () => {},
      },
      onMissed: async () => {
        result.missed++;
        wake();
      },
    }),
    async until(done) {
      while (!done()) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    async peerEvents(count) {
      await result.until(() => peers().length >= count);
      return peers();
    },
  };
  await result.bus.start();
  running.push(result);
  return result;
}

let n = 0;
const event = (tenant: string, properties: Record<string, unknown> = {}): StoredEvent => ({
  uuid: `0195aaaa-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  event: 'page_view',
  distinctId: `user-${n}`,
  timestamp: 1_760_000_000_000 + n,
  properties: { tenant_id: tenant, ...properties },
  tenantId: tenant,
  ingestedAt: 1_760_000_100_000 + n,
});

/** Ends the event bus listeners' sessions, as a restarted database or a network cut does. */
const cutListeners = (admin: (text: string) => Promise<unknown>) =>
  admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pulse-cluster'`);

describeWithPostgres('the event bus on PostgreSQL', (postgres) => {
  it("feeds each process's commits to the others once, as one row per batch, never back to itself", async () => {
    const url = await createStateDatabase(postgres.server);
    const a = await side(url);
    const b = await side(url);
    const c = await side(url);
    // Over NOTIFY's 8000-byte payload limit: the row holds it, the notification only its id.
    const large = event('acme', { note: 'x'.repeat(20_000) });
    a.stream.publish({ events: [event('acme'), large], committedAt: 1 });
    b.stream.publish({ events: [event('globex')], committedAt: 2 });

    const onC = await c.peerEvents(3);
    expect(onC.map((e) => e.uuid).sort()).toEqual(
      [...a.seen[0]!.events, ...b.seen[0]!.events].map((e) => e.uuid).sort(),
    );
    expect(onC.find((e) => e.uuid === large.uuid)).toEqual(large);
    expect((await b.peerEvents(2)).map((e) => e.tenantId)).toEqual(['acme', 'acme']);
    expect((await a.peerEvents(1)).map((e) => e.tenantId)).toEqual(['globex']);
    await Promise.all([a, b, c].map((s) => s.bus.settled()));
    // Each saw its own batch once (unmarked) and nobody's twice.
    expect(a.seen.map((s) => s.peer ?? false)).toEqual([false, true]);
    expect(c.seen.every((s) => s.peer)).toBe(true);
    expect(await query(a.pool, sql`SELECT origin FROM cluster_event_batches ORDER BY origin`)).toEqual([
      { origin: 'process-0' },
      { origin: 'process-1' },
    ]);
  });

  it('reads what was committed while its connection was cut, from the table, exactly once', async () => {
    const url = await createStateDatabase(postgres.server);
    const a = await side(url);
    const b = await side(url);
    await cutListeners(postgres.server.admin);
    const batches = Array.from({ length: 30 }, () => [event('acme'), event('initech')]);
    for (const events of batches) {
      a.stream.publish({ events, committedAt: 3 });
      // One at a time, so most rows land while b is still reconnecting.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const received = await b.peerEvents(60);
    await b.bus.settled();
    expect(received.map((e) => e.uuid)).toEqual(batches.flat().map((e) => e.uuid));
    expect(b.missed).toBe(0);
  });

  it('says so, and asks for a rebuild, when rows it had not read were removed before it came back', async () => {
    const url = await createStateDatabase(postgres.server);
    const database = new URL(url).pathname.slice(1);
    const a = await side(url);
    const b = await side(url);
    // No new connection is let in, so the listeners stay away while the rows are removed.
    await postgres.server.admin(`ALTER DATABASE ${database} CONNECTION LIMIT 0`);
    await cutListeners(postgres.server.admin);
    a.stream.publish({ events: [event('acme')], committedAt: 4 });
    await a.until(() => a.published === 1);
    expect(await a.channel.prune(0)).toBe(1);
    await postgres.server.admin(`ALTER DATABASE ${database} CONNECTION LIMIT -1`);
    // The row is gone: b never gets the event, but learns it missed some.
    await b.until(() => b.missed === 1);
    expect(b.seen.filter((s) => s.peer)).toEqual([]);
    // A later commit flows again.
    a.stream.publish({ events: [event('acme')], committedAt: 5 });
    expect(await b.peerEvents(1)).toHaveLength(1);
  });
});
