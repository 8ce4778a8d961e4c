import { describe, expect, it } from 'vitest';
import { countQuery, isUuid, pageQuery, utcMicros } from './hogql.js';

describe('utcMicros', () => {
  it('keeps all six fraction digits and converts any offset to UTC', () => {
    expect(utcMicros('2024-05-01T12:34:56.789123+02:00')).toBe('2024-05-01T10:34:56.789123Z');
    expect(utcMicros('2024-05-01T05:00:00.5-05:00')).toBe('2024-05-01T10:00:00.500000Z');
    expect(utcMicros('2024-05-01 10:00:00+0530')).toBe('2024-05-01T04:30:00.000000Z');
    expect(utcMicros('2024-05-01T10:00:00')).toBe('2024-05-01T10:00:00.000000Z');
    expect(utcMicros('2024-05-01T10:00:00.123456789Z')).toBe('2024-05-01T10:00:00.123456Z');
  });

  it('refuses what is no ISO 8601 date-time', () => {
    for (const bad of ['2024-05-01', 'yesterday', '2024-13-01T00:00:00Z', "2024-05-01T00:00:00Z' OR 1=1"])
      expect(utcMicros(bad)).toBeUndefined();
  });
});

describe('backfill HogQL', () => {
  const range = { from: '2024-01-01T00:00:00.000000Z', to: '2024-02-01T00:00:00.000000Z', events: [] };

  it('carries every value as a placeholder, none in the text', () => {
    const hostile = "x') OR 1=1 --";
    const page = pageQuery(
      { ...range, events: [hostile, 'b'] },
      { timestamp: range.from, uuid: hostile },
      500,
    );
    expect(page.query).not.toContain(hostile);
    expect(page.query).not.toContain('2024');
    expect(page.query).toContain('event IN ({event_0}, {event_1})');
    expect(page.query).toMatch(/ORDER BY timestamp, uuid LIMIT \{limit\}$/);
    expect(page.values).toEqual({
      from: range.from,
      to: range.to,
      event_0: hostile,
      event_1: 'b',
      after_timestamp: range.from,
      after_uuid: hostile,
      limit: 500,
    });
  });

  it('pages by keyset, never by OFFSET, and counts the same range', () => {
    expect(pageQuery(range, null, 10).query).not.toMatch(/OFFSET|after_/);
    expect(pageQuery(range, { timestamp: range.from, uuid: 'u' }, 10).query).toContain(
      '(timestamp > toDateTime({after_timestamp}) OR (timestamp = toDateTime({after_timestamp}) AND uuid > toUUID({after_uuid})))',
    );
    expect(countQuery(range).query).toBe(
      'SELECT count() FROM events WHERE timestamp >= toDateTime({from}) AND timestamp < toDateTime({to})',
    );
    expect(() => pageQuery(range, null, 0)).toThrow(/page size/);
  });

  it('knows a UUID', () => {
    expect(isUuid('0191a2b3-0000-4000-8000-000000000999')).toBe(true);
    expect(isUuid('0191a2b3')).toBe(false);
    expect(isUuid(42)).toBe(false);
  });
});
