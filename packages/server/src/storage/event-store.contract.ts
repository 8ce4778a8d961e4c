import { afterEach, describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../ingestion/captured-event.js';
import type { EventStore } from './event-store.js';
import { temporaryDirectory } from '../../test/helpers/temp-dir.js';

/** Behaviour every EventStore adapter must show; each adapter's test calls this. */
export function runEventStoreContract(name: string, makeStore: (dir: string) => Promise<EventStore>): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });
    const open = async () => (store = await makeStore(temporaryDirectory('pulse-store-')));

    const t0 = Date.UTC(2026, 0, 10, 12);
    const revenue: CapturedEvent = {
      uuid: '01944f5a-0000-7000-8000-000000000001',
      event: 'revenue_impact_event',
      distinctId: 'tenant_123',
      timestamp: t0,
      properties: {
        tenant_id: 'tenant-123',
        impact_amount: 2500,
        impact_type: 'negative',
        mitigation_actions: ['IP rotation'],
        affected_emails: 15000,
        tracking_date: '2026-01-10T15:00:00+03:00',
        $lib: 'posthog-node',
        nested: { a: [1, 2] },
      },
    };
    const pageview: CapturedEvent = {
      uuid: '01944f5a-0000-7000-8000-000000000002',
      event: '$pageview',
      distinctId: 'anon-1',
      timestamp: t0 + 1000,
      properties: { tenant_id: 'tenant-9', $current_url: 'https://example.com/', status: 3 },
    };

    it('stores business and generic events and reads them back exactly, newest first', async () => {
      const s = await open();
      await s.commit({
        events: [revenue, pageview],
        quarantined: [],
        releasedQuarantineIds: [],
        ingestedAt: t0 + 5000,
      });
      const page = await s.listEvents({ limit: 10 });
      expect(page.events.map((e) => e.uuid)).toEqual([pageview.uuid, revenue.uuid]);
      const [pv, rev] = page.events;
      expect(pv).toMatchObject({
        event: '$pageview',
        distinctId: 'anon-1',
        tenantId: 'tenant-9',
        timestamp: t0 + 1000,
        ingestedAt: t0 + 5000,
      });
      expect(pv?.properties).toEqual(pageview.properties);
      // Date-times come back normalised to UTC ISO; everything else exactly as sent.
      expect(rev?.properties).toEqual({ ...revenue.properties, tracking_date: '2026-01-10T12:00:00.000Z' });
      expect(await s.countEvents()).toBe(2);
    });

    it('filters by tenant, event and time, and pages with a cursor', async () => {
      const s = await open();
      const many = Array.from({ length: 25 }, (_, i): CapturedEvent => ({
        ...revenue,
        uuid: `01944f5a-0000-7000-8000-${String(i).padStart(12, '0')}`,
        timestamp: t0 + (i % 5) * 1000,
        properties: { ...revenue.properties, tenant_id: i % 2 ? 'odd' : 'even' },
      }));
      await s.commit({ events: many, quarantined: [], releasedQuarantineIds: [], ingestedAt: t0 });
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await s.listEvents({ tenants: ['odd'], limit: 5, ...(cursor ? { cursor } : {}) });
        for (const e of page.events) seen.push(e.uuid);
        expect(page.events.every((e) => e.tenantId === 'odd')).toBe(true);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(12);
      expect(new Set(seen).size).toBe(12);
      expect((await s.listEvents({ tenants: [], limit: 5 })).events).toEqual([]);
      const windowed = await s.listEvents({
        from: t0 + 1000,
        to: t0 + 2000,
        limit: 100,
        event: 'revenue_impact_event',
      });
      expect(windowed.events).toHaveLength(5);
    });

    it('keeps quarantined events with their issues and releases them atomically', async () => {
      const s = await open();
      const issue = {
        event: 'revenue_impact_event',
        property: 'impact_amount',
        rule: 'minimum' as const,
        expected: 'a number ≥ 0',
        value: -1,
        message: 'm',
      };
      const bad = {
        ...revenue,
        uuid: '01944f5a-0000-7000-8000-0000000000ff',
        properties: { ...revenue.properties, impact_amount: -1 },
      };
      await s.commit({
        events: [],
        quarantined: [{ id: 'q1', receivedAt: t0, batchIndex: 3, event: bad, issues: [issue] }],
        releasedQuarantineIds: [],
        ingestedAt: t0,
      });
      const listed = await s.listQuarantine({ limit: 10 });
      expect(listed).toEqual([{ id: 'q1', receivedAt: t0, batchIndex: 3, event: bad, issues: [issue] }]);
      expect(await s.listQuarantine({ limit: 10, tenants: ['other'] })).toEqual([]);
      const fixed = { ...bad, properties: { ...bad.properties, impact_amount: 1 } };
      await s.commit({ events: [fixed], quarantined: [], releasedQuarantineIds: ['q1'], ingestedAt: t0 });
      expect(await s.listQuarantine({ limit: 10 })).toEqual([]);
      expect(await s.existingUuids([bad.uuid, revenue.uuid])).toEqual(new Set([bad.uuid]));
    });

    it('visits every stored uuid', async () => {
      const s = await open();
      await s.commit({
        events: [revenue, pageview],
        quarantined: [],
        releasedQuarantineIds: [],
        ingestedAt: t0,
      });
      const uuids: string[] = [];
      expect(await s.forEachUuid((u) => uuids.push(u))).toBe(2);
      expect(uuids.sort()).toEqual([revenue.uuid, pageview.uuid]);
      const later = { ...pageview, uuid: '01944f5a-0000-7000-8000-0000000000f1' };
      await s.commit({ events: [later], quarantined: [], releasedQuarantineIds: [], ingestedAt: t0 + 1000 });
      const since: string[] = [];
      expect(await s.forEachUuid((u) => since.push(u), t0 + 1000)).toBe(1);
      expect(since).toEqual([later.uuid]);
    });

    it('lists the events behind a number with their amounts, latest per key, newest first, paged', async () => {
      const s = await open();
      const at = (i: number, event: string, properties: Record<string, unknown>): CapturedEvent => ({
        uuid: `01944f5a-0000-7000-8000-0000000001${String(i).padStart(2, '0')}`,
        event,
        distinctId: 'd',
        timestamp: t0 + i,
        properties,
      });
      const revenue = (i: number, type: string, amount: number, tenant: string | null = 'a') =>
        at(i, 'revenue_impact_event', {
          ...(tenant === null ? {} : { tenant_id: tenant }),
          impact_type: type,
          impact_amount: amount,
        });
      const saving = (i: number, amount: number, type?: string) =>
        at(i, 'cost_optimization_event', {
          tenant_id: 'a',
          savings_amount: amount,
          ...(type === undefined ? {} : { optimization_type: type }),
        });
      const events = [
        revenue(1, 'positive', 100),
        revenue(2, 'negative', 40),
        revenue(3, 'positive', 7, null), // no tenant: never counts
        revenue(4, 'neutral', 9), // not matched
        revenue(5, 'positive', 1, 'b'),
        saving(11, 10, 'x'),
        saving(15, 20, 'x'),
        saving(13, 5, 'y'),
        saving(13, 2, 'y'), // same millisecond: the lower amount wins
        saving(14, 7), // no key property: its own uuid
      ];
      await s.commit({ events, quarantined: [], releasedQuarantineIds: [], ingestedAt: t0 });
      const window = { from: t0, to: t0 + 100 };
      const net = {
        event: 'revenue_impact_event' as const,
        match: { property: 'impact_type', values: ['positive', 'negative'] },
        amount: { property: 'impact_amount', negate: { property: 'impact_type', value: 'negative' } },
      };
      const first = await s.listContributions({ rule: net, tenants: ['a'], ...window, limit: 1 });
      expect(first.contributions.map((c) => [c.event.uuid, c.amount])).toEqual([[events[1]?.uuid, -40]]);
      const second = await s.listContributions({
        rule: net,
        tenants: ['a'],
        ...window,
        limit: 1,
        cursor: first.nextCursor ?? '',
      });
      expect(second.contributions.map((c) => [c.event.uuid, c.amount])).toEqual([[events[0]?.uuid, 100]]);
      expect(second.nextCursor).toBeNull();
      const all = await s.listContributions({ rule: net, ...window, limit: 10 });
      expect(all.contributions.map((c) => c.amount)).toEqual([1, -40, 100]);
      const latest = await s.listContributions({
        rule: {
          event: 'cost_optimization_event',
          amount: { property: 'savings_amount' },
          latestPer: ['optimization_type', 'uuid'],
        },
        ...window,
        limit: 10,
      });
      expect(latest.contributions.map((c) => [c.event.uuid, c.amount])).toEqual([
        [events[6]?.uuid, 20],
        [events[9]?.uuid, 7],
        [events[8]?.uuid, 2],
      ]);
      expect(latest.contributions[0]?.event).toMatchObject({ tenantId: 'a', timestamp: t0 + 15 });
    });

    it('lists tenants with events by id, tells which exist and suggests the nearest names', async () => {
      const s = await open();
      const names = ['initech', 'acme', 'globex', 'acme-eu', 'acme'];
      const events = names.map((tenant, i) => ({
        ...pageview,
        uuid: `01944f5a-0000-7000-8000-0000000002${String(i).padStart(2, '0')}`,
        timestamp: t0 + i,
        properties: { tenant_id: tenant },
      }));
      const tenantless = { ...pageview, uuid: '01944f5a-0000-7000-8000-000000000299', properties: {} };
      await s.commit({
        events: [...events, tenantless],
        quarantined: [],
        releasedQuarantineIds: [],
        ingestedAt: t0,
      });
      const first = await s.listTenants({ limit: 2 });
      expect(first).toEqual({
        tenants: [
          { tenantId: 'acme', events: 2, firstEventAt: t0 + 1, lastEventAt: t0 + 4 },
          { tenantId: 'acme-eu', events: 1, firstEventAt: t0 + 3, lastEventAt: t0 + 3 },
        ],
        more: true,
      });
      const rest = await s.listTenants({ limit: 2, after: 'acme-eu' });
      expect(rest.tenants.map((t) => t.tenantId)).toEqual(['globex', 'initech']);
      expect(rest.more).toBe(false);
      expect((await s.listTenants({ limit: 5, tenants: ['globex'] })).tenants.map((t) => t.tenantId)).toEqual(
        ['globex'],
      );
      expect(await s.tenantsWithEvents(['acme', 'nope'])).toEqual(new Set(['acme']));
      expect(await s.nearestTenants('ACMEE', { limit: 3 })).toEqual(['acme', 'acme-eu']);
      expect(await s.nearestTenants('acm', { limit: 3 })).toEqual(['acme', 'acme-eu']);
      expect(await s.nearestTenants('acmee', { limit: 3, tenants: ['acme-eu', 'globex'] })).toEqual([
        'acme-eu',
      ]);
    });

    it('rolls back a failing commit entirely', async () => {
      const s = await open();
      const broken = { ...revenue, uuid: 'not-a-uuid' };
      await expect(
        s.commit({ events: [pageview, broken], quarantined: [], releasedQuarantineIds: [], ingestedAt: t0 }),
      ).rejects.toThrow();
      expect(await s.countEvents()).toBe(0);
      await s.commit({ events: [pageview], quarantined: [], releasedQuarantineIds: [], ingestedAt: t0 });
      expect(await s.countEvents()).toBe(1);
    });
  });
}
