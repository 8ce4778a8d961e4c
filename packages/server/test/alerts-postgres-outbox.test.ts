import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSettingsFrom, createAlertSystem } from '../src/alerts/index.js';
import { DELIVERY_LEASE_MS } from '../src/storage/alert-store.js';
import { openDuckDbAlertEventSource } from '../src/storage/duckdb/alert-event-reads.js';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { PgAlertStore } from '../src/storage/postgres/pg-alert-store.js';
import { openPgPool } from '../src/storage/postgres/pg-client.js';
import { opened } from './helpers/alert-fixtures.js';
import {
  createStateDatabase,
  postgresUnavailable,
  startPostgres,
  type TestPostgres,
} from './helpers/postgres.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const unavailable = postgresUnavailable();
const ROWS = 30;

describe.skipIf(unavailable !== null)(`alert notifications shared on PostgreSQL ${unavailable ?? ''}`, () => {
  let postgres: TestPostgres;
  let events: DuckDbEventStore;
  let receiver: Server;
  let url = '';
  const hits: string[] = [];
  let allArrived: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (allArrived = resolve));

  beforeAll(async () => {
    postgres = await startPostgres();
    events = await DuckDbEventStore.open({ path: join(temporaryDirectory('pulse-pg-outbox-'), 'e.duckdb') });
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits.push(String(req.headers['webhook-id']));
        if (hits.length >= ROWS) allArrived();
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  }, 60_000);

  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
    await events?.close();
    await postgres?.stop();
  });

  it('sends what a dead process left pending once, though two processes start and claim it at once', async () => {
    const database = await createStateDatabase(postgres);
    const source = await openDuckDbAlertEventSource(events);
    // The process that wrote these died before sending them, long enough ago for its hold to have run out.
    const due = Date.now() - 2 * DELIVERY_LEASE_MS;
    const left = Array.from({ length: ROWS }, (_, i) => opened({ dedupKey: `k${i}` }));
    for (const row of left) Object.assign(row.delivery, { nextAttemptAt: due, createdAt: due });
    const dead = openPgPool(database);
    await (
      await PgAlertStore.open(dead, source)
    ).write({
      alerts: left.map((r) => r.alert),
      transitions: left.map((r) => r.transition),
      deliveries: left.map((r) => r.delivery),
    });
    await dead.end();

    const start = async () => {
      const pool = openPgPool(database);
      const store = await PgAlertStore.open(pool, source);
      const system = createAlertSystem({
        store,
        settings: {
          ...alertSettingsFrom({
            alertEmailTo: [],
            alertWebhookUrl: url,
            alertWebhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
            outboundAllowPrivate: true,
          }),
          digestCron: null,
        },
        logger: pino({ level: 'silent' }),
      });
      await system.engine.start();
      return { system, store, pool };
    };
    const processes = await Promise.all([start(), start()]);
    await arrived;
    await Promise.all(processes.map((p) => p.system.engine.idle()));
    expect([...hits].sort()).toEqual(left.map((r) => r.delivery.id).sort());
    const [first] = processes;
    expect(await first?.store.listDeliveries({ statuses: ['pending'], limit: ROWS })).toEqual([]);
    for (const p of processes) {
      await p.system.close();
      await p.store.close();
      await p.pool.end();
    }
  });
});
