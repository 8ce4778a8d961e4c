import { describe, expect, it } from 'vitest';
import { fixtures, type StoreFixture } from './fixtures.contract.js';
import type { SessionRecord, UserRecord, UserStore } from './user-store.js';

const T0 = Date.UTC(2026, 2, 1, 9);

const user = (id: string, email: string, over: Partial<UserRecord> = {}): UserRecord => ({
  id,
  email,
  name: `Name of ${id}`,
  role: 'analyst',
  tenants: ['acme', "o'neil"],
  passwordHash: `$argon2id$v=19$m=65536,t=3,p=4$${id}`,
  createdAt: T0,
  createdBy: 'bootstrap-admin',
  updatedAt: T0,
  disabledAt: null,
  ...over,
});

const session = (tokenHash: string, userId: string, expiresAt: number): SessionRecord => ({
  tokenHash,
  userId,
  createdAt: T0,
  lastSeenAt: T0,
  expiresAt,
});

/** Behaviour every UserStore adapter must show (users and their sessions); each adapter's test calls this. */
export function runUserStoreContract(name: string, open: () => Promise<StoreFixture<UserStore>>): void {
  describe(`UserStore contract: ${name}`, () => {
    const fresh = fixtures(open);

    it('inserts users once per email and reads them back exactly, listed by email', async () => {
      const { store } = await fresh();
      const ann = user('u1', 'ann@example.com', { name: null, role: 'admin', tenants: 'all' });
      const bob = user('u2', 'bob@example.com', { disabledAt: T0 + 5 });
      expect(await store.insert(bob)).toBe(true);
      expect(await store.insert(ann)).toBe(true);
      expect(await store.insert(user('u3', 'ann@example.com'))).toBe(false);
      expect(await store.insert(user('u1', 'other@example.com'))).toBe(false);
      expect(await store.get('u1')).toEqual(ann);
      expect(await store.findByEmail('bob@example.com')).toEqual(bob);
      expect(await store.findByEmail('nobody@example.com')).toBeNull();
      expect(await store.get('u3')).toBeNull();
      expect(await store.list()).toEqual([ann, bob]);
    });

    it('updates only the patched fields and answers null for an unknown user', async () => {
      const { store } = await fresh();
      const ann = user('u1', 'ann@example.com');
      await store.insert(ann);
      const patched = await store.update('u1', { updatedAt: T0 + 10, role: 'executive', tenants: 'all' });
      expect(patched).toEqual({ ...ann, updatedAt: T0 + 10, role: 'executive', tenants: 'all' });
      const disabled = await store.update('u1', { updatedAt: T0 + 20, disabledAt: T0 + 20, name: null });
      expect(disabled).toEqual({ ...patched, updatedAt: T0 + 20, disabledAt: T0 + 20, name: null });
      const enabled = await store.update('u1', { updatedAt: T0 + 30, disabledAt: null, passwordHash: 'h2' });
      expect(enabled).toMatchObject({ disabledAt: null, passwordHash: 'h2', tenants: 'all' });
      expect(await store.update('nobody', { updatedAt: T0 })).toBeNull();
    });

    it('keeps sessions by token hash, touches, ends and purges them', async () => {
      const { store } = await fresh();
      await store.insert(user('u1', 'ann@example.com'));
      await store.insert(user('u2', 'bob@example.com'));
      const first = session('h1', 'u1', T0 + 1000);
      await store.insertSession(first);
      await store.insertSession(session('h2', 'u1', T0 + 2000));
      await store.insertSession(session('h3', 'u1', T0 + 3000));
      await store.insertSession(session('h4', 'u2', T0 + 500));
      expect(await store.getSession('h1')).toEqual(first);
      expect(await store.getSession('nope')).toBeNull();
      await store.touchSession('h1', T0 + 100, T0 + 9000);
      expect(await store.getSession('h1')).toEqual({ ...first, lastSeenAt: T0 + 100, expiresAt: T0 + 9000 });
      await store.deleteSession('h2');
      expect(await store.getSession('h2')).toBeNull();
      // Expired before `now` only: a session expiring exactly now is still kept.
      expect(await store.purgeSessions(T0 + 3000)).toBe(1);
      expect(await store.getSession('h4')).toBeNull();
      expect(await store.getSession('h3')).not.toBeNull();
      await store.insertSession(session('h5', 'u1', T0 + 9000));
      expect(await store.deleteSessionsOf('u1', 'h5')).toBe(2);
      expect(await store.getSession('h5')).not.toBeNull();
      expect(await store.deleteSessionsOf('u1')).toBe(1);
      expect(await store.deleteSessionsOf('u1')).toBe(0);
    });

    it('removes a user with every session of theirs', async () => {
      const { store } = await fresh();
      await store.insert(user('u1', 'ann@example.com'));
      await store.insert(user('u2', 'bob@example.com'));
      await store.insertSession(session('h1', 'u1', T0 + 1000));
      await store.insertSession(session('h2', 'u2', T0 + 1000));
      expect(await store.remove('u1')).toBe(true);
      expect(await store.remove('u1')).toBe(false);
      expect(await store.get('u1')).toBeNull();
      expect(await store.getSession('h1')).toBeNull();
      expect(await store.getSession('h2')).not.toBeNull();
      // The email is free again.
      expect(await store.insert(user('u3', 'ann@example.com'))).toBe(true);
    });
  });
}
