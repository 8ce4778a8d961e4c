import { describe, expect, it } from 'vitest';
import { fixtures, type StoreFixture } from './fixtures.contract.js';
import type { RetentionPolicy, RetentionStore } from './retention-store.js';

const T0 = Date.UTC(2026, 2, 1, 9);

/** Behaviour every RetentionStore adapter must show; each adapter's test calls this. */
export function runRetentionStoreContract(
  name: string,
  open: () => Promise<StoreFixture<RetentionStore>>,
): void {
  describe(`RetentionStore contract: ${name}`, () => {
    const fresh = fixtures(open);
    const policies: RetentionPolicy[] = [
      { event: 'revenue_impact_event', tenant: 'acme', days: null },
      { event: 'generic', tenant: null, days: 30 },
      { event: '*', tenant: null, days: 365 },
      { event: 'revenue_impact_event', tenant: null, days: 90 },
      { event: '*', tenant: "o'neil", days: 7 },
    ];
    // The defaults ('*' first), then by event; in an event, its default (no tenant) before the overrides.
    const listed: RetentionPolicy[] = [
      { event: '*', tenant: null, days: 365 },
      { event: '*', tenant: "o'neil", days: 7 },
      { event: 'generic', tenant: null, days: 30 },
      { event: 'revenue_impact_event', tenant: null, days: 90 },
      { event: 'revenue_impact_event', tenant: 'acme', days: null },
    ];

    it('seeds only an empty store, and lists policies in a fixed order', async () => {
      const { store } = await fresh();
      expect(await store.listPolicies()).toEqual([]);
      expect(await store.seedPolicies(policies, T0)).toBe(true);
      expect(await store.listPolicies()).toEqual(listed);
      expect(await store.seedPolicies([{ event: '*', tenant: null, days: 1 }], T0)).toBe(false);
      expect(await store.listPolicies()).toEqual(listed);
    });

    it('replaces every policy at once, to none as well', async () => {
      const { store } = await fresh();
      await store.replacePolicies(policies, T0);
      await store.replacePolicies([{ event: 'generic', tenant: 'acme', days: 1 }], T0 + 1);
      expect(await store.listPolicies()).toEqual([{ event: 'generic', tenant: 'acme', days: 1 }]);
      await store.replacePolicies([], T0 + 2);
      expect(await store.listPolicies()).toEqual([]);
      // Emptied by a replace, the store takes a seed again.
      expect(await store.seedPolicies(policies, T0 + 3)).toBe(true);
    });

    it('a replace that fails keeps the policies it was to replace', async () => {
      const { store } = await fresh();
      await store.replacePolicies(policies, T0);
      const twice: RetentionPolicy[] = [
        { event: 'generic', tenant: null, days: 1 },
        { event: 'generic', tenant: null, days: 2 },
      ];
      await expect(store.replacePolicies(twice, T0 + 1)).rejects.toThrow();
      expect(await store.listPolicies()).toEqual(listed);
    });
  });
}
