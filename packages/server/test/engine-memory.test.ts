import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from './helpers/capture-batch.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

const TOKEN = 'phc_engine_memory';
// Needs more than the 16 MiB the cached blocks are evicted down to (a distinct aggregate's hash table):
// run under the lowered limit it fails for want of memory.
const HUNGRY_SQL = 'SELECT count(DISTINCT i) AS n FROM range(3000000) t(i)';

describe("releasing DuckDB's cached blocks while the server serves", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('fails none of the queries, captures and summaries running meanwhile, and keeps the configured limit', async () => {
    const release = server.storage.releaseEngineMemory;
    if (!release) throw new Error('the embedded store releases its cached memory');
    let answered = false;
    const query = server
      .api<{ rows: unknown[][] }>('/api/query', { body: { sql: HUNGRY_SQL } })
      .finally(() => (answered = true));
    // Releases one after another until the query answers: some of them fall while it runs.
    const releases = (async () => {
      const done = [await release()];
      while (!answered) done.push(await release());
      return done;
    })();
    const captured = capture(server.url, TOKEN, [
      { event: 'signup', distinct_id: 'u1', properties: { tenant_id: 'acme' } },
    ]);
    const summary = server.api('/api/summary?tenant=acme');
    const [answer, released] = await Promise.all([query, releases, captured]);
    expect(answer.status).toBe(200);
    expect(answer.body.rows).toEqual([[3_000_000]]);
    for (const { afterBytes } of released) expect(afterBytes).toBeLessThanOrEqual(16 * 2 ** 20);
    expect((await summary).status).toBe(200);
    // The limit is back: the same statement alone, after the last release, still has its memory.
    expect((await server.api('/api/query', { body: { sql: HUNGRY_SQL } })).status).toBe(200);
  });
});
