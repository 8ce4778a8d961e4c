import { afterEach, describe, expect, it } from 'vitest';
import type { Subscription, SubscriptionStore } from './subscription-store.js';
import type { SyncOutcome, SyncStore } from './sync-store.js';

/** Two handles on one store's data (two processes' pools; one engine that is one process may give the same). */
export interface SharedSyncStores {
  stores: [SyncStore, SyncStore];
  /** Where the synchronised rows are read back, and the API's writes go. */
  subscriptions: SubscriptionStore;
  close(): Promise<void>;
}

/** Behaviour every SyncStore adapter must show; each adapter's test calls this. */
export function runSyncStoreContract(name: string, open: () => Promise<SharedSyncStores>): void {
  describe(`SyncStore contract: ${name}`, () => {
    let opened: SharedSyncStores | undefined;
    afterEach(async () => {
      await opened?.close();
      opened = undefined;
    });
    const shared = async () => (opened = await open());

    const t0 = Date.UTC(2026, 5, 1, 12);
    const DAY = 86_400_000;
    const sub = (tenantId: string, over: Partial<Subscription> = {}): Subscription => ({
      tenantId,
      status: 'active',
      planName: `Pro "${tenantId}"`,
      priceMonthly: 99.5,
      currentPeriodStart: t0 - DAY,
      currentPeriodEnd: t0 + 29 * DAY,
      updatedAt: 0,
      ...over,
    });
    const outcome = (over: Partial<SyncOutcome>): SyncOutcome => ({
      inserted: 0,
      updated: 0,
      ended: 0,
      unchanged: 0,
      conflicts: [],
      touched: [],
      ...over,
    });

    it('inserts, keeps, updates and ends its own rows and leaves rows others supply alone', async () => {
      const { stores, subscriptions } = await shared();
      const [s] = stores;
      await subscriptions.upsert([sub('api-owned', { planName: 'Manual', updatedAt: t0 - DAY })]);
      expect(
        await s.applySubscriptions(
          'crm',
          { rows: [sub('a'), sub('b'), sub('c'), sub('api-owned')], kept: [] },
          t0,
        ),
      ).toEqual(
        outcome({
          inserted: 3,
          conflicts: [{ tenantId: 'api-owned', suppliedBy: null }],
          touched: ['a', 'b', 'c'],
        }),
      );
      // b changes, c is listed with an invalid row (kept), a is unchanged, and d is new; nothing else ends.
      const next = await s.applySubscriptions(
        'crm',
        {
          rows: [sub('a'), sub('b', { priceMonthly: 120 }), sub('d', { currentPeriodStart: null })],
          kept: ['c'],
        },
        t0 + DAY,
      );
      expect(next).toEqual(outcome({ inserted: 1, updated: 1, unchanged: 1, touched: ['b', 'd'] }));
      // a leaves the view: it ends once.
      const gone = {
        rows: [sub('b', { priceMonthly: 120 }), sub('d', { currentPeriodStart: null })],
        kept: ['c'],
      };
      expect(await s.applySubscriptions('crm', gone, t0 + 2 * DAY)).toEqual(
        outcome({ ended: 1, unchanged: 2, touched: ['a'] }),
      );
      expect(await s.applySubscriptions('crm', gone, t0 + 3 * DAY)).toEqual(outcome({ unchanged: 2 }));
      // Another source may not take over crm's rows.
      expect(await s.applySubscriptions('billing-db', { rows: [sub('b')], kept: [] }, t0)).toEqual(
        outcome({ conflicts: [{ tenantId: 'b', suppliedBy: 'crm' }] }),
      );

      const rows = await subscriptions.list();
      expect(rows.map((r) => [r.tenantId, r.suppliedBy])).toEqual([
        ['a', 'crm'],
        ['api-owned', null],
        ['b', 'crm'],
        ['c', 'crm'],
        ['d', 'crm'],
      ]);
      const byId = new Map(rows.map((r) => [r.tenantId, r]));
      expect(byId.get('a')).toMatchObject({
        status: 'canceled',
        currentPeriodEnd: t0 + 2 * DAY,
        updatedAt: t0 + 2 * DAY,
      });
      expect(byId.get('b')).toMatchObject({ ...sub('b', { priceMonthly: 120 }), updatedAt: t0 + DAY });
      expect(byId.get('c')).toMatchObject({ ...sub('c'), updatedAt: t0 });
      expect(byId.get('d')).toMatchObject({ ...sub('d', { currentPeriodStart: null }), updatedAt: t0 + DAY });
      expect(byId.get('api-owned')).toMatchObject({ planName: 'Manual', updatedAt: t0 - DAY });
    });

    it('supplies tenant names, renames them and removes the ones gone from the view', async () => {
      const { stores, subscriptions } = await shared();
      const [s] = stores;
      await subscriptions.upsert([sub('a'), sub('b')]);
      const names = (rows: [string, string][]) => ({
        rows: rows.map(([tenantId, displayName]) => ({ tenantId, displayName })),
        kept: [],
      });
      expect(
        await s.applyTenantNames(
          'crm',
          names([
            ['a', "Acme O'Brien"],
            ['b', 'Beta'],
          ]),
          t0,
        ),
      ).toEqual(outcome({ inserted: 2, touched: ['a', 'b'] }));
      expect(await s.applyTenantNames('crm', names([['a', 'Acme Ltd']]), t0 + DAY)).toEqual(
        outcome({ updated: 1, ended: 1, touched: ['a', 'b'] }),
      );
      expect(await s.applyTenantNames('other', names([['a', 'Mine']]), t0)).toEqual(
        outcome({ conflicts: [{ tenantId: 'a', suppliedBy: 'crm' }] }),
      );
      expect((await subscriptions.list()).map((r) => [r.tenantId, r.displayName])).toEqual([
        ['a', 'Acme Ltd'],
        ['b', null],
      ]);
    });

    it('applies two processes’ syncs of one view one after the other', async () => {
      const { stores, subscriptions } = await shared();
      const [a, b] = stores;
      const read = {
        rows: Array.from({ length: 50 }, (_, i) => sub(`t-${String(i).padStart(2, '0')}`)),
        kept: [],
      };
      const outcomes = await Promise.all([
        a.applySubscriptions('crm', read, t0),
        b.applySubscriptions('crm', read, t0),
      ]);
      // One inserted every row, the other found them all unchanged: no sync planned on a stale read.
      expect(outcomes.map((o) => [o.inserted, o.unchanged]).sort()).toEqual([
        [0, 50],
        [50, 0],
      ]);
      expect(await subscriptions.list()).toHaveLength(50);
    });
  });
}
