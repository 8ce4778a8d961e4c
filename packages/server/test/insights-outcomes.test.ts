import { randomUUID } from 'node:crypto';
import type { AlertView, BusinessImpact, DecisionInsights } from '@pulse/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { runCli } from './helpers/run-cli.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const DAY = 86_400_000;
const TOKEN = 'phc_insights_outcomes_token';

async function capture(server: TestServer, events: Record<string, unknown>[], token = TOKEN) {
  const response = await fetch(`${server.url}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: token, batch: events }),
  });
  return { status: response.status, body: await response.text() };
}

const decisionEvent = (
  tenant: string,
  id: string,
  at: number,
  properties: Record<string, unknown>,
): Record<string, unknown> => ({
  event: 'strategic_decision_event',
  distinct_id: tenant,
  uuid: randomUUID(),
  timestamp: new Date(at).toISOString(),
  properties: {
    tenant_id: tenant,
    decision_id: id,
    decision_type: 'vendor_selection',
    decision_title: `Decision ${id}`,
    ...properties,
  },
});

describe('decision insights over hand-built decisions', () => {
  let server: TestServer;
  const now = Date.now();
  // Midday, 40 days ago: every milestone below stays inside the default 90-day window.
  const t0 = Math.floor((now - 40 * DAY) / DAY) * DAY + DAY / 2;

  beforeAll(async () => {
    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN });
    const events = [
      // a: proposed → approved after 2 days → completed 10 days later; expected ROI 4, realized ROI 2.
      decisionEvent('acme', 'a', t0, {
        status: 'proposed',
        expected_revenue_impact: 100_000,
        expected_cost_impact: 20_000,
      }),
      decisionEvent('acme', 'a', t0 + 2 * DAY, { status: 'approved' }),
      decisionEvent('acme', 'a', t0 + 12 * DAY, {
        status: 'completed',
        actual_revenue_impact: 90_000,
        actual_cost_impact: 30_000,
      }),
      // b: first reported under way 4 days after its proposal; its review date passed without news.
      decisionEvent('acme', 'b', t0 + DAY, { status: 'proposed' }),
      decisionEvent('acme', 'b', t0 + 5 * DAY, {
        status: 'in_progress',
        next_review_date: new Date(now - 3 * DAY).toISOString(),
      }),
      // c: a hiring decision, 4 days to approve, 4 more to complete.
      decisionEvent('globex', 'c', t0, { status: 'proposed', decision_type: 'hiring' }),
      decisionEvent('globex', 'c', t0 + 4 * DAY, { status: 'approved', decision_type: 'hiring' }),
      decisionEvent('globex', 'c', t0 + 8 * DAY, { status: 'completed', decision_type: 'hiring' }),
    ];
    expect(await capture(server, events)).toEqual({ status: 200, body: '{"status":"Ok"}' });
  });
  afterAll(async () => server.close());

  it('measures each stage from the first event reporting it, per month and per type', async () => {
    const { status, body } = await server.api<DecisionInsights>('/api/insights/decisions');
    expect(status).toBe(200);
    expect(body.velocity.proposedToApproved).toEqual({ count: 3, medianDays: 4, p90Days: 4 });
    expect(body.velocity.approvedToCompleted).toEqual({ count: 2, medianDays: 7, p90Days: 9.4 });
    expect(body.velocity.proposedToCompleted.medianDays).toBe(10);
    expect(body.velocity.proposedToCompleted.p90Days).toBeCloseTo(11.6, 10);
    const hiring = body.velocity.byType.find((t) => t.decisionType === 'hiring');
    expect(hiring?.proposedToCompleted).toEqual({ count: 1, medianDays: 8, p90Days: 8 });
    const months = body.velocity.byMonth.map((m) => m.month);
    const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);
    expect(months).toEqual(
      [
        ...new Set([t0 + 2 * DAY, t0 + 4 * DAY, t0 + 5 * DAY, t0 + 8 * DAY, t0 + 12 * DAY].map(monthOf)),
      ].sort(),
    );
    const completions = body.velocity.byMonth.reduce((n, m) => n + m.proposedToCompleted.count, 0);
    expect(completions).toBe(2);
  });

  it('shows expected vs actual impact, the ROI realized, and the overdue review', async () => {
    const { body } = await server.api<DecisionInsights>('/api/insights/decisions');
    const a = body.decisions.find((d) => d.decisionId === 'a');
    expect(a).toMatchObject({
      status: 'completed',
      expectedRevenueImpact: 100_000,
      expectedCostImpact: 20_000,
      actualRevenueImpact: 90_000,
      actualCostImpact: 30_000,
      expectedRoi: 4,
      realizedRoi: 2,
      overdue: false,
      proposedAt: new Date(t0).toISOString(),
      approvedAt: new Date(t0 + 2 * DAY).toISOString(),
      completedAt: new Date(t0 + 12 * DAY).toISOString(),
    });
    expect(body.decisions.find((d) => d.decisionId === 'b')?.approvedAt).toBe(
      new Date(t0 + 5 * DAY).toISOString(),
    );
    expect(body.totals).toMatchObject({ decisions: 3, actualRevenueImpact: 90_000, realizedRoi: 2 });
    expect(body.overdueReviews).toHaveLength(1);
    expect(body.overdueReviews[0]).toMatchObject({
      tenantId: 'acme',
      decisionId: 'b',
      status: 'in_progress',
    });
    expect(body.overdueReviews[0]?.daysOverdue).toBeGreaterThan(2.9);
  });

  it("keeps to the caller's tenants and reports decision velocity in the business impact", async () => {
    const scoped = await server.api<DecisionInsights>('/api/insights/decisions?tenant=globex');
    expect(scoped.body.decisions.map((d) => d.decisionId)).toEqual(['c']);
    expect(scoped.body.overdueReviews).toEqual([]);
    const impact = await server.api<BusinessImpact>('/api/insights/impact?tenant=acme');
    expect(impact.body.decisionVelocity.current).toEqual({ count: 1, medianDays: 12, p90Days: 12 });
  });

  it('prints the same numbers in the terminal, and the answer itself with --json', async () => {
    const flags = ['--url', server.url, '--key', server.adminKey];
    const table = await runCli({}, 'insights', 'decisions', ...flags);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('proposed → completed  median 10.0 d · p90 11.6 d · n=2');
    expect(table.stdout).toMatch(/Decision b\s+in_progress/);
    expect(table.stdout).toContain('Overdue reviews (1)');
    const json = await runCli({}, 'insights', 'decisions', '--json', ...flags);
    const api = await server.api<DecisionInsights>('/api/insights/decisions');
    expect(JSON.parse(json.stdout).velocity).toEqual(api.body.velocity);
    for (const verb of ['benchmarks', 'impact']) {
      const out = await runCli({}, 'insights', verb, ...flags);
      expect(out.code, out.stderr).toBe(0);
    }
    const impact = await runCli({}, 'insights', 'impact', ...flags);
    // a completed 28 days ago (this period), c 32 days ago (the previous one): slower is declining.
    expect(impact.stdout).toContain(
      'Decision velocity (proposed → completed)  median 12.0 d · p90 12.0 d · n=1  [8.0 d]  ▼ declining +50.0 %',
    );
  });

  it('refuses a window that ends before it starts, saying which parameter', async () => {
    const { status, body } = await server.api<{ error: { code: string; message: string } }>(
      '/api/insights/decisions?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z',
    );
    expect(status).toBe(400);
    expect(body.error.message).toContain('from');
  });
});

describe('business impact of a hand-built incident, and capture counts across a restart', () => {
  let server: TestServer;
  const dataDir = temporaryDirectory('pulse-impact-');
  afterAll(async () => server.close());

  it('times an incident from its first event to the alert and to the acknowledgement', async () => {
    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN }, dataDir);
    const firstEventAt = Date.now() - 2 * 3_600_000;
    const incident = (at: number) => ({
      event: 'security_incident_event',
      distinct_id: 'acme',
      uuid: randomUUID(),
      timestamp: new Date(at).toISOString(),
      properties: {
        tenant_id: 'acme',
        incident_type: 'data_leak',
        severity: 'critical',
        affects_customer_data: true,
      },
    });
    expect((await capture(server, [incident(firstEventAt)])).status).toBe(200);
    await server.alerts.flush();
    expect((await capture(server, [incident(firstEventAt + 3_600_000)])).status).toBe(200);
    await server.alerts.flush();
    const listed = await server.api<{ alerts: AlertView[] }>('/api/alerts?tenant=acme');
    const alert = listed.body.alerts.find((a) => a.rule === 'security-customer-data-critical');
    if (!alert) throw new Error('the incident opened no alert');
    const acked = await server.api<AlertView>(`/api/alerts/${alert.id}/ack`, { body: {} });
    expect(acked.status).toBe(200);
    const ackAt = Date.parse(acked.body.acknowledgedAt ?? '');

    const { body } = await server.api<BusinessImpact>('/api/insights/impact');
    const days = (ms: number) => ms / DAY;
    expect(body.identification.toAlert.current.count).toBe(1);
    expect(body.identification.toAlert.current.medianDays).toBeCloseTo(
      days(Date.parse(alert.firstSeen) - firstEventAt),
      12,
    );
    expect(body.identification.toAcknowledge.current.medianDays).toBeCloseTo(days(ackAt - firstEventAt), 12);
    expect(body.identification.toAlert.previous.count).toBe(0);
    expect(body.identification.toAlert.trend).toBeNull();
  });

  it('counts received, accepted, quarantined and refused events durably across a restart', async () => {
    const revenue = (amount: unknown) => ({
      event: 'revenue_impact_event',
      distinct_id: 'acme',
      uuid: randomUUID(),
      properties: { tenant_id: 'acme', impact_amount: amount, impact_type: 'positive' },
    });
    // Two accepted, one quarantined (its amount is not a number), one request refused (wrong token).
    const answered = await capture(server, [revenue(10), revenue(20), revenue('lots')]);
    expect(answered.status).toBe(200);
    expect(answered.body).toContain('quarantined');
    expect((await capture(server, [revenue(5)], 'phc_not_the_token')).status).toBe(401);
    await server.close();

    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN }, dataDir);
    expect((await capture(server, [revenue(30)])).status).toBe(200);
    const admin = await server.api<BusinessImpact>('/api/insights/impact');
    // The incident test above captured two more accepted events.
    expect(admin.body.captureSuccess.current).toEqual({
      received: 6,
      accepted: 5,
      quarantined: 1,
      refused: 0,
      refusedRequests: 1,
      rate: 5 / 6,
    });
    expect(admin.body.captureSuccess.target).toBe(0.999);
    // A caller scoped to another tenant sees none of acme's counts.
    const key = await server.api<{ key: string }>('/api/keys', {
      body: { role: 'tenant_executive', tenants: ['globex'] },
    });
    const scoped = await fetch(`${server.url}/api/insights/impact`, {
      headers: { authorization: `Bearer ${key.body.key}` },
    });
    const impact = (await scoped.json()) as BusinessImpact;
    expect(impact.captureSuccess.current.received).toBe(0);
  });
});
