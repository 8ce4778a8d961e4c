import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContributingEvent, ErrorBody, ExplainEventPage, Explanation } from '@pulse/api';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { runCli } from './helpers/run-cli.js';

// Every number explained through the real server: the events an explanation lists must add up (or count)
// exactly to the number it explains, for a window and for one day, and only within the caller's tenants.
const at = (d: number, h = 12, m = 0) => new Date(Date.UTC(2026, 2, d, h, m)).toISOString(); // March 2026
const MONTH = `from=${at(1, 0)}&to=${at(31, 0)}`;
let n = 0;
const ev = (event: string, tenant: string, timestamp: string, properties: Record<string, unknown>) => ({
  event,
  distinct_id: tenant,
  uuid: `01950000-0000-7000-8003-${String(++n).padStart(12, '0')}`,
  timestamp,
  properties: { tenant_id: tenant, ...properties },
});
const revenue = (tenant: string, d: number, h: number, impact_type: string, impact_amount: number) =>
  ev('revenue_impact_event', tenant, at(d, h), { impact_type, impact_amount });
const saving = (tenant: string, d: number, optimization_type: string, savings_amount: number) =>
  ev('cost_optimization_event', tenant, at(d), { optimization_type, savings_amount });
const efficiency = (tenant: string, d: number, efficiency_metric: string, efficiency_score: number) =>
  ev('operational_efficiency_event', tenant, at(d), { efficiency_metric, efficiency_score });
const decision = (tenant: string, d: number, decision_id: string, status: string) =>
  ev('strategic_decision_event', tenant, at(d), {
    decision_type: 'pricing',
    decision_title: `Decision ${decision_id}`,
    decision_id,
    status,
  });
const resource = (d: number, resource_id: string, cost_efficient?: boolean) =>
  ev('resource_usage_event', 'acme', at(d), {
    resource_id,
    resource_type: 'vps_instance',
    current_usage: 50,
    capacity: 100,
    ...(cost_efficient === undefined ? {} : { cost_efficient }),
  });

const events = [
  // Revenue: many on day 4 (more than one page of 2), others elsewhere; globex is another tenant.
  ...[1, 3, 5, 7, 9, 11, 13].map((h, i) =>
    revenue('acme', 4, h, i % 3 ? 'positive' : 'negative', 100 * (i + 1)),
  ),
  revenue('acme', 9, 12, 'positive', 50.25),
  revenue('acme', 20, 12, 'negative', 4000),
  revenue('globex', 4, 12, 'positive', 99_999),
  // February: outside the window.
  ev('revenue_impact_event', 'acme', new Date(Date.UTC(2026, 1, 27)).toISOString(), {
    impact_type: 'positive',
    impact_amount: 7,
  }),
  saving('acme', 3, 'implemented', 900),
  saving('acme', 4, 'identified', 400),
  saving('acme', 5, 'rejected', 10_000),
  saving('acme', 6, 'implemented', 150.5),
  // Efficiency: only the latest reading of each metric counts.
  efficiency('acme', 3, 'uptime', 60),
  efficiency('acme', 8, 'uptime', 90),
  efficiency('acme', 5, 'support', 70),
  // Decisions: three distinct ids (one with two status events) → 3.
  decision('acme', 3, 'd-1', 'proposed'),
  decision('acme', 6, 'd-1', 'approved'),
  decision('acme', 7, 'd-2', 'proposed'),
  decision('acme', 8, 'd-3', 'delayed'),
  decision('globex', 8, 'd-1', 'proposed'),
  // Resources: vm-1's latest says efficient, vm-2's not, vm-3 states nothing (left out).
  resource(3, 'vm-1', false),
  resource(9, 'vm-1', true),
  resource(4, 'vm-2', false),
  resource(5, 'vm-3'),
];

const sum = (list: readonly ContributingEvent[]) => list.reduce((s, e) => s + e.amount, 0);

describe('explain: every number with its formula, inputs and events', () => {
  let server: TestServer;
  let acmeKey: Record<string, string>;

  const get = async <T>(path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      headers: { authorization: `Bearer ${server.adminKey}`, ...headers },
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const explain = async (query: string, headers?: Record<string, string>) => {
    const res = await get<Explanation>(`/api/explain?${query}`, headers);
    expect(res.status).toBe(200);
    return res.body;
  };
  /** Every page of an explanation's events, `limit` at a time. */
  const allEvents = async (explanation: Explanation, limit: number, headers?: Record<string, string>) => {
    const href = explanation.eventsQuery?.href;
    if (!href) throw new Error(`${explanation.metric} lists no events`);
    const out: ContributingEvent[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: ExplainEventPage } = await get<ExplainEventPage>(
        `${href}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        headers,
      );
      expect(res.status).toBe(200);
      out.push(...res.body.events);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    return { events: out, pages };
  };

  beforeAll(async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'phc_x', batch: events, historical_migration: true }),
    });
    expect(await res.text()).toBe('{"status":"Ok"}');
    const key = await server.api<{ key: string }>('/api/keys', {
      body: { role: 'tenant_executive', tenants: ['acme'] },
    });
    expect(key.status).toBe(201);
    acmeKey = { authorization: `Bearer ${key.body.key}` };
  });
  afterAll(async () => server.close());

  it('lists, page by page, revenue events that sum exactly to the number over a window', async () => {
    const summary = await get<{ keyMetrics: { negativeRevenueImpact: number } }>(
      `/api/summary?tenant=acme&${MONTH}`,
    );
    for (const metric of ['netRevenueImpact', 'positiveRevenueImpact', 'negativeRevenueImpact']) {
      const x = await explain(`metric=${metric}&tenant=acme&${MONTH}`);
      expect(x.eventsQuery?.combine).toBe('sum');
      const { events: listed, pages } = await allEvents(x, 2);
      expect(pages).toBeGreaterThan(1);
      expect(new Set(listed.map((e) => e.uuid)).size).toBe(listed.length);
      expect(listed.every((e) => e.tenantId === 'acme')).toBe(true);
      expect(sum(listed)).toBe(x.value);
    }
    const lost = await explain(`metric=negativeRevenueImpact&tenant=acme&${MONTH}`);
    expect(lost.value).toBe(summary.body.keyMetrics.negativeRevenueImpact);
    expect(lost.value).toBe(100 + 400 + 700 + 4000);
    const net = await explain(`metric=netRevenueImpact&tenant=acme&${MONTH}`);
    expect(net.inputs.map((i) => i.metric)).toEqual(['positiveRevenueImpact', 'negativeRevenueImpact']);
  });

  it('explains one day of a chart the same way, edges of the window included', async () => {
    const day = `from=${at(4, 0)}&to=${at(5, 0)}`;
    const x = await explain(`metric=positiveRevenueImpact&tenant=acme&${day}`);
    const { events: listed } = await allEvents(x, 500);
    expect(x.value).toBe(200 + 300 + 500 + 600);
    expect(sum(listed)).toBe(x.value);
    // A window that cuts day 4 at 06:00 and 10:00: only the events between count.
    const slice = await explain(`metric=netRevenueImpact&tenant=acme&from=${at(4, 6)}&to=${at(4, 10)}`);
    const sliced = await allEvents(slice, 500);
    expect(sliced.events.map((e) => e.timestamp)).toEqual([at(4, 9), at(4, 7)]);
    expect(sum(sliced.events)).toBe(slice.value);
  });

  it('counts and means: each listed event is one decision, one metric reading, one resource', async () => {
    const decisions = await explain(`metric=strategicDecisionsTracked&tenant=acme&${MONTH}`);
    const listed = (await allEvents(decisions, 1)).events;
    expect(decisions.value).toBe(3);
    expect(decisions.eventsQuery?.combine).toBe('count');
    expect(listed.length).toBe(decisions.value);
    expect(listed.map((e) => e.properties.decision_id).sort()).toEqual(['d-1', 'd-2', 'd-3']);

    const efficiencyScore = await explain(`metric=operationalEfficiencyScore&tenant=acme&${MONTH}`);
    const readings = (await allEvents(efficiencyScore, 500)).events;
    expect(efficiencyScore.value).toBe(80);
    expect(sum(readings) / readings.length).toBe(efficiencyScore.value);

    const resources = await explain(`metric=health.resources&tenant=acme&${MONTH}`);
    const snapshots = (await allEvents(resources, 500)).events;
    expect(resources.value).toBe(50);
    expect((100 * sum(snapshots)) / snapshots.length).toBe(resources.value);

    const cost = await explain(`metric=health.cost&tenant=acme&${MONTH}`);
    expect(sum((await allEvents(cost, 500)).events)).toBe(900 + 150.5 + 400);
    const revenueHealth = await explain(`metric=health.revenue&tenant=acme&${MONTH}`);
    const revenueEvents = revenueHealth.inputs.find((i) => i.label === 'Revenue impact events');
    expect((await allEvents(revenueHealth, 500)).events.length).toBe(revenueEvents?.value);
  });

  it('links inputs that are numbers of their own, and health to its components', async () => {
    const health = await explain(`metric=overallBusinessHealth&tenant=acme&${MONTH}`);
    expect(health.eventsQuery).toBeNull();
    expect(health.inputs.map((i) => i.metric)).toEqual([
      'health.revenue',
      'health.efficiency',
      'health.deliverability',
      'health.cost',
      'health.resources',
    ]);
    for (const input of health.inputs) {
      const component = await explain(`metric=${input.metric}&tenant=acme&${MONTH}`);
      expect(component.value).toBe(input.value);
      expect(component.formula.length).toBeGreaterThan(10);
    }
  });

  it('keeps a tenant-scoped key to its tenants', async () => {
    const refused = await get<ErrorBody>(
      `/api/explain?metric=netRevenueImpact&tenant=globex&${MONTH}`,
      acmeKey,
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    const refusedEvents = await get<ErrorBody>(
      `/api/explain/events?metric=netRevenueImpact&tenant=globex&${MONTH}`,
      acmeKey,
    );
    expect(refusedEvents.status).toBe(403);
    // Without a tenant: its own tenants only, globex's 99,999 never listed or counted.
    const own = await explain(`metric=positiveRevenueImpact&${MONTH}`, acmeKey);
    const listed = (await allEvents(own, 500, acmeKey)).events;
    expect(listed.every((e) => e.tenantId === 'acme')).toBe(true);
    expect(sum(listed)).toBe(own.value);
    expect(own.value).toBe(200 + 300 + 500 + 600 + 50.25);
  });

  it('refuses a bad metric, limit, cursor or window with a 400 saying why', async () => {
    const bad = await get<ErrorBody>(`/api/explain?metric=revenue&${MONTH}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.message).toContain('netRevenueImpact');
    expect(bad.body.error.message).toContain('health.resources');
    const missing = await get<ErrorBody>(`/api/explain/events?${MONTH}`);
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('metric');
    const limit = await get<ErrorBody>(`/api/explain/events?metric=netRevenueImpact&limit=501`);
    expect(limit.status).toBe(400);
    expect(limit.body.error.message).toContain('limit');
    const cursor = await get<ErrorBody>(`/api/explain/events?metric=netRevenueImpact&cursor=nope`);
    expect(cursor.status).toBe(400);
    const wide = await get<ErrorBody>(
      `/api/explain?metric=netRevenueImpact&from=2024-01-01T00:00:00Z&to=${at(1)}`,
    );
    expect(wide.status).toBe(400);
    expect(wide.body.error.message).toContain('400 days');
  });

  it('pulse explain prints the formula and inputs, --events the events, --json the API answer', async () => {
    const cli = (...args: string[]) =>
      runCli(
        { PULSE_DATA_DIR: server.dataDir },
        'explain',
        ...args,
        '--url',
        server.url,
        '--key',
        server.adminKey,
      );
    const window = ['--tenant', 'acme', '--from', at(1, 0), '--to', at(31, 0)];
    const text = await cli('netRevenueImpact', ...window);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Net revenue impact = $');
    expect(text.stdout).toContain('pulse explain positiveRevenueImpact');
    const json = await cli('negativeRevenueImpact', ...window, '--events', '--limit', '500', '--json');
    expect(json.code, json.stderr).toBe(0);
    const page = JSON.parse(json.stdout) as ExplainEventPage;
    expect(sum(page.events)).toBe(100 + 400 + 700 + 4000);
    const bad = await cli('revenue', ...window);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('netRevenueImpact');
  });
});
