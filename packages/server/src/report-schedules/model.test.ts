import { describe, expect, it } from 'vitest';
import { cronOf, periodOf } from './model.js';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('schedule instants in a time zone', () => {
  it('fires at 08:00 Berlin time on each side of the March change (CET → CEST)', () => {
    const job = cronOf('0 8 * * MON', 'Europe/Berlin');
    // 29 March 2026, 02:00 → 03:00: the Monday before is UTC+1, the Monday after UTC+2
    expect(iso(job.nextRuns(3, new Date('2026-03-20T00:00:00Z')))).toEqual([
      '2026-03-23T07:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
      '2026-04-06T06:00:00.000Z',
    ]);
  });

  it('fires at 08:00 Berlin time on each side of the October change (CEST → CET)', () => {
    const job = cronOf('0 8 * * MON', 'Europe/Berlin');
    // 25 October 2026, 03:00 → 02:00
    expect(iso(job.nextRuns(3, new Date('2026-10-16T00:00:00Z')))).toEqual([
      '2026-10-19T06:00:00.000Z',
      '2026-10-26T07:00:00.000Z',
      '2026-11-02T07:00:00.000Z',
    ]);
  });

  it('runs once in the repeated hour, and once when the skipped hour ends', () => {
    const skipped = cronOf('30 2 * * *', 'Europe/Berlin');
    expect(iso(skipped.nextRuns(2, new Date('2026-03-28T12:00:00Z')))).toEqual([
      '2026-03-29T01:00:00.000Z', // 02:30 does not exist that night: it fires at 03:00 CEST, once
      '2026-03-30T00:30:00.000Z',
    ]);
    const repeated = cronOf('30 2 * * *', 'Europe/Berlin');
    expect(iso(repeated.nextRuns(2, new Date('2026-10-24T12:00:00Z')))).toEqual([
      '2026-10-25T00:30:00.000Z', // the first 02:30 (CEST); not again at 02:30 CET
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('expresses the first weekday of the month as 1W', () => {
    // 1 August 2026 is a Saturday: the first weekday is Monday 3 August
    expect(iso(cronOf('0 8 1W * *', 'Europe/Berlin').nextRuns(2, new Date('2026-07-15T00:00:00Z')))).toEqual([
      '2026-08-03T06:00:00.000Z',
      '2026-09-01T06:00:00.000Z',
    ]);
  });

  it('reports on the week that ends at the fire, 167 hours long across the March change', () => {
    const job = cronOf('0 8 * * MON', 'Europe/Berlin');
    const period = periodOf(job, Date.parse('2026-03-30T06:00:00Z'));
    expect(period).toEqual({
      from: Date.parse('2026-03-23T07:00:00Z'),
      to: Date.parse('2026-03-30T06:00:00Z'),
    });
    expect((period.to - period.from) / 3_600_000).toBe(167);
    // a manual send between fires reports on the last complete period
    expect(periodOf(job, Date.parse('2026-04-01T12:00:00Z'))).toEqual(period);
  });
});
