import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { DuckDbUserStore } from '../src/storage/duckdb/duckdb-user-store.js';
import { AccessChanges } from '../src/access/access-changes.js';
import { Sessions, TooManyAttemptsError } from '../src/access/sessions.js';
import { parseCreateUser, Users } from '../src/access/users.js';
import type { Actor } from '../src/access/rbac.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const admin: Actor = { kind: 'api_key', id: 'admin', role: 'admin', tenants: 'all' };
const MINUTE = 60_000;

describe('users and sessions on a real DuckDB file', () => {
  let store: DuckDbEventStore;
  let usersStore: DuckDbUserStore;
  const clock = { now: Date.UTC(2026, 10, 25, 9) };
  let sessions: Sessions;
  let users: Users;

  beforeAll(async () => {
    store = await DuckDbEventStore.open({
      path: join(temporaryDirectory('pulse-users-'), 'p.duckdb'),
    });
    usersStore = await DuckDbUserStore.open(store);
    // One channel, as the server wires them: a user change drops that user's cached sessions at once.
    const changes = new AccessChanges();
    users = new Users(usersStore, () => clock.now, changes);
    sessions = new Sessions(usersStore, {
      idleMs: 30 * MINUTE,
      maxMs: 120 * MINUTE,
      now: () => clock.now,
      changes,
    });
    await users.create(
      admin,
      parseCreateUser({ email: 'CEO@Acme.io', password: 'correct horse battery', role: 'executive' }),
    );
  });
  afterAll(async () => store.close());

  it('stores an argon2id hash, never the password, and refuses a second user with the same email', async () => {
    const [stored] = await usersStore.list();
    expect(stored?.email).toBe('ceo@acme.io');
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(
      users.create(
        admin,
        parseCreateUser({ email: 'ceo@acme.io', password: 'another long one', role: 'analyst' }),
      ),
    ).rejects.toThrow('a user with email ceo@acme.io already exists');
  });

  it('signs in with the right password (email in any case) and resolves the cookie token to the user', async () => {
    const signedIn = await sessions.signIn(' Ceo@ACME.io ', 'correct horse battery', '127.0.0.1');
    const resolved = await sessions.resolve(signedIn.token);
    expect(resolved?.actor).toMatchObject({ kind: 'user', role: 'executive', tenants: 'all' });
    expect(sessions.csrfMatches(signedIn.token, signedIn.csrfToken)).toBe(true);
    expect(sessions.csrfMatches(signedIn.token, `${signedIn.csrfToken}x`)).toBe(false);
    await expect(sessions.signIn('ceo@acme.io', 'wrong password!', '127.0.0.1')).rejects.toThrow(
      'email or password is not correct',
    );
    await expect(sessions.signIn('nobody@acme.io', 'correct horse battery', '127.0.0.1')).rejects.toThrow(
      'email or password is not correct',
    );
  });

  it('ends a session when idle too long, and at the absolute limit however active', async () => {
    const idle = await sessions.signIn('ceo@acme.io', 'correct horse battery', '127.0.0.1');
    clock.now += 31 * MINUTE;
    expect(await sessions.resolve(idle.token)).toBeNull();

    const busy = await sessions.signIn('ceo@acme.io', 'correct horse battery', '127.0.0.1');
    for (let minutes = 0; minutes < 100; minutes += 20) {
      clock.now += 20 * MINUTE;
      expect(await sessions.resolve(busy.token)).not.toBeNull();
    }
    clock.now += 25 * MINUTE; // 125 minutes after sign-in, 25 after the last use
    expect(await sessions.resolve(busy.token)).toBeNull();
  });

  it('a change made by another process (not told here) reaches a cached session within the cache bound', async () => {
    const [user] = await usersStore.list();
    if (!user) throw new Error('no user');
    const elsewhere = new Users(usersStore, () => clock.now);
    const signedIn = await sessions.signIn('ceo@acme.io', 'correct horse battery', '127.0.0.1');
    expect(await sessions.resolve(signedIn.token)).not.toBeNull();
    await elsewhere.update(admin, user.id, { name: 'Chief' });
    expect((await sessions.resolve(signedIn.token))?.user.name).toBeNull(); // still the cached read
    clock.now += 10_000;
    expect((await sessions.resolve(signedIn.token))?.user.name).toBe('Chief');
    await users.update(admin, user.id, { name: null }); // through this process: at once
    expect((await sessions.resolve(signedIn.token))?.user.name).toBeNull();
  });

  it('a password change or disabling the user ends their sessions; a role change applies at once', async () => {
    const [user] = await usersStore.list();
    if (!user) throw new Error('no user');
    const a = await sessions.signIn('ceo@acme.io', 'correct horse battery', '127.0.0.1');
    await users.update(admin, user.id, { role: 'tenant_executive', tenants: ['acme'] });
    expect((await sessions.resolve(a.token))?.actor).toMatchObject({
      role: 'tenant_executive',
      tenants: ['acme'],
    });
    await users.update(admin, user.id, { password: 'a brand new passphrase' });
    expect(await sessions.resolve(a.token)).toBeNull();
    const b = await sessions.signIn('ceo@acme.io', 'a brand new passphrase', '127.0.0.1');
    await users.update(admin, user.id, { disabled: true });
    expect(await sessions.resolve(b.token)).toBeNull();
    await expect(sessions.signIn('ceo@acme.io', 'a brand new passphrase', '127.0.0.2')).rejects.toThrow(
      'not correct',
    );
  });

  it('after five failures the account is locked out even with the right password', async () => {
    await users.create(
      admin,
      parseCreateUser({ email: 'cfo@acme.io', password: 'numbers numbers', role: 'analyst' }),
    );
    for (let i = 0; i < 5; i++)
      await expect(sessions.signIn('cfo@acme.io', `guess number ${i}`, `10.0.0.${i}`)).rejects.toThrow(
        'not correct',
      );
    const locked = await sessions
      .signIn('cfo@acme.io', 'numbers numbers', '10.0.0.99')
      .catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(TooManyAttemptsError);
    expect((locked as TooManyAttemptsError).retryAfterSeconds).toBeGreaterThan(800);
    clock.now += 16 * MINUTE;
    await expect(sessions.signIn('cfo@acme.io', 'numbers numbers', '10.0.0.99')).resolves.toMatchObject({
      user: { email: 'cfo@acme.io' },
    });
  });

  it('names the bad field of a user', () => {
    expect(() => parseCreateUser({ email: 'x', password: 'long enough pass', role: 'admin' })).toThrow(
      'email must be an email',
    );
    expect(() => parseCreateUser({ email: 'a@b.io', password: 'short', role: 'admin' })).toThrow(
      'password must be at least 12 characters',
    );
    expect(() =>
      parseCreateUser({ email: 'a@b.io', password: 'long enough pass', role: 'tenant_executive' }),
    ).toThrow('tenants is required for role tenant_executive');
  });
});
