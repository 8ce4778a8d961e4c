import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStateDatabase,
  postgresUnavailable,
  startPostgres,
  type TestPostgres,
} from './helpers/postgres.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

const unavailable = postgresUnavailable();
const ADMIN_KEY = 'pulse_admin_shared-state-test-key-0123456789';

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
  },
);
