import { describe, expect, it } from 'vitest';
import { fixtures, type StoreFixture } from './fixtures.contract.js';
import type { Subscription, SubscriptionStore } from './subscription-store.js';

const T0 = Date.UTC(2026, 2, 1, 9);

const subscription = (tenantId: string, over: Partial<Subscription> = {}): Subscription => ({
  tenantId,
  status: 'active',
  planName: `Plan "${tenantId}"`,
  priceMonthly: 49.99,
  currentPeriodStart: T0,
  currentPeriodEnd: T0 + 30 * 86_400_000,
  updatedAt: T0,
  ...over,
});

/** Behaviour every SubscriptionStore adapter must show; each adapter's test calls this. */
export function runSubscriptionStoreContract(
  name: string,
  open: () => Promise<StoreFixture<SubscriptionStore>>,
): void {
  describe(`SubscriptionStore contract: ${name}`, () => {
    const fresh = fixtures(open);
    const stored = (s: Subscription) => ({ ...s, suppliedBy: null, displayName: null });

    it('upserts subscriptions and lists them by tenant, all or some', async () => {
      const { store } = await fresh();
      const b = subscription('tenant-b', { currentPeriodStart: null, currentPeriodEnd: null });
      const a = subscription("o'neil", { status: 'past_due', priceMonthly: 0 });
      const c = subscription('acme', { priceMonthly: 1234.5 });
      await store.upsert([b, a]);
      await store.upsert([c]);
      await store.upsert([]);
      expect(await store.list()).toEqual([c, a, b].map(stored));
      expect(await store.list(['tenant-b', 'unknown'])).toEqual([stored(b)]);
      expect(await store.list([])).toEqual([]);
    });

    it('an upsert replaces the whole row of its tenant', async () => {
      const { store } = await fresh();
      await store.upsert([subscription('acme'), subscription('beta')]);
      const changed = subscription('acme', {
        status: 'canceled',
        planName: 'Growth',
        priceMonthly: 10,
        currentPeriodEnd: null,
        updatedAt: T0 + 5,
      });
      await store.upsert([changed]);
      expect(await store.list(['acme'])).toEqual([stored(changed)]);
      expect(await store.list()).toHaveLength(2);
    });

    it('removes a tenant once', async () => {
      const { store } = await fresh();
      await store.upsert([subscription('acme'), subscription('beta')]);
      expect(await store.remove('acme')).toBe(true);
      expect(await store.remove('acme')).toBe(false);
      expect((await store.list()).map((s) => s.tenantId)).toEqual(['beta']);
    });
  });
}
