import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATA_SET, describeTenants } from '../src/seed/index.js';
import type { IncidentKind } from '../src/seed/tenants.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { runCli } from './helpers/run-cli.js';

/**
 * The alerts each planted incident of the seed is there to raise. A bounce spike is reported from both
 * sides: the hour's email aggregates and the revenue event that prices it.
 */
const alertsOf: Record<IncidentKind, readonly string[]> = {
  bounce_spike: ['bounce-rate-critical', 'bounce-rate-revenue-critical'],
  revenue_hit: ['revenue-loss-critical'],
  data_breach: ['security-customer-data-critical'],
  decision_delay: ['decision-delayed-high'],
  cost_overrun: ['cost-budget-critical'],
};

/**
 * At most this many alerts raised per tenant per week of demo data (resolved ones included). With the
 * default rules the busiest demo tenant (the declining one, which also has the cost overrun) raises about
 * 0.8-0.95 a week (its efficiency falls metric by metric) and a calm one about 0.1; before the rules
 * were tuned the demo tenants raised 2.4 to 7.5. The demo ends now, so its events move with the hour it
 * starts: the bound leaves room for that, and none of the old rates comes near it.
 */
const MAX_ALERTS_PER_TENANT_PER_WEEK = 1.25;

interface AlertJson {
  tenantId: string;
  rule: string;
  severity: string;
  state: string;
  title: string;
}

describe('the demo’s first screen holds what deserves attention', () => {
  let server: TestServer;
  let alerts: AlertJson[];
  const tenants = describeTenants(DEMO_DATA_SET);
  beforeAll(async () => {
    server = await startTestServer({ PULSE_DEMO: 'true' });
    // Every demo event evaluated, the timer's first run done (overdue reviews), the alerts written.
    await server.pipeline.drain();
    await server.alerts.tick();
    await server.alerts.flush();
    const list = await server.api<{ alerts: AlertJson[]; hasMore: boolean }>('/api/alerts?limit=10000');
    expect(list.body.hasMore).toBe(false);
    alerts = list.body.alerts;
  }, 180_000);
  afterAll(async () => server.close());

  it('raises at most a few alerts per tenant per week, open or since resolved', () => {
    const weeks = DEMO_DATA_SET.days / 7;
    for (const { id } of tenants) {
      const mine = alerts.filter((a) => a.tenantId === id);
      expect(mine.length / weeks, `${id}: ${mine.map((a) => a.title).join('; ')}`).toBeLessThanOrEqual(
        MAX_ALERTS_PER_TENANT_PER_WEEK,
      );
    }
  });

  it('raises each planted incident’s own alert, and no critical alert that is not one', () => {
    const planted = tenants.flatMap((t) =>
      t.incidents.flatMap((i) => alertsOf[i.kind].map((r) => `${t.id} ${r}`)),
    );
    expect(planted.length).toBeGreaterThanOrEqual(5); // every incident kind is planted somewhere
    const raised = new Set(alerts.map((a) => `${a.tenantId} ${a.rule}`));
    for (const incident of planted) expect(raised, incident).toContain(incident);
    const critical = alerts.filter((a) => a.severity === 'critical').map((a) => `${a.tenantId} ${a.rule}`);
    for (const alert of critical) expect(planted, alert).toContain(alert);
  });
});

describe('a steady, healthy tenant raises no alert', () => {
  let server: TestServer;
  afterAll(async () => server.close());

  it('over two months of `pulse seed` data, while the tenants with a story raise theirs', async () => {
    server = await startTestServer();
    // Past the eight scripted stories the seed mixes steady companies with movers and incidents.
    const options = { tenants: 20, days: 60, seed: 1 };
    const seeded = await runCli(
      { PULSE_DATA_DIR: server.dataDir },
      ...['seed', '--tenants', '20', '--days', '60', '--seed', '1', '--json'],
    );
    expect(seeded.code, seeded.stderr).toBe(0);
    await server.pipeline.drain();
    await server.alerts.tick();
    await server.alerts.flush();
    const list = await server.api<{ alerts: AlertJson[] }>('/api/alerts?limit=10000');
    const tenants = describeTenants(options);
    const steady = tenants.filter((t) => t.personality === 'steady').map((t) => t.id);
    expect(steady.length).toBeGreaterThanOrEqual(3);
    const raised = list.body.alerts.filter((a) => steady.includes(a.tenantId));
    expect(raised.map((a) => `${a.tenantId}: ${a.title}`)).toEqual([]);
    // Not by silence: every tenant with a planted incident raised an alert.
    const withIncident = tenants.filter((t) => t.incidents.length > 0).map((t) => t.id);
    const alerted = new Set(list.body.alerts.map((a) => a.tenantId));
    for (const id of withIncident) expect(alerted, id).toContain(id);
  }, 180_000);
});
