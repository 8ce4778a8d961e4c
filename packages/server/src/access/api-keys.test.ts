import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord, ApiKeyStore } from '../storage/api-key-store.js';
import { ApiKeys, canGrant, parseCreateKey } from './api-keys.js';
import type { Actor } from './rbac.js';

class MemoryStore implements ApiKeyStore {
  readonly rows = new Map<string, ApiKeyRecord>();
  gets = 0;
  touches = 0;
  async insert(r: ApiKeyRecord) {
    this.rows.set(r.id, { ...r });
  }
  async get(id: string) {
    this.gets++;
    const r = this.rows.get(id);
    return r ? { ...r } : null;
  }
  async list() {
    return [...this.rows.values()];
  }
  async revoke(id: string, at: number) {
    const r = this.rows.get(id);
    if (!r) return false;
    r.revokedAt ??= at;
    return true;
  }
  async touch(id: string, at: number) {
    this.touches++;
    const r = this.rows.get(id);
    if (r) r.lastUsedAt = at;
  }
}

const admin: Actor = { kind: 'api_key', id: 'bootstrap-admin', role: 'admin', tenants: 'all' };
const T0 = Date.parse('2026-11-25T10:00:00Z');

describe('ApiKeys', () => {
  it('resolves a key to its actor, stores only a hash, touches last_used at most once a minute', async () => {
    const store = new MemoryStore();
    const clock = { now: T0 };
    const keys = new ApiKeys(store, { now: () => clock.now });
    const { id, key } = await keys.create(admin, { role: 'analyst', tenants: ['a'] });
    expect(JSON.stringify([...store.rows.values()])).not.toContain(key.slice(-43));
    expect(await keys.resolve(key)).toEqual({ kind: 'api_key', id, role: 'analyst', tenants: ['a'] });
    for (let i = 0; i < 5; i++) {
      clock.now += 10_000;
      await keys.resolve(key);
    }
    expect(store.touches).toBe(1);
    clock.now += 10_000;
    await keys.resolve(key);
    expect(store.touches).toBe(2);
  });

  it('caches lookups briefly, but a revocation here takes effect at once', async () => {
    const store = new MemoryStore();
    const clock = { now: T0 };
    const keys = new ApiKeys(store, { now: () => clock.now, cacheMs: 10_000 });
    const { id, key } = await keys.create(admin, { role: 'executive' });
    await keys.resolve(key);
    await keys.resolve(key);
    expect(store.gets).toBe(1);
    await keys.revoke(id);
    expect(await keys.resolve(key)).toBeNull();
  });

  it('refuses malformed keys without a lookup', async () => {
    const store = new MemoryStore();
    const keys = new ApiKeys(store);
    for (const k of ['', 'pulse_', 'pulse_admin_x', `pulse_${'g'.repeat(16)}_${'a'.repeat(43)}`])
      expect(await keys.resolve(k)).toBeNull();
    expect(store.gets).toBe(0);
  });

  it('chains resolvers: the bootstrap key first, then stored keys', async () => {
    const keys = new ApiKeys(new MemoryStore());
    const resolve = keys.resolver(async (k) => (k === 'boot' ? admin : null));
    expect(await resolve('boot')).toBe(admin);
    expect(await resolve('nope')).toBeNull();
  });
});

describe('canGrant', () => {
  const analyst: Actor = { kind: 'api_key', id: 'x', role: 'analyst', tenants: ['a'] };
  it('lets an admin grant anything', () => {
    expect(canGrant(admin, 'admin', 'all')).toBeNull();
  });
  it('refuses a role with permissions the granter lacks, or tenants outside its scope', () => {
    expect(canGrant(analyst, 'admin', 'all')).toContain('may not grant role admin');
    expect(canGrant(analyst, 'analyst', ['b'])).toBe('outside your tenants: b');
    expect(canGrant(analyst, 'analyst', 'all')).toContain('all tenants');
    expect(canGrant(analyst, 'analyst', ['a'])).toBeNull();
  });
});

describe('parseCreateKey', () => {
  it('defaults tenants and trims and dedupes lists', () => {
    expect(parseCreateKey({ role: 'analyst' }, T0)).toEqual({ role: 'analyst', name: null, expiresAt: null });
    expect(
      parseCreateKey({ role: 'analyst', tenants: [' a', 'a', 'b'], expiresAt: '2027-01-01' }, T0),
    ).toEqual({
      role: 'analyst',
      tenants: ['a', 'b'],
      name: null,
      expiresAt: Date.parse('2027-01-01'),
    });
  });
});
