import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// GET /api/series breaks the window's deliverability down per email provider: Σ email_count, the
// email_count-weighted bounce and spam rates (each over the reports that carry it) and the latest risk_level.
const at = (month: number, d: number) => new Date(Date.UTC(2026, month - 1, d, 12)).toISOString();
const window = 'from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z';
let n = 0;
const email = (tenant: string, timestamp: string, properties: Record<string, unknown>) => ({
  event: 'email_deliverability_event',
  distinct_id: tenant,
  uuid: `01950000-0000-7000-8001-${String(++n).padStart(12, '0')}`,
  timestamp,
  properties: { tenant_id: tenant, delivery_outcome: 'mixed', ...properties },
});

const events = [
  email('acme', at(3, 2), {
    provider: 'sendgrid',
    email_count: 1000,
    bounce_rate: 0.1,
    spam_rate: 0.001,
    risk_level: 'medium',
  }),
  email('globex', at(3, 5), {
    provider: 'sendgrid',
    email_count: 3000,
    bounce_rate: 0.02,
    spam_rate: 0.002,
    risk_level: 'low',
  }),
  email('acme', at(3, 4), {
    provider: 'mailgun',
    email_count: 500,
    bounce_rate: 0.2,
    spam_rate: 0.004,
    risk_level: 'critical',
  }),
  // No spam_rate: it weighs the bounce rate only.
  email('acme', at(3, 6), { provider: 'mailgun', email_count: 500, bounce_rate: 0, risk_level: 'low' }),
  // No provider: in the chart, not in the breakdown.
  email('acme', at(3, 3), { email_count: 200, bounce_rate: 0.5 }),
  // Outside the window.
  email('acme', at(4, 2), { provider: 'ses', email_count: 100, bounce_rate: 0.3 }),
];

interface Provider {
  provider: string;
  emails: number;
  bounceRate: number | null;
  spamRate: number | null;
  riskLevel: string | null;
}
const providersOf = async (server: TestServer, query: string) => {
  const res = await server.api<{ providers: Provider[] }>(`/api/series?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.providers;
};

describe('GET /api/series: deliverability per provider', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'phc_x', batch: events, historical_migration: true }),
    });
    expect(await res.text()).toBe('{"status":"Ok"}');
    await server.pipeline.drain(); // the store has them before the first query
  });
  afterAll(async () => server.close());

  it('sums emails and weights the rates by email_count, per provider present in the window', async () => {
    const providers = await providersOf(server, window);
    expect(providers.map((p) => p.provider)).toEqual(['mailgun', 'sendgrid']);
    const [mailgun, sendgrid] = providers;
    // mailgun: (500 × 0.2 + 500 × 0) / 1000; spam over the one report with a spam_rate.
    expect(mailgun).toMatchObject({ emails: 1000, riskLevel: 'low' });
    expect(mailgun?.bounceRate).toBeCloseTo(0.1, 12);
    expect(mailgun?.spamRate).toBeCloseTo(0.004, 12);
    // sendgrid: (1000 × 0.1 + 3000 × 0.02) / 4000 and (1000 × 0.001 + 3000 × 0.002) / 4000.
    expect(sendgrid).toMatchObject({ emails: 4000, riskLevel: 'low' });
    expect(sendgrid?.bounceRate).toBeCloseTo(0.04, 12);
    expect(sendgrid?.spamRate).toBeCloseTo(0.00175, 12);
  });

  it("keeps to the caller's scope, and is empty when no report names a provider", async () => {
    const acme = await providersOf(server, `${window}&tenant=acme`);
    expect(acme.find((p) => p.provider === 'sendgrid')).toMatchObject({
      emails: 1000,
      bounceRate: 0.1,
      spamRate: 0.001,
      riskLevel: 'medium',
    });
    expect(await providersOf(server, 'from=2026-02-01T00:00:00Z&to=2026-02-28T00:00:00Z')).toEqual([]);
  });
});
