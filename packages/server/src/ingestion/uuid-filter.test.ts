import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprint, UuidFilter } from './uuid-filter.js';

describe('UuidFilter', () => {
  it('always finds what was added, and rarely what was not, in the memory it was given', () => {
    const filter = new UuidFilter(64 * 1024);
    expect(filter.words.byteLength).toBe(64 * 1024);
    // 20K uuids in 64 KiB: ~26 bits a uuid, as 10M uuids in the default 32 MiB.
    const added = Array.from({ length: 20_000 }, () => randomUUID());
    for (const uuid of added) filter.add(uuid);
    expect(added.every((uuid) => filter.has(uuid))).toBe(true);
    const others = Array.from({ length: 20_000 }, () => randomUUID()).filter((uuid) => filter.has(uuid));
    expect(others.length).toBeLessThan(20);
  });

  it('rounds its size down to a power of two of at least a page', () => {
    expect(new UuidFilter(100_000).words.byteLength).toBe(65_536);
    expect(new UuidFilter(1).words.byteLength).toBe(4096);
  });

  it.each([
    [
      'differ only in their last digits',
      (i: number) => `0190c6a2-7d2b-7b7e-9f1a-${i.toString(16).padStart(12, '0')}`,
    ],
    [
      'differ only in their first digits',
      (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
    ],
    [
      'differ only in the middle',
      (i: number) =>
        `01234567-89ab-4${(i >>> 12).toString(16).padStart(3, '0')}-8${(i & 0xfff).toString(16).padStart(3, '0')}-0123456789ab`,
    ],
  ])('spreads uuids that %s over the blocks', (_, uuidOf) => {
    const n = 50_000;
    const slots = new Set<number>();
    for (let i = 0; i < n; i++) slots.add(fingerprint(uuidOf(i))[0] & 0xfffff);
    // 50K keys into 2^20 blocks by a uniform hash: ~1,170 collide; a weak one collapses to a few blocks.
    expect(slots.size).toBeGreaterThan(n * 0.95);
  });

  it('hashes as the saved filters were written (a start reads them back)', () => {
    expect(fingerprint('0190c6a2-7d2b-7b7e-9f1a-000000000001')).toEqual([3284899539, 4250740193]);
    expect(fingerprint('ffffffff-ffff-4fff-bfff-ffffffffffff')).toEqual([2668127473, 1318186978]);
    expect(fingerprint('6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toEqual([1670951541, 4282007048]);
  });

  it('folds to what its uuids need and reads back at any size, finding every uuid added', () => {
    const filter = new UuidFilter(1024 * 1024);
    const added = Array.from({ length: 3_000 }, () => randomUUID());
    for (const uuid of added) filter.add(uuid);
    const folded = filter.folded();
    // 32 bits a uuid: the smallest power of two of at least one word per uuid.
    expect(folded.length).toBe(4096);
    for (const bytes of [1024 * 1024, 4 * 4096, 4096]) {
      const back = UuidFilter.fromWords(folded, filter.added, bytes);
      expect(back?.words.byteLength).toBe(bytes);
      expect(added.every((uuid) => back?.has(uuid))).toBe(true);
      expect(back?.added).toBe(3_000);
    }
    const others = Array.from({ length: 20_000 }, () => randomUUID());
    const tiled = UuidFilter.fromWords(folded, filter.added, 1024 * 1024);
    expect(others.filter((uuid) => tiled?.has(uuid)).length).toBeLessThan(20);
    expect(new UuidFilter(1024 * 1024).folded().length).toBe(1024);
  });

  it('refuses words that are not a filter', () => {
    expect(UuidFilter.fromWords(new Uint32Array(1536), 0, 4096)).toBeNull();
    expect(UuidFilter.fromWords(new Uint32Array(512), 0, 4096)).toBeNull();
  });
});
