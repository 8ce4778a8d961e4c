import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprint, UuidIndex } from './uuid-index.js';

describe('UuidIndex', () => {
  it('holds what was added and nothing else, across growth', () => {
    const index = new UuidIndex(16);
    const added = Array.from({ length: 5_000 }, () => randomUUID());
    for (const uuid of added) index.add(uuid);
    expect(index.size).toBe(5_000);
    expect(added.every((uuid) => index.has(uuid))).toBe(true);
    expect(Array.from({ length: 5_000 }, () => randomUUID()).some((uuid) => index.has(uuid))).toBe(false);
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
  ])('spreads uuids that %s over the slots (no long probe chains)', (_, uuidOf) => {
    const n = 50_000;
    const slots = new Set<number>();
    for (let i = 0; i < n; i++) slots.add(fingerprint(uuidOf(i))[0] & 0xfffff);
    // 50K keys into 2^20 slots by a uniform hash: ~1,170 collide; a weak one collapses to a few slots.
    expect(slots.size).toBeGreaterThan(n * 0.95);
  });
});
