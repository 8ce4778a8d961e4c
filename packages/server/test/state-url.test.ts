import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { ReportScheduleView } from '@pulse/api';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from './helpers/capture-batch.js';
import {
  createStateDatabase,
  postgresUnavailable,
  startPostgres,
  type TestPostgres,
} from './helpers/postgres.js';
import { connectLive } from './helpers/live-client.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

const unavailable = postgresUnavailable();
const ADMIN_KEY = 'pulse_admin_shared-state-test-key-0123456789';

/** Asks until `read` gives a value `ok` accepts (another process applies a change when it hears of it). */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('PULSE_STATE_URL', () => {
  it('refuses a URL that is not PostgreSQL, without echoing it', async () => {
    await expect(
      startTestServer({ PULSE_STATE_URL: 'mysql://pulse:hunter2-secret@db.internal/pulse' }),
    ).rejects.toThrow(/PULSE_STATE_URL must be a PostgreSQL URL, postgres:\/\/user:password@host/);
    await expect(startTestServer({ PULSE_STATE_URL: 'not a url hunter2-secret' })).rejects.not.toThrow(
      /hunter2-secret/,
    );
  });
});

describe.skipIf(unavailable !== null)(
  `two Pulse processes on one PostgreSQL state ${unavailable ?? ''}`,
  () => {
    let postgres: TestPostgres;
    const servers: TestServer[] = [];
    beforeAll(async () => {
      postgres = await startPostgres();
    }, 60_000);
    afterAll(async () => {
      for (const server of servers) await server.close();
      await postgres?.stop();
    });

    it('share users, sessions, keys, policies, subscriptions and one audit chain', async () => {
      const env = { PULSE_STATE_URL: await createStateDatabase(postgres), PULSE_ADMIN_KEY: ADMIN_KEY };
      const a = await startTestServer(env);
      servers.push(a);
      const b = await startTestServer(env);
      servers.push(b);

      // A user created on one process signs in on the other; the session works on both.
      const user = { email: 'shared@pulse.test', password: 'one state for every process', role: 'admin' };
      expect((await a.api('/api/users', { body: user })).status).toBe(201);
      const signIn = await fetch(`${b.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: user.email, password: user.password }),
      });
      expect(signIn.status).toBe(200);
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const me = await fetch(`${a.url}/api/session`, { headers: { cookie } });
      expect(((await me.json()) as { user: { email: string } }).user.email).toBe(user.email);

      // A key made on one process opens the other, until it is revoked there.
      const made = await b.api<{ id: string; key: string }>('/api/keys', {
        body: { role: 'analyst', name: 'made on b' },
      });
      const withKey = (server: TestServer) =>
        fetch(`${server.url}/api/subscriptions`, { headers: { authorization: `Bearer ${made.body.key}` } });
      expect((await withKey(a)).status).toBe(200);
      expect((await a.api(`/api/keys/${made.body.id}`, { method: 'DELETE' })).status).toBe(200);
      expect((await withKey(b)).status).toBe(401);

      // Policies and subscriptions written on one are read on the other.
      const policies = [{ event: '*', days: 400 }];
      expect((await a.api('/api/retention', { method: 'PUT', body: policies })).status).toBe(200);
      const listed = await b.api<{ policies: { event: string; days: number }[] }>('/api/retention');
      expect(listed.body.policies).toMatchObject(policies);
      const subscription = { status: 'active', planName: 'Pro', priceMonthly: 500 };
      expect((await b.api('/api/subscriptions/acme', { method: 'PUT', body: subscription })).status).toBe(
        200,
      );
      const subscriptions = await a.api<{ subscriptions: { tenantId: string }[] }>('/api/subscriptions');
      expect(subscriptions.body.subscriptions.map((s) => s.tenantId)).toEqual(['acme']);

      // Both audit at once into one chain, which each verifies whole.
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).api('/api/keys', { body: { role: 'analyst', name: `racing ${i}` } }),
        ),
      );
      type Report = { ok: boolean; records: number };
      const fromA = (await a.api<Report>('/api/audit/verify')).body;
      const fromB = (await b.api<Report>('/api/audit/verify')).body;
      expect(fromA.ok && fromB.ok).toBe(true);
      expect(fromB.records).toBeGreaterThanOrEqual(fromA.records);
      expect(fromA.records).toBeGreaterThan(20);

      // No alert journal: with shared state, notifications wait for the shared store to say who sends them.
      for (const server of [a, b]) expect(existsSync(join(server.dataDir, 'alert-journal'))).toBe(false);
    });

    it("follow each other's rules, alerts, acknowledgements, report schedules and tenant map", async () => {
      const [a, b] = servers;
      if (!a || !b) throw new Error('the processes of the first test are needed');
      type RuleJson = { condition: { all: { property: string; value: unknown }[] } };
      type AlertJson = { id: string; state: string; rule: string };
      type Summary = { criticalAlerts: { id: string; state: string }[] };

      // A rule changed through A's API is installed on B, and B applies it to the next event captured there.
      const rule = (await a.api<RuleJson>('/api/rules/revenue-loss-critical')).body;
      for (const part of rule.condition.all) if (part.property === 'impact_amount') part.value = 100;
      expect((await a.api('/api/rules/revenue-loss-critical', { method: 'PUT', body: rule })).status).toBe(
        200,
      );
      const threshold = (r: RuleJson) => r.condition.all.find((p) => p.property === 'impact_amount')?.value;
      await eventually(
        async () => threshold((await b.api<RuleJson>('/api/rules/revenue-loss-critical')).body),
        (value) => value === 100,
      );

      // A critical alert raised on B: in A's summary and on a dashboard connected to A, announced once.
      const tenant = `sync-${randomUUID().slice(0, 8)}`;
      const live = await connectLive(a.url, { authorization: `Bearer ${a.adminKey}` });
      try {
        await capture(b.url, 'phc_x', [
          {
            event: 'revenue_impact_event',
            distinct_id: tenant,
            properties: {
              tenant_id: tenant,
              impact_amount: 500,
              impact_type: 'negative',
              event_type: 'payment_failure',
            },
          },
        ]);
        const [raised] = await eventually(
          async () => (await b.api<{ alerts: AlertJson[] }>(`/api/alerts?tenant=${tenant}`)).body.alerts,
          (list) => list.length > 0,
        );
        if (!raised) throw new Error('no alert');
        expect(raised.rule).toBe('revenue-loss-critical');
        const isTransition = (kind: string) => (m: { type: string; kind?: unknown; alert?: unknown }) =>
          m.type === 'alert.transition' && m.kind === kind && (m.alert as { id?: string }).id === raised.id;
        await live.until(isTransition('opened'), 20_000);
        const critical = async (server: TestServer) =>
          (await server.api<Summary>('/api/summary')).body.criticalAlerts.filter((c) => c.id === raised.id);
        expect(
          await eventually(
            () => critical(a),
            (list) => list.length === 1,
          ),
        ).toMatchObject([{ state: 'open' }]);

        // Acknowledged on A: B's memory follows (its summary lists open critical alerts only).
        expect((await a.api(`/api/alerts/${raised.id}/ack`, { method: 'POST', body: {} })).status).toBe(200);
        await eventually(
          async () => (await b.api<AlertJson>(`/api/alerts/${raised.id}`)).body.state,
          (state) => state === 'acknowledged',
        );
        expect(
          await eventually(
            () => critical(b),
            (list) => list.length === 0,
          ),
        ).toEqual([]);
        // Each change was made and announced once: one transition each, one live delta each on A.
        const detail = await b.api<{ transitions: { kind: string }[] }>(`/api/alerts/${raised.id}`);
        expect(detail.body.transitions.map((t) => t.kind)).toEqual(['opened', 'acknowledged']);
        await live.until(isTransition('acknowledged'));
        expect(live.messages.filter(isTransition('opened'))).toHaveLength(1);
      } finally {
        live.ws.close();
      }

      // A report schedule created on A is armed on B (B shows its next run only once it has a job for it).
      const created = await a.api<ReportScheduleView>('/api/report-schedules', {
        body: { name: 'Weekly', cron: '0 8 * * MON', timezone: 'UTC', recipients: ['cfo@pulse.test'] },
      });
      expect(created.status).toBe(201);
      const onB = await eventually(
        async () => (await b.api<ReportScheduleView>(`/api/report-schedules/${created.body.id}`)).body,
        (view) => view.nextRun !== null,
      );
      expect(onB.nextRun).toBe(created.body.nextRun);

      // The webhooks' tenant map set on B is the one A resolves provider events with.
      const map = { domains: { 'mail.sync.test': tenant }, stripeCustomers: {} };
      type MapView = { stored: typeof map };
      expect((await b.api('/api/integrations/tenant-map', { method: 'PUT', body: map })).status).toBe(200);
      await eventually(
        async () => (await a.api<MapView>('/api/integrations/tenant-map')).body.stored,
        (stored) => stored.domains['mail.sync.test'] === tenant,
      );
    }, 60_000);

    it('catch up on what they missed while their change listener was cut off', async () => {
      const [a, b] = servers;
      if (!a || !b) throw new Error('the processes of the first test are needed');
      type RuleJson = { condition: { all: { property: string; value: unknown }[] } };
      const threshold = (r: RuleJson) => r.condition.all.find((p) => p.property === 'impact_amount')?.value;
      const reloads = async (server: TestServer) =>
        Number(
          /^pulse_cluster_state_reloads_total (\d+)$/m.exec(
            await (await fetch(`${server.url}/metrics`)).text(),
          )?.[1],
        );
      const before = await reloads(b);

      // Every process's listener is cut; the rule changed on A meanwhile is not heard on the wire by B.
      const cut = await postgres.admin(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN %pulse_state_changes%' AND pid <> pg_backend_pid()`,
      );
      expect(cut.rowCount).toBe(2);
      const rule = (await a.api<RuleJson>('/api/rules/revenue-loss-critical')).body;
      for (const part of rule.condition.all) if (part.property === 'impact_amount') part.value = 250;
      expect((await a.api('/api/rules/revenue-loss-critical', { method: 'PUT', body: rule })).status).toBe(
        200,
      );

      // B reconnects, reloads everything it keeps, and so holds A's rule.
      await eventually(
        async () => threshold((await b.api<RuleJson>('/api/rules/revenue-loss-critical')).body),
        (value) => value === 250,
      );
      expect(
        await eventually(
          () => reloads(b),
          (count) => count > before,
        ),
      ).toBeGreaterThan(before);
    }, 60_000);
  },
);
