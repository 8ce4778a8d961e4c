import fc from 'fast-check';
import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';

import { decompressLzBase64 } from './lz-string.js';

describe('decompressLzBase64', () => {
  it('round-trips lz-string compressToBase64 output', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        expect(decompressLzBase64(LZString.compressToBase64(text), Infinity)).toEqual({ text });
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with LZString.decompressFromBase64 on arbitrary (mostly corrupt) input', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=!é';
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 60 }), (input) => {
        let expected: string | null;
        try {
          expected = LZString.decompressFromBase64(input);
        } catch {
          expected = null; // the library throws a TypeError on some corrupt input
        }
        const actual = decompressLzBase64(input, Infinity);
        if (expected === null) expect(actual).toBe('invalid');
        else expect(actual).toEqual({ text: expected });
      }),
      { numRuns: 2000 },
    );
  });

  it('stops at the cap instead of building the whole output', () => {
    const bomb = LZString.compressToBase64('A'.repeat(1_000_000));
    expect(bomb.length).toBeLessThan(5_000);
    expect(decompressLzBase64(bomb, 1_000_000)).toEqual({ text: 'A'.repeat(1_000_000) });
    expect(decompressLzBase64(bomb, 999_999)).toBe('too_big');
  });
});
