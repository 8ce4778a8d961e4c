import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import { Command } from 'commander';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { alertSettingsFrom, createAlertSystem, type AlertSettings } from '../src/alerts/index.js';
import { registerAlerts } from '../src/cli/commands/alerts.js';
import { registerBudgets } from '../src/cli/commands/budgets.js';
import { registerRules } from '../src/cli/commands/rules.js';
import { Sessions } from '../src/access/sessions.js';
import { authenticate } from '../src/http/auth.js';
import { strictInput } from '../src/http/strict-input.js';
import { apiErrorHandler } from '../src/http/errors.js';
import { alertRoutes } from '../src/http/routes/alerts.js';
import { budgetRoutes } from '../src/http/routes/budgets.js';
import { ruleRoutes } from '../src/http/routes/rules.js';
import type { CapturedEvent } from '../src/ingestion/captured-event.js';
import { openTestPipeline } from './helpers/test-pipeline.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const minute = 60_000;
const T0 = Date.parse('2026-03-10T12:00:00Z');

/** The engine on the real parts: DuckDB file, ingest pipeline, committed-event stream; a settable clock. */
async function openPulse(dir: string, clock: { now: number }, settings?: Partial<AlertSettings>) {
  const { storage, stream, pipeline, close: closeStorage } = await openTestPipeline(dir);
  const store = storage.alerts;
  const system = createAlertSystem({
    store,
    settings: { ...alertSettingsFrom({ alertEmailTo: [] }), digestCron: null, ...settings },
    logger: pino({ level: 'silent' }),
    clock: () => clock.now,
  });
  const engine = system.engine;
  await engine.start(stream);
  const app: FastifyInstance = Fastify(strictInput);
  await app.register(cookie);
  const sessions = new Sessions(storage.users, { idleMs: 60_000, maxMs: 60_000 });
  await app.register(async (api) => {
    api.setErrorHandler(apiErrorHandler);
    // Two keys: the admin, and an executive of one tenant (role-based access).
    authenticate(api, {
      bearer: async (key) =>
        key === 'admin-key'
          ? { kind: 'api_key', id: 'admin', role: 'admin', tenants: 'all' }
          : key === 'globex-exec'
            ? { kind: 'api_key', id: 'globex-exec', role: 'tenant_executive', tenants: ['globex'] }
            : null,
      sessions,
    });
    alertRoutes(api, { alerts: engine, publicUrl: 'http://pulse.test', people: async () => null });
    ruleRoutes(api, { rules: engine });
    budgetRoutes(api, { budgets: engine });
  });
  await app.ready();
  return {
    engine,
    store,
    app,
    /** Ingests, lets the stream publish, and waits until the alert writes are durable. */
    async ingest(...batch: CapturedEvent[]) {
      await pipeline.ingest(batch);
      await new Promise((resolve) => setImmediate(resolve));
      await engine.flush();
    },
    async api<T = Record<string, unknown>>(
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      url: string,
      payload?: unknown,
      key = 'admin-key',
    ) {
      const response = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}` },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      return { status: response.statusCode, body: response.json<T>() };
    },
    async close() {
      await app.close();
      await pipeline.drain();
      await system.close();
      await closeStorage();
    },
  };
}

type Pulse = Awaited<ReturnType<typeof openPulse>>;
const open: Pulse[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
});
async function start(dir = temporaryDirectory('pulse-alerts-'), clock = { now: T0 }) {
  const pulse = await openPulse(dir, clock);
  open.push(pulse);
  return { pulse, dir, clock };
}
async function restart(pulse: Pulse, dir: string, clock: { now: number }) {
  open.splice(open.indexOf(pulse), 1);
  await pulse.close();
  return (await start(dir, clock)).pulse;
}

const ev = (event: string, props: Record<string, unknown>, at = T0, tenant = 'acme'): CapturedEvent => ({
  uuid: randomUUID(),
  event,
  distinctId: tenant,
  timestamp: at,
  properties: { tenant_id: tenant, ...props },
});
const loss = (amount: number, at = T0, tenant = 'acme') =>
  ev(
    'revenue_impact_event',
    { impact_amount: amount, impact_type: 'negative', event_type: 'payment_failure' },
    at,
    tenant,
  );
const usage = (id: string, cost: number, at = T0, type = 'vps_instance') =>
  ev(
    'resource_usage_event',
    { resource_id: id, resource_type: type, current_usage: 1, capacity: 4, total_cost: cost },
    at,
  );

interface AlertJson {
  id: string;
  state: string;
  count: number;
  rule: string;
  severity: string;
  amount: number;
  title: string;
  summary: string;
  acknowledgedBy: string | null;
  resolution: string | null;
  link: string;
  transitions: { kind: string; actor: string; comment: string | null }[];
}
type ErrorJson = { error: { code: string; message: string } };

describe('alert engine on the committed-event stream', () => {
  it('opens on a matching event, dedups within the cooldown, and is listed, acknowledged and resolved over HTTP', async () => {
    const { pulse, clock } = await start();
    await pulse.ingest(loss(12_500), loss(2_500, T0)); // critical + medium
    clock.now += 10 * minute;
    await pulse.ingest(loss(20_000, T0 + 10 * minute));
    const list = await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?severity=critical&state=open');
    expect(list.status).toBe(200);
    expect(list.body.alerts).toHaveLength(1);
    const [critical] = list.body.alerts;
    expect(critical).toMatchObject({
      rule: 'revenue-loss-critical',
      count: 2,
      amount: 32_500,
      link: `http://pulse.test/alerts/${critical?.id}`,
    });
    // The money in the title is the alert's amount (both losses), not the first event's.
    expect(critical?.title).toBe('Negative revenue impact over $10,000: $32,500 at acme (payment_failure)');
    expect(critical?.summary).toMatch(/^Since \d\d:\d\d UTC, \d+ \w{3}: impact type is negative; /);
    expect(
      (await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?severity=medium')).body.alerts,
    ).toHaveLength(1);
    expect(
      (await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?tenant=globex')).body.alerts,
    ).toHaveLength(0);

    const id = critical?.id ?? '';
    clock.now += minute;
    const acked = await pulse.api<AlertJson>('POST', `/api/alerts/${id}/ack`, {
      comment: 'calling the bank',
    });
    expect(acked.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'admin' });
    const again = await pulse.api<ErrorJson>('POST', `/api/alerts/${id}/ack`, {});
    expect(again.body.error.code).toBe('conflict');
    clock.now += minute;
    const resolved = await pulse.api<AlertJson>('POST', `/api/alerts/${id}/resolve`, {
      comment: 'card processor fixed',
    });
    expect(resolved.body).toMatchObject({ state: 'resolved', resolution: 'manual' });
    const detail = await pulse.api<AlertJson>('GET', `/api/alerts/${id}`);
    expect(detail.body.transitions.map((t) => [t.kind, t.actor, t.comment])).toEqual([
      ['opened', 'pulse', null],
      ['acknowledged', 'admin', 'calling the bank'],
      ['resolved', 'admin', 'card processor fixed'],
    ]);
    expect((await pulse.api('GET', '/api/alerts/nope')).status).toBe(404);
    const bad = await pulse.api<ErrorJson>('GET', '/api/alerts?state=firing');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe(
      'state must be one of open, acknowledged, resolved; received "firing"',
    );
    // After a resolve, the next occurrence is a new alert.
    await pulse.ingest(loss(11_000, T0 + 11 * minute));
    const open = (await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?severity=critical&state=open'))
      .body.alerts;
    expect(open.map((a) => a.id)).not.toContain(id);
    expect(open).toHaveLength(1);
  });

  it('auto-resolves when the condition clears, after the hysteresis time', async () => {
    const { pulse, clock } = await start();
    const score = (s: number) =>
      ev('operational_efficiency_event', { efficiency_metric: 'nps', efficiency_score: s }, clock.now);
    await pulse.ingest(score(50));
    clock.now += minute;
    await pulse.ingest(score(58)); // inside the 5-point band above 55: holds
    clock.now += 30 * minute;
    await pulse.engine.tick();
    expect(
      (await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?state=open')).body.alerts,
    ).toHaveLength(1);
    await pulse.ingest(score(70)); // clear from now: resolves after a day clear
    clock.now += 24 * 60 * minute - minute;
    await pulse.engine.tick();
    expect(
      (await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?state=open')).body.alerts,
    ).toHaveLength(1);
    clock.now += minute;
    await pulse.engine.tick();
    const [alert] = (await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts')).body.alerts;
    expect(alert).toMatchObject({ state: 'resolved', resolution: 'auto', count: 1 });
  });

  it('edits rules as data: invalid rules are refused naming the field, valid ones apply at once', async () => {
    const { pulse } = await start();
    const rules = await pulse.api<{ rules: { id: string }[] }>('GET', '/api/rules');
    expect(rules.body.rules).toHaveLength(18);
    const rule = rules.body.rules.find((r) => r.id === 'efficiency-low-high');
    const bad = await pulse.api<ErrorJson>('PUT', '/api/rules/efficiency-low-high', {
      ...rule,
      condition: { kind: 'compare', all: [{ property: 'efficiency_scor', op: '<', value: 80 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 'invalid_request',
      message:
        'condition.all[0].property names "efficiency_scor", which operational_efficiency_event does not have',
    });
    const setAll = await pulse.api<ErrorJson>('PUT', '/api/rules', { rules: [{ id: 'x' }] });
    expect(setAll.body.error.message).toBe('rules[0].name is required');
    const put = await pulse.api('PUT', '/api/rules/efficiency-low-high', {
      ...rule,
      condition: { kind: 'compare', all: [{ property: 'efficiency_score', op: '<', value: 80 }] },
    });
    expect(put.status).toBe(200);
    await pulse.ingest(
      ev('operational_efficiency_event', { efficiency_metric: 'nps', efficiency_score: 75 }),
    );
    expect(
      (await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?rule=efficiency-low-high')).body.alerts,
    ).toHaveLength(1);
    expect((await pulse.api('DELETE', '/api/rules/efficiency-low-high')).status).toBe(200);
    expect((await pulse.api('GET', '/api/rules/efficiency-low-high')).status).toBe(404);
    expect((await pulse.api<{ rules: unknown[] }>('POST', '/api/rules/reset')).body.rules).toHaveLength(18);
  });

  it('budgets: run-rate over 120 % fires, a budget change re-evaluates at once, and the state survives a restart', async () => {
    const { pulse, dir, clock } = await start();
    const bad = await pulse.api<ErrorJson>('PUT', '/api/budgets/acme', { monthlyUsd: -5 });
    expect(bad.body.error.message).toMatch(/^monthlyUsd must be a positive amount/);
    const set = await pulse.api('PUT', '/api/budgets/acme', {
      monthlyUsd: 10_000,
      resourceTypes: { database: 1_000 },
    });
    expect(set.status).toBe(200);
    await pulse.ingest(usage('vm-1', 6_000), usage('vm-2', 5_000, T0 + 1000));
    expect(
      (await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?rule=cost-budget-critical')).body.alerts,
    ).toHaveLength(0);

    // A restart rebuilds the month's latest cost per resource from the store: one more resource tips it over.
    const again = await restart(pulse, dir, clock);
    await again.ingest(usage('vm-3', 1_000.01, T0 + 2000));
    const [alert] = (await again.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?rule=cost-budget-critical'))
      .body.alerts;
    expect(alert).toMatchObject({ state: 'open', severity: 'critical' });
    expect(alert?.amount).toBeCloseTo(2_000.01, 6);
    expect(alert?.title).toMatch(
      /^Monthly cost run-rate over 120 % of budget at acme: \$2,000\.01 over the \$10,000 budget$/,
    );

    // Raising the budget clears it; after the rule's 60 min of hysteresis it resolves.
    await again.api('PUT', '/api/budgets/acme', { monthlyUsd: 20_000 });
    clock.now += 60 * minute;
    await again.engine.tick();
    expect(
      (await again.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?rule=cost-budget-critical')).body
        .alerts[0],
    ).toMatchObject({ state: 'resolved', resolution: 'auto' });
    expect((await again.api<{ budgets: unknown[] }>('GET', '/api/budgets')).body.budgets).toEqual([
      {
        tenantId: 'acme',
        monthlyUsd: 20_000,
        resourceTypes: { database: 1_000 },
        updatedAt: new Date(clock.now - 60 * minute).toISOString(),
      },
    ]);
  });

  it('restores open alerts and open windows after a restart', async () => {
    const { pulse, dir, clock } = await start();
    const email = (count: number, at: number) =>
      ev(
        'email_deliverability_event',
        { email_count: count, delivery_outcome: 'bounced', bounce_rate: 0.2 },
        at,
      );
    await pulse.ingest(loss(15_000), email(400, T0)); // 400 emails: under the 500 minimum
    const [before] = (
      await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?rule=revenue-loss-critical')
    ).body.alerts;
    const again = await restart(pulse, dir, clock);
    clock.now += 5 * minute;
    await again.ingest(loss(15_000, clock.now), email(200, T0 + 5 * minute));
    const [after] = (
      await again.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?rule=revenue-loss-critical')
    ).body.alerts;
    expect(after).toMatchObject({
      id: before?.id,
      count: 2,
      amount: 30_000,
      title: 'Negative revenue impact over $10,000: $30,000 at acme (payment_failure)',
    });
    const [bounce] = (
      await again.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?rule=bounce-rate-critical')
    ).body.alerts;
    expect(bounce).toMatchObject({ state: 'open', count: 1 });
  });

  it('fires a decision past its review date from the timer, and clears it on the next event', async () => {
    const { pulse, clock } = await start();
    const due = T0 + 2 * 60 * minute;
    await pulse.ingest(
      ev('strategic_decision_event', {
        decision_type: 'vendor',
        decision_title: 'Pick a new ESP',
        decision_id: 'd-9',
        status: 'approved',
        next_review_date: new Date(due).toISOString(),
      }),
    );
    clock.now = due + 7 * 24 * 60 * minute; // the week of grace, not past it
    await pulse.engine.tick();
    expect(
      (await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?rule=decision-overdue-high')).body.alerts,
    ).toHaveLength(0);
    clock.now += minute;
    await pulse.engine.tick();
    const [overdue] = (
      await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?rule=decision-overdue-high')
    ).body.alerts;
    expect(overdue).toMatchObject({
      state: 'open',
      severity: 'high',
      title: 'Strategic decision past its review date at acme (“Pick a new ESP”)',
    });
    await pulse.ingest(
      ev(
        'strategic_decision_event',
        {
          decision_type: 'vendor',
          decision_title: 'Pick a new ESP',
          decision_id: 'd-9',
          status: 'in_progress',
        },
        clock.now,
      ),
    );
    expect(
      (await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?rule=decision-overdue-high')).body
        .alerts[0]?.state,
    ).toBe('resolved');
  });

  it('authorizes: a tenant executive sees and acts on its tenants only, and may not edit rules', async () => {
    const { pulse } = await start();
    await pulse.ingest(loss(30_000), loss(40_000, T0, 'globex'));
    const mine = await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts', undefined, 'globex-exec');
    expect(mine.body.alerts.map((a) => a.amount)).toEqual([40_000]);
    expect((await pulse.api('GET', '/api/alerts?tenant=acme', undefined, 'globex-exec')).status).toBe(403);
    const acme = (await pulse.api<{ alerts: AlertJson[] }>('GET', '/api/alerts?tenant=acme')).body.alerts[0];
    expect((await pulse.api('POST', `/api/alerts/${acme?.id}/ack`, {}, 'globex-exec')).status).toBe(403);
    expect((await pulse.api('GET', `/api/alerts/${acme?.id}`, undefined, 'globex-exec')).status).toBe(403);
    const own = mine.body.alerts[0]?.id;
    expect((await pulse.api('POST', `/api/alerts/${own}/ack`, {}, 'globex-exec')).status).toBe(200);
    expect((await pulse.api('PUT', '/api/rules', { rules: [] }, 'globex-exec')).status).toBe(403);
    expect((await pulse.api('GET', '/api/alerts/outbox', undefined, 'globex-exec')).status).toBe(403);
    expect((await pulse.api('PUT', '/api/budgets/acme', { monthlyUsd: 1 }, 'globex-exec')).status).toBe(403);
    expect((await pulse.api('GET', '/api/alerts', undefined, 'nobody')).status).toBe(401);
  });

  it('the CLI drives the same API: budgets, rules, alerts list / ack / resolve', async () => {
    const { pulse } = await start();
    const url = await pulse.app.listen({ host: '127.0.0.1', port: 0 });
    const pulseCli = async (...args: string[]) => {
      const program = new Command('pulse').exitOverride();
      registerAlerts(program);
      registerRules(program);
      registerBudgets(program);
      const out: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        out.push(String(chunk));
        return true;
      });
      try {
        await program.parseAsync(['node', 'pulse', ...args, '--url', url, '--key', 'admin-key']);
      } finally {
        spy.mockRestore();
      }
      return out.join('');
    };
    expect(await pulseCli('budgets', 'set', 'acme', '--monthly', '10000', '--type', 'database=1000')).toBe(
      'acme: monthly 10000; database 1000\n',
    );
    expect(JSON.parse(await pulseCli('budgets', 'list', '--json'))).toMatchObject({
      budgets: [{ tenantId: 'acme', monthlyUsd: 10_000, resourceTypes: { database: 1_000 } }],
    });
    expect(await pulseCli('rules', 'list')).toMatch(/^id +severity +enabled/);
    await pulse.ingest(loss(25_000));
    const listed = await pulseCli('alerts', 'list', '--severity', 'critical');
    expect(listed).toContain('critical  open');
    expect(listed).toContain('$25,000');
    expect(listed).not.toContain('more match');
    await pulse.ingest(loss(40_000, T0, 'globex'));
    // A list cut at --limit says so, and how to get the next page.
    const cut = await pulseCli('alerts', 'list', '--limit', '1');
    expect(cut).toMatch(/More match: add --cursor \S+ for the next page\./);
    const json = JSON.parse(await pulseCli('alerts', 'list', '--json', '--limit', '1')) as {
      hasMore: boolean;
    };
    expect(json.hasMore).toBe(true);
    expect(await pulseCli('alerts', 'list', '--tenant', 'nobody')).toBe('No alerts match these filters.\n');
    const [alert] = (JSON.parse(await pulseCli('alerts', 'list', '--json')) as { alerts: AlertJson[] })
      .alerts;
    expect(await pulseCli('alerts', 'ack', alert?.id ?? '', '-m', 'mine')).toMatch(/: acknowledged — /);
    expect(await pulseCli('alerts', 'resolve', alert?.id ?? '')).toMatch(/: resolved — /);
    expect(await pulseCli('alerts', 'show', alert?.id ?? '')).toMatch(
      /acknowledged by admin: mine\n.*resolved by admin/s,
    );
  });
});
