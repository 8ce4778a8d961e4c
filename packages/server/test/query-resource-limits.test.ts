import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('one ad-hoc query cannot take the server down', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      PULSE_DUCKDB_MEMORY_LIMIT: '256MB',
      PULSE_QUERY_MAX_BYTES: String(1024 * 1024),
      PULSE_QUERY_TIMEOUT_MS: '3000',
      PULSE_QUERY_CONCURRENCY: '1',
    });
  });
  afterAll(async () => server.close());

  const alive = async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ok = await server.api<{ rows: unknown[][] }>('/api/query', { body: { sql: 'SELECT 41 + 1' } });
    expect(ok.body.rows).toEqual([[42]]);
  };

  it('refuses a result larger than the byte limit, naming the limit, instead of building it', async () => {
    const res = await server.api<ErrorBody>('/api/query', {
      body: { sql: "SELECT repeat('x', 10000) AS wide FROM range(50000)" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('result_too_large');
    expect(res.body.error.message).toContain(`${1024 * 1024} bytes`);
    await alive();
  });

  it('stops a query that outgrows DuckDB’s memory limit, with a clear code', async () => {
    const res = await server.api<ErrorBody>('/api/query', {
      body: { sql: "SELECT length(string_agg(lpad('x', 10000, 'y'), '')) FROM range(1000000)" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('query_memory_exceeded');
    await alive();
  });

  it('counts converting the rows against the time limit', async () => {
    // Milliseconds for DuckDB, far longer to turn into JSON values: the deadline must still stop it.
    const sql =
      'SELECT [r, r + 1, r + 2, r + 3, r + 4, r + 5, r + 6, r + 7] AS l, r::VARCHAR AS s FROM range(300000) t(r)';
    await expect(
      server.storage.queries.run(sql, 'all', { timeoutMs: 100, maxRows: 300_000, maxBytes: 2 ** 30 }),
    ).rejects.toThrow(/ran longer than 100 ms/);
    await alive();
  });

  it('lets a bounded number of queries run and wait, and refuses the rest with 503 and Retry-After', async () => {
    const heavy = 'SELECT count(*) FROM range(3000000000) a';
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`${server.url}/api/query`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sql: heavy }),
        }),
      ),
    );
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.headers.get('retry-after')).toBe('1');
    expect(((await refused[0]?.json()) as ErrorBody).error.code).toBe('unavailable');
    for (const a of answers) expect([200, 400, 503]).toContain(a.status);
    await alive();
  });

  it('refuses SQL text beyond the length limit before parsing it', async () => {
    const res = await server.api<ErrorBody>('/api/query', {
      body: { sql: `SELECT 1 ${' '.repeat(100_001)}` },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('at most 100000');
  });
});
