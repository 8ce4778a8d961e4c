import { FormatRegistry } from '@sinclair/typebox';

// ISO 8601 date or date-time, with an optional offset; Date.parse then rejects impossible dates.
const isoDateTime =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

export function isIsoDateTime(value: string): boolean {
  return isoDateTime.test(value) && !Number.isNaN(Date.parse(value));
}

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isIsoDateTime);
