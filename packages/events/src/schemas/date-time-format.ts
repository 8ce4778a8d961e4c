import { FormatRegistry } from '@sinclair/typebox';

// ISO 8601 date or date-time, with an optional offset; Date.parse then rejects impossible dates.
const isoDateTime =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isIsoDateTime(value: string): boolean {
  const match = isoDateTime.exec(value);
  if (!match || Number.isNaN(Date.parse(value))) return false;
  // V8's Date.parse rolls day overflow into the next month (2025-02-30 is March 2): check the day.
  return Number(match[3]) <= daysInMonth(Number(match[1]), Number(match[2]));
}

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isIsoDateTime);

/**
 * Epoch ms of a catalog date-time. Without an offset it is UTC (JS's Date.parse would read a date-time
 * without one as local time, so the result would depend on the machine's zone); a date alone is midnight UTC.
 */
export function parseIsoDateTime(value: string): number {
  const hasOffset = /(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(value);
  return Date.parse(hasOffset || value.length === 10 ? value : `${value.replace(' ', 'T')}Z`);
}
