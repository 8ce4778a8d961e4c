import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessChanges } from '../src/access/access-changes.js';
import { ApiKeys } from '../src/access/api-keys.js';
import { createCredentials } from '../src/access/credentials.js';
import type { Actor } from '../src/access/rbac.js';
import { Sessions } from '../src/access/sessions.js';
import { systemClock } from '../src/clock.js';
import { DuckDbApiKeyStore } from '../src/storage/duckdb/duckdb-api-key-store.js';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { DuckDbUserStore } from '../src/storage/duckdb/duckdb-user-store.js';
import { createLiveGuard, type LiveClose, type LiveGuard } from '../src/live/live-guard.js';

// The guard against a real (in-memory) DuckDB: the gap between authenticating an upgrade and watching its
// socket, a store that cannot answer, and sockets that closed on their own.

const admin: Actor = { kind: 'api_key', id: 'bootstrap-admin', role: 'admin', tenants: 'all' };

describe('live guard', () => {
  let store: DuckDbEventStore;
  let keys: ApiKeys;
  let guard: LiveGuard;
  const errors: unknown[] = [];

  beforeEach(async () => {
    store = await DuckDbEventStore.open({ path: ':memory:' });
    const changes = new AccessChanges();
    keys = new ApiKeys(await DuckDbApiKeyStore.open(store), { changes });
    const sessions = new Sessions(await DuckDbUserStore.open(store), {
      idleMs: 60_000,
      maxMs: 60_000,
      changes,
    });
    const credentials = createCredentials({ apiKeys: keys, sessions });
    guard = createLiveGuard({
      changes,
      credentials,
      clock: systemClock,
      onCheckError: (e) => errors.push(e),
    });
  });
  afterEach(async () => {
    guard.close();
    await store.close();
  });

  /** Watches a socket of this key; `ended` lists how it was closed. */
  const watchKey = (keyId: string) => {
    const ended: LiveClose[] = [];
    const watched = guard.watch({
      credential: { kind: 'api_key', keyId },
      role: 'executive',
      scope: 'all',
      end: (close) => ended.push(close),
    });
    return { ...watched, ended };
  };

  it('a key revoked after the upgrade was authenticated, before its socket was watched, never streams', async () => {
    const { id } = await keys.create(admin, { role: 'executive' });
    await keys.revoke(id); // published while nobody watched this key yet
    const socket = watchKey(id);
    expect(await socket.ready).toBe(false);
    expect(socket.ended).toEqual([{ code: 4401, reason: 'API key revoked or expired' }]);
  });

  it('a store that cannot answer the check closes the socket (1011) rather than stream unchecked', async () => {
    const { id } = await keys.create(admin, { role: 'executive' });
    await (await store.connect()).run('DROP TABLE api_keys'); // every read of a key now fails
    const socket = watchKey(id);
    expect(await socket.ready).toBe(false);
    expect(socket.ended).toEqual([{ code: 1011, reason: 'could not re-check access' }]);
    expect(errors).toHaveLength(1);
  });

  it('a released socket is left alone; the others of the same key all end, once', async () => {
    const { id } = await keys.create(admin, { role: 'executive' });
    const [gone, first, second] = [watchKey(id), watchKey(id), watchKey(id)];
    for (const socket of [gone, first, second]) expect(await socket.ready).toBe(true);
    gone.release();
    await keys.revoke(id);
    await keys.revoke(id);
    expect(gone.ended).toEqual([]);
    for (const socket of [first, second])
      expect(socket.ended).toEqual([{ code: 4401, reason: 'API key revoked' }]);
  });
});
