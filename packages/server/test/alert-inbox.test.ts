import type { AlertGroup, AlertView, Silence } from '@pulse/api';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from './helpers/manual-clock.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { runCli } from './helpers/run-cli.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

/** The alert webhook's receiver: the tenants of the alerts it was told about. */
const told: string[] = [];
let receiver: Server;
/** While set, the receiver fails this tenant's notifications; the first waits for `release`. */
let failing: { tenant: string; arrived: () => void; release: Promise<void> } | null = null;

const clock = manualClock();
const dataDir = temporaryDirectory('pulse-inbox-');
let server: TestServer;

const start = async () => {
  server = await startTestServer(
    {
      PULSE_ALERT_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      PULSE_ALERT_WEBHOOK_SECRET: 'whsec_dGVzdC1zZWNyZXQtZm9yLXB1bHNlLWlu',
    },
    dataDir,
    { clock },
  );
};

const loss = (tenant: string, amount: number, eventType: string) => ({
  event: 'revenue_impact_event',
  distinct_id: tenant,
  properties: { tenant_id: tenant, impact_amount: amount, impact_type: 'negative', event_type: eventType },
});
const savings = (tenant: string, amount: number) => ({
  event: 'cost_optimization_event',
  distinct_id: tenant,
  properties: {
    tenant_id: tenant,
    optimization_category: 'infrastructure',
    savings_amount: amount,
    optimization_type: 'identified',
  },
});

/** Captures events and waits until their alerts are evaluated, stored and every notification sent. */
async function capture(...batch: object[]): Promise<void> {
  const response = await fetch(`${server.url}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: 'phc_x', batch }),
  });
  expect(response.status).toBe(200);
  await server.pipeline.barrier();
  await server.alerts.flush();
  await server.alerts.idle();
}

const list = async (query: string) =>
  (
    await server.api<{ alerts: AlertView[]; hasMore: boolean; nextCursor: string | null }>(
      `/api/alerts?${query}`,
    )
  ).body;
const groups = async (query: string) =>
  (await server.api<{ groups: AlertGroup[]; nextCursor: string | null }>(`/api/alerts/groups?${query}`)).body;
const cli = (...args: string[]) =>
  runCli({}, 'alerts', ...args, '--url', server.url, '--key', server.adminKey, '--json');

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const sent = JSON.parse(body) as { data: { alert?: { tenant_id: string } } };
      const tenant = sent.data.alert?.tenant_id;
      if (failing && tenant === failing.tenant) {
        failing.arrived();
        void failing.release.then(() => res.writeHead(503).end('busy'));
        return;
      }
      if (tenant) told.push(tenant);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  await start();
  await capture(
    loss('acme', 20_000, 'churn'),
    loss('acme', 30_000, 'downgrade'),
    loss('acme', 40_000, 'payment_failure'),
    loss('globex', 3_000, 'churn'),
    savings('globex', 12_000),
  );
});

afterAll(async () => {
  await server.close();
  await new Promise((r) => receiver.close(r));
});

describe('the alert inbox', () => {
  it('groups repeats of one tenant + rule into a row with counts and a sparkline', async () => {
    const { groups: rows } = await groups('tenant=acme');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tenantId: 'acme',
      rule: 'revenue-loss-critical',
      severity: 'critical',
      alerts: 3,
      occurrences: 3,
      open: 3,
    });
    expect(rows[0]?.sparkline.counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(rows[0]?.latest).toMatchObject({ tenantId: 'acme', rule: 'revenue-loss-critical', state: 'open' });
    const cliGroups = await cli('groups', '--tenant', 'acme');
    expect(cliGroups.code).toBe(0);
    expect((JSON.parse(cliGroups.stdout) as { groups: AlertGroup[] }).groups[0]?.alerts).toBe(3);
  });

  it('narrows by severity, tenant, rule and state, in the API and the CLI', async () => {
    const ids = (alerts: AlertView[]) => alerts.map((a) => `${a.tenantId}/${a.rule}`).sort();
    expect(ids((await list('severity=critical')).alerts)).toEqual([
      'acme/revenue-loss-critical',
      'acme/revenue-loss-critical',
      'acme/revenue-loss-critical',
    ]);
    expect(ids((await list('tenant=globex&outlook=risk')).alerts)).toEqual(['globex/revenue-loss-medium']);
    expect(ids((await list('rule=revenue-loss-medium')).alerts)).toEqual(['globex/revenue-loss-medium']);
    expect((await list('state=resolved')).alerts).toEqual([]);
    const refused = await server.api<{ error: { code: string; message: string } }>(
      '/api/alerts?severity=low',
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('severity');

    const fromCli = await cli('list', '--severity', 'medium', '--tenant', 'globex', '--state', 'open');
    expect(ids((JSON.parse(fromCli.stdout) as { alerts: AlertView[] }).alerts)).toEqual([
      'globex/revenue-loss-medium',
    ]);
  });

  it('classifies good news as an opportunity: medium, never pushed, listed apart', async () => {
    const opportunities = (await list('outlook=opportunity')).alerts;
    expect(opportunities.map((a) => [a.rule, a.severity, a.outlook])).toEqual([
      ['savings-identified-high', 'medium', 'opportunity'],
    ]);
    const risks = (await list('outlook=risk')).alerts;
    expect(risks.every((a) => a.outlook === 'risk')).toBe(true);
    const fromCli = JSON.parse((await cli('list', '--opportunities')).stdout) as { alerts: AlertView[] };
    expect(fromCli.alerts.map((a) => a.rule)).toEqual(['savings-identified-high']);
    const risksCli = JSON.parse((await cli('list', '--tenant', 'globex')).stdout) as { alerts: AlertView[] };
    expect(risksCli.alerts.map((a) => a.rule)).toEqual(['revenue-loss-medium']);
    // A rule that reports good news cannot be raised as high or critical.
    const rule = (await server.api<Record<string, unknown>>('/api/rules/savings-identified-high')).body;
    const refused = await server.api<{ error: { message: string } }>('/api/rules/savings-identified-high', {
      method: 'PUT',
      body: { ...rule, severity: 'high' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('opportunity');
  });

  it('pages alerts and groups with cursors until nextCursor is null', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof list>> = await list(
        `tenant=acme&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.alerts).toHaveLength(1);
      seen.push(page.alerts[0]?.id ?? '');
      cursor = page.nextCursor;
      expect(page.hasMore).toBe(cursor !== null);
    } while (cursor);
    expect(new Set(seen).size).toBe(3);

    const first = await groups('limit=1&outlook=risk');
    const second = await groups(`limit=1&outlook=risk&cursor=${first.nextCursor}`);
    expect(second.nextCursor).toBeNull();
    expect([first.groups[0]?.tenantId, second.groups[0]?.tenantId].sort()).toEqual(['acme', 'globex']);
    expect((await server.api('/api/alerts?cursor=nonsense')).status).toBe(400);
  });
});

describe('snoozes and mutes', () => {
  it('a snooze hides an alert until it expires, is audited, and shows its expiry', async () => {
    const [alert] = (await list('tenant=acme&limit=1')).alerts;
    const snoozed = await server.api<Silence>(`/api/alerts/${alert?.id}/snooze`, {
      body: { minutes: 30, comment: 'waiting on finance' },
    });
    expect(snoozed.status).toBe(200);
    expect(snoozed.body).toMatchObject({ kind: 'snooze', alertId: alert?.id, active: true });
    expect((await list('tenant=acme')).alerts).toHaveLength(2);
    const hidden = (await list('tenant=acme&silenced=only')).alerts;
    expect(hidden.map((a) => [a.id, a.silence?.until])).toEqual([[alert?.id, snoozed.body.until]]);
    expect((await groups('tenant=acme')).groups[0]?.alerts).toBe(2);

    const trail = await server.api<{ records: { action: string; detail: Record<string, unknown> }[] }>(
      '/api/audit?action=alerts.snooze&limit=10',
    );
    expect(trail.body.records.find((r) => r.detail.status === 200)?.detail).toMatchObject({
      snooze: snoozed.body.id,
      alert: alert?.id,
      until: snoozed.body.until,
    });

    await clock.advance(31 * 60_000);
    expect((await list('tenant=acme')).alerts).toHaveLength(3);

    // Bad times are refused, naming the field and why.
    for (const [body, why] of [
      [{ minutes: 5, until: new Date(clock.now() + 60_000).toISOString() }, 'either until'],
      [{ until: new Date(clock.now() - 60_000).toISOString() }, 'in the future'],
      [{ until: 'tomorrow' }, 'until must match format "date-time"'],
    ] as const) {
      const refused = await server.api<{ error: { code: string; message: string } }>(
        `/api/alerts/${alert?.id}/snooze`,
        { body },
      );
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain(why);
    }
  });

  it('a mute records new occurrences but notifies nobody until it expires', async () => {
    const mute = await cli(
      'mute',
      '--tenant',
      'initech',
      '--rule',
      'revenue-loss-critical',
      '--minutes',
      '60',
    );
    expect(mute.code).toBe(0);
    const muted = JSON.parse(mute.stdout) as Silence;
    told.length = 0;
    await capture(loss('initech', 50_000, 'churn'), loss('umbrella', 50_000, 'churn'));
    expect(told).toEqual(['umbrella']);
    expect((await list('tenant=initech')).alerts).toEqual([]);
    const recorded = (await list('tenant=initech&silenced=include')).alerts;
    expect(recorded.map((a) => a.silence?.kind)).toEqual(['mute']);
    const outbox = await server.api<{ notifications: unknown[] }>(
      `/api/alerts/outbox?alert=${recorded[0]?.id}`,
    );
    expect(outbox.body.notifications).toEqual([]);
    const { mutes } = (await server.api<{ mutes: Silence[] }>('/api/alert-mutes')).body;
    expect(mutes.map((m) => [m.id, m.until])).toEqual([[muted.id, muted.until]]);

    await clock.advance(61 * 60_000);
    expect((await server.api<{ mutes: Silence[] }>('/api/alert-mutes')).body.mutes).toEqual([]);
    await capture(loss('initech', 50_000, 'downgrade'));
    expect(told).toEqual(['umbrella', 'initech']);
  });

  it('a notification queued before a mute is not sent while the mute holds', async () => {
    let release = () => undefined as void;
    let arrived = () => undefined as void;
    const first = new Promise<void>((resolve) => (arrived = resolve));
    failing = { tenant: 'hooli', arrived, release: new Promise<void>((resolve) => (release = resolve)) };
    const settled = new Promise<{ status: string; lastError: string | null }>((resolve) => {
      const stop = server.alerts.onDeliverySettled((delivery, update) => {
        if (delivery.payload.type !== 'alert' || delivery.payload.alert.tenant_id !== 'hooli') return;
        stop();
        resolve(update);
      });
    });
    const response = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'phc_x', batch: [loss('hooli', 50_000, 'churn')] }),
    });
    expect(response.status).toBe(200);
    // The first attempt is at the receiver: mute now, then let it fail; the retry finds the mute.
    await first;
    const mute = await server.api<Silence>('/api/alert-mutes', {
      body: { tenant: 'hooli', rule: 'revenue-loss-critical', minutes: 60 },
    });
    expect(mute.status).toBe(200);
    release();
    expect(await settled).toMatchObject({
      status: 'dead',
      lastError: `not sent: muted until ${mute.body.until}`,
    });
    failing = null;
    await server.alerts.idle();
    expect(told).not.toContain('hooli');
    await server.api(`/api/alert-mutes/${mute.body.id}`, { method: 'DELETE' });
  });

  it('a mute can be cancelled, survives a restart, and needs the alerts:write role', async () => {
    const mute = await server.api<Silence>('/api/alert-mutes', {
      body: {
        tenant: 'globex',
        rule: 'revenue-loss-medium',
        until: new Date(clock.now() + 3_600_000).toISOString(),
      },
    });
    expect(mute.status).toBe(200);
    await server.close();
    await start();
    expect((await server.api<{ mutes: Silence[] }>('/api/alert-mutes')).body.mutes.map((m) => m.id)).toEqual([
      mute.body.id,
    ]);
    expect((await list('tenant=globex&outlook=risk')).alerts).toEqual([]);

    const analyst = await server.api<{ key: string }>('/api/keys', {
      body: { role: 'analyst', name: 'reader' },
    });
    const outsider = await server.api<{ key: string }>('/api/keys', {
      body: { role: 'tenant_executive', tenants: ['acme'], name: 'acme only' },
    });
    for (const key of [analyst.body.key, outsider.body.key]) {
      const refused = await fetch(`${server.url}/api/alert-mutes/${mute.body.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${key}` },
      });
      expect(refused.status).toBe(403);
    }

    const cancelled = await cli('unmute', mute.body.id);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ active: false, cancelledBy: expect.any(String) });
    expect((await list('tenant=globex&outlook=risk')).alerts).toHaveLength(1);
    const again = await server.api<{ error: { code: string } }>(`/api/alert-mutes/${mute.body.id}`, {
      method: 'DELETE',
    });
    expect(again.status).toBe(409);
  });
});

describe('who acted', () => {
  it('shows the person who acknowledged an alert, keeping their id', async () => {
    const user = await server.api<{ id: string }>('/api/users', {
      body: { email: 'cfo@pulse.test', password: 'numbers before nine', role: 'executive', name: 'Dana Cfo' },
    });
    const session = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'cfo@pulse.test', password: 'numbers before nine' }),
    });
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await session.json()) as { csrfToken: string };
    const [alert] = (await list('tenant=umbrella')).alerts;
    const acked = await fetch(`${server.url}/api/alerts/${alert?.id}/ack`, {
      method: 'POST',
      headers: { cookie, 'x-pulse-csrf': csrfToken, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await acked.json()).toMatchObject({
      acknowledgedBy: user.body.id,
      acknowledgedByName: 'Dana Cfo (cfo@pulse.test)',
    });
    const [listed] = (await list(`tenant=umbrella`)).alerts;
    expect(listed?.acknowledgedByName).toBe('Dana Cfo (cfo@pulse.test)');
  });
});
