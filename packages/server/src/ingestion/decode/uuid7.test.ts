import { describe, expect, it } from 'vitest';

import { uuidv7 } from './uuid7.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function timeOf(uuid: string): number {
  return parseInt(uuid.replace(/-/g, '').slice(0, 12), 16);
}

describe('uuidv7', () => {
  it('has version 7, variant 10 and the given ms in its first 48 bits', () => {
    const now = Date.UTC(2026, 10, 25, 19, 56, 32, 334);
    const id = uuidv7(now);
    expect(id).toMatch(V7);
    expect(timeOf(id)).toBe(now);
  });

  it('orders by time and stays unique within one millisecond', () => {
    const now = Date.now();
    const ids = Array.from({ length: 5000 }, (_, i) => uuidv7(now + Math.floor(i / 100)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(timeOf(ids[i]!)).toBeGreaterThanOrEqual(timeOf(ids[i - 1]!));
    const sortedByTime = ids.slice(0, 100).every((id) => timeOf(id) === now);
    expect(sortedByTime).toBe(true);
  });

  it('floors times before the epoch to 0 and clamps to 48 bits', () => {
    expect(uuidv7(-5).slice(0, 13)).toBe('00000000-0000');
    expect(uuidv7(2 ** 50).slice(0, 13)).toBe('ffffffff-ffff');
  });

  it('uses random bits (no two equal over many draws, across the pool refill)', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => uuidv7(0)));
    expect(ids.size).toBe(2000);
  });
});
