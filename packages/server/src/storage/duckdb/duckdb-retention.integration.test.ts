import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import { parsePolicies, planCuts } from '../../retention/policy.js';
import { DuckDbEventStore } from './duckdb-event-store.js';
import { DuckDbRetentionStore } from './duckdb-retention-store.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1, 12);

function event(name: string, tenant: string | null, ageDays: number, extra: Record<string, unknown> = {}) {
  const properties: Record<string, unknown> = { ...extra };
  if (tenant !== null) properties.tenant_id = tenant;
  if (name === 'revenue_impact_event')
    Object.assign(properties, { impact_amount: 100, impact_type: 'positive' });
  if (name === 'resource_usage_event')
    Object.assign(properties, { resource_type: 'database', current_usage: 1, capacity: 2 });
  return {
    uuid: randomUUID(),
    event: name,
    distinctId: 'd',
    timestamp: NOW - ageDays * DAY,
    properties,
  } satisfies CapturedEvent;
}

describe('DuckDB retention', () => {
  let store: DuckDbEventStore | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
  });

  it('counts exactly, deletes only what is older than its cutoff, honours tenant overrides', async () => {
    store = await DuckDbEventStore.open({ path: ':memory:' });
    const events = [
      event('revenue_impact_event', 'a', 40),
      event('revenue_impact_event', 'a', 20),
      event('revenue_impact_event', 'b', 40),
      event('revenue_impact_event', 'b', 10),
      event('resource_usage_event', 'a', 40),
      event('resource_usage_event', 'b', 40),
      event('$pageview', 'a', 400),
      event('$pageview', null, 400),
      event('$pageview', null, 1),
    ];
    // One event exactly at a cutoff stays (older than, not as old as).
    const edge = event('revenue_impact_event', 'a', 30);
    const old = event('revenue_impact_event', 'b', 0);
    await store.commit({
      events: [...events, edge],
      quarantined: [
        { id: old.uuid, receivedAt: NOW - 50 * DAY, batchIndex: 0, event: old, issues: [] },
        {
          id: 'fresh',
          receivedAt: NOW - DAY,
          batchIndex: 1,
          event: { ...old, uuid: randomUUID() },
          issues: [],
        },
      ],
      releasedQuarantineIds: [],
      ingestedAt: NOW,
    });
    const cuts = planCuts(
      parsePolicies([
        { event: 'revenue_impact_event', days: 30 },
        { event: 'revenue_impact_event', tenant: 'b', days: 5 },
        { event: 'resource_usage_event', tenant: 'b', days: 'forever' },
        { event: 'resource_usage_event', days: 30 },
        { event: 'generic', days: 365 },
      ]),
      NOW,
    );
    const expected = [
      { table: 'generic', tenant: null, events: 1, quarantined: 0 },
      { table: 'generic', tenant: 'a', events: 1, quarantined: 0 },
      { table: 'resource_usage_event', tenant: 'a', events: 1, quarantined: 0 },
      { table: 'revenue_impact_event', tenant: 'a', events: 1, quarantined: 0 },
      { table: 'revenue_impact_event', tenant: 'b', events: 2, quarantined: 1 },
    ];
    expect(await store.deleteBefore(cuts, { dryRun: true })).toEqual(expected);
    expect(await store.countEvents()).toBe(10);
    expect(await store.deleteBefore(cuts, { dryRun: false })).toEqual(expected);
    expect(await store.countEvents()).toBe(4);
    const left = (await store.listEvents({ limit: 100 })).events.map((e) => e.uuid);
    expect(new Set(left)).toEqual(new Set([events[1], events[5], events[8], edge].map((e) => e?.uuid)));
    expect((await store.listQuarantine({ limit: 10 })).map((q) => q.id)).toEqual(['fresh']);
    // Idempotent: nothing more to delete.
    expect(await store.deleteBefore(cuts, { dryRun: false })).toEqual([]);
  });

  it('runs alongside ingest commits without losing or blocking them', async () => {
    store = await DuckDbEventStore.open({ path: ':memory:' });
    const s = store;
    const old = Array.from({ length: 3000 }, (_, i) =>
      event('revenue_impact_event', `t${i % 3}`, 100 + (i % 50)),
    );
    await s.commit({ events: old, quarantined: [], releasedQuarantineIds: [], ingestedAt: NOW });
    const cuts = planCuts(parsePolicies([{ event: '*', days: 30 }]), NOW);
    const fresh = Array.from({ length: 20 }, (_, i) =>
      Array.from({ length: 50 }, () => event('revenue_impact_event', `t${i % 3}`, i % 2 ? 1 : 200)),
    );
    const [counts] = await Promise.all([
      s.deleteBefore(cuts, { dryRun: false }),
      ...fresh.map((batch) =>
        s.commit({ events: batch, quarantined: [], releasedQuarantineIds: [], ingestedAt: NOW }),
      ),
    ]);
    const deleted = counts.reduce((n, c) => n + c.events, 0);
    // Every committed event is either still there or was old and deleted; nothing recent went.
    expect(await s.countEvents()).toBe(3000 + 1000 - deleted);
    expect(deleted).toBeGreaterThanOrEqual(3000);
    const recent = await s.listEvents({ from: NOW - 30 * DAY, limit: 10_000 });
    expect(recent.events).toHaveLength(500);
  });

  it('stores policies durably and seeds only an empty set', async () => {
    store = await DuckDbEventStore.open({ path: ':memory:' });
    const policies = await DuckDbRetentionStore.open(store);
    expect(await policies.listPolicies()).toEqual([]);
    const first = parsePolicies([
      { event: 'generic', days: 30 },
      { event: '*', days: 'forever' },
      { event: 'generic', tenant: 'a', days: 7 },
    ]);
    expect(await policies.seedPolicies(first, NOW)).toBe(true);
    expect(await policies.seedPolicies([], NOW)).toBe(false);
    expect(await policies.listPolicies()).toEqual([
      { event: '*', tenant: null, days: null },
      { event: 'generic', tenant: null, days: 30 },
      { event: 'generic', tenant: 'a', days: 7 },
    ]);
    // Replacing with an overlapping set (same keys deleted and re-inserted in one transaction).
    await policies.replacePolicies(parsePolicies([{ event: 'generic', days: 31 }]), NOW);
    expect(await policies.listPolicies()).toEqual([{ event: 'generic', tenant: null, days: 31 }]);
  });
});
