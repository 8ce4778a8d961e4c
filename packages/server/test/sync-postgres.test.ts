import type { Subscription, SyncSourceView } from '@pulse/api';
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUnavailable, startPostgres, type TestPostgres } from './helpers/postgres.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { runCli } from './helpers/run-cli.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const PASSWORD = 'reader-s3cret-pw';
const unavailable = postgresUnavailable();

interface AuditRow {
  action: string;
  actor: { kind: string; id: string };
  result: string;
  scope: string[] | 'all';
  detail: Record<string, unknown>;
}

/** The company's own schema: accounts behind a view, and tenant names behind another. */
const schema = `
  CREATE SCHEMA billing;
  CREATE TABLE billing.accounts (
    tenant text, state text, plan text, price numeric, period_start timestamptz, period_end date);
  CREATE VIEW billing.subscriptions_v AS
    SELECT tenant AS tenant_id, state AS status, plan AS plan_name, price AS price_monthly,
           period_start AS current_period_start, period_end AS current_period_end
    FROM billing.accounts;
  CREATE TABLE billing.companies (id text, name text);
  CREATE VIEW billing.tenant_names_v AS SELECT id, name FROM billing.companies;
  CREATE ROLE pulse_reader LOGIN PASSWORD '${PASSWORD}';
  GRANT USAGE ON SCHEMA billing TO pulse_reader;
  GRANT SELECT ON billing.subscriptions_v, billing.tenant_names_v TO pulse_reader;
`;

describe.skipIf(unavailable !== null)(`sync from PostgreSQL views ${unavailable ?? ''}`, () => {
  let postgres: TestPostgres;
  let server: TestServer;
  const url = (password = PASSWORD) =>
    `postgres://pulse_reader:${password}@127.0.0.1:${postgres.port}/postgres`;

  const run = async (name: string) => {
    const response = await server.api<SyncSourceView>(`/api/integrations/sync/${name}/run`, {
      method: 'POST',
    });
    expect(response.status).toBe(200);
    return response.body;
  };
  const subscriptions = async () =>
    new Map(
      (await server.api<{ subscriptions: Subscription[] }>('/api/subscriptions')).body.subscriptions.map(
        (s) => [s.tenantId, s],
      ),
    );
  const syncAudit = async (source: string) =>
    (await server.api<{ records: AuditRow[] }>('/api/audit?action=sync.run&limit=100')).body.records
      .filter((r) => r.detail.source === source)
      .reverse(); // oldest first

  beforeAll(async () => {
    postgres = await startPostgres();
    await postgres.admin(schema);
    await postgres.admin(`INSERT INTO billing.accounts VALUES
      ('t1', 'active', 'Pro', 99, '2026-11-01T00:00:00Z', '2026-12-01'),
      ('t2', 'trialing', 'Basic', 0, NULL, NULL),
      ('t3', 'active', 'Team', 49.5, '2026-11-15T00:00:00Z', '2026-12-15')`);
    await postgres.admin(`INSERT INTO billing.companies VALUES ('t1', 'Acme Corp'), ('t2', 'Globex')`);
    server = await startTestServer({
      PULSE_SYNC_SOURCES: JSON.stringify([
        {
          name: 'billing',
          url: url(),
          view: 'billing.subscriptions_v',
          target: 'subscriptions',
          interval_seconds: 3600,
        },
        {
          name: 'names',
          url: url(),
          query: 'SELECT id, name AS display_name FROM billing.tenant_names_v',
          key: 'id',
          target: 'tenants',
          interval_seconds: 3600,
        },
        {
          name: 'capped',
          url: url(),
          view: 'billing.subscriptions_v',
          target: 'subscriptions',
          interval_seconds: 3600,
          max_rows: 2,
        },
        {
          name: 'wrong-password',
          url: url('not-the-password'),
          view: 'billing.subscriptions_v',
          target: 'subscriptions',
          interval_seconds: 3600,
        },
      ]),
    });
    // Each source's first run starts with the server; a run on demand waits for it or follows it.
    for (const name of ['billing', 'names', 'capped', 'wrong-password']) await run(name);
  });
  afterAll(async () => {
    await server?.close();
    await postgres?.stop();
  });

  it('inserts, updates, ends and keeps rows as the view changes, listing the rows it did not apply', async () => {
    await server.api('/api/subscriptions/api-tenant', {
      method: 'PUT',
      body: { status: 'active', planName: 'Manual', priceMonthly: 10 },
    });
    let stored = await subscriptions();
    expect(stored.get('t1')).toMatchObject({
      status: 'active',
      planName: 'Pro',
      priceMonthly: 99,
      currentPeriodStart: '2026-11-01T00:00:00.000Z',
      currentPeriodEnd: '2026-12-01T00:00:00.000Z',
      suppliedBy: 'billing',
      displayName: 'Acme Corp',
    });
    expect(stored.get('t2')).toMatchObject({
      status: 'trialing',
      suppliedBy: 'billing',
      displayName: 'Globex',
    });
    expect([...stored.keys()].sort()).toEqual(['api-tenant', 't1', 't2', 't3']);
    const [first] = await syncAudit('billing');
    expect(first).toMatchObject({
      actor: { kind: 'system', id: 'sync:billing' },
      result: 'ok',
      detail: { target: 'subscriptions', rows: 3, inserted: 3, updated: 0, ended: 0, invalid: 0 },
    });
    expect([...(first?.scope ?? [])].sort()).toEqual(['t1', 't2', 't3']);

    // An update, a deletion, an insertion, invalid rows, a duplicate, and a tenant the API supplies.
    await postgres.admin(`UPDATE billing.accounts SET plan = 'Pro+', price = 129 WHERE tenant = 't1'`);
    await postgres.admin(`DELETE FROM billing.accounts WHERE tenant = 't2'`);
    await postgres.admin(`UPDATE billing.accounts SET price = -5 WHERE tenant = 't3'`);
    await postgres.admin(`INSERT INTO billing.accounts VALUES
      ('t4', 'past_due', 'Team', 49, NULL, NULL),
      ('t5', 'bogus', 'Team', 49, NULL, NULL),
      ('t6', 'active', 'Pro', 99, NULL, NULL),
      ('t6', 'active', 'Pro', 89, NULL, NULL),
      ('', 'active', 'Pro', 99, NULL, NULL),
      ('api-tenant', 'active', 'Pro', 99, NULL, NULL)`);
    const second = await run('billing');
    const lastRun = second.lastRun;
    expect(lastRun).toMatchObject({
      rows: 8,
      inserted: 1,
      updated: 1,
      ended: 1,
      unchanged: 0,
      invalid: 5,
      conflicts: 1,
    });
    const reasons = new Map(lastRun?.notApplied.map((r) => [r.tenantId, r.reason]));
    expect(reasons.get('t3')).toMatch(/price_monthly must be a number ≥ 0/);
    expect(reasons.get('t5')).toMatch(/status must be one of active/);
    expect(reasons.get('t6')).toMatch(/appears in more than one row/);
    expect(reasons.get(null)).toMatch(/tenant_id \(the tenant id\) is empty/);
    expect(reasons.get('api-tenant')).toMatch(/the API, a CSV import or Stripe supplies this tenant's row/);
    expect(second.status).toMatchObject({
      kind: 'sync',
      id: 'billing',
      state: 'ok',
      detail: { inserted: 1, updated: 1, ended: 1, invalid: 5, conflicts: 1 },
    });

    stored = await subscriptions();
    expect(stored.get('t1')).toMatchObject({ planName: 'Pro+', priceMonthly: 129, status: 'active' });
    // Gone from the view: ended at the sync time, not silently kept.
    expect(stored.get('t2')).toMatchObject({ status: 'canceled', currentPeriodEnd: lastRun?.at });
    // Still listed, with an invalid row: left as it was.
    expect(stored.get('t3')).toMatchObject({ priceMonthly: 49.5, status: 'active' });
    expect(stored.get('t4')).toMatchObject({ status: 'past_due', suppliedBy: 'billing' });
    expect(stored.get('api-tenant')).toMatchObject({ planName: 'Manual', suppliedBy: null });
    expect(stored.has('t5') || stored.has('t6')).toBe(false);
    expect((await syncAudit('billing')).at(-1)).toMatchObject({
      result: 'ok',
      detail: { inserted: 1, updated: 1, ended: 1, invalid: 5, conflicts: 1 },
    });

    // Fixed upstream; t2 stays ended once (not ended again), the rest is unchanged.
    await postgres.admin(`UPDATE billing.accounts SET price = 59 WHERE tenant = 't3'`);
    await postgres.admin(`DELETE FROM billing.accounts WHERE tenant IN ('t5', 't6', '', 'api-tenant')`);
    const third = await run('billing');
    expect(third.lastRun).toMatchObject({ inserted: 0, updated: 1, ended: 0, unchanged: 2, invalid: 0 });
    expect((await subscriptions()).get('t3')?.priceMonthly).toBe(59);
  });

  it('keeps tenant names in step with their view', async () => {
    await postgres.admin(`DELETE FROM billing.companies WHERE id = 't2'`);
    await postgres.admin(`UPDATE billing.companies SET name = 'Acme Corporation' WHERE id = 't1'`);
    expect((await run('names')).lastRun).toMatchObject({ updated: 1, ended: 1, invalid: 0 });
    const stored = await subscriptions();
    expect(stored.get('t1')?.displayName).toBe('Acme Corporation');
    expect(stored.get('t2')?.displayName).toBeNull();
  });

  it('fails a source above its row cap or with bad credentials, clearly, applying nothing, never showing the password', async () => {
    const capped = await run('capped');
    expect(capped.status.state).toBe('failing');
    expect(capped.status.lastError?.message).toMatch(/returns more than 2 rows \(max_rows\)/);
    expect(capped.lastRun).toBeNull();
    expect([...(await subscriptions()).values()].some((s) => s.suppliedBy === 'capped')).toBe(false);
    expect((await syncAudit('capped')).at(-1)).toMatchObject({ result: 'error' });

    const refused = await run('wrong-password');
    expect(refused.status.lastError?.message).toMatch(/password authentication failed/);
    expect(refused.url).toBe(`postgres://pulse_reader@127.0.0.1:${postgres.port}/postgres`);

    const cli = await runCli(
      { PULSE_DATA_DIR: server.dataDir },
      'integrations',
      'sync',
      'billing',
      '--url',
      server.url,
    );
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(
      /billing: view billing\.subscriptions_v of postgres:\/\/pulse_reader@127\.0\.0\.1/,
    );
    expect(cli.stdout).toMatch(/last run .*: 3 rows read, 0 inserted, 1 updated, 0 ended, 2 unchanged/);
    const list = await runCli({ PULSE_DATA_DIR: server.dataDir }, 'integrations', '--url', server.url);
    expect(list.stdout).toMatch(/sync\s+capped\s+failing/);
    const everything = [
      cli.stdout,
      list.stdout,
      JSON.stringify((await server.api('/api/integrations')).body),
      JSON.stringify((await server.api('/api/audit?limit=1000')).body),
    ].join('\n');
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain('not-the-password');
    expect((await server.api('/api/integrations/sync/nope')).status).toBe(404);
  });

  it('needs no more than SELECT: the role it reads with cannot write', async () => {
    const reader = new pg.Client({ connectionString: url() });
    await reader.connect();
    try {
      await expect(
        reader.query(`INSERT INTO billing.accounts VALUES ('x', 'active', 'P', 1, NULL, NULL)`),
      ).rejects.toThrow(/permission denied/);
      await expect(reader.query('CREATE TABLE public.t (x int)')).rejects.toThrow(/permission denied/);
    } finally {
      await reader.end();
    }
  });
});

describe('a store made before synchronised views', () => {
  it('keeps its subscriptions, as supplied by the API, and takes new writes', async () => {
    const dataDir = temporaryDirectory('pulse-old-store-');
    const old = await DuckDBInstance.create(join(dataDir, 'pulse.duckdb'));
    const connection = await old.connect();
    await connection.run(`CREATE TABLE subscriptions (tenant_id VARCHAR PRIMARY KEY, status VARCHAR NOT NULL,
      plan_name VARCHAR NOT NULL, price_monthly DOUBLE NOT NULL, current_period_start TIMESTAMP,
      current_period_end TIMESTAMP, updated_at TIMESTAMP NOT NULL)`);
    await connection.run(
      `INSERT INTO subscriptions VALUES ('old', 'active', 'Pro', 9, NULL, NULL, '2026-01-01 00:00:00')`,
    );
    connection.closeSync();
    old.closeSync();
    const server = await startTestServer({}, dataDir);
    try {
      const list = async () =>
        (await server.api<{ subscriptions: Subscription[] }>('/api/subscriptions')).body.subscriptions;
      expect(await list()).toMatchObject([
        { tenantId: 'old', planName: 'Pro', priceMonthly: 9, suppliedBy: null, displayName: null },
      ]);
      const put = await server.api('/api/subscriptions/old', {
        method: 'PUT',
        body: { status: 'active', planName: 'Pro', priceMonthly: 12 },
      });
      expect(put.status).toBe(200);
      expect(await list()).toMatchObject([{ tenantId: 'old', priceMonthly: 12, suppliedBy: null }]);
    } finally {
      await server.close();
    }
  });
});
