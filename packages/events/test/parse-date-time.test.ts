import { describe, expect, it } from 'vitest';
import { parseIsoDateTime } from '../src/index.js';

describe('parseIsoDateTime', () => {
  it.each([
    ['2025-12-19T10:30:00Z', Date.UTC(2025, 11, 19, 10, 30)],
    ['2025-12-19T10:30:00+03:00', Date.UTC(2025, 11, 19, 7, 30)],
    ['2025-12-19T10:30:00-0500', Date.UTC(2025, 11, 19, 15, 30)],
    // Without an offset a catalog date-time is UTC, whatever the machine's zone.
    ['2025-12-19T10:30:00', Date.UTC(2025, 11, 19, 10, 30)],
    ['2025-12-19 10:30', Date.UTC(2025, 11, 19, 10, 30)],
    ['2025-12-19T10:30:00.250', Date.UTC(2025, 11, 19, 10, 30, 0, 250)],
    ['2025-12-19', Date.UTC(2025, 11, 19)],
  ])('%s', (text, expected) => {
    expect(parseIsoDateTime(text)).toBe(expected);
  });
});
