import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { MigrateReport } from '../src/migrate/migrate.js';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { loadConfig } from '../src/config/index.js';
import { openEmbeddedStateOf } from '../src/storage/open-storage.js';
import { openPgPool } from '../src/storage/postgres/pg-client.js';
import { PgApiKeyStore } from '../src/storage/postgres/pg-api-key-store.js';
import { PgAuditLog } from '../src/storage/postgres/pg-audit-log.js';
import { PgUserStore } from '../src/storage/postgres/pg-user-store.js';
import { describeWithClickHouse } from './helpers/clickhouse.js';
import { createStateDatabase, describeWithPostgres } from './helpers/postgres.js';
import { startTestServer } from './helpers/pulse-server.js';
import { runCli } from './helpers/run-cli.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

/** A store with state made through the API: a user, keys, a budget, and the audit trail they leave. */
async function storeWithState(): Promise<string> {
  const dataDir = temporaryDirectory('pulse-migrate-state-');
  const server = await startTestServer({}, dataDir);
  const user = { email: 'exec@pulse.test', password: 'a long enough password', role: 'executive' };
  expect((await server.api('/api/users', { body: user })).status).toBe(201);
  expect((await server.api('/api/keys', { body: { role: 'analyst', name: 'reader' } })).status).toBe(201);
  const budget = await server.api('/api/budgets/acme', { method: 'PUT', body: { monthlyUsd: 100 } });
  expect(budget.status).toBe(200);
  await server.close();
  return dataDir;
}

describeWithPostgres('pulse migrate --state', (postgres) => {
  describeWithClickHouse('with the events going to ClickHouse', (clickhouse) => {
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await storeWithState();
    }, 180_000);

    it('copies every state table into PostgreSQL, where the stores read what they read before and the audit chain verifies', async () => {
      const to = await clickhouse.freshDatabase();
      const state = await createStateDatabase(postgres.server);
      const result = await runCli(
        { PULSE_DATA_DIR: dataDir },
        'migrate',
        '--to',
        to,
        '--state',
        state,
        '--json',
      );
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as MigrateReport;
      expect(report.ok).toBe(true);
      expect(report.stateIn).toBe(new URL(state).host + new URL(state).pathname);
      const rows = Object.fromEntries(report.checks.map((c) => [c.table, c.targetRows]));
      expect(rows.users).toBe(1);
      expect(rows.api_keys).toBe(1);
      expect(rows.alert_budgets).toBe(1);
      expect(rows.audit_log).toBeGreaterThanOrEqual(3);

      const source = await DuckDbEventStore.open({ path: join(dataDir, 'pulse.duckdb') });
      const pool = openPgPool(state);
      try {
        const { stores: embedded, close } = await openEmbeddedStateOf(
          loadConfig({ env: { PULSE_DATA_DIR: dataDir }, file: null }),
          source,
        );
        await embedded.alerts.close();
        const users = await PgUserStore.open(pool);
        const keys = await PgApiKeyStore.open(pool);
        const audit = await PgAuditLog.open(pool);
        expect(await users.list()).toEqual(await embedded.users.list());
        expect(await keys.list()).toEqual(await embedded.apiKeys.list());
        expect(await audit.list()).toEqual(await embedded.audit.list());
        const verified = await audit.verify();
        expect(verified).toMatchObject({ ok: true, records: rows.audit_log });
        await close();
      } finally {
        await pool.end();
        await source.close();
      }

      // Again: every table is already there, nothing is written twice.
      const again = await runCli({ PULSE_DATA_DIR: dataDir }, 'migrate', '--to', to, '--state', state);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain('users was already copied');
    }, 120_000);

    it('refuses a state database that holds other rows, naming the table', async () => {
      const to = await clickhouse.freshDatabase();
      const state = await createStateDatabase(postgres.server);
      const pool = openPgPool(state);
      const users = await PgUserStore.open(pool);
      await users.insert({
        id: 'someone-else',
        email: 'other@pulse.test',
        name: null,
        role: 'admin',
        tenants: [],
        passwordHash: 'x',
        createdAt: 1,
        createdBy: 'test',
        updatedAt: 1,
        disabledAt: null,
      });
      await pool.end();
      const result = await runCli({ PULSE_DATA_DIR: dataDir }, 'migrate', '--to', to, '--state', state);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('PostgreSQL table users at');
      expect(result.stderr).toContain('already holds other rows (1 there, 1 in the embedded store)');
    });

    it('refuses an unreachable PostgreSQL, naming it without the password', async () => {
      const to = await clickhouse.freshDatabase();
      const result = await runCli(
        { PULSE_DATA_DIR: dataDir },
        'migrate',
        '--to',
        to,
        '--state',
        'postgres://pulse:s3cret-pw@127.0.0.1:9/pulse_state',
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('PostgreSQL at 127.0.0.1:9/pulse_state');
      expect(result.stderr).not.toContain('s3cret-pw');
    });
  });
});
