import type { Report, ReportScheduleView } from '@pulse/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from './helpers/manual-clock.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { startSmtpReceiver } from './helpers/report-mail.js';
import { runCli } from './helpers/run-cli.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// Report tables as people read them, through the API, the CLI and a scheduled report's HTML: each label
// says the period its figures cover (month to date where they are), columns carry human titles and one
// format each (same decimals on every row), wide tables stay inside their box; CSV stays raw.

const NOW = Date.UTC(2026, 2, 16, 9); // Monday 16 March 2026, 09:00 UTC
const TO = new Date(NOW).toISOString();
const day = (d: number) => new Date(Date.UTC(2026, 2, d, 12)).toISOString();
let n = 0;
const ev = (event: string, tenant: string, timestamp: string, properties: Record<string, unknown>) => ({
  event,
  distinct_id: tenant,
  uuid: `01950000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  timestamp,
  properties: { tenant_id: tenant, ...properties },
});
const saving = (d: number, amount: number, roi: number, type = 'implemented') =>
  ev('cost_optimization_event', 'acme', day(d), {
    savings_amount: amount,
    optimization_type: type,
    optimization_category: 'infrastructure',
    savings_percentage: 12.5,
    roi,
  });

describe('report tables for people', () => {
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  const report = async (name: string, query = '') => {
    const res = await server.api<Report>(`/api/reports/${name}${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    server = await startTestServer({ PULSE_SMTP_URL: smtp.url }, temporaryDirectory('pulse-tables-'), {
      clock: manualClock(NOW),
    });
    const res = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: 'phc_x',
        historical_migration: true,
        batch: [
          saving(2, 1200, 240),
          saving(3, 805.5, 101.25, 'identified'),
          ev('cost_optimization_event', 'acme', '2026-02-20T12:00:00.000Z', {
            savings_amount: 9000,
            optimization_type: 'implemented',
            optimization_category: 'staffing',
          }), // last month: inside "the last 30 days", outside the month to date
          ev('revenue_impact_event', 'acme', day(10), { impact_amount: 1234.56, impact_type: 'positive' }),
          ev('revenue_impact_event', 'acme', day(11), { impact_amount: 100, impact_type: 'negative' }),
          ev('operational_efficiency_event', 'acme', day(9), {
            efficiency_metric: 'delivery',
            efficiency_score: 80,
          }),
        ],
      }),
    });
    expect(await res.text()).toBe('{"status":"Ok"}');
    const set = await server.api('/api/subscriptions/acme', {
      method: 'PUT',
      body: {
        status: 'active',
        planName: 'Pro',
        priceMonthly: 500,
        currentPeriodStart: '2026-03-01T00:00:00.000Z',
        currentPeriodEnd: '2026-04-01T00:00:00.000Z',
      },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('labels each report with the period its figures cover, from the window that computed them', async () => {
    // The default request window is the last 30 days; the cost report still counts the month to date.
    const cost = await report('cost-optimization', `?to=${TO}`);
    expect(cost.window.label).toBe('Month to date: Mar 1, 2026 – Mar 16, 2026 (UTC)');
    expect(cost.window.from).toBe('2026-03-01T00:00:00.000Z');
    expect(cost.rows.map((r) => r.optimization_category)).toEqual(['infrastructure']);

    const performance = await report(
      'performance-dashboard',
      '?from=2026-03-01T00:00:00Z&to=2026-03-15T00:00:00Z',
    );
    expect(performance.window.label).toBe('2026-03-01 00:00 UTC – 2026-03-15 00:00 UTC');

    const cli = await runCli(
      {},
      'report',
      'cost-optimization',
      '--to',
      TO,
      '--url',
      server.url,
      '--key',
      server.adminKey,
    );
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout.split('\n')[0]).toBe(
      'Cost optimization, month to date · Month to date: Mar 1, 2026 – Mar 16, 2026 (UTC)',
    );
  });

  it('gives every column a human title and a kind; the CSV keeps the raw names and values', async () => {
    const cost = await report('cost-optimization', `?to=${TO}`);
    expect(cost.columnDisplay.map((c) => c.name)).toEqual(cost.columns);
    expect(cost.columnDisplay.find((c) => c.name === 'total_savings')).toEqual({
      name: 'total_savings',
      title: 'Total savings',
      kind: 'money',
    });
    for (const c of [...cost.columnDisplay, ...(await report('performance-dashboard')).columnDisplay])
      expect(c.title, c.name).not.toMatch(/_/);

    const csv = await fetch(`${server.url}/api/reports/cost-optimization?to=${TO}&format=csv`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    expect((await csv.text()).split('\r\n').slice(0, 2)).toEqual([
      cost.columns.join(','),
      'acme,infrastructure,2,2005.5,12.5,170.63,1,1',
    ]);
  });

  it('a scheduled report’s tables: titled, one format per column, inside a box that scrolls', async () => {
    const created = await server.api<ReportScheduleView>('/api/report-schedules', {
      body: {
        name: 'Monthly',
        cron: '0 8 * * MON',
        timezone: 'UTC',
        recipients: ['cfo@outside.test'],
        tenants: ['acme'],
        formats: ['html'],
        sections: ['performance-dashboard', 'cost-optimization'],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const res = await fetch(
      `${server.url}/api/report-schedules/${created.body.id}/preview?as=cfo@outside.test&format=html`,
      { headers: { authorization: `Bearer ${server.adminKey}` } },
    );
    const html = await res.text();
    expect(res.status, html).toBe(200);

    // The cost section says it is month to date, though the schedule's period is a week.
    expect(html).toContain('Month to date: Mar 1, 2026 – Mar 16, 2026 (UTC). Per tenant and category.');
    // Every table sits in a box that scrolls sideways rather than being cut off.

    const tables = html.match(/<table role="table"/g) ?? [];
    expect(tables.length).toBe(2);
    expect(html.match(/<div style="overflow-x:auto[^"]*"><table role="table"/g)).toHaveLength(2);
    // Human titles, never a raw column name.
    const headings = [...html.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headings).toContain('Total savings');
    expect(headings).toContain('Average ROI');
    for (const h of headings) expect(h).not.toMatch(/_/);
    // One number of decimals per column: ROI 170.63, savings in whole dollars as one-decimal figures.
    const row = html.slice(html.indexOf('>infrastructure<'));
    const cells = [...row.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]).slice(0, 5);
    expect(cells).toEqual(['2', '$2,006', '170.6', '1', '1']);
    expect(html).toContain('>$1,235<'); // revenue gained: whole dollars
    expect(html).toMatch(/>80\.0</); // efficiency: a score with one decimal, even when whole
  });
});
