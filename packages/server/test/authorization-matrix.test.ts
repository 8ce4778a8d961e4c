import { randomUUID } from 'node:crypto';
import type { Benchmarks } from '@pulse/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grants, scopeOf, type Actor, type Permission, type Role } from '../src/access/rbac.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

/**
 * The shared authorization suite: every documented /api operation × every kind of caller ×
 * own tenant / another tenant / none named. The permission each operation needs is read from the OpenAPI
 * document (`x-pulse-permission`), what each role may do from rbac's grants; the server must agree on
 * every cell: refused → 403 (and audited), allowed → never 401/403, and a list never shows another tenant.
 */

const OWN = 'acme';
const OTHER = 'globex';

interface Caller {
  label: string;
  role: Role;
  tenants: readonly string[] | 'all';
  headers: Record<string, string>;
  /** Cookie sessions must send the CSRF token on changes. */
  csrf?: string;
}

interface Operation {
  method: string;
  path: string;
  permission: Permission;
  tenantIn: 'query' | 'path' | null;
  /** Needs a caller who sees every tenant (the outbox, the digest). */
  everyTenant: boolean;
}

const PROJECT_TOKEN = 'phc_matrix_project_token';

describe('authorization: every role × every route × own/other tenant', () => {
  let server: TestServer;
  let operations: Operation[];
  const callers: Caller[] = [];

  const ingest = async (events: Record<string, unknown>[]) => {
    const response = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: PROJECT_TOKEN, batch: events }),
    });
    expect(await response.json()).toEqual({ status: 'Ok' });
  };

  beforeAll(async () => {
    server = await startTestServer({ PULSE_PROJECT_TOKEN: PROJECT_TOKEN });
    const now = new Date().toISOString();
    await ingest(
      [OWN, OTHER].flatMap((tenant) => [
        {
          event: 'revenue_impact_event',
          distinct_id: tenant,
          uuid: randomUUID(),
          timestamp: now,
          properties: { tenant_id: tenant, impact_amount: 1_000, impact_type: 'positive' },
        },
        {
          event: 'security_incident_event',
          distinct_id: tenant,
          uuid: randomUUID(),
          timestamp: now,
          properties: {
            tenant_id: tenant,
            incident_type: 'data_leak',
            severity: 'critical',
            affects_customer_data: true,
          },
        },
      ]),
    );
    await server.alerts.flush();
    for (const tenant of [OWN, OTHER])
      await server.api(`/api/subscriptions/${tenant}`, {
        method: 'PUT',
        body: { status: 'active', planName: 'pro', priceMonthly: 100 },
      });

    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            security?: unknown[];
            'x-pulse-permission': string;
            'x-pulse-every-tenant'?: boolean;
            parameters?: { name: string; in: string }[];
          }
        >
      >;
    };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => !Array.isArray(op.security) && op['x-pulse-permission'] !== 'a session cookie')
        .map(([method, op]) => {
          const tenantParam = op.parameters?.find((p) => p.name === 'tenant');
          return {
            method: method.toUpperCase(),
            path,
            permission: op['x-pulse-permission'] as Permission,
            tenantIn: (tenantParam?.in as 'query' | 'path' | undefined) ?? null,
            everyTenant: op['x-pulse-every-tenant'] === true,
          };
        }),
    );

    const key = async (role: Role, tenants?: string[] | 'all') => {
      const created = await server.api<{ key: string }>('/api/keys', {
        body: { role, ...(tenants ? { tenants } : {}) },
      });
      expect(created.status).toBe(201);
      return { authorization: `Bearer ${created.body.key}` };
    };
    callers.push(
      {
        label: 'admin (bootstrap key)',
        role: 'admin',
        tenants: 'all',
        headers: { authorization: `Bearer ${server.adminKey}` },
      },
      { label: 'executive key', role: 'executive', tenants: 'all', headers: await key('executive') },
      {
        label: 'tenant_executive key',
        role: 'tenant_executive',
        tenants: [OWN],
        headers: await key('tenant_executive', [OWN]),
      },
      { label: 'analyst key (all)', role: 'analyst', tenants: 'all', headers: await key('analyst', 'all') },
      { label: 'analyst key (acme)', role: 'analyst', tenants: [OWN], headers: await key('analyst', [OWN]) },
      { label: 'ingest key', role: 'ingest', tenants: 'all', headers: await key('ingest') },
      {
        label: 'project token',
        role: 'ingest',
        tenants: [],
        headers: { authorization: `Bearer ${PROJECT_TOKEN}` },
      },
    );
    // And one signed-in user, so the cookie path is held to the same table.
    const user = {
      email: 'acme-exec@pulse.test',
      password: 'acme only, thank you',
      role: 'tenant_executive',
      tenants: [OWN],
    };
    expect((await server.api('/api/users', { body: user })).status).toBe(201);
    const session = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await session.json()) as { csrfToken: string };
    callers.push({
      label: 'tenant_executive session',
      role: 'tenant_executive',
      tenants: [OWN],
      headers: { cookie },
      csrf: csrfToken,
    });
  });
  afterAll(async () => server.close());

  const send = async (caller: Caller, op: Operation, tenant: string | null) => {
    let path = op.path
      .replace('{name}', 'performance-dashboard')
      .replace('{id}', 'no-such-id')
      .replace('{tenant}', tenant ?? OWN);
    if (op.tenantIn === 'query' && tenant) path += `?tenant=${tenant}`;
    const hasBody = !['GET', 'DELETE'].includes(op.method);
    const response = await fetch(`${server.url}${path}`, {
      method: op.method,
      headers: {
        ...caller.headers,
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
        ...(caller.csrf && op.method !== 'GET' ? { 'x-pulse-csrf': caller.csrf } : {}),
      },
      ...(hasBody ? { body: '{}' } : {}),
    });
    return { status: response.status, text: await response.text(), path };
  };

  it('every cell matches the permission table, and every refusal is audited', async () => {
    expect(operations.length).toBeGreaterThan(30);
    const mismatches: string[] = [];
    let refusals = 0;
    for (const caller of callers) {
      const actor: Actor = { kind: 'api_key', id: caller.label, role: caller.role, tenants: caller.tenants };
      const scope = scopeOf(actor);
      for (const op of operations) {
        const tenants =
          op.tenantIn === 'path' ? [OWN, OTHER] : op.tenantIn === 'query' ? [null, OWN, OTHER] : [null];
        for (const tenant of tenants) {
          const permitted = grants[caller.role].has(op.permission);
          const inScope = op.everyTenant
            ? scope === 'all'
            : tenant === null || scope === 'all' || scope.includes(tenant);
          const { status, text, path } = await send(caller, op, tenant);
          const cell = `${caller.label} ${op.method} ${path}`;
          if (!permitted || !inScope) {
            refusals += 1;
            if (status !== 403) mismatches.push(`${cell}: expected 403, got ${status} ${text.slice(0, 120)}`);
          } else if (status === 401 || status === 403)
            mismatches.push(`${cell}: expected access, got ${status} ${text.slice(0, 160)}`);
          else if (scope !== 'all' && op.method === 'GET' && status === 200 && text.includes(OTHER))
            mismatches.push(`${cell}: a ${caller.role} of ${OWN} was shown ${OTHER}'s data`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    await server.storage.audit.flush();
    const denied = await server.api<{ records: { detail: { status: number } }[] }>(
      '/api/audit?result=denied&limit=10000',
    );
    expect(denied.body.records.filter((r) => r.detail.status === 403)).toHaveLength(refusals);
    // Hundreds of requests, one after another so each refusal's record can be counted: bounded by the table's
    // size, but past the default 30 s on a loaded machine.
  }, 180_000);

  it("another tenant's alert is refused by id, without naming that tenant", async () => {
    const alerts = await server.api<{ alerts: { id: string; tenantId: string }[] }>(
      `/api/alerts?tenant=${OTHER}`,
    );
    const theirs = alerts.body.alerts[0];
    if (!theirs) throw new Error(`no alert for ${OTHER}`);
    const acmeExec = callers.find((c) => c.label === 'tenant_executive key');
    if (!acmeExec) throw new Error('caller missing');
    for (const [method, suffix] of [
      ['GET', ''],
      ['POST', '/ack'],
      ['POST', '/resolve'],
    ] as const) {
      const response = await fetch(`${server.url}/api/alerts/${theirs.id}${suffix}`, {
        method,
        headers: {
          ...acmeExec.headers,
          ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect(response.status, `${method} ${suffix}`).toBe(403);
      expect(await response.text()).not.toContain(OTHER);
    }
  });

  it("benchmarks rank a scoped caller's tenants among all, never showing another tenant's value or id", async () => {
    // globex's net revenue impact becomes 1,000 + 7,777: a number that must not reach acme's callers.
    await ingest([
      {
        event: 'revenue_impact_event',
        distinct_id: OTHER,
        uuid: randomUUID(),
        timestamp: new Date().toISOString(),
        properties: { tenant_id: OTHER, impact_amount: 7_777, impact_type: 'positive' },
      },
    ]);
    const netRevenue = (body: { kpis: { kpi: string; distribution: unknown; tenants: unknown[] }[] }) =>
      body.kpis.find((k) => k.kpi === 'netRevenueImpact');
    const all = await server.api<Benchmarks>('/api/insights/benchmarks');
    expect(netRevenue(all.body)?.tenants).toEqual([
      { tenantId: OWN, value: 1_000, percentile: 25 },
      { tenantId: OTHER, value: 8_777, percentile: 75 },
    ]);
    expect(netRevenue(all.body)?.distribution).toMatchObject({ p10: 1_777.7, p90: 7_999.3 });
    for (const label of ['tenant_executive key', 'analyst key (acme)', 'tenant_executive session']) {
      const caller = callers.find((c) => c.label === label);
      if (!caller) throw new Error(`caller ${label} missing`);
      const response = await fetch(`${server.url}/api/insights/benchmarks`, { headers: caller.headers });
      const text = await response.text();
      expect(response.status, label).toBe(200);
      expect(text, label).not.toContain(OTHER);
      expect(text, label).not.toMatch(/8777|7999|1777/);
      const body = JSON.parse(text) as Benchmarks;
      expect(netRevenue(body), label).toMatchObject({
        compared: 2,
        distribution: null,
        tenants: [{ tenantId: OWN, value: 1_000, percentile: 25 }],
      });
    }
  });
});
