import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';
import { fixtures, type StoreFixture } from './fixtures.contract.js';

const T0 = Date.UTC(2026, 2, 1, 9);

const key = (id: string, over: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id,
  name: `key "${id}"`,
  role: 'analyst',
  tenants: ['acme', "o'neil"],
  hash: id.repeat(64).slice(0, 64),
  createdAt: T0,
  createdBy: 'bootstrap-admin',
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  ...over,
});

/** Behaviour every ApiKeyStore adapter must show; each adapter's test calls this. */
export function runApiKeyStoreContract(name: string, open: () => Promise<StoreFixture<ApiKeyStore>>): void {
  describe(`ApiKeyStore contract: ${name}`, () => {
    const fresh = fixtures(open);

    it('stores keys exactly and lists them by creation time, then id', async () => {
      const { store } = await fresh();
      const b = key('b', { createdAt: T0 + 1, expiresAt: T0 + 86_400_000 });
      const a = key('a', { createdAt: T0 + 1, name: null, role: 'admin', tenants: 'all' });
      const c = key('c');
      for (const k of [b, a, c]) await store.insert(k);
      expect(await store.get('a')).toEqual(a);
      expect(await store.get('zz')).toBeNull();
      expect(await store.list()).toEqual([c, a, b]);
      await expect(store.insert(key('a'))).rejects.toThrow();
    });

    it('revokes once (the first time stays) and touches last use', async () => {
      const { store } = await fresh();
      await store.insert(key('a'));
      expect(await store.revoke('a', T0 + 10)).toBe(true);
      expect(await store.revoke('a', T0 + 20)).toBe(true);
      expect((await store.get('a'))?.revokedAt).toBe(T0 + 10);
      expect(await store.revoke('missing', T0)).toBe(false);
      await store.touch('a', T0 + 30);
      expect(await store.get('a')).toMatchObject({ revokedAt: T0 + 10, lastUsedAt: T0 + 30 });
    });
  });
}
