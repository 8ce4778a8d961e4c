import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// A start runs its scans (alert rules' state, summary rollups) on every core, then serves with the
// configured DuckDB threads: ingest was measured cheapest with one.
describe("DuckDB's threads after a start", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PULSE_DUCKDB_THREADS: '1' });
  });
  afterAll(async () => server.close());

  it('are the configured count once the server serves', async () => {
    expect(server.store).toBeInstanceOf(DuckDbEventStore);
    const store = server.store as DuckDbEventStore;
    const result = await store.readConnection.runAndReadAll("SELECT current_setting('threads') AS threads");
    expect(Number(result.getRowObjects()[0]?.threads)).toBe(1);
    expect((await server.api('/api/summary')).status).toBe(200);
  });
});
