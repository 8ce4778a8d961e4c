import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// Whatever an analyst scoped to `acme` writes, no value planted outside that scope may come back.
const OUTSIDE = 'globex-outside-scope';
const markers = [
  OUTSIDE,
  'marker-user@outside.test',
  'marker-key-name',
  '$argon2id',
  'quarantined-marker',
  'outside-subscription-plan',
];

let n = 0;
const event = (tenant: string, properties: Record<string, unknown>, name = 'revenue_impact_event') => ({
  event: name,
  distinct_id: tenant,
  uuid: `01950000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  timestamp: new Date(Date.UTC(2026, 2, 10 + (n % 5))).toISOString(),
  properties: { tenant_id: tenant, ...properties },
});

describe('ad-hoc SQL cannot leave its scope', () => {
  let server: TestServer;
  let analystKey = '';
  let internalNames: string[] = [];

  const query = async (sql: string) => {
    const response = await fetch(`${server.url}/api/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${analystKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql }),
    });
    return { status: response.status, text: await response.text() };
  };

  beforeAll(async () => {
    server = await startTestServer({ PULSE_PROJECT_TOKEN: 'phc_scope' });
    const batch = [
      event('acme', { impact_amount: 120, impact_type: 'positive' }),
      event('acme', { impact_amount: 80, impact_type: 'negative' }),
      // Critical for the other tenant: an alert row outside the scope as well.
      event(OUTSIDE, { impact_amount: 50_000, impact_type: 'negative' }),
      event(OUTSIDE, { impact_amount: 'quarantined-marker', impact_type: 'negative' }),
      event(OUTSIDE, { efficiency_metric: 'delivery', efficiency_score: 40 }, 'operational_efficiency_event'),
    ];
    const captured = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'phc_scope', batch, historical_migration: true }),
    });
    expect(captured.status).toBe(200);
    expect(
      (
        await server.api('/api/subscriptions/' + OUTSIDE, {
          method: 'PUT',
          body: { status: 'active', planName: 'outside-subscription-plan', priceMonthly: 10 },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await server.api('/api/subscriptions/acme', {
          method: 'PUT',
          body: { status: 'active', planName: 'Pro', priceMonthly: 500 },
        })
      ).status,
    ).toBe(200);
    const user = await server.api('/api/users', {
      body: { email: 'marker-user@outside.test', password: 'a long enough password 1', role: 'executive' },
    });
    expect(user.status).toBe(201);
    const key = await server.api<{ key: string }>('/api/keys', {
      body: { role: 'analyst', tenants: ['acme'], name: 'marker-key-name' },
    });
    analystKey = key.body.key;
    const connection = await (server.store as DuckDbEventStore).connect();
    try {
      internalNames = (
        await connection.runAndReadAll(
          `SELECT table_name AS name FROM duckdb_tables() WHERE NOT internal
           UNION SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1`,
        )
      )
        .getRowObjectsJS()
        .map((r) => r.name as string);
    } finally {
      connection.closeSync();
    }
    expect(internalNames).toEqual(expect.arrayContaining(['users', 'api_keys', 'events']));
  });
  afterAll(async () => server.close());

  const assertNoLeak = (sql: string, answer: { status: number; text: string }) => {
    expect([200, 400], `${sql} → ${answer.text}`).toContain(answer.status);
    for (const marker of markers) expect(answer.text, sql).not.toContain(marker);
    if (answer.status !== 200) return;
    const result = JSON.parse(answer.text) as { rows: unknown[][]; columns: { name: string }[] };
    const text = JSON.stringify(result.rows);
    // Rows never name the store's own tables (SHOW TABLES, catalog views) unless the query wrote it itself.
    for (const name of internalNames.filter((t) => !['events', 'subscriptions'].includes(t)))
      if (!sql.includes(name)) expect(text, sql).not.toContain(name);
  };

  it('refuses every way to name a table outside the scoped views, however nested', async () => {
    const names = fc.constantFrom(
      ...internalNames,
      'events',
      'subscriptions',
      'duckdb_tables',
      'sqlite_master',
    );
    const qualified = fc.oneof(
      names,
      names.map((t) => `main.${t}`),
      names.map((t) => `temp.main.${t}`),
      names.map((t) => `system.main.${t}`),
      names.map((t) => `pulse.main.${t}`),
    );
    const select: fc.Memo<string> = fc.memo((depth) => {
      const leaf = fc.oneof(
        qualified.map((t) => `SELECT * FROM ${t}`),
        names.map((t) => `SELECT * FROM query_table('${t}')`),
        names.map((t) => `SELECT * FROM query('SELECT * FROM ${t}')`),
      );
      if (depth <= 1) return leaf;
      const inner = select(depth - 1);
      return fc.oneof(
        leaf,
        fc.tuple(names, inner, inner).map(([c, a, b]) => `WITH ${c} AS (${a}) ${b}`),
        fc
          .tuple(names, inner, inner)
          .map(([c, a, b]) => `SELECT * FROM (WITH ${c} AS (${a}) SELECT 1 AS one) s, (${b}) t`),
        fc
          .tuple(inner, inner)
          .map(
            ([a, b]) =>
              `SELECT * FROM events WHERE EXISTS (${a}) AND tenant_id IN (SELECT tenant_id FROM (${b}) x)`,
          ),
        fc.tuple(inner).map(([a]) => `SELECT * FROM events e, LATERAL (${a}) l`),
        fc
          .tuple(
            inner,
            inner,
            fc.constantFrom('UNION ALL', 'UNION', 'EXCEPT', 'INTERSECT', 'UNION ALL BY NAME'),
          )
          .map(([a, b, op]) => `(${a}) ${op} (${b})`),
        fc.tuple(inner, inner).map(([a, b]) => `SELECT * FROM (${a}) a JOIN (${b}) b ON true`),
        fc
          .tuple(names, names, inner)
          .map(
            ([c, t, a]) => `WITH RECURSIVE ${c} AS (SELECT * FROM ${t} UNION ALL SELECT * FROM ${c}) ${a}`,
          ),
        fc.tuple(inner).map(([a]) => `SELECT (SELECT to_json(list(x)) FROM (${a}) x) AS j`),
      );
    });
    const statement = fc.oneof(
      { weight: 6, arbitrary: select(4) },
      qualified.map((t) => `DESCRIBE ${t}`),
      qualified.map((t) => `SUMMARIZE ${t}`),
      fc.constantFrom('SHOW TABLES', 'SHOW ALL TABLES', 'SHOW DATABASES', 'PRAGMA show_tables', 'SHOW users'),
      select(3).map((q) => `DESCRIBE ${q}`),
    );
    await fc.assert(
      fc.asyncProperty(statement, async (sql) => assertNoLeak(sql, await query(sql))),
      { numRuns: 400 },
    );
  });

  it('keeps ordinary analytics SQL over events and subscriptions working, within the scope', async () => {
    const analytics = fc.constantFrom(
      'SELECT tenant_id, sum(impact_amount) AS total FROM events GROUP BY 1',
      `WITH users AS (SELECT * FROM events) SELECT tenant_id, count(*) FROM users GROUP BY ALL`,
      `SELECT e.tenant_id, s.plan_name FROM events e JOIN subscriptions s USING (tenant_id)`,
      `SELECT tenant_id, row_number() OVER (PARTITION BY tenant_id ORDER BY "timestamp") FROM events`,
      `SELECT date_trunc('day', "timestamp") AS d, count(*) FROM events GROUP BY 1 ORDER BY 1`,
      `SELECT * FROM events WHERE tenant_id IN (SELECT tenant_id FROM subscriptions)`,
      `DESCRIBE events`,
      `SUMMARIZE subscriptions`,
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT * FROM n, events`,
      `SELECT tenant_id, lpad(event, 30, '.') FROM events UNION ALL SELECT tenant_id, plan_name FROM subscriptions`,
    );
    await fc.assert(
      fc.asyncProperty(analytics, async (sql) => {
        const answer = await query(sql);
        expect(answer.status, `${sql} → ${answer.text}`).toBe(200);
        assertNoLeak(sql, answer);
        const { rows } = JSON.parse(answer.text) as { rows: unknown[][] };
        expect(rows.length, sql).toBeGreaterThan(0);
      }),
      { numRuns: 40 },
    );
  });

  it.each([
    ['SHOW TABLES', 'may not list tables (SHOW)'],
    ['SELECT * FROM users', 'may read only events and subscriptions; it names users'],
    ['SELECT * FROM (WITH users AS (SELECT 1) SELECT 1) s, users', 'it names users'],
    ['WITH users AS (SELECT * FROM users) SELECT * FROM users', 'it names users'],
    ['SELECT pg_get_viewdef(1)', 'may not call pg_get_viewdef()'],
    ['SELECT pg_catalog.version()', 'may not call pg_catalog.version()'],
    ['SELECT pulse.main.sum(1)', 'may not call pulse.main.sum()'],
    ['SELECT $1', 'may not use parameters'],
    ["SELECT 'x'::pulse.main.some_type", 'may not name the type'],
    ['SELECT * FROM events AT (VERSION => 1)', 'AT a version'],
    ["SELECT repeat('a', 110000000) FROM range(40)", 'repeat() needs a constant count of at most 10000'],
    ["SELECT printf('%110000000s', 'x')", 'printf() needs a constant format whose widths are at most 1000'],
    ['SELECT range(100000000)', 'range() as a value may make at most 10000 elements'],
    ["SELECT lpad(tenant_id, tenant_id::INT, 'x') FROM events", 'lpad() needs a constant length'],
    ["SELECT repeat(lpad('a', 10, 'b'), 5)", 'repeat() needs a constant value'],
  ])('explains why %s is refused', async (sql, message) => {
    const answer = await query(sql);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error.message).toContain(message);
  });
});
