import type { Summary, TenantPage } from '@pulse/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, ev } from './helpers/dashboard-browser.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { readAllEvents } from './helpers/read-events.js';
import { runCli } from './helpers/run-cli.js';

// Which tenants exist, as the store knows them: GET /api/tenants lists the tenants with events (scoped,
// paged), and a summary that names a tenant without a single event says so, with the nearest names the
// caller may see, through the API and `pulse summary`.

const TOKEN = 'phc_tenants_test_token';
const DAY = 86_400_000;
const t0 = Date.UTC(2026, 10, 2, 12);

const at = (event: ReturnType<typeof ev>, ms: number) => ({
  ...event,
  timestamp: new Date(ms).toISOString(),
});
const revenue = (tenant: string, ms: number) =>
  at(ev('revenue_impact_event', tenant, { impact_amount: 100, impact_type: 'positive' }), ms);

describe('tenants with events', () => {
  let server: TestServer;
  const get = async <T>(path: string, key: string) => {
    const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as T };
  };
  let acmeKey: string;

  beforeAll(async () => {
    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN });
    await capture(server.url, TOKEN, [
      revenue('acme-corp', t0),
      revenue('acme-corp', t0 + 2 * DAY),
      at(ev('$pageview', 'acme-corp', { $current_url: 'https://acme.example/' }), t0 + 3 * DAY),
      revenue('acme-labs', t0 + DAY),
      revenue('globex', t0),
      ...Array.from({ length: 5 }, (_, i) => revenue(`tenant-${i}`, t0 + i * DAY)),
    ]);
    const key = await server.api<{ key: string }>('/api/keys', {
      body: { role: 'tenant_executive', tenants: ['acme-corp', 'acme-labs', 'globe'] },
    });
    expect(key.status).toBe(201);
    acmeKey = key.body.key;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lists every tenant with events, with its count and first and last event, in pages', async () => {
    const seen: TenantPage['tenants'] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: TenantPage } = await server.api<TenantPage>(
        `/api/tenants?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.tenants.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.tenants);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((t) => t.tenantId)).toEqual([
      'acme-corp',
      'acme-labs',
      'globex',
      'tenant-0',
      'tenant-1',
      'tenant-2',
      'tenant-3',
      'tenant-4',
    ]);
    // Every event counts, business or not; times as stored (capture corrects the sender's clock skew).
    const stored = (await readAllEvents(server.url, server.adminKey, { tenant: 'acme-corp' })).map(
      (e) => e.timestamp,
    );
    expect(stored).toHaveLength(3);
    expect(seen[0]).toEqual({
      tenantId: 'acme-corp',
      events: 3,
      firstEventAt: stored.at(-1),
      lastEventAt: stored[0],
    });
  });

  it('lists only the caller’s tenants, and refuses a bad cursor or limit clearly', async () => {
    const own = await get<TenantPage>('/api/tenants', acmeKey);
    expect(own.status).toBe(200);
    expect(own.body.tenants.map((t) => t.tenantId)).toEqual(['acme-corp', 'acme-labs']);
    expect(own.body.nextCursor).toBeNull();

    const badCursor = await server.api<{ error: { code: string; message: string } }>(
      '/api/tenants?cursor=nonsense',
    );
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.message).toContain('cursor');
    const badLimit = await server.api<{ error: { code: string; message: string } }>('/api/tenants?limit=0');
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error.message).toContain('limit');
  });

  it('a summary naming a tenant without events says so and offers the nearest names in scope', async () => {
    const typo = await server.api<Summary>('/api/summary?tenant=acme-crop');
    expect(typo.status).toBe(200);
    expect(typo.body.unknownTenants).toEqual([{ tenantId: 'acme-crop', suggestions: ['acme-corp'] }]);
    const prefix = await server.api<Summary>('/api/summary?tenant=ACME');
    expect(prefix.body.unknownTenants).toEqual([
      { tenantId: 'ACME', suggestions: ['acme-corp', 'acme-labs'] },
    ]);
    const near = await server.api<Summary>('/api/summary?tenant=globe');
    expect(near.body.unknownTenants).toEqual([{ tenantId: 'globe', suggestions: ['globex'] }]);
    const far = await server.api<Summary>('/api/summary?tenant=zzzzzzzzzz');
    expect(far.body.unknownTenants).toEqual([{ tenantId: 'zzzzzzzzzz', suggestions: [] }]);

    const known = await server.api<Summary>('/api/summary?tenant=acme-corp,globex');
    expect(known.body.unknownTenants).toEqual([]);
    const all = await server.api<Summary>('/api/summary');
    expect(all.body.unknownTenants).toEqual([]);

    // A scoped caller is offered only its own tenants, never another's name.
    const scoped = await get<Summary>('/api/summary?tenant=globe', acmeKey);
    expect(scoped.status).toBe(200);
    expect(scoped.body.unknownTenants).toEqual([{ tenantId: 'globe', suggestions: [] }]);
  });

  it('`pulse tenants` and `pulse summary --tenant <typo>` say the same', async () => {
    const client = ['--url', server.url, '--key', server.adminKey];
    const tenants = await runCli({}, 'tenants', '--limit', '2', ...client);
    expect(tenants.code, tenants.stderr).toBe(0);
    expect(tenants.stdout).toMatch(/acme-corp\s+3\s/);
    expect(tenants.stdout).toContain('acme-labs');
    expect(tenants.stdout).not.toContain('globex');
    expect(tenants.stdout).toMatch(/more: --cursor \S+/);

    const summary = await runCli({}, 'summary', '--tenant', 'acme-crop', ...client);
    expect(summary.code, summary.stderr).toBe(0);
    expect(summary.stdout).toContain('No events for tenant acme-crop; did you mean acme-corp?');
  });
  it('a tenant whose every event retention deleted is unknown again', async () => {
    await capture(server.url, TOKEN, [revenue('short-lived', t0)]);
    await server.pipeline.barrier();
    const before = await server.api<Summary>('/api/summary?tenant=short-lived');
    expect(before.body.unknownTenants).toEqual([]);
    const policy = await server.api('/api/retention', {
      method: 'PUT',
      body: [{ event: 'revenue_impact_event', tenant: 'short-lived', days: 1 }],
    });
    expect(policy.status).toBe(200);
    const applied = await server.api('/api/retention/apply?dryRun=false', { method: 'POST' });
    expect(applied.status).toBe(200);
    const after = await server.api<Summary>('/api/summary?tenant=short-lived');
    expect(after.body.unknownTenants).toEqual([{ tenantId: 'short-lived', suggestions: [] }]);
  });
});
