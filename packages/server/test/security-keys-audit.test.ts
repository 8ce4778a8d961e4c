import { createHash } from 'node:crypto';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiKeys } from '../src/access/api-keys.js';
import { auditRequests } from '../src/access/audit-requests.js';
import { Sessions } from '../src/access/sessions.js';
import { adminKeyResolver, authenticate } from '../src/http/auth.js';
import { strictInput } from '../src/http/strict-input.js';
import { apiErrorHandler } from '../src/http/errors.js';
import { auditRoutes } from '../src/http/routes/audit.js';
import { keyRoutes } from '../src/http/routes/keys.js';
import { queryRoutes } from '../src/http/routes/query.js';
import { subscriptionRoutes } from '../src/http/routes/subscriptions.js';
import { DuckDbApiKeyStore } from '../src/storage/duckdb/duckdb-api-key-store.js';
import { DuckDbAnalyticsReads } from '../src/storage/duckdb/duckdb-analytics-reads.js';
import { DuckDbAuditLog } from '../src/storage/duckdb/duckdb-audit-log.js';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { DuckDbUserStore } from '../src/storage/duckdb/duckdb-user-store.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const ADMIN = 'pulse_admin_test-bootstrap-key';

interface Harness {
  app: FastifyInstance;
  store: DuckDbEventStore;
  log: DuckDbAuditLog;
  clock: { now: number };
  call: (
    key: string | null,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
  ) => Promise<{ status: number; body: Record<string, unknown>; text: string }>;
}

/** The /api scope as buildApp wires it, with real DuckDB repositories and a movable clock for keys. */
async function harness(): Promise<Harness> {
  const store = await DuckDbEventStore.open({
    path: join(temporaryDirectory('pulse-sec-'), 'pulse.duckdb'),
  });
  const log = await DuckDbAuditLog.open(store);
  const reads = await DuckDbAnalyticsReads.open(store);
  const clock = { now: Date.now() };
  const keys = new ApiKeys(await DuckDbApiKeyStore.open(store), { now: () => clock.now, cacheMs: 0 });
  const subscriptions = await store.subscriptionStore();
  await subscriptions.upsert(
    ['a', 'b'].map((tenantId) => ({
      tenantId,
      status: 'active' as const,
      planName: 'pro',
      priceMonthly: 100,
      currentPeriodStart: null,
      currentPeriodEnd: null,
      updatedAt: clock.now,
    })),
  );
  const app = Fastify(strictInput);
  await app.register(cookie);
  const sessions = new Sessions(await DuckDbUserStore.open(store), { idleMs: 60_000, maxMs: 60_000 });
  await app.register(async (api) => {
    api.setErrorHandler(apiErrorHandler);
    authenticate(api, { bearer: keys.resolver(adminKeyResolver(ADMIN)), sessions });
    auditRequests(api, log);
    keyRoutes(api, keys);
    auditRoutes(api, log);
    subscriptionRoutes(api, subscriptions);
    queryRoutes(
      api,
      { queries: store.queryRunner(), analyticsReads: reads },
      {
        timeoutMs: 5_000,
        maxRows: 1_000,
        maxBytes: 1_000_000,
        concurrency: 2,
      },
    );
  });
  await app.ready();
  const call: Harness['call'] = async (key, method, url, body) => {
    const response = await app.inject({
      method,
      url,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    await log.flush();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(response.body) as Record<string, unknown>;
    } catch {
      // CSV / JSONL
    }
    return { status: response.statusCode, body: parsed, text: response.body };
  };
  return { app, store, log, clock, call };
}

describe('API keys and the audit trail over HTTP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.app.close();
    await h.store.close();
  });

  const createKey = async (body: Record<string, unknown>) => {
    const created = await h.call(ADMIN, 'POST', '/api/keys', body);
    expect(created.status).toBe(201);
    return created.body as { id: string; key: string };
  };

  it('key lifecycle: create → use → list shows last used → revoke → 401', async () => {
    const { id, key } = await createKey({ role: 'analyst', tenants: ['a'], name: 'ci' });
    expect(key).toMatch(new RegExp(`^pulse_${id}_[A-Za-z0-9_-]{43}$`));

    const listed = await h.call(key, 'GET', '/api/subscriptions');
    expect(listed.status).toBe(200);
    expect((listed.body.subscriptions as { tenantId: string }[]).map((s) => s.tenantId)).toEqual(['a']);

    const keys = await h.call(ADMIN, 'GET', '/api/keys');
    const row = (keys.body.keys as Record<string, unknown>[]).find((k) => k.id === id);
    expect(row).toMatchObject({
      role: 'analyst',
      tenants: ['a'],
      name: 'ci',
      status: 'active',
      createdBy: 'bootstrap-admin',
    });
    expect(row?.lastUsedAt).toEqual(expect.any(String));
    // never the secret, never its hash
    expect(keys.text).not.toContain(key.slice(-43));
    expect(keys.text).not.toContain(createHash('sha256').update(key).digest('hex'));

    expect((await h.call(ADMIN, 'DELETE', `/api/keys/${id}`)).body).toMatchObject({ id, status: 'revoked' });
    const after = await h.call(key, 'GET', '/api/subscriptions');
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ error: { code: 'unauthorized' } });
    expect((await h.call(ADMIN, 'DELETE', '/api/keys/0000000000000000')).status).toBe(404);
  });

  it('an expired key is refused with 401', async () => {
    const { key } = await createKey({
      role: 'executive',
      expiresAt: new Date(h.clock.now + 3_600_000).toISOString(),
    });
    expect((await h.call(key, 'GET', '/api/subscriptions')).status).toBe(200);
    h.clock.now += 3_600_001;
    expect((await h.call(key, 'GET', '/api/subscriptions')).status).toBe(401);
    expect(((await h.call(ADMIN, 'GET', '/api/keys')).body.keys as { status: string }[])[0]?.status).toBe(
      'expired',
    );
  });

  it('a tampered or made-up key is refused', async () => {
    const { key } = await createKey({ role: 'analyst' });
    const flipped = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    expect((await h.call(flipped, 'GET', '/api/subscriptions')).status).toBe(401);
    expect(
      (await h.call(`pulse_${'0'.repeat(16)}_${'x'.repeat(43)}`, 'GET', '/api/subscriptions')).status,
    ).toBe(401);
    expect((await h.call(null, 'GET', '/api/subscriptions')).status).toBe(401);
  });

  it("enforces a key's role and tenants, and audits the denial", async () => {
    const { id, key } = await createKey({ role: 'tenant_executive', tenants: ['a'] });
    expect((await h.call(key, 'GET', '/api/subscriptions?tenant=a')).status).toBe(200);
    const denied = await h.call(key, 'GET', '/api/subscriptions?tenant=b');
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: { code: 'forbidden' } });
    expect((await h.call(key, 'POST', '/api/keys', { role: 'analyst' })).status).toBe(403);
    expect((await h.call(key, 'POST', '/api/query', { sql: 'SELECT 1' })).status).toBe(403);

    const trail = await h.call(ADMIN, 'GET', `/api/audit?actor=${id}&result=denied`);
    const records = trail.body.records as Record<string, unknown>[];
    expect(records.map((r) => r.action)).toEqual(['query.run', 'keys.create', 'subscriptions.read']);
    expect(records[2]).toMatchObject({
      actor: { kind: 'api_key', id, role: 'tenant_executive' },
      scope: ['b'],
      result: 'denied',
      requestId: expect.any(String),
      detail: { status: 403, reason: 'outside your tenants: b', route: '/api/subscriptions' },
    });
  });

  it('records the SQL of a query, key creation without its secret, and exports the trail', async () => {
    const { id, key } = await createKey({ role: 'analyst', tenants: ['a'] });
    const sql = "SELECT count(*) AS n FROM subscriptions WHERE plan_name = 'pro'";
    expect((await h.call(key, 'POST', '/api/query', { sql })).status).toBe(200);

    const queries = (await h.call(ADMIN, 'GET', '/api/audit?action=query.run')).body.records as Record<
      string,
      unknown
    >[];
    expect(queries[0]).toMatchObject({ actor: { id }, scope: ['a'], result: 'ok', detail: { sql } });

    const creations = (await h.call(ADMIN, 'GET', '/api/audit?action=keys.create')).body.records as Record<
      string,
      unknown
    >[];
    expect(creations[0]).toMatchObject({
      actor: { id: 'bootstrap-admin' },
      detail: { key_id: id, role: 'analyst', tenants: ['a'] },
    });

    const jsonl = await h.call(ADMIN, 'GET', '/api/audit?format=jsonl');
    const lines = jsonl.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number });
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1)); // oldest first, in chain order
    expect(jsonl.text).not.toContain(key.slice(-43));

    const csv = await h.call(ADMIN, 'GET', '/api/audit?format=csv&action=keys.*');
    expect(csv.text.split('\r\n')[0]).toBe(
      'seq,at,actor_kind,actor_id,actor_role,action,scope,detail,result,request_id,prev_hash,hash,client_request_id',
    );
    expect(csv.text).toContain('keys.create');
    expect((await h.call(ADMIN, 'GET', '/api/audit?format=xml')).body).toMatchObject({
      error: { code: 'invalid_request', message: expect.stringContaining('format') },
    });
  });

  it('GET /api/audit/verify reports an intact trail, then the record edited through SQL', async () => {
    await createKey({ role: 'analyst' });
    await h.call(ADMIN, 'GET', '/api/subscriptions');
    const intact = await h.call(ADMIN, 'GET', '/api/audit/verify');
    expect(intact.body).toMatchObject({ ok: true, problem: null });

    const sql = await h.store.connect();
    await sql.run(`UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 2`);
    const broken = await h.call(ADMIN, 'GET', '/api/audit/verify');
    expect(broken.body).toMatchObject({ ok: false, problem: { seq: 2, kind: 'edited' } });
  });

  it('refuses keys the caller could not grant and names invalid fields', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ role: 'root' }, 'role'],
      [{ role: 'tenant_executive' }, 'tenants'],
      [{ role: 'tenant_executive', tenants: [] }, 'tenants'],
      [{ role: 'executive', tenants: ['a'] }, 'tenants'],
      [{ role: 'analyst', tenants: [1] }, 'tenants'],
      [{ role: 'analyst', name: 7 }, 'name'],
      [{ role: 'analyst', expiresAt: 'soon' }, 'expiresAt'],
      [{ role: 'analyst', expiresAt: '2001-01-01' }, 'expiresAt'],
    ];
    for (const [body, field] of cases) {
      const response = await h.call(ADMIN, 'POST', '/api/keys', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((response.body.error as { message: string }).message.startsWith(field)).toBe(true);
    }
  });
});
