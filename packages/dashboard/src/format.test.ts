import { describe, expect, it } from 'vitest';
import { chartDate, moneyTicks, pctTicks, timeAxis, timeTicks } from './format';

const DAY = 86_400_000;

describe('chart formats', () => {
  it('label a money axis in one compact style, as exact as its ticks', () => {
    expect(moneyTicks([-50_000, 0, 50_000, 200_000])).toEqual(['-$50K', '$0', '$50K', '$200K']);
    expect(moneyTicks([1_000_000, 1_250_000, 1_500_000])).toEqual(['$1M', '$1.25M', '$1.5M']);
  });

  it('label a percentage axis without trailing zeros or float noise', () => {
    expect(pctTicks([0, 0.05, 0.1])).toEqual(['0 %', '5 %', '10 %']);
    expect(pctTicks([0, 0.001, 0.0025, 0.1 + 0.2])).toEqual(['0 %', '0.1 %', '0.25 %', '30 %']);
  });

  it('write dates "Dec 7", with the year only when the range crosses one', () => {
    const dec7 = Date.UTC(2026, 11, 7);
    const within = timeAxis(dec7 - 30 * DAY, dec7, DAY);
    expect(within).toEqual({ utc: true, hourly: false, withYear: false });
    expect(chartDate(dec7, within)).toBe('Dec 7');
    const across = timeAxis(dec7, dec7 + 30 * DAY, DAY);
    expect(timeTicks([dec7, Date.UTC(2027, 0, 3)], across)).toEqual(['Dec 7, 2026', 'Jan 3, 2027']);
  });
});
