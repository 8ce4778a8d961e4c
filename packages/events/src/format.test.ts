import { describe, expect, it } from 'vitest';
import { alignsRight, cell, change, date, money } from './format.js';

describe('figures for people', () => {
  it('gives every row of a column the same number of decimals', () => {
    expect([81, 43.75, 0].map((v) => cell(v, 'score'))).toEqual(['81.0', '43.8', '0.0']);
    expect([12, 12.345].map((v) => cell(v, 'percent'))).toEqual(['12.0 %', '12.3 %']);
    expect([0.1, 0.0125].map((v) => cell(v, 'rate'))).toEqual(['10.0 %', '1.3 %']);
    expect([1234.56, 5, 12_345_678].map((v) => cell(v, 'money'))).toEqual(['$1,235', '$5', '$12.3M']);
    expect(cell(1234.4, 'count')).toBe('1,234');
    expect(change(0.05)).toBe('+5.0 %');
  });

  it('shows a date with its year and no time, in UTC, and a time to the minute', () => {
    expect(cell('2026-03-01T00:00:00.000Z', 'date')).toBe('Mar 1, 2026');
    expect(cell('2026-03-01', 'date')).toBe('Mar 1, 2026');
    expect(cell(new Date(Date.UTC(2026, 11, 31, 23, 59)), 'date')).toBe('Dec 31, 2026');
    expect(cell('2026-03-01T08:05:59.000Z', 'time')).toBe('2026-03-01 08:05 UTC');
    expect(date(Number.NaN)).toBe('—');
  });

  it('shows empty values as a dash and leaves what is not a number as it is', () => {
    for (const empty of [null, undefined, '']) expect(cell(empty, 'money')).toBe('—');
    expect(cell('n/a', 'score')).toBe('n/a');
    expect(cell({ a: 1 }, 'text')).toBe('{"a":1}');
    expect(money(-2500)).toBe('-$2,500');
    expect([alignsRight('money'), alignsRight('date'), alignsRight('text')]).toEqual([true, false, false]);
  });
});
