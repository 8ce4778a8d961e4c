import { describe, expect, it } from 'vitest';
import { isoTimestamp, uuidV7 } from './format.js';
import { Random } from './random.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('isoTimestamp', () => {
  it('matches Date#toISOString', () => {
    const rng = new Random(1);
    const samples = [0, 1, 999, Date.UTC(2025, 11, 31, 23, 59, 59, 999), Date.UTC(2028, 1, 29, 12)];
    for (let i = 0; i < 2000; i++) samples.push(Math.floor(rng.range(0, Date.UTC(2100, 0, 1))));
    for (const ms of samples) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  });
});

describe('uuidV7', () => {
  it('is a UUIDv7 whose 48-bit prefix is the timestamp', () => {
    const rng = new Random(2);
    for (const ms of [0, 1, 0xffffff, 0x1000000, Date.UTC(2026, 0, 15, 10, 30), 2 ** 48 - 1]) {
      const uuid = uuidV7(ms, rng);
      expect(uuid).toMatch(UUID_V7);
      expect(Number.parseInt(uuid.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
    }
  });

  it('is reproducible from the seed and distinct within one millisecond', () => {
    const a = new Random(3);
    const b = new Random(3);
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const id = uuidV7(1_700_000_000_000, a);
      expect(id).toBe(uuidV7(1_700_000_000_000, b));
      ids.add(id);
    }
    expect(ids.size).toBe(10_000);
  });
});

describe('Random', () => {
  it('gives the same sequence for the same seed and stream, another for another', () => {
    const draw = (seed: number, stream?: number) => {
      const rng = new Random(seed, stream);
      return Array.from({ length: 8 }, () => rng.uint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(42, 1)).not.toEqual(draw(42, 2));
    expect(draw(1.5)).not.toEqual(draw(1));
  });

  it('is roughly uniform', () => {
    const rng = new Random(9);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[Math.floor(rng.next() * 10)]! += 1;
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});
