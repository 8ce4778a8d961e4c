import type { BusinessImpact, ReportRun, ReportScheduleView } from '@pulse/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rate, score } from '@pulse/events/format';
import { manualClock } from './helpers/manual-clock.js';
import { runCli } from './helpers/run-cli.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { startSmtpReceiver } from './helpers/report-mail.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// Monday 16 March 2026, 09:00 UTC; "0 8 * * MON" in Berlin last fired at 07:00 UTC.
const NOW = Date.UTC(2026, 2, 16, 9);
const FIRE = Date.UTC(2026, 2, 16, 7);
const HOUR = 3_600_000;
const CFO = 'cfo@outside.test';

let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
const servers: TestServer[] = [];
beforeAll(async () => {
  smtp = await startSmtpReceiver();
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  smtp.mails.length = 0;
  smtp.refuse(0);
});
afterAll(async () => smtp.close());

async function start(
  at: number,
  dataDir = temporaryDirectory('pulse-schedules-'),
  env: Record<string, string> = {},
) {
  const server = await startTestServer({ PULSE_SMTP_URL: smtp.url, ...env }, dataDir, {
    clock: manualClock(at),
  });
  servers.push(server);
  return server;
}

/** A schedule for an address without a Pulse user: it sees the one tenant shared with it. */
const weekly = {
  name: 'Weekly',
  cron: '0 8 * * MON',
  timezone: 'Europe/Berlin',
  recipients: [CFO],
  tenants: ['acme'],
  formats: ['html', 'csv'],
};

async function create(server: TestServer, body: object = weekly) {
  const created = await server.api<ReportScheduleView>('/api/report-schedules', { body });
  expect(created.status).toBe(201);
  return created.body;
}

const history = async (server: TestServer, id: string) =>
  (await server.api<{ runs: ReportRun[] }>(`/api/report-schedules/${id}/history`)).body.runs;

describe('report schedules over the API', () => {
  it('stores, lists, patches and deletes schedules; refuses bad input naming the field', async () => {
    const server = await start(NOW);
    const schedule = await create(server);
    expect(schedule).toMatchObject({ timezone: 'Europe/Berlin', nextRun: '2026-03-23T07:00:00.000Z' });
    expect(schedule.sections).toHaveLength(7);

    const bad = async (body: object, message: RegExp) => {
      const res = await server.api<{ error: { code: string; message: string } }>('/api/report-schedules', {
        body: { ...weekly, ...body },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.message).toMatch(message);
    };
    await bad({ cron: '0 8 * *' }, /^cron "0 8 \* \*" is not a cron pattern/);
    await bad({ timezone: 'Europe/Atlantis' }, /^timezone "Europe\/Atlantis" is not an IANA time zone/);
    await bad(
      { recipients: ['not-an-address'] },
      /^recipients\[0\] "not-an-address" is not an email address/,
    );
    await bad({ sections: ['forecast'] }, /^sections\[0\]/);

    const patched = await server.api<ReportScheduleView>(`/api/report-schedules/${schedule.id}`, {
      method: 'PATCH',
      body: { cron: '0 8 1W * *' },
    });
    expect(patched.body).toMatchObject({ cron: '0 8 1W * *', nextRun: '2026-04-01T06:00:00.000Z' });
    expect((await server.api<{ schedules: unknown[] }>('/api/report-schedules')).body.schedules).toHaveLength(
      1,
    );
    const removed = await server.api(`/api/report-schedules/${schedule.id}`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect((await server.api(`/api/report-schedules/${schedule.id}`)).status).toBe(404);
  });

  it('names the Debian package when a PDF is asked for and Chromium is not there', async () => {
    const server = await start(NOW, undefined, { PULSE_CHROMIUM_PATH: '/nonexistent/chromium' });
    const schedule = await create(server);
    const res = await server.api<{ error: { code: string; message: string } }>(
      `/api/report-schedules/${schedule.id}/preview?as=${CFO}&format=pdf`,
    );
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('pdf_engine_missing');
    expect(res.body.error.message).toContain('/nonexistent/chromium');
    expect(res.body.error.message).toContain('apt-get install chromium');
  });

  it('retries a refused delivery and sends each copy of a run once', async () => {
    const server = await start(NOW);
    const schedule = await create(server);
    smtp.refuse(1); // the first attempt gets a 451, the retry goes through
    const arrived = smtp.next(CFO);
    const record = (await server.storage.reportSchedules.get(schedule.id))!;
    const run = await server.reportSchedules.runScheduled(record, FIRE, 'schedule');
    expect(run?.recipients).toEqual([
      {
        recipient: CFO,
        scope: 'Tenant: acme',
        deliveryId: `report.${schedule.id}.2026-03-16T07:00:00.000Z.${CFO}`,
        skipped: null,
      },
    ]);
    const mail = await arrived;
    expect(mail.parsed.subject).toContain('Weekly');
    expect(mail.parsed.headers.find((h) => h.key === 'x-pulse-idempotency-key')?.value).toBe(
      run?.recipients[0]?.deliveryId,
    );
    await server.alerts.idle();
    // the same scheduled instant again (a second timer, a restart's catch-up): nothing new is sent
    expect(await server.reportSchedules.runScheduled(record, FIRE, 'schedule')).toBeNull();
    await server.alerts.idle();
    expect(smtp.mails.filter((m) => m.to.includes(CFO))).toHaveLength(1);
    const runs = await history(server, schedule.id);
    expect(runs).toHaveLength(1);
    // generated once, delivered once, each in the audit trail
    await server.storage.audit.flush();
    const audited = await server.storage.audit.list({ action: 'report.' });
    expect(audited.map((r) => [r.action, r.result]).sort()).toEqual([
      ['report.deliver', 'ok'],
      ['report.generate', 'ok'],
    ]);
    expect(audited.find((r) => r.action === 'report.deliver')?.detail).toMatchObject({
      recipient: CFO,
      scope: 'Tenant: acme',
      attempts: 2,
    });
    expect(runs[0]?.recipients).toEqual([
      {
        recipient: CFO,
        scope: 'Tenant: acme',
        status: 'sent',
        attempts: 2,
        error: null,
      },
    ]);
  });

  it('generates a scheduled instant fired twice at once (two timers, two processes) only once', async () => {
    const server = await start(NOW);
    const schedule = await create(server);
    const record = (await server.storage.reportSchedules.get(schedule.id))!;
    const runs = await Promise.all([
      server.reportSchedules.runScheduled(record, FIRE, 'schedule'),
      server.reportSchedules.runScheduled(record, FIRE, 'catch-up'),
    ]);
    expect(runs.filter((r) => r !== null)).toHaveLength(1);
    await server.alerts.idle();
    expect(smtp.mails.filter((m) => m.to.includes(CFO))).toHaveLength(1);
    await server.storage.audit.flush();
    expect(await server.storage.audit.list({ action: 'report.generate' })).toHaveLength(1);
  });

  it('gives an address outside Pulse nothing when no tenant was shared with it', async () => {
    const server = await start(NOW);
    const schedule = await create(server, { ...weekly, tenants: null });
    const sent = await server.api<ReportRun>(`/api/report-schedules/${schedule.id}/send`, { method: 'POST' });
    expect(sent.body.recipients).toEqual([
      {
        recipient: CFO,
        scope: '—',
        status: 'skipped',
        attempts: 0,
        error: 'no tenants are shared with addresses outside Pulse',
      },
    ]);
  });
});

describe('pulse reports', () => {
  it('adds a schedule, previews a recipient’s copy to a file, sends it and shows the history', async () => {
    const server = await start(NOW);
    const client = ['--url', server.url, '--key', server.adminKey];
    const added = await runCli(
      {},
      'reports',
      'add',
      '--name',
      'From the CLI',
      '--cron',
      '0 8 * * MON',
      '--timezone',
      'Europe/Berlin',
      '--to',
      CFO,
      '--tenants',
      'acme',
      '--formats',
      'html,csv',
      '--json',
      ...client,
    );
    expect(added.code, added.stderr).toBe(0);
    const { id } = JSON.parse(added.stdout) as { id: string };
    const out = join(temporaryDirectory('pulse-preview-'), 'copy.html');
    const preview = await runCli({}, 'reports', 'preview', id, '--as', CFO, '--out', out, ...client);
    expect(preview.code, preview.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Scope: Tenant: acme');
    expect(html).toContain('<img src="data:image/png;base64,');
    expect(smtp.mails).toHaveLength(0);

    const arrived = smtp.next(CFO);
    expect((await runCli({}, 'reports', 'send', id, ...client)).code).toBe(0);
    await arrived;
    await server.alerts.idle();
    const shown = await runCli({}, 'reports', 'history', id, ...client);
    expect(shown.stdout).toMatch(/manual\s+cfo@outside\.test\s+Tenant: acme\s+sent/);
    expect((await runCli({}, 'reports', 'list', ...client)).stdout).toContain('From the CLI');
  });
});

describe('runs missed while Pulse was down', () => {
  it('sends the latest missed run once at start when it is recent, and records an older one as missed', async () => {
    const dataDir = temporaryDirectory('pulse-catch-up-');
    // created on Sunday; Pulse is down over Monday 07:00 UTC and back 2 hours later
    let server = await start(FIRE - 20 * HOUR, dataDir);
    const schedule = await create(server);
    await server.close();
    servers.splice(0);

    const arrived = smtp.next(CFO);
    server = await start(FIRE + 2 * HOUR, dataDir);
    await arrived;
    await server.reportSchedules.idle();
    await server.close();
    servers.splice(0);

    // back again: that run is recorded, so nothing is sent twice
    server = await start(FIRE + 3 * HOUR, dataDir);
    await server.reportSchedules.idle();
    await server.alerts.idle();
    expect(smtp.mails).toHaveLength(1);
    const runs = await history(server, schedule.id);
    expect(runs.map((r) => [r.instant, r.trigger])).toEqual([['2026-03-16T07:00:00.000Z', 'catch-up']]);
    await server.close();
    servers.splice(0);

    // down for the whole next week and back 2 days after its fire: recorded as missed, not sent
    server = await start(FIRE + 7 * 24 * HOUR + 48 * HOUR, dataDir);
    await server.reportSchedules.idle();
    const later = await history(server, schedule.id);
    expect(later[0]).toMatchObject({
      instant: '2026-03-23T07:00:00.000Z',
      trigger: 'missed',
      recipients: [],
    });
    expect(smtp.mails).toHaveLength(1);
  });
});

describe('insight sections', () => {
  // The week the schedule's copies cover: [9 March 07:00Z, 16 March 07:00Z).
  const PERIOD = { from: '2026-03-09T07:00:00.000Z', to: '2026-03-16T07:00:00.000Z' };
  const day = (d: number) => new Date(Date.UTC(2026, 2, d, 12)).toISOString();
  let n = 0;
  const ev = (event: string, tenant: string, d: number, properties: Record<string, unknown>) => ({
    event,
    distinct_id: tenant,
    uuid: `01950000-0000-7000-9000-${String(++n).padStart(12, '0')}`,
    timestamp: day(d),
    properties: { tenant_id: tenant, ...properties },
  });
  const revenue = (tenant: string, d: number, amount: number) =>
    ev('revenue_impact_event', tenant, d, { impact_amount: amount, impact_type: 'positive' });
  const TENANT_EXEC = 'te@acme.test';
  const EXEC = 'exec@corp.test';

  it('shows forecasts, impact and benchmarks with each recipient’s scope only', async () => {
    const server = await start(NOW);
    const events = [
      ...[2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((d) => revenue('acme', d, 1_000 + d * 10)),
      revenue('globex', 12, 77_777),
      ev('operational_efficiency_event', 'acme', 10, { efficiency_metric: 'delivery', efficiency_score: 81 }),
      ev('operational_efficiency_event', 'globex', 10, {
        efficiency_metric: 'support',
        efficiency_score: 43.7,
      }),
      ev('cost_optimization_event', 'acme', 10, {
        savings_amount: 1_200,
        optimization_type: 'implemented',
        optimization_category: 'infrastructure',
      }),
      ev('cost_optimization_event', 'acme', 11, {
        savings_amount: 800,
        optimization_type: 'identified',
        optimization_category: 'staffing',
      }),
      // Proposed on the 10th, completed on the 13th: 3 days; globex's 9-day decision is not acme's.
      ...[
        ['acme', 10, 'proposed'],
        ['acme', 13, 'completed'],
        ['globex', 4, 'proposed'],
        ['globex', 13, 'completed'],
      ].map(([tenant, d, status]) =>
        ev('strategic_decision_event', String(tenant), Number(d), {
          decision_id: `${String(tenant)}-1`,
          decision_type: 'vendor_selection',
          decision_title: 'Vendor',
          status,
        }),
      ),
    ];
    const captured = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'phc_x', batch: events, historical_migration: true }),
    });
    expect(captured.status).toBe(200);
    for (const user of [
      { email: TENANT_EXEC, role: 'tenant_executive', tenants: ['acme'] },
      { email: EXEC, role: 'executive', tenants: 'all' },
    ])
      expect(
        (await server.api('/api/users', { body: { ...user, password: 'a long enough password 1' } })).status,
      ).toBe(201);
    const schedule = await create(server, {
      ...weekly,
      recipients: [TENANT_EXEC, EXEC],
      tenants: null,
      sections: ['forecasts', 'impact', 'benchmarks'],
      formats: ['html'],
    });
    const preview = async (as: string) => {
      const res = await fetch(
        `${server.url}/api/report-schedules/${schedule.id}/preview?as=${as}&format=html`,
        {
          headers: { authorization: `Bearer ${server.adminKey}` },
        },
      );
      const body = await res.text();
      expect(res.status, body).toBe(200);
      return body;
    };
    const tenantCopy = await preview(TENANT_EXEC);

    // Forecasts: the chosen method per metric, and a chart per metric with data (no resource costs here).
    expect(tenantCopy).toContain('Forecast methods');
    expect(tenantCopy).toMatch(/<td[^>]*>(holt_winters_additive|holt_linear|seasonal_naive|naive)<\/td>/);
    expect(tenantCopy.match(/<img src="data:image\/png;base64,/g)).toHaveLength(2);

    // Impact: the figures of the API for the same scope and period.
    const impact = await server.api<BusinessImpact>(
      `/api/insights/impact?tenant=acme&from=${PERIOD.from}&to=${PERIOD.to}`,
    );
    expect(impact.status).toBe(200);
    const shown = (label: string) =>
      new RegExp(`data-metric="${label.replace(/[()]/g, '\\$&')}">([^<]*)<`).exec(tenantCopy)?.[1];
    const days = (v: number | null) => (v === null ? '—' : `${score(v)} days`);
    const share = (v: number | null) => (v === null ? '—' : rate(v));
    const i = impact.body;
    expect(i.savingsRealization.current.share).toBe(0.6);
    expect(i.decisionVelocity.current.medianDays).toBe(3);
    expect(shown('Realized savings share')).toBe(share(i.savingsRealization.current.share));
    expect(shown('Capture success rate')).toBe(share(i.captureSuccess.current.rate));
    expect(shown('Decision velocity (median)')).toBe(days(i.decisionVelocity.current.medianDays));
    expect(shown('Issue identification (median, to alert)')).toBe(
      days(i.identification.toAlert.current.medianDays),
    );

    // Benchmarks: acme's own values and how many tenants were compared; nothing of globex.
    expect(tenantCopy).toContain('2 tenants compared');
    expect(tenantCopy).toMatch(/>acme<\/td><td[^>]*>81.0<\/td>/);
    for (const leak of ['globex', '43.7', '77,777', '; median']) expect(tenantCopy).not.toContain(leak);

    // The same checks would catch a leak: an executive's copy does show globex.
    const executiveCopy = await preview(EXEC);
    for (const shownToAll of ['globex', '43.7', '77,777', '; median'])
      expect(executiveCopy).toContain(shownToAll);
  });
});
