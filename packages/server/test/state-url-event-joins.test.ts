import { afterEach, expect, it } from 'vitest';
import { createStateDatabase, describeWithPostgres } from './helpers/postgres.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// With the state in PostgreSQL, the named reports and /api/query still join subscriptions with the events
// inside the event store: it keeps a copy of the subscriptions written through the API, a sync or another
// process.

const march = (d: number) => new Date(Date.UTC(2026, 2, d, 12)).toISOString();
let n = 0;
const revenue = (tenant: string, amount: number) => ({
  event: 'revenue_impact_event',
  distinct_id: tenant,
  uuid: `01950000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  timestamp: march(10),
  properties: { tenant_id: tenant, impact_amount: amount, impact_type: 'positive' },
});

const billingView = `
  CREATE SCHEMA billing;
  CREATE TABLE billing.accounts (tenant text, state text, plan text, price numeric);
  CREATE VIEW billing.subscriptions_v AS
    SELECT tenant AS tenant_id, state AS status, plan AS plan_name, price AS price_monthly,
      NULL::timestamptz AS current_period_start, NULL::timestamptz AS current_period_end
    FROM billing.accounts;
  INSERT INTO billing.accounts VALUES ('synced', 'active', 'Synced', 200);
  GRANT USAGE ON SCHEMA billing TO pulse;
  GRANT SELECT ON billing.subscriptions_v TO pulse;
`;

describeWithPostgres('reports and ad-hoc SQL with the state in PostgreSQL', (postgres) => {
  const servers: TestServer[] = [];
  const start = async (env: Record<string, string>, dataDir?: string) => {
    const server = await startTestServer(env, dataDir);
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  const report = async (server: TestServer) =>
    (
      await server.api<{ rows: { tenant_id: string; plan_name: string; positive_revenue_impact: number }[] }>(
        '/api/reports/performance-dashboard?from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z',
      )
    ).body.rows.map((r) => [r.tenant_id, r.plan_name, r.positive_revenue_impact]);
  const query = async (server: TestServer) =>
    (
      await server.api<{ rows: unknown[][] }>('/api/query', {
        body: { sql: 'SELECT tenant_id, plan_name, supplied_by FROM subscriptions ORDER BY tenant_id' },
      })
    ).body.rows;

  it('join the subscriptions written through the API, a sync and another process', async () => {
    const stateUrl = await createStateDatabase(postgres.server);
    await postgres.server.admin(billingView);
    const env = {
      PULSE_STATE_URL: stateUrl,
      PULSE_SYNC_SOURCES: JSON.stringify([
        {
          name: 'billing',
          url: `postgres://pulse:pulse-state-pw@127.0.0.1:${postgres.server.port}/postgres`,
          view: 'billing.subscriptions_v',
          target: 'subscriptions',
          interval_seconds: 3600,
        },
      ]),
    };
    const dataDir = temporaryDirectory('pulse-state-joins-');
    const a = await start(env, dataDir);
    const batch = await fetch(`${a.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: 'phc_x',
        batch: [revenue('acme', 1000), revenue('synced', 300), revenue('other', 50)],
        historical_migration: true,
      }),
    });
    expect(batch.status).toBe(200);

    const put = await a.api('/api/subscriptions/acme', {
      method: 'PUT',
      body: { status: 'active', planName: 'Pro', priceMonthly: 500 },
    });
    expect(put.status).toBe(200);
    const synced = await a.api('/api/integrations/sync/billing/run', { method: 'POST' });
    expect(synced.status).toBe(200);
    expect(await report(a)).toEqual([
      ['acme', 'Pro', 1000],
      ['synced', 'Synced', 300],
    ]);
    expect(await query(a)).toEqual([
      ['acme', 'Pro', null],
      ['synced', 'Synced', 'billing'],
    ]);

    expect((await a.api('/api/subscriptions/acme', { method: 'DELETE' })).status).toBe(200);
    expect(await query(a)).toEqual([['synced', 'Synced', 'billing']]);

    // Another process writes one; this one sees it once it copies the state again (here: at its next start).
    const b = await start(env);
    const other = await b.api('/api/subscriptions/other', {
      method: 'PUT',
      body: { status: 'active', planName: 'Team', priceMonthly: 10 },
    });
    expect(other.status).toBe(200);
    await servers.splice(servers.indexOf(a), 1)[0]?.close();
    const again = await start(env, dataDir);
    expect(await report(again)).toEqual([
      ['other', 'Team', 50],
      ['synced', 'Synced', 300],
    ]);
  });
});
