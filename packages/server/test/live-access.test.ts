import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLive, type LiveClient } from './helpers/live-client.js';
import { manualClock } from './helpers/manual-clock.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { runCli } from './helpers/run-cli.js';

// A live socket lasts only as long as the access it was opened with: each way access ends or changes,
// made as an admin or the user would make it, closes the sockets it concerns at once, and only those.

const TOKEN = 'phc_live_access_token';
const MINUTE = 60_000;
const ENDED = { code: 4401 };
const CHANGED = { code: 4403, reason: 'role or tenants changed: reconnect' };

const revenue = (tenant: string) => ({
  event: 'revenue_impact_event',
  distinct_id: tenant,
  uuid: randomUUID(),
  timestamp: new Date().toISOString(),
  properties: { tenant_id: tenant, impact_amount: 10, impact_type: 'positive' },
});

describe('a live socket ends with its access', () => {
  const clock = manualClock();
  let server: TestServer;
  let host: string;

  const capture = async (...tenants: string[]) => {
    const response = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: TOKEN, batch: tenants.map(revenue) }),
    });
    expect(response.status).toBe(200);
  };
  /** Positive control: the socket is still open and streaming, so a later "nothing came" means something. */
  const receives = async (client: LiveClient, tenant: string) => {
    const after = client.messages.length;
    await capture(tenant);
    await client.until((m) => m.seq > after && m.type === 'events.delta' && tenant in (m.tenants as object));
  };
  const newKey = async (body: Record<string, unknown>) => {
    const reply = await server.api<{ id: string; key: string }>('/api/keys', { body });
    expect(reply.status).toBe(201);
    return reply.body;
  };
  const newUser = async (role: string, tenants?: string[]) => {
    const email = `${randomUUID().slice(0, 8)}@pulse.test`;
    const password = 'a live socket must end';
    const reply = await server.api<{ id: string }>('/api/users', {
      body: { email, password, role, ...(tenants ? { tenants } : {}) },
    });
    expect(reply.status).toBe(201);
    return { id: reply.body.id, email, password };
  };
  /** A fresh session of the user: the headers a dashboard page of this host upgrades with. */
  const signIn = async (user: { email: string; password: string }) => {
    const reply = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    expect(reply.status).toBe(200);
    const cookie = (reply.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    return { cookie, origin: `http://${host}` };
  };
  const patchUser = async (id: string, body: Record<string, unknown>) =>
    expect((await server.api(`/api/users/${id}`, { method: 'PATCH', body })).status).toBe(200);
  /** Connected and greeted: the socket streams from here on. */
  const open = async (headers: Record<string, string>) => {
    const client = await connectLive(server.url, headers);
    await client.until((m) => m.type === 'hello');
    return client;
  };
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    server = await startTestServer(
      { PULSE_PROJECT_TOKEN: TOKEN, PULSE_SESSION_IDLE_MINUTES: '30', PULSE_SESSION_MAX_HOURS: '1' },
      undefined,
      { clock },
    );
    host = new URL(server.url).host;
  });
  afterAll(async () => {
    await server?.close();
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
  });

  it('revoking an API key (pulse keys revoke) closes every socket opened with it, and only those', async () => {
    const revoked = await newKey({ role: 'executive', name: 'to revoke' });
    const kept = await newKey({ role: 'executive', name: 'to keep' });
    const first = await open(bearer(revoked.key));
    const second = await open(bearer(revoked.key));
    const other = await open(bearer(kept.key));

    const cli = await runCli(
      { PULSE_DATA_DIR: server.dataDir },
      ...['keys', 'revoke', revoked.id, '--url', server.url, '--key', server.adminKey],
    );
    expect(cli.code).toBe(0);
    for (const client of [first, second])
      expect(await client.closed).toEqual({ ...ENDED, reason: 'API key revoked' });
    await receives(other, 'tenant-kept');

    // Each forced close joins the audit trail, as the key's access outcome.
    const audit = await server.api<{ records: { actor: { id: string }; result: string; detail: object }[] }>(
      `/api/audit?action=live.close&actor=${revoked.id}`,
    );
    expect(audit.body.records).toHaveLength(2);
    for (const record of audit.body.records)
      expect(record).toMatchObject({ result: 'denied', detail: { code: 4401, reason: 'API key revoked' } });
    other.ws.close();
  });

  it('signing out closes that session’s sockets; another session of the same user streams on', async () => {
    const user = await newUser('executive');
    const leaving = await signIn(user);
    const staying = await signIn(user);
    const gone = [await open(leaving), await open(leaving)];
    const stays = await open(staying);

    const out = await fetch(`${server.url}/api/session`, { method: 'DELETE', headers: leaving });
    expect(out.status).toBe(204);
    for (const client of gone) expect(await client.closed).toEqual({ ...ENDED, reason: 'signed out' });
    await receives(stays, 'tenant-stays');
    stays.ws.close();
  });

  it.each([
    ['disabling the user', { disabled: true }, 'user disabled'],
    ['a new password', { password: 'a brand new secret phrase' }, 'password changed: sign in again'],
  ])('%s closes the sockets of every session of theirs', async (_name, patch, reason) => {
    const user = await newUser('executive');
    const bystander = await open(await signIn(await newUser('executive')));
    const clients = [await open(await signIn(user)), await open(await signIn(user))];
    await patchUser(user.id, patch);
    for (const client of clients) expect(await client.closed).toEqual({ ...ENDED, reason });
    await receives(bystander, 'tenant-bystander');
    bystander.ws.close();
  });

  it('removing the user (pulse users remove) closes their sockets', async () => {
    const user = await newUser('analyst');
    const client = await open(await signIn(user));
    const cli = await runCli(
      { PULSE_DATA_DIR: server.dataDir },
      ...['users', 'remove', user.id, '--url', server.url, '--key', server.adminKey],
    );
    expect(cli.code).toBe(0);
    expect(await client.closed).toEqual({ ...ENDED, reason: 'user removed' });
  });

  it('narrowing a tenant executive from [A, B] to [A] closes their sockets; reconnected, B never reaches them', async () => {
    const A = `tenant-a-${randomUUID().slice(0, 6)}`;
    const B = `tenant-b-${randomUUID().slice(0, 6)}`;
    const user = await newUser('tenant_executive', [A, B]);
    const session = await signIn(user);
    const clients = [await open(session), await open(session)];
    await receives(clients[0] as LiveClient, B); // B was visible before the change

    await patchUser(user.id, { tenants: [A] });
    for (const client of clients) expect(await client.closed).toEqual(CHANGED);

    // The session itself holds: a new socket streams under the new scope.
    const again = await open(session);
    expect(again.messages[0]).toMatchObject({ type: 'hello', scope: [A] });
    await capture(B);
    await receives(again, A); // captured after B: had B been let through, it would be here by now
    expect(again.messages.filter((m) => JSON.stringify(m).includes(B))).toEqual([]);
    again.ws.close();
  });

  it('a role change closes the sockets; a change that leaves role and tenants as they were does not', async () => {
    const user = await newUser('executive');
    const client = await open(await signIn(user));
    await patchUser(user.id, { name: 'Still An Executive' });
    await receives(client, 'tenant-renamed');
    await patchUser(user.id, { role: 'analyst' });
    expect(await client.closed).toEqual(CHANGED);
  });

  it('an idle session closes its sockets when it expires: no sleeping, the clock is the test’s', async () => {
    const client = await open(await signIn(await newUser('executive')));
    await clock.advance(30 * MINUTE - 1);
    await receives(client, 'tenant-idle');
    await clock.advance(1);
    expect(await client.closed).toEqual({ ...ENDED, reason: 'session expired: sign in again' });
  });

  it('a session kept in use streams past its first expiry, and closes at its maximum age', async () => {
    const session = await signIn(await newUser('executive'));
    const client = await open(session);
    const use = async () =>
      expect((await fetch(`${server.url}/api/session`, { headers: session })).status).toBe(200);
    await clock.advance(20 * MINUTE);
    await use(); // idle expiry moves to 50 min
    await clock.advance(15 * MINUTE); // the check at 30 min finds it extended
    await receives(client, 'tenant-busy');
    await use(); // 35 min: idle would give 65, the one-hour maximum caps it at 60
    await clock.advance(24 * MINUTE); // 59 min: the check at 50 min finds it extended again
    await receives(client, 'tenant-busy');
    await clock.advance(MINUTE);
    expect(await client.closed).toEqual({ ...ENDED, reason: 'session expired: sign in again' });
  });

  it('an API key closes its sockets when it expires', async () => {
    const expiresAt = clock.now() + 60 * MINUTE;
    const { key } = await newKey({ role: 'executive', expiresAt: new Date(expiresAt).toISOString() });
    const client = await open(bearer(key));
    await clock.advance(59 * MINUTE);
    await receives(client, 'tenant-key');
    await clock.advance(MINUTE);
    expect(await client.closed).toEqual({ ...ENDED, reason: 'API key expired' });
  });
});
