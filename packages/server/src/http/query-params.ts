import { isIsoDateTime, parseIsoDateTime } from '@pulse/events';
import { ValidationError } from '../errors.js';

/** ISO 8601 date-time or epoch milliseconds → epoch ms; a clear error naming the parameter otherwise. */
export function timeParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  if (isIsoDateTime(value)) return parseIsoDateTime(value);
  throw new ValidationError(
    name,
    `must be an ISO 8601 date-time or epoch milliseconds; received ${JSON.stringify(value)}`,
  );
}

export function limitParam(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new ValidationError(
      'limit',
      `must be a whole number from 1 to ${max}; received ${JSON.stringify(value)}`,
    );
  return n;
}

/** `tenant=a&tenant=b` or `tenant=a,b`. */
export function listParam(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}
