import { describe, expect, it } from 'vitest';
import { ReadThroughCache } from './read-through-cache.js';

/** A read that answers when told to: a revocation can land while it is in flight. */
function gatedRead<V>(value: V) {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  let reads = 0;
  return {
    read: async () => {
      reads += 1;
      await gate;
      return value;
    },
    open: () => open(),
    reads: () => reads,
  };
}

describe('ReadThroughCache', () => {
  it('answers from memory until the entry is older than its bound, then reads again', async () => {
    const cache = new ReadThroughCache<string>(1_000);
    let reads = 0;
    const read = async () => `v${++reads}`;
    expect(await cache.get('k', 0, read)).toBe('v1');
    expect(await cache.get('k', 999, read)).toBe('v1');
    expect(await cache.get('k', 1_000, read)).toBe('v2');
  });

  it('does not keep a read that was in flight when the entry was invalidated', async () => {
    const cache = new ReadThroughCache<string>(60_000);
    const stale = gatedRead('granted');
    const pending = cache.get('k', 0, stale.read);
    cache.delete('k'); // e.g. the key is revoked while its old record is being read
    stale.open();
    expect(await pending).toBe('granted');
    const fresh = gatedRead('revoked');
    const next = cache.get('k', 1, fresh.read);
    fresh.open();
    expect(await next).toBe('revoked');
    expect(fresh.reads()).toBe(1);
  });

  it('drops every entry a predicate names', async () => {
    const cache = new ReadThroughCache<{ user: string }>(60_000);
    await cache.get('a', 0, async () => ({ user: 'u1' }));
    await cache.get('b', 0, async () => ({ user: 'u2' }));
    cache.deleteWhere((v) => v.user === 'u1');
    let reads = 0;
    await cache.get('a', 1, async () => ({ user: `u1-${++reads}` }));
    await cache.get('b', 1, async () => ({ user: `u2-${++reads}` }));
    expect(reads).toBe(1);
  });
});
