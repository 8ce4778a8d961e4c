import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { checkBusinessEvent, type BusinessEventName } from '@pulse/events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRules } from '../../alerts/default-rules.js';
import type { Rule } from '../../alerts/rule-model.js';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import { runAlertStoreContract } from '../alert-store.contract.js';
import { opened, T0 } from '../../../test/helpers/alert-fixtures.js';
import { DuckDbAlertStore } from './duckdb-alert-store.js';
import { DuckDbEventStore } from './duckdb-event-store.js';
import { temporaryDirectory } from '../../../test/helpers/temp-dir.js';

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

runAlertStoreContract('DuckDB', async () => {
  const db = await DuckDbEventStore.open({
    path: join(temporaryDirectory('pulse-alert-store-'), 'p.duckdb'),
  });
  const alerts = await DuckDbAlertStore.open(db);
  return {
    store: alerts,
    close: async () => {
      await alerts.close();
      await db.close();
    },
  };
});

describe('DuckDbAlertStore', () => {
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

  it('lets go, on open, of the outbox rows a previous process held: the file has no other process', async () => {
    const { alert: a, transition: t, delivery: d } = opened();
    await store.write({ alerts: [a], transitions: [t], deliveries: [d] });
    expect(await store.claimDeliveries(T0, 10)).toEqual([]);
    await store.close();
    store = await DuckDbAlertStore.open(events);
    expect(await store.claimDeliveries(T0, 10)).toEqual([d]);
    expect(await store.claimDeliveries(T0, 10)).toEqual([]);
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
