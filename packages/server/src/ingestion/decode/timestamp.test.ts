import { describe, expect, it } from 'vitest';

import {
  parseDate,
  parseEnvelopeSentAt,
  parseQuerySentAt,
  resolveTimestamp,
  type TimestampInputs,
} from './timestamp.js';

const iso = (text: string) => Date.parse(text);
const NOW = iso('2023-01-01T12:00:00Z');
const HOUR = 3_600_000;

function resolve(inputs: Partial<TimestampInputs>, sentAt?: number, now = NOW): number {
  return resolveTimestamp(
    {
      timestamp: undefined,
      offset: undefined,
      clockSkew: undefined,
      ignoreSentAt: false,
      trackingDate: undefined,
      ...inputs,
    },
    now,
    sentAt,
  );
}

describe('parseDate (PostHog parse_date)', () => {
  const noon = 12 * HOUR;
  it.each([
    ['RFC 3339 Z', '2023-01-01T12:00:00Z', '2023-01-01T12:00:00.000Z'],
    ['RFC 3339 millis', '2026-11-25T19:56:32.334Z', '2026-11-25T19:56:32.334Z'],
    ['RFC 3339 nanos (truncated to ms)', '2021-05-01T01:17:02.604456789Z', '2021-05-01T01:17:02.604Z'],
    ['RFC 3339 offset', '2023-01-01T14:00:00+02:00', '2023-01-01T12:00:00.000Z'],
    ['lowercase t and z', '2023-01-01t12:00:00z', '2023-01-01T12:00:00.000Z'],
    ['+03 offset (normalized to +03:00)', '2025-09-17T14:05:04.805+03', '2025-09-17T11:05:04.805Z'],
    ['-05 offset', '2025-09-17T14:05:04.805-05', '2025-09-17T19:05:04.805Z'],
    ['+0530 offset', '2023-01-01T17:30:00+0530', '2023-01-01T12:00:00.000Z'],
    ['ISO without zone → UTC', '2023-01-01T12:00:00', '2023-01-01T12:00:00.000Z'],
    ['ISO without seconds', '2023-01-01T12:00', '2023-01-01T12:00:00.000Z'],
    ['space separator', '2021-04-30 21:14:10', '2021-04-30T21:14:10.000Z'],
    ['postgres style', '2019-11-29 08:08:05-08', '2019-11-29T16:08:05.000Z'],
    ['zone name', '2017-11-25 13:31:15 PST', '2017-11-25T21:31:15.000Z'],
    ['UTC suffix', '2014-12-16 06:20:00 UTC', '2014-12-16T06:20:00.000Z'],
    ['RFC 2822', 'Tue, 1 Jul 2003 10:52:37 +0200', '2003-07-01T08:52:37.000Z'],
    ['RFC 2822 GMT', 'Wed, 02 Jun 2021 06:31:39 GMT', '2021-06-02T06:31:39.000Z'],
    ['RFC 2822 without weekday', '2 Jun 2021 06:31:39 GMT', '2021-06-02T06:31:39.000Z'],
    ['epoch seconds (10 digits)', '1511648546', '2017-11-25T22:22:26.000Z'],
    ['epoch ms (13 digits)', '1620021848429', '2021-05-03T06:04:08.429Z'],
    ['epoch ns (19 digits)', '1620024872717915000', '2021-05-03T06:54:32.717Z'],
    ['leap second', '2016-12-31T23:59:60Z', '2017-01-01T00:00:00.000Z'],
    ['year 0001 (Date.UTC would say 1901)', '0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
  ])('%s', (_name, input, expected) => {
    expect(parseDate(input, noon)).toBe(iso(expected));
  });

  it('gives a date-only value the supplied time of day (dateparser: the current one)', () => {
    expect(parseDate('2023-03-04', noon)).toBe(iso('2023-03-04T12:00:00Z'));
    expect(parseDate('2023-03-04', 0)).toBe(iso('2023-03-04T00:00:00Z'));
  });

  it.each([
    'not a date',
    '',
    '2023-02-30T00:00:00Z',
    '2023-13-01T00:00:00Z',
    '2023-01-01T24:00:00Z',
    '2023-01-01T12:00:00+24:00',
    '2023-01-01T12:00:00.Z',
    '2023-01-01X12:00:00Z',
    '2023-01-01T12:00:00 Mars',
    '12345678901', // 11 digits: neither seconds, ms nor ns
    '9999999999999999999', // 19 digits beyond i64
    'Mon, 2 Jun 2021 06:31:39 GMT', // wrong weekday: chrono refuses it
    '1.5e12',
  ])('refuses %j', (input) => {
    expect(parseDate(input, noon)).toBeUndefined();
  });
});

describe('sent_at sources', () => {
  it('envelope sent_at needs an offset', () => {
    expect(parseEnvelopeSentAt('2025-03-04T10:15:31.000Z')).toBe(iso('2025-03-04T10:15:31.000Z'));
    expect(parseEnvelopeSentAt('2025-03-04T12:15:31+02:00')).toBe(iso('2025-03-04T10:15:31.000Z'));
    expect(parseEnvelopeSentAt('2025-03-04T10:15:31')).toBeUndefined();
    expect(parseEnvelopeSentAt('2025-03-04')).toBeUndefined();
    expect(parseEnvelopeSentAt(1741083331000)).toBeUndefined();
  });

  it('query sent_at (alias _) is ms; values before 2021 (seconds) are ignored', () => {
    expect(parseQuerySentAt(new URLSearchParams('sent_at=1704067200000'))).toBe(1704067200000);
    expect(parseQuerySentAt(new URLSearchParams('_=1704067200000'))).toBe(1704067200000);
    expect(parseQuerySentAt(new URLSearchParams('_=1704067200'))).toBeUndefined();
    expect(parseQuerySentAt(new URLSearchParams('sent_at=1577836800000'))).toBeUndefined(); // 2020
    expect(parseQuerySentAt(new URLSearchParams('sent_at=soon'))).toBeUndefined();
    expect(parseQuerySentAt(new URLSearchParams(''))).toBeUndefined();
  });
});

describe('resolveTimestamp (PostHog parse_event_timestamp)', () => {
  it('defaults to now', () => {
    expect(resolve({})).toBe(NOW);
    expect(resolve({ timestamp: 'garbage' })).toBe(NOW);
    expect(resolve({}, iso('2023-01-01T12:00:05Z'))).toBe(NOW);
  });

  it('uses a parseable timestamp as is without sent_at', () => {
    expect(resolve({ timestamp: '2023-01-01T11:00:00Z' })).toBe(iso('2023-01-01T11:00:00Z'));
  });

  it('corrects clock skew with sent_at: client 10 s ahead', () => {
    expect(resolve({ timestamp: '2023-01-01T11:00:00Z' }, iso('2023-01-01T12:00:10Z'))).toBe(
      iso('2023-01-01T10:59:50Z'),
    );
  });

  it('corrects clock skew with sent_at: client 10 s behind', () => {
    expect(resolve({ timestamp: '2023-01-01T11:00:00Z' }, iso('2023-01-01T11:59:50Z'))).toBe(
      iso('2023-01-01T11:00:10Z'),
    );
  });

  it('skips the correction when $ignore_sent_at is true', () => {
    expect(
      resolve({ timestamp: '2023-01-01T11:00:00Z', ignoreSentAt: true }, iso('2023-01-01T12:00:10Z')),
    ).toBe(iso('2023-01-01T11:00:00Z'));
  });

  it('lets offset override timestamp: now - offset', () => {
    expect(resolve({ offset: 5000 })).toBe(NOW - 5000);
    expect(resolve({ timestamp: '2023-01-01T11:00:00Z', offset: 5000 }, iso('2023-01-01T12:00:10Z'))).toBe(
      NOW - 5000,
    );
  });

  it('adds $clock_skew after everything else', () => {
    expect(resolve({ timestamp: '2023-01-01T11:00:00Z', clockSkew: 1500 })).toBe(
      iso('2023-01-01T11:00:01.500Z'),
    );
    expect(resolve({ offset: 1000, clockSkew: -500 })).toBe(NOW - 1500);
  });

  it('clamps more than 23 h in the future to now, but not 23 h exactly', () => {
    expect(resolve({ timestamp: new Date(NOW + 23 * HOUR + 1).toISOString() })).toBe(NOW);
    expect(resolve({ timestamp: new Date(NOW + 23 * HOUR).toISOString() })).toBe(NOW + 23 * HOUR);
    expect(resolve({ offset: -24 * HOUR })).toBe(NOW);
  });

  it('falls back to the epoch outside years 0..9999', () => {
    expect(resolve({ offset: NOW + 62_167_219_200_001 })).toBe(0); // before year 0
    expect(resolve({ offset: NOW + 62_167_219_200_000 })).toBe(-62_167_219_200_000);
    const farFuture = 300_000_000_000_000;
    expect(resolve({ timestamp: '9999-12-31T23:59:59Z' }, undefined, farFuture)).toBe(
      iso('9999-12-31T23:59:59Z'),
    );
    expect(resolve({ offset: -1 }, undefined, 253_402_300_799_999)).toBe(0);
  });

  describe('Pulse: tracking_date is the default time', () => {
    it('is used when there is no usable timestamp or offset', () => {
      expect(resolve({ trackingDate: '2022-12-30T08:00:00Z' })).toBe(iso('2022-12-30T08:00:00Z'));
      expect(resolve({ timestamp: 'garbage', trackingDate: '2022-12-30T08:00:00Z' })).toBe(
        iso('2022-12-30T08:00:00Z'),
      );
    });

    it('reads a date-only tracking_date as midnight UTC, with no skew adjustments', () => {
      expect(resolve({ trackingDate: '2022-12-30', clockSkew: 999 }, iso('2023-01-01T13:00:00Z'))).toBe(
        iso('2022-12-30T00:00:00Z'),
      );
    });

    it('loses to timestamp and to offset', () => {
      expect(resolve({ timestamp: '2023-01-01T11:00:00Z', trackingDate: '2022-12-30' })).toBe(
        iso('2023-01-01T11:00:00Z'),
      );
      expect(resolve({ offset: 10, trackingDate: '2022-12-30' })).toBe(NOW - 10);
    });

    it('is clamped like any other time, and ignored when unparseable', () => {
      expect(resolve({ trackingDate: '2023-01-03T00:00:00Z' })).toBe(NOW);
      expect(resolve({ trackingDate: 'yesterday' })).toBe(NOW);
      expect(resolve({ trackingDate: 20221230 })).toBe(NOW);
    });
  });
});
