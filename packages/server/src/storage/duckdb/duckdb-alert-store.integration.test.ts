import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { checkBusinessEvent, type BusinessEventName } from '@pulse/events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRules } from '../../alerts/default-rules.js';
import type { Rule } from '../../alerts/rule-model.js';
import type { Alert, Delivery, Transition } from '../../alerts/types.js';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import { DuckDbAlertStore } from './duckdb-alert-store.js';
import { DuckDbEventStore } from './duckdb-event-store.js';
import { temporaryDirectory } from '../../../test/helpers/temp-dir.js';

const T0 = Date.parse('2026-03-10T12:00:00Z');

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: randomUUID(),
  ruleId: 'revenue-loss-critical',
  ruleName: 'Negative revenue impact over $10,000',
  severity: 'critical',
  outlook: 'risk',
  tenantId: 'acme',
  dedupKey: 'revenue-loss-critical|acme|event_type=churn',
  keyParts: { event_type: 'churn' },
  state: 'open',
  title: "O'Brien's churn — $12,500",
  summary: 'impact_amount 12,500 > 10,000',
  amount: 12_500,
  value: null,
  eventUuids: ['e-1'],
  count: 1,
  firstSeen: T0,
  lastSeen: T0,
  lastEventAt: T0 - 1000,
  acknowledgedBy: null,
  acknowledgedAt: null,
  ackComment: null,
  resolvedBy: null,
  resolvedAt: null,
  resolveComment: null,
  resolution: null,
  backfill: false,
  updatedAt: T0,
  ...over,
});

const transition = (a: Alert): Transition => ({
  id: randomUUID(),
  alertId: a.id,
  kind: 'opened',
  at: T0,
  actor: 'pulse',
  comment: null,
  backfill: false,
});

const delivery = (a: Alert, t: Transition, channel: Delivery['channel'] = 'webhook'): Delivery => ({
  id: `${t.id}.${channel}`,
  alertId: a.id,
  transitionId: t.id,
  channel,
  target: '',
  payload: {
    type: 'digest',
    idempotency_key: `${t.id}.${channel}`,
    period: { from: 'a', to: 'b' },
    alerts: [],
    link: null,
  },
  status: 'pending',
  attempts: 0,
  nextAttemptAt: T0,
  lastError: null,
  createdAt: T0,
  sentAt: null,
});

function captured(
  name: BusinessEventName,
  tenant: string,
  at: number,
  props: Record<string, unknown>,
): CapturedEvent {
  const uuid = randomUUID();
  const properties = { tenant_id: tenant, ...props };
  const check = checkBusinessEvent(name, properties, { uuid });
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  return { uuid, event: name, distinctId: tenant, timestamp: at, properties };
}

let events: DuckDbEventStore;
let store: DuckDbAlertStore;

beforeEach(async () => {
  events = await DuckDbEventStore.open({
    path: join(temporaryDirectory('pulse-alert-store-'), 'p.duckdb'),
  });
  store = await DuckDbAlertStore.open(events);
});

afterEach(async () => {
  await store.close();
  await events.close();
});

describe('DuckDbAlertStore', () => {
  it('writes an alert, its transition and its outbox rows in one transaction, or nothing', async () => {
    const a = alert();
    const t = transition(a);
    await store.write({
      alerts: [a],
      transitions: [t],
      deliveries: [delivery(a, t), delivery(a, t, 'slack')],
    });
    expect(await store.getAlert(a.id)).toEqual(a);
    expect(await store.activeAlerts()).toEqual([a]);
    expect(await store.transitions(a.id)).toEqual([t]);
    expect((await store.pendingDeliveries()).map((d) => d.id).sort()).toEqual([
      `${t.id}.slack`,
      `${t.id}.webhook`,
    ]);

    // The outbox insert (the last statement) fails: the alert and transition written before it must not stay.
    const b = alert({ dedupKey: 'other' });
    const tb = transition(b);
    const broken = { ...delivery(b, tb), channel: null as unknown as Delivery['channel'] };
    await expect(store.write({ alerts: [b], transitions: [tb], deliveries: [broken] })).rejects.toThrow(
      /NOT NULL/,
    );
    expect(await store.getAlert(b.id)).toBeNull();
    expect(await store.transitions(b.id)).toEqual([]);
    expect(await store.pendingDeliveries()).toHaveLength(2);

    // Snapshots replace by id.
    await store.write({
      alerts: [{ ...a, count: 5, state: 'resolved', resolvedAt: T0 + 1 }],
      transitions: [],
      deliveries: [],
    });
    expect(await store.getAlert(a.id)).toMatchObject({ count: 5, state: 'resolved', resolvedAt: T0 + 1 });
    expect(await store.activeAlerts()).toEqual([]);
  });

  it('bulk-loads large batches (staged NDJSON) and replaces their snapshots', async () => {
    const many = Array.from({ length: 200 }, (_, i) =>
      alert({ dedupKey: `k${i}`, keyParts: { n: String(i) } }),
    );
    const opened = many.map(transition);
    await store.write({
      alerts: many,
      transitions: opened,
      deliveries: many.map((a, i) => delivery(a, opened[i] as Transition)),
    });
    expect(await store.activeAlerts()).toHaveLength(200);
    await store.write({
      alerts: many.map((a) => ({ ...a, count: 7, eventUuids: ['x', "it's"] })),
      transitions: [],
      deliveries: [],
    });
    const after = await store.activeAlerts();
    expect(after).toHaveLength(200);
    expect(after.every((a) => a.count === 7 && a.eventUuids[1] === "it's")).toBe(true);
    expect(await store.getAlert(many[42]?.id ?? '')).toEqual({
      ...many[42],
      count: 7,
      eventUuids: ['x', "it's"],
    });
    expect(await store.pendingDeliveries()).toHaveLength(200);
  });

  it('lists alerts by state, severity, tenant, rule and time', async () => {
    const rows = [
      alert({ severity: 'critical', tenantId: 'acme', lastSeen: T0, firstSeen: T0 }),
      alert({
        severity: 'high',
        tenantId: 'acme',
        ruleId: 'efficiency-low-high',
        lastSeen: T0 + 10,
        firstSeen: T0,
      }),
      alert({
        severity: 'medium',
        tenantId: 'globex',
        state: 'resolved',
        lastSeen: T0 + 20,
        firstSeen: T0 + 5,
      }),
    ];
    await store.write({ alerts: rows, transitions: [], deliveries: [] });
    const ids = async (filter: Parameters<DuckDbAlertStore['listAlerts']>[0]) =>
      (await store.listAlerts(filter)).map((a) => rows.indexOf(rows.find((r) => r.id === a.id) as Alert));
    expect(await ids({ limit: 10 })).toEqual([2, 1, 0]);
    expect(await ids({ states: ['open'], limit: 10 })).toEqual([1, 0]);
    expect(await ids({ severities: ['critical', 'medium'], limit: 10 })).toEqual([2, 0]);
    expect(await ids({ tenants: ['globex'], limit: 10 })).toEqual([2]);
    expect(await ids({ rules: ['efficiency-low-high'], limit: 10 })).toEqual([1]);
    expect(await ids({ from: T0 + 10, limit: 10 })).toEqual([2, 1]);
    expect(await ids({ to: T0 + 5, limit: 10 })).toEqual([1, 0]);
    expect(await ids({ limit: 1 })).toEqual([2]);
  });

  it('updates outbox rows and inserts idempotent ones once', async () => {
    const a = alert();
    const t = transition(a);
    const d = delivery(a, t);
    await store.write({ alerts: [a], transitions: [t], deliveries: [d] });
    await store.updateDeliveries([
      { id: d.id, status: 'dead', attempts: 3, nextAttemptAt: T0, lastError: '400 no', sentAt: null },
    ]);
    expect(await store.getDelivery(d.id)).toMatchObject({ status: 'dead', attempts: 3, lastError: '400 no' });
    expect(await store.pendingDeliveries()).toEqual([]);
    expect((await store.listDeliveries({ statuses: ['dead'], limit: 5 })).map((x) => x.id)).toEqual([d.id]);
    const digest = {
      ...d,
      id: 'digest.2026-03-09T08:00:00.000Z.email.ceo@acme',
      alertId: null,
      transitionId: null,
    };
    expect(await store.insertDeliveries([digest])).toHaveLength(1);
    expect(await store.insertDeliveries([digest])).toHaveLength(0);
  });

  it('keeps rules and budgets', async () => {
    expect(await store.loadRules()).toBeNull();
    await store.saveRules(defaultRules);
    expect(await store.loadRules()).toEqual(JSON.parse(JSON.stringify(defaultRules)));
    await store.saveRules([]);
    expect(await store.loadRules()).toEqual([]);
    await store.replaceBudgets('acme', [
      { tenantId: 'acme', resourceType: null, monthlyUsd: 10_000, updatedAt: T0 },
      { tenantId: 'acme', resourceType: 'database', monthlyUsd: 1_000, updatedAt: T0 },
    ]);
    await store.replaceBudgets('acme', [
      { tenantId: 'acme', resourceType: null, monthlyUsd: 9_000, updatedAt: T0 },
    ]);
    expect(await store.listBudgets()).toEqual([
      { tenantId: 'acme', resourceType: null, monthlyUsd: 9_000, updatedAt: T0 },
    ]);
  });

  it('rewrites rules stored with the former field names once, on open, and logs how many', async () => {
    const former = {
      ...JSON.parse(JSON.stringify(defaultRules[1])),
      cooldown_minutes: 60,
      resolve: { mode: 'clear', after_minutes: 15, hysteresis: 0.02 },
    } as Record<string, unknown>;
    delete former.cooldownMinutes;
    // Saved as the earlier version wrote it; the typed store takes only current rules.
    await store.saveRules([former as unknown as Rule, defaultRules[0] as Rule]);
    const reopen = async () => {
      const logged: unknown[] = [];
      await store.close();
      store = await DuckDbAlertStore.open(events, { info: (fields: unknown) => logged.push(fields) });
      return logged;
    };
    expect(await reopen()).toEqual([{ rules: 1 }]);
    expect(await store.loadRules()).toEqual(JSON.parse(JSON.stringify([defaultRules[1], defaultRules[0]])));
    expect(await reopen()).toEqual([]);
    expect(await store.loadRules()).toEqual(JSON.parse(JSON.stringify([defaultRules[1], defaultRules[0]])));
  });

  it('classifies rules stored before outlooks once, on open: good news becomes a medium opportunity', async () => {
    const savings = defaultRules.find((r) => r.id === 'savings-identified-high') as Rule;
    const { outlook: _outlook, ...stored } = { ...savings, severity: 'high' as const };
    const risk = defaultRules[0] as Rule;
    await store.saveRules([stored, risk]);
    const reopen = async () => {
      const logged: unknown[] = [];
      await store.close();
      store = await DuckDbAlertStore.open(events, { info: (fields: unknown) => logged.push(fields) });
      return logged;
    };
    expect(await reopen()).toEqual([{ rules: 1 }]);
    const [classified, unchanged] = (await store.loadRules()) ?? [];
    expect(classified).toMatchObject({ id: savings.id, outlook: 'opportunity', severity: 'medium' });
    expect(unchanged).toEqual(JSON.parse(JSON.stringify(risk)));
    expect(await reopen()).toEqual([]);
  });

  it('reads the state rules rebuild from: latest per entity (per month) and open windows', async () => {
    const usage = (tenant: string, id: string, at: number, cost: number) =>
      captured('resource_usage_event', tenant, at, {
        resource_id: id,
        resource_type: 'database',
        current_usage: 1,
        capacity: 4,
        total_cost: cost,
      });
    const email = (tenant: string, at: number, count: number) =>
      captured('email_deliverability_event', tenant, at, {
        email_count: count,
        delivery_outcome: 'bounced',
        bounce_rate: 0.2,
      });
    const feb = Date.parse('2026-02-20T00:00:00Z');
    const batch = [
      usage('acme', 'db-1', T0, 100),
      usage('acme', 'db-1', T0 + 1000, 150),
      usage('acme', 'db-1', feb, 90),
      usage('acme', 'db-2', T0, 40),
      email('acme', T0 - 90 * 60_000, 1),
      email('acme', T0 - 30 * 60_000, 2),
      email('acme', T0, 3),
      email('globex', T0 - 300 * 60_000, 4),
    ];
    await events.commit({ events: batch, quarantined: [], releasedQuarantineIds: [], ingestedAt: T0 });
    const latest = await store.latestByEntity({
      event: 'resource_usage_event',
      entity: 'resource_id',
      columns: ['total_cost', 'resource_type'],
      byMonth: true,
    });
    expect(latest.map((r) => [r.entity, r.month, r.values.total_cost]).sort()).toEqual([
      ['db-1', '2026-02', 90],
      ['db-1', '2026-03', 150],
      ['db-2', '2026-03', 40],
    ]);
    expect(latest.find((r) => r.values.total_cost === 150)).toMatchObject({
      tenantId: 'acme',
      timestamp: T0 + 1000,
    });
    const recent = await store.recentEvents({
      event: 'email_deliverability_event',
      columns: ['email_count'],
      minutes: 60,
    });
    expect(recent.map((r) => [r.tenantId, r.values.email_count])).toEqual([
      ['globex', 4],
      ['acme', 2],
      ['acme', 3],
    ]);
    await expect(
      store.recentEvents({ event: 'email_deliverability_event', columns: ['nope'], minutes: 1 }),
    ).rejects.toThrow(/no stored column "nope"/);
  });
});
