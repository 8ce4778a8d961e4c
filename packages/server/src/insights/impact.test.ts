import { describe, expect, it } from 'vitest';
import type { AlertTiming } from './alert-timings.js';
import { businessImpact, captureDays, compare, dayText } from './impact.js';

const DAY = 86_400_000;

describe('compare', () => {
  it('is stable within the threshold and improving in the better direction beyond it', () => {
    expect(compare(10, 10.4, 'lower', { relative: 0.05 })).toEqual({
      change: expect.closeTo(-0.0385, 3),
      trend: 'stable',
    });
    expect(compare(8, 10, 'lower', { relative: 0.05 })).toEqual({ change: -0.2, trend: 'improving' });
    expect(compare(12, 10, 'lower', { relative: 0.05 })).toEqual({ change: 0.2, trend: 'declining' });
    expect(compare(0.998, 0.9995, 'higher', { absolute: 0.001 }).trend).toBe('declining');
    expect(compare(0.9991, 0.9995, 'higher', { absolute: 0.001 }).trend).toBe('stable');
  });

  it('has no trend without both numbers, and no relative change from zero', () => {
    expect(compare(null, 3, 'higher', { relative: 0.05 })).toEqual({ change: null, trend: null });
    expect(compare(2, 0, 'lower', { relative: 0.05 })).toEqual({ change: null, trend: 'declining' });
  });
});

describe('captureDays', () => {
  it('gives each UTC day to the window holding its end, so adjacent windows share none', () => {
    const from = Date.UTC(2026, 2, 10, 15);
    const to = Date.UTC(2026, 2, 12, 9);
    const current = captureDays({ from, to });
    const previous = captureDays({ from: from - (to - from), to: from });
    expect([dayText(current.first), dayText(current.last)]).toEqual(['2026-03-11', '2026-03-12']);
    expect(dayText(previous.last)).toBe('2026-03-10');
    expect(captureDays({ from: 0, to: 2 * DAY })).toEqual({ first: 0, last: 1 });
  });
});

describe('businessImpact: issue identification', () => {
  const HOUR = 3_600_000;
  const current = { from: 10 * DAY, to: 20 * DAY };
  const previous = { from: 0, to: 10 * DAY };
  const alert = (
    id: string,
    ruleId: string,
    firstEventAt: number | null,
    alertedAt: number,
    ack: number | null,
  ) =>
    ({
      alertId: id,
      tenantId: 'acme',
      ruleId,
      alertedAt,
      acknowledgedAt: ack,
      firstEventAt,
    }) satisfies AlertTiming;
  const impact = (alerts: AlertTiming[]) =>
    businessImpact({
      current,
      previous,
      decisions: [],
      alerts,
      absenceRules: new Set(['decision-overdue']),
      totals: { current: [], previous: [] },
      capture: [],
    }).identification;

  it('measures from the first triggering event, per period, leaving out absence rules and future-stamped triggers', () => {
    const id = impact([
      alert('a', 'revenue-loss', 12 * DAY, 12 * DAY + 6 * HOUR, 12 * DAY + 12 * HOUR),
      alert('b', 'revenue-loss', 14 * DAY, 14 * DAY + 18 * HOUR, null),
      alert('c', 'decision-overdue', 1 * DAY, 15 * DAY, 15 * DAY),
      alert('d', 'revenue-loss', 16 * DAY + HOUR, 16 * DAY, null),
      alert('e', 'revenue-loss', 2 * DAY, 2 * DAY + 12 * HOUR, null),
    ]);
    expect(id.toAlert.current).toEqual({ count: 2, medianDays: 0.5, p90Days: 0.7 });
    expect(id.toAcknowledge.current).toEqual({ count: 1, medianDays: 0.5, p90Days: 0.5 });
    expect(id.toAlert.previous).toEqual({ count: 1, medianDays: 0.5, p90Days: 0.5 });
    expect(id.toAlert.trend).toBe('stable');
  });
});
