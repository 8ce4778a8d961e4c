import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/index.js';
import type { CapturedEvent } from '../src/ingestion/captured-event.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

const DAY = 86_400_000;
const TENANTS = ['ret-a', 'ret-b'] as const;
/** Ages in days (plus a few hours, so no event sits near a cutoff). */
const AGES = [120, 80, 50, 40, 25, 12, 8, 3];

interface Row {
  event: string;
  tenant: string;
  count: number;
}

/** The policies under test: revenue 45 days but 10 for ret-b, resources 30, the rest 90, generic forever. */
const POLICIES = [
  { event: 'revenue_impact_event', days: 45 },
  { event: 'revenue_impact_event', tenant: 'ret-b', days: 10 },
  { event: 'resource_usage_event', days: 30 },
  { event: '*', days: 90 },
  { event: 'generic', days: 'forever' },
];
function daysOf(event: string, tenant: string): number | null {
  if (event === 'revenue_impact_event') return tenant === 'ret-b' ? 10 : 45;
  if (event === 'resource_usage_event') return 30;
  if (event === '$pageview') return null;
  return 90;
}

function makeEvents(now: number): CapturedEvent[] {
  const events: CapturedEvent[] = [];
  let n = 0;
  for (const tenant of TENANTS)
    for (const age of AGES) {
      const timestamp = now - age * DAY - 3 * 3_600_000;
      const base = { distinctId: `u-${tenant}`, timestamp };
      n++;
      events.push(
        {
          ...base,
          uuid: randomUUID(),
          event: 'revenue_impact_event',
          properties: {
            tenant_id: tenant,
            impact_amount: 100 * n,
            impact_type: n % 3 ? 'positive' : 'negative',
          },
        },
        {
          ...base,
          uuid: randomUUID(),
          event: 'cost_optimization_event',
          properties: { tenant_id: tenant, savings_amount: 10 * n, optimization_type: 'implemented' },
        },
        {
          ...base,
          uuid: randomUUID(),
          event: 'resource_usage_event',
          properties: { tenant_id: tenant, resource_type: 'database', current_usage: 5, capacity: 10 },
        },
        { ...base, uuid: randomUUID(), event: '$pageview', properties: { tenant_id: tenant } },
      );
    }
  return events;
}

const doomed = (e: CapturedEvent, now: number) => {
  const days = daysOf(e.event, e.properties.tenant_id as string);
  return days !== null && e.timestamp < now - days * DAY;
};

function revenue(events: readonly CapturedEvent[], type: 'positive' | 'negative', from: number): number {
  return events
    .filter(
      (e) => e.event === 'revenue_impact_event' && e.timestamp >= from && e.properties.impact_type === type,
    )
    .reduce((sum, e) => sum + (e.properties.impact_amount as number), 0);
}

interface RunBody {
  dryRun: boolean;
  rows: { event: string; tenant: string | null; days: number; events: number; quarantined: number }[];
  totals: { events: number; quarantined: number };
  timings: { deleteMs: number; rollupsMs: number | null };
}

describe('retention through the API, the scheduler-free server and the CLI', () => {
  let server: TestServer;
  let events: CapturedEvent[];
  let now: number;
  const quarantinedOld: string[] = [];

  async function stored(tenant: string): Promise<Set<string>> {
    const { body } = await server.api<{ events: { uuid: string }[] }>(
      `/api/events?tenant=${tenant}&limit=10000`,
    );
    return new Set(body.events.map((e) => e.uuid));
  }
  async function summary(tenants: string, from = now - 130 * DAY) {
    const { body } = await server.api<{
      keyMetrics: {
        positiveRevenueImpact: number;
        negativeRevenueImpact: number;
        costOptimizationSavings: number;
      };
    }>(`/api/summary?tenant=${tenants}&from=${from}&to=${now + DAY}`);
    return body.keyMetrics;
  }

  beforeAll(async () => {
    server = await startTestServer({ PULSE_RETENTION_CRON: 'off' });
    now = Date.now();
    events = makeEvents(now);
    await server.pipeline.ingest(events);
    // Quarantine entries: broken revenue events received 60 and 5 days ago, one per tenant.
    for (const tenant of TENANTS)
      for (const age of [60, 5]) {
        const bad: CapturedEvent = {
          uuid: randomUUID(),
          event: 'revenue_impact_event',
          distinctId: 'x',
          timestamp: now,
          properties: { tenant_id: tenant, impact_amount: -1, impact_type: 'positive' },
        };
        // With a valid event alongside: a quarantine-only group currently stalls the ingest log's loader.
        const companion: CapturedEvent = {
          uuid: randomUUID(),
          event: '$pageview',
          distinctId: 'x',
          timestamp: now,
          properties: { tenant_id: 'ret-q' },
        };
        await server.pipeline.ingest([bad, companion], now - age * DAY);
        if (age === 60) quarantinedOld.push(bad.uuid);
      }
  });
  afterAll(async () => server.close());

  it('validates policies, listing every bad entry with its index', async () => {
    const bad = await server.api<{ error: { code: string; message: string } }>('/api/retention', {
      method: 'PUT',
      body: [
        { event: 'revenue_impact_event', days: 30 },
        { event: 'revenue_impact', days: 30 },
        { event: 'generic', days: 0 },
        { event: 'cost_optimization_event', days: -3 },
        { event: 'revenue_impact_event', days: 60 },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    for (const index of [1, 2, 3, 4]) expect(bad.body.error.message).toContain(`policies[${index}]`);
    expect(bad.body.error.message).not.toMatch(/policies\[0\]\./);
    expect(bad.body.error.message).toMatch(/policies\[4\]\.event repeats policies\[0\]/);
    expect((await server.api<{ policies: unknown[] }>('/api/retention')).body.policies).toEqual([]);
  });

  it('stores the policies and lists them', async () => {
    const put = await server.api<{ policies: unknown[] }>('/api/retention', {
      method: 'PUT',
      body: POLICIES,
    });
    expect(put.status).toBe(200);
    const listed = await server.api<{ policies: unknown[]; nextRun: string | null }>('/api/retention');
    expect(listed.body.nextRun).toBeNull();
    expect(listed.body.policies).toEqual(
      expect.arrayContaining([
        { event: 'revenue_impact_event', tenant: 'ret-b', days: 10 },
        { event: 'generic', days: 'forever' },
        { event: '*', days: 90 },
      ]),
    );
    expect(listed.body.policies).toHaveLength(POLICIES.length);
  });

  it('a dry run reports the exact counts per event type and tenant and deletes nothing', async () => {
    const before = await Promise.all(TENANTS.map(stored));
    const { status, body } = await server.api<RunBody>('/api/retention/apply?dryRun=true', {
      method: 'POST',
    });
    expect(status).toBe(200);
    expect(body.dryRun).toBe(true);
    const expected: Row[] = [];
    for (const tenant of TENANTS)
      for (const event of ['cost_optimization_event', 'resource_usage_event', 'revenue_impact_event']) {
        const count = events.filter(
          (e) => e.event === event && e.properties.tenant_id === tenant && doomed(e, now),
        ).length;
        if (count) expected.push({ event, tenant, count });
      }
    expect(body.rows.map((r) => ({ event: r.event, tenant: r.tenant, count: r.events }))).toEqual(
      expect.arrayContaining(expected),
    );
    expect(body.rows.filter((r) => r.events > 0)).toHaveLength(expected.length);
    // The old quarantine entries follow the revenue policy (by received time): both tenants' 60-day-old ones.
    expect(body.totals).toEqual({
      events: events.filter((e) => doomed(e, now)).length,
      quarantined: 2,
    });
    expect(body.rows.find((r) => r.tenant === 'ret-b' && r.event === 'revenue_impact_event')?.days).toBe(10);
    expect(await Promise.all(TENANTS.map(stored))).toEqual(before);
  });

  it('apply deletes exactly those events and old quarantine entries; the summary follows', async () => {
    const from = now - 130 * DAY;
    const beforeSummary = await summary(TENANTS.join(','));
    // A window starting 1 ms before a doomed event: its day is a partial edge, read from cached raw facts.
    const edgeFrom = now - 50 * DAY - 3 * 3_600_000 - 1;
    const beforeEdge = await summary(TENANTS.join(','), edgeFrom);
    expect(beforeEdge.positiveRevenueImpact).toBeCloseTo(revenue(events, 'positive', edgeFrom), 6);
    expect(beforeSummary.positiveRevenueImpact).toBeCloseTo(revenue(events, 'positive', from), 6);

    const { body } = await server.api<RunBody>('/api/retention/apply?dryRun=false', { method: 'POST' });
    expect(body.dryRun).toBe(false);
    const remaining = events.filter((e) => !doomed(e, now));
    expect(body.totals).toEqual({ events: events.length - remaining.length, quarantined: 2 });
    expect(body.timings.rollupsMs).not.toBeNull();

    // Exactly the doomed events are gone; nothing newer than its cutoff was touched (tenant override too).
    for (const tenant of TENANTS)
      expect(await stored(tenant)).toEqual(
        new Set(remaining.filter((e) => e.properties.tenant_id === tenant).map((e) => e.uuid)),
      );
    const revenueB = remaining.filter(
      (e) => e.event === 'revenue_impact_event' && e.properties.tenant_id === 'ret-b',
    );
    expect(revenueB.every((e) => e.timestamp >= now - 10 * DAY)).toBe(true);
    expect(revenueB.length).toBeGreaterThan(0);
    const pageviews = remaining.filter((e) => e.event === '$pageview');
    expect(pageviews).toHaveLength(TENANTS.length * AGES.length);

    const quarantine = await server.api<{ quarantined: { id: string }[] }>('/api/quarantine?limit=100');
    const ids = quarantine.body.quarantined.map((q) => q.id);
    expect(ids).toHaveLength(2);
    for (const id of quarantinedOld) expect(ids).not.toContain(id);

    // The summary over a window covering the deleted days equals a recomputation from what remains.
    const after = await summary(TENANTS.join(','));
    const afterEdge = await summary(TENANTS.join(','), edgeFrom);
    expect(afterEdge.positiveRevenueImpact).toBeCloseTo(revenue(remaining, 'positive', edgeFrom), 6);
    expect(afterEdge.negativeRevenueImpact).toBeCloseTo(revenue(remaining, 'negative', edgeFrom), 6);
    expect(after.positiveRevenueImpact).toBeCloseTo(revenue(remaining, 'positive', from), 6);
    expect(after.negativeRevenueImpact).toBeCloseTo(revenue(remaining, 'negative', from), 6);
    expect(after.positiveRevenueImpact).toBeLessThan(beforeSummary.positiveRevenueImpact);
    const savings = remaining
      .filter((e) => e.event === 'cost_optimization_event')
      .reduce((s, e) => s + (e.properties.savings_amount as number), 0);
    expect(after.costOptimizationSavings).toBeCloseTo(savings, 6);
    const onlyB = await summary('ret-b');
    expect(onlyB.positiveRevenueImpact).toBeCloseTo(
      revenue(
        remaining.filter((e) => e.properties.tenant_id === 'ret-b'),
        'positive',
        from,
      ),
      6,
    );

    // A second run finds nothing more.
    const again = await server.api<RunBody>('/api/retention/apply', { method: 'POST' });
    expect(again.body.totals).toEqual({ events: 0, quarantined: 0 });
  });

  it('the audit trail holds each apply with its counts, and the policy change', async () => {
    await server.storage.audit.flush();
    const { body } = await server.api<{
      records: { action: string; result: string; detail: Record<string, unknown> }[];
    }>('/api/audit?action=retention.*&limit=100');
    const applies = body.records.filter((r) => r.action === 'retention.apply');
    expect(applies.length).toBeGreaterThanOrEqual(3);
    const real = applies.find(
      (r) => r.detail.dry_run === false && (r.detail.totals as { events: number }).events > 0,
    );
    expect(real?.result).toBe('ok');
    expect(real?.detail.totals).toEqual({
      events: events.filter((e) => doomed(e, now)).length,
      quarantined: 2,
    });
    expect(real?.detail.counts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'revenue_impact_event', tenant: 'ret-b', days: 10 }),
      ]),
    );
    const set = body.records.find((r) => r.action === 'retention.set' && r.result === 'ok');
    expect(set?.detail.after).toHaveLength(POLICIES.length);
    expect(body.records.some((r) => r.action === 'retention.set' && r.result === 'error')).toBe(true);
  });

  it('is admin only: other roles get 403 (and the refusal is audited)', async () => {
    for (const role of ['executive', 'analyst']) {
      const created = await server.api<{ key: string }>('/api/keys', { method: 'POST', body: { role } });
      expect(created.status).toBe(201);
      for (const [method, path] of [
        ['GET', '/api/retention'],
        ['PUT', '/api/retention'],
        ['POST', '/api/retention/apply?dryRun=true'],
      ] as const) {
        const response = await fetch(`${server.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${created.body.key}`, 'content-type': 'application/json' },
          ...(method === 'PUT' ? { body: '[]' } : method === 'POST' ? { body: '{}' } : {}),
        });
        expect(response.status, `${role} ${method} ${path}`).toBe(403);
      }
    }
    await server.storage.audit.flush(); // records are appended as responses complete
    const denied = await server.api<{ records: unknown[] }>('/api/audit?action=retention.*&result=denied');
    expect(denied.body.records.length).toBeGreaterThanOrEqual(6);
    expect((await server.api<{ policies: unknown[] }>('/api/retention')).body.policies).toHaveLength(
      POLICIES.length,
    );
  });

  it('the CLI lists, sets and applies against the running server', async () => {
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        out.push(String(chunk));
        return true;
      });
      const err = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const code = await main([
          'node',
          'pulse',
          'retention',
          ...args,
          '--url',
          server.url,
          '--key',
          server.adminKey,
        ]);
        return { code, out: out.join('') };
      } finally {
        spy.mockRestore();
        err.mockRestore();
      }
    };
    const listed = await run('list', '--json');
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.out) as { policies: unknown[] }).policies).toHaveLength(POLICIES.length);

    // Shorter policies through --policy: ret-a's remaining revenue older than 4 days goes, and its quarantine
    // entry received 5 days ago.
    const set = await run(
      'set',
      '--policy',
      'revenue_impact_event=4,tenant=ret-a',
      '--policy',
      '*=forever',
      '--json',
    );
    expect(set.code).toBe(0);
    expect(JSON.parse(set.out)).toEqual({
      policies: [
        { event: '*', days: 'forever' },
        { event: 'revenue_impact_event', tenant: 'ret-a', days: 4 },
      ],
    });
    const expected = events.filter(
      (e) =>
        !doomed(e, now) &&
        e.event === 'revenue_impact_event' &&
        e.properties.tenant_id === 'ret-a' &&
        e.timestamp < now - 4 * DAY,
    ).length;
    expect(expected).toBeGreaterThan(0);

    const dry = await run('apply', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/dry run: nothing deleted/);
    expect(dry.out).toMatch(new RegExp(`revenue_impact_event\\s+ret-a\\s+4\\s+\\S+\\s+${expected}\\s+1`));
    expect(dry.out).toMatch(new RegExp(`total\\s+${expected}\\s+1`));

    const applied = await run('apply', '--json');
    expect(applied.code).toBe(0);
    expect((JSON.parse(applied.out) as RunBody).totals).toEqual({ events: expected, quarantined: 1 });

    const badSet = await run('set', '--policy', 'nope=3');
    expect(badSet.code).toBe(1);
  });
});
