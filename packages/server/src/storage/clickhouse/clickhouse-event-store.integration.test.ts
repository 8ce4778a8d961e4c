import { expect, it } from 'vitest';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import { runEventStoreContract } from '../event-store.contract.js';
import { describeWithClickHouse } from '../../../test/helpers/clickhouse.js';
import { ClickHouseEventStore } from './clickhouse-event-store.js';

describeWithClickHouse('ClickHouse event store', (clickhouse) => {
  runEventStoreContract('clickhouse', async () =>
    ClickHouseEventStore.open(await clickhouse.freshDatabase()),
  );

  const t0 = Date.UTC(2026, 0, 10, 12);
  const event = (i: number, properties: Record<string, unknown> = {}): CapturedEvent => ({
    uuid: `01944f5a-0000-7000-8000-${String(i).padStart(12, '0')}`,
    event: 'cost_optimization_event',
    distinctId: 'ops',
    timestamp: t0 + i,
    properties: { tenant_id: 'acme', savings_amount: 10 + i, ...properties },
  });

  it('reads an event written several times once, before and after the parts merge', async () => {
    const store = await ClickHouseEventStore.open(await clickhouse.freshDatabase());
    try {
      const batch = {
        events: [event(1), event(2)],
        quarantined: [],
        releasedQuarantineIds: [],
        ingestedAt: t0,
      };
      for (let copy = 0; copy < 5; copy++) await store.commit({ ...batch, ingestedAt: t0 + copy });
      /** Pages of one: each page's read is cut short by the copies and must ask for more. */
      const pagedUuids = async () => {
        const uuids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listEvents({ limit: 1, ...(cursor ? { cursor } : {}) });
          for (const e of page.events) uuids.push(e.uuid);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        return uuids;
      };
      const read = async () => ({
        count: await store.countEvents(),
        uuids: await pagedUuids(),
        tenants: await store.listTenants({ limit: 10 }),
      });
      const expected = {
        count: 2,
        uuids: [event(2).uuid, event(1).uuid],
        tenants: {
          tenants: [{ tenantId: 'acme', events: 2, firstEventAt: t0 + 1, lastEventAt: t0 + 2 }],
          more: false,
        },
      };
      expect(await read()).toEqual(expected);
      await clickhouse.server.admin(`OPTIMIZE TABLE ${store.connection.target.database}.events FINAL`);
      expect(await read()).toEqual(expected);
    } finally {
      await store.close();
    }
  });

  it('keeps milliseconds and awkward text exactly', async () => {
    const store = await ClickHouseEventStore.open(await clickhouse.freshDatabase());
    try {
      const awkward = event(7, {
        note: "it's a \\ back\nslash 'quoted' -- not a comment ünïcode 🚀",
        tenant_id: "o'brien",
      });
      await store.commit({
        events: [awkward],
        quarantined: [],
        releasedQuarantineIds: [],
        ingestedAt: t0 + 999,
      });
      const [read] = (await store.listEvents({ limit: 1, tenants: ["o'brien"] })).events;
      expect(read).toMatchObject({ timestamp: t0 + 7, ingestedAt: t0 + 999, tenantId: "o'brien" });
      expect(read?.properties).toEqual(awkward.properties);
      expect(await store.tenantsWithEvents(["o'brien", 'nobody'])).toEqual(new Set(["o'brien"]));
      expect(await store.nearestTenants('obrien', { limit: 3 })).toEqual(["o'brien"]);
    } finally {
      await store.close();
    }
  });

  it('deletes expired events and quarantine entries by their cut, and counts what went', async () => {
    const store = await ClickHouseEventStore.open(await clickhouse.freshDatabase());
    try {
      const issue = {
        event: 'cost_optimization_event',
        property: 'savings_amount',
        rule: 'minimum' as const,
        expected: 'a number ≥ 0',
        value: -1,
        message: 'm',
      };
      const entry = (id: string, receivedAt: number) => ({
        id,
        receivedAt,
        batchIndex: 0,
        event: event(9),
        issues: [issue],
      });
      await store.commit({
        events: [event(1), event(5000)],
        quarantined: [entry('old', t0), entry('new', t0 + 5000)],
        releasedQuarantineIds: [],
        ingestedAt: t0,
      });
      const cuts = [{ table: 'cost_optimization_event' as const, cutoff: t0 + 100, tenants: new Map() }];
      const expected = [{ table: 'cost_optimization_event', tenant: 'acme', events: 1, quarantined: 1 }];
      expect(await store.deleteBefore(cuts, { dryRun: true })).toEqual(expected);
      expect(await store.countEvents()).toBe(2);
      expect(await store.deleteBefore(cuts, { dryRun: false })).toEqual(expected);
      expect((await store.listEvents({ limit: 10 })).events.map((e) => e.uuid)).toEqual([event(5000).uuid]);
      expect((await store.listQuarantine({ limit: 10 })).map((q) => q.id)).toEqual(['new']);
      expect(await store.deleteBefore(cuts, { dryRun: false })).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
