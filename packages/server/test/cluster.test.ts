import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SourceStatus } from '@pulse/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommittedBatch } from '../src/ingestion/event-stream.js';
import {
  createStateDatabase,
  postgresUnavailable,
  startPostgres,
  type TestPostgres,
} from './helpers/postgres.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

const unavailable = postgresUnavailable();

interface Ready {
  cluster?: { process: string; leader: boolean };
}

const readiness = async (server: TestServer): Promise<Ready> =>
  (await fetch(`${server.url}/readyz`)).json() as Promise<Ready>;

/** Asks each server's /readyz until exactly one says it leads (leadership is taken in the background). */
async function leaderOf(servers: TestServer[]): Promise<TestServer> {
  for (;;) {
    const views = await Promise.all(servers.map(readiness));
    const leaders = servers.filter((_, i) => views[i]?.cluster?.leader);
    expect(leaders.length).toBeLessThanOrEqual(1);
    if (leaders[0]) return leaders[0];
  }
}

describe.skipIf(unavailable !== null)(
  `several Pulse processes on one PostgreSQL state ${unavailable ?? ''}`,
  () => {
    let postgres: TestPostgres;
    const servers: TestServer[] = [];
    // A scrape target (scheduled work that must run once): it counts the scrapes it answers.
    let scrapes = 0;
    const target = createServer((_request, response) => {
      scrapes++;
      response.end('node_load1 0.5\n');
    });
    beforeAll(async () => {
      postgres = await startPostgres();
      await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    }, 60_000);
    afterAll(async () => {
      for (const server of servers) await server.close();
      await postgres?.stop();
      await new Promise((resolve) => target.close(resolve));
    });
    const scrapeState = async (server: TestServer) =>
      (await server.api<{ sources: SourceStatus[] }>('/api/integrations')).body.sources.find(
        (source) => source.kind === 'scrape',
      )?.state;

    it("see each other's events, and one of them runs the scheduled work until it stops", async () => {
      const { port } = target.address() as AddressInfo;
      const env = {
        PULSE_STATE_URL: await createStateDatabase(postgres),
        PULSE_SCRAPE_TARGETS: JSON.stringify([
          {
            url: `http://127.0.0.1:${port}/metrics`,
            tenant: 'acme',
            resource_type: 'vps_instance',
            resource_id: 'node-a',
            interval_seconds: 1,
          },
        ]),
      };
      const a = await startTestServer(env);
      servers.push(a);
      const b = await startTestServer(env);
      servers.push(b);
      const fromPeers = (server: TestServer) => {
        const seen: CommittedBatch[] = [];
        let wake = () => {};
        server.stream.subscribe((batch) => {
          if (!batch.peer) return;
          seen.push(batch);
          wake();
        });
        return async (count: number) => {
          while (seen.flatMap((s) => s.events).length < count) await new Promise<void>((r) => (wake = r));
          return seen.flatMap((s) => s.events);
        };
      };
      const onB = fromPeers(b);
      const onA = fromPeers(a);

      const capture = (server: TestServer, tenant: string) =>
        fetch(`${server.url}/batch/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            api_key: 'phc_x',
            batch: [{ event: 'page_view', distinct_id: 'u1', properties: { tenant_id: tenant } }],
          }),
        });
      expect((await capture(a, 'acme')).status).toBe(200);
      expect((await capture(b, 'globex')).status).toBe(200);
      expect((await onB(1)).map((e) => e.tenantId)).toEqual(['acme']);
      expect((await onA(1)).map((e) => e.tenantId)).toEqual(['globex']);

      // One leads; when it stops, the other takes over.
      const leader = await leaderOf([a, b]);
      const other = leader === a ? b : a;
      expect((await readiness(other)).cluster?.leader).toBe(false);
      const metrics = await (await fetch(`${leader.url}/metrics`)).text();
      expect(metrics).toMatch(/^pulse_cluster_leader 1$/m);
      // Only the leader scrapes: by its third scrape the other has had its own turns, and passed them over.
      while (scrapes < 3) await new Promise((resolve) => target.once('request', resolve));
      expect(await scrapeState(leader)).not.toBe('never');
      expect(await scrapeState(other)).toBe('never');
      await leader.close();
      servers.splice(servers.indexOf(leader), 1);
      expect(await leaderOf([other])).toBe(other);
    }, 60_000);
  },
);
