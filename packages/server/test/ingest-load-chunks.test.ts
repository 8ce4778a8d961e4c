import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generateEvents } from '../src/seed/index.js';
import { startPulseProcess, type PulseProcess } from './helpers/pulse-process.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { metricValue, readAllEvents, type ApiEvent } from './helpers/read-events.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// PULSE_INGEST_LOAD_CHUNKS: the loader appends typed column chunks built from the captured events instead of
// NDJSON read by read_json. It must store the same rows, in one transaction with the log position.

/** Seeded catalog events of every type plus SDK-decorated generic ones, as a PostHog batch body. */
function mixedBody(tenantPrefix: string, count: number, seed = 9): { uuids: string[]; body: string } {
  const batch: Record<string, unknown>[] = [];
  for (const e of generateEvents({ tenants: 20, days: 5, seed, includeGeneric: true })) {
    batch.push({
      event: e.event,
      distinct_id: e.distinctId,
      uuid: e.uuid,
      timestamp: new Date(e.timestamp).toISOString(),
      properties: {
        ...e.properties,
        tenant_id: `${tenantPrefix}${String(e.properties.tenant_id)}`,
        $lib: 'posthog-node',
        $lib_version: '4.2.1',
      },
    });
    if (batch.length >= count) break;
  }
  return {
    uuids: batch.map((e) => e.uuid as string),
    body: JSON.stringify({ api_key: 'phc_chunks_test', batch }),
  };
}

const post = (url: string, body: string) =>
  fetch(`${url}/batch/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

const stored = async (server: { url: string; adminKey: string }, prefix: string) =>
  (await readAllEvents(server.url, server.adminKey))
    .filter((e) => String(e.properties.tenant_id).startsWith(prefix))
    .map(({ ingestedAt: _at, ...rest }: ApiEvent) => rest)
    .sort((a, b) => a.uuid.localeCompare(b.uuid));

describe('ingest log loaded as column chunks', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('stores every captured event exactly as the NDJSON path does', async () => {
    const prefix = `chunks-${randomUUID().slice(0, 8)}-`;
    const { uuids, body } = mixedBody(prefix, 600);
    const read: Record<string, unknown[]> = {};
    for (const chunks of ['false', 'true']) {
      const server = await startTestServer({
        PULSE_INGEST_LOAD_CHUNKS: chunks,
        PULSE_INGEST_LOAD_INTERVAL_MS: '60000',
      });
      servers.push(server);
      expect((await post(server.url, body)).status).toBe(200);
      read[chunks] = await stored(server, prefix);
    }
    expect(read.true).toHaveLength(uuids.length);
    expect(read.true).toEqual(read.false);
  });
});

describe('ingest log loaded as column chunks: kill -9', () => {
  const dataDir = temporaryDirectory('pulse-chunks-crash-');
  const started: PulseProcess[] = [];
  afterAll(async () => {
    for (const p of started) await p.kill();
  });

  it(
    'a load committed before the kill is not repeated; the acknowledged tail loads exactly once',
    { timeout: 60_000 },
    async () => {
      const env = { PULSE_INGEST_LOAD_CHUNKS: 'true', PULSE_INGEST_LOAD_INTERVAL_MS: '60000' };
      const first = await startPulseProcess({ dataDir, env });
      started.push(first);
      const prefix = `chunks-crash-${randomUUID().slice(0, 8)}-`;
      const loaded = mixedBody(`${prefix}a-`, 200);
      expect((await post(first.url, loaded.body)).status).toBe(200);
      // The read barrier loads what was acknowledged (through chunks) before answering.
      expect(await stored(first, prefix)).toHaveLength(200);
      const tail = mixedBody(`${prefix}b-`, 150, 10);
      expect((await post(first.url, tail.body)).status).toBe(200);
      expect(await metricValue(first.url, 'pulse_ingest_log_lag_events')).toBe(150);
      await first.kill();

      const second = await startPulseProcess({ dataDir, env });
      started.push(second);
      expect(second.output()).toMatch(/"events":150[^\n]*"msg":"ingest log replayed"/);
      const rows = await stored(second, prefix);
      expect(rows.map((e) => e.uuid).sort()).toEqual([...loaded.uuids, ...tail.uuids].sort());
      // A retry of an acknowledged batch is a duplicate, not a second copy.
      const before = await metricValue(second.url, 'pulse_events_duplicate_total');
      expect((await post(second.url, tail.body)).status).toBe(200);
      expect(await metricValue(second.url, 'pulse_events_duplicate_total')).toBe(before + 150);
      expect(await stored(second, prefix)).toHaveLength(350);
      await second.stop();
    },
  );
});
