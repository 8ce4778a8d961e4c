import type { ReportRun, ReportScheduleView, Summary } from '@pulse/api';
import type { Attachment } from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money, score } from '@pulse/events/format';
import { manualClock } from './helpers/manual-clock.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { pdfText, startSmtpReceiver, type ReceivedMail } from './helpers/report-mail.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// Monday 16 March 2026, 09:00 UTC: "0 8 * * MON" in Berlin last fired at 07:00 UTC today, and before that on
// 9 March, so the report covers [9 March 07:00Z, 16 March 07:00Z).
const NOW = Date.UTC(2026, 2, 16, 9);
const PERIOD = { from: '2026-03-09T07:00:00.000Z', to: '2026-03-16T07:00:00.000Z' };
const at = (d: number) => new Date(Date.UTC(2026, 2, d, 12)).toISOString();
let n = 0;
const ev = (event: string, tenant: string, timestamp: string, properties: Record<string, unknown>) => ({
  event,
  distinct_id: tenant,
  uuid: `01950000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  timestamp,
  properties: { tenant_id: tenant, ...properties },
});

const events = [
  ev('revenue_impact_event', 'acme', at(10), { impact_amount: 12_000, impact_type: 'positive' }),
  ev('revenue_impact_event', 'acme', at(11), { impact_amount: 2_500, impact_type: 'negative' }),
  ev('revenue_impact_event', 'acme', at(4), { impact_amount: 8_000, impact_type: 'positive' }),
  ev('revenue_impact_event', 'globex', at(12), { impact_amount: 40_000, impact_type: 'negative' }),
  ev('revenue_impact_event', 'globex', at(12), { impact_amount: 7_000, impact_type: 'positive' }),
  ev('cost_optimization_event', 'acme', at(10), {
    savings_amount: 1_200,
    optimization_type: 'implemented',
    optimization_category: 'infrastructure',
  }),
  ev('cost_optimization_event', 'globex', at(11), {
    savings_amount: 9_900,
    optimization_type: 'identified',
    optimization_category: 'staffing',
    required_actions: ['Renegotiate the globex staffing contract'],
  }),
  ev('operational_efficiency_event', 'acme', at(10), { efficiency_metric: 'delivery', efficiency_score: 81 }),
  ev('operational_efficiency_event', 'globex', at(10), {
    efficiency_metric: 'support',
    efficiency_score: 55,
  }),
  ev('strategic_decision_event', 'globex', at(11), {
    decision_type: 'hiring',
    decision_title: 'Globex hiring freeze',
    decision_id: 'g-1',
    status: 'approved',
  }),
  ev('email_deliverability_event', 'acme', at(10), {
    email_count: 1000,
    delivery_outcome: 'mixed',
    bounce_rate: 0.02,
  }),
  ev('email_deliverability_event', 'globex', at(10), {
    email_count: 500,
    delivery_outcome: 'bounced',
    bounce_rate: 0.3,
  }),
];

const TENANT_EXEC = 'te@acme.test';
const EXEC = 'exec@corp.test';

describe('scheduled reports: each recipient’s own scope, in every part', () => {
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let schedule: ReportScheduleView;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    server = await startTestServer(
      { PULSE_SMTP_URL: smtp.url, PULSE_REPORT_EMAIL_FROM: 'Pulse reports <reports@pulse.test>' },
      temporaryDirectory('pulse-reports-'),
      { clock: manualClock(NOW) },
    );
    const res = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'phc_x', batch: events, historical_migration: true }),
    });
    expect(res.status).toBe(200);
    for (const tenant of ['acme', 'globex'])
      expect(
        (
          await server.api(`/api/subscriptions/${tenant}`, {
            method: 'PUT',
            body: { status: 'active', planName: 'Pro', priceMonthly: 500 },
          })
        ).status,
      ).toBe(200);
    const users = [
      { email: TENANT_EXEC, role: 'tenant_executive', tenants: ['acme'] },
      { email: EXEC, role: 'executive', tenants: 'all' },
    ];
    for (const user of users)
      expect(
        (await server.api('/api/users', { body: { ...user, password: 'a long enough password 1' } })).status,
      ).toBe(201);
    const created = await server.api<ReportScheduleView>('/api/report-schedules', {
      body: {
        name: 'Weekly executive report',
        cron: '0 8 * * MON',
        timezone: 'Europe/Berlin',
        recipients: [TENANT_EXEC, EXEC],
      },
    });
    expect(created.status).toBe(201);
    schedule = created.body;
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  const summaryOf = async (tenants?: string) =>
    (
      await server.api<Summary>(
        `/api/summary?from=${PERIOD.from}&to=${PERIOD.to}${tenants ? `&tenant=${tenants}` : ''}`,
      )
    ).body;

  /** Every part of a mail a reader could see: subject, bodies, attachment names and their text. */
  function everything(mail: ReceivedMail): string {
    const { parsed } = mail;
    const attachments = parsed.attachments.map(
      (a: Attachment) =>
        `${a.filename}\n${a.mimeType === 'application/pdf' ? pdfText(a.content as ArrayBuffer) : a.mimeType.startsWith('text/') ? Buffer.from(a.content as ArrayBuffer).toString('utf8') : ''}`,
    );
    return [parsed.subject, parsed.text, parsed.html, ...attachments].join('\n');
  }

  const pdfOf = (mail: ReceivedMail) => {
    const pdf = mail.parsed.attachments.find((a) => a.mimeType === 'application/pdf');
    expect(pdf).toBeDefined();
    return pdfText(pdf?.content as ArrayBuffer);
  };

  it('sends each recipient a copy of their scope only, with the numbers of /api/summary for it', async () => {
    const arrivals = Promise.all([smtp.next(TENANT_EXEC), smtp.next(EXEC)]);
    const sent = await server.api<ReportRun>(`/api/report-schedules/${schedule.id}/send`, { method: 'POST' });
    expect(sent.status).toBe(202);
    expect(sent.body.period).toEqual(PERIOD);
    const [tenantMail, execMail] = await arrivals;

    const acme = await summaryOf('acme');
    const all = await summaryOf();
    expect(acme.tenants).toBe(1);
    expect(all.tenants).toBe(2);

    // the tenant executive: acme's figures, and no trace of globex anywhere
    const tenantHtml = tenantMail.parsed.html ?? '';
    expect(tenantHtml).toContain(`Scope: Tenant: acme`);
    expect(tenantHtml).toContain(`${score(acme.overallBusinessHealth ?? NaN)} / 100`);
    expect(tenantHtml).toContain(money(acme.keyMetrics.costOptimizationSavings));
    expect(tenantHtml).toContain(money(acme.keyMetrics.monthlyRevenueProtection));
    expect(tenantHtml).toMatch(/<img src="cid:health-components@pulse"/);
    const tenantPdf = pdfOf(tenantMail);
    expect(tenantPdf).toContain('Health score');
    expect(tenantPdf).toContain(`${score(acme.overallBusinessHealth ?? NaN)} / 100`);
    expect(tenantPdf).toContain(money(acme.keyMetrics.costOptimizationSavings));
    expect(tenantPdf).toContain('Tenant: acme');
    expect(tenantPdf).toMatch(/Page 1 of \d/);
    const csvNames = tenantMail.parsed.attachments.map((a) => a.filename);
    expect(csvNames).toContain('performance-dashboard-2026-03-16.csv');
    expect(everything(tenantMail).toLowerCase()).not.toContain('globex');

    // the executive: every tenant, the all-tenant figures
    const execHtml = execMail.parsed.html ?? '';
    expect(execHtml).toContain('Scope: All tenants');
    expect(execHtml).toContain(`${score(all.overallBusinessHealth ?? NaN)} / 100`);
    expect(execHtml).toContain(money(all.keyMetrics.projectedSavings));
    const execPdf = pdfOf(execMail);
    expect(execPdf).toContain(`${score(all.overallBusinessHealth ?? NaN)} / 100`);
    expect(execPdf).toContain('globex');
    expect(execPdf).toContain('acme');
    expect(everything(execMail)).toContain('Globex hiring freeze');
    expect(acme.overallBusinessHealth).not.toBe(all.overallBusinessHealth);

    await server.alerts.idle();
    const history = await server.api<{ runs: ReportRun[] }>(`/api/report-schedules/${schedule.id}/history`);
    expect(history.body.runs[0]?.recipients).toEqual([
      { recipient: TENANT_EXEC, scope: 'Tenant: acme', status: 'sent', attempts: 1, error: null },
      { recipient: EXEC, scope: 'All tenants', status: 'sent', attempts: 1, error: null },
    ]);
  });

  it('previews exactly what a recipient gets, as a PDF, without sending', async () => {
    const before = smtp.mails.length;
    const res = await fetch(
      `${server.url}/api/report-schedules/${schedule.id}/preview?as=${TENANT_EXEC}&format=pdf`,
      { headers: { authorization: `Bearer ${server.adminKey}` } },
    );
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const text = pdfText(await res.arrayBuffer());
    expect(text).toContain('Tenant: acme');
    expect(text.toLowerCase()).not.toContain('globex');
    // The widest table is printed whole, every column on the page (none cut off at the right), one format each.
    expect(text).toMatch(/acme\s+Pro\s+\$12,000\s+\$2,500\s+65\.5\s+\$1,200\s+\$0\s+240\.0 %\s+81\.0\s+0\n/);
    expect(smtp.mails.length).toBe(before);
  });
});
