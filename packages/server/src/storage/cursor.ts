import { ValidationError } from '../errors.js';

/** Keyset cursor over (timestamp, uuid), opaque to callers. */
export function encodeCursor(timestamp: number, uuid: string): string {
  return Buffer.from(JSON.stringify([timestamp, uuid])).toString('base64url');
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCursor(cursor: string): { timestamp: number; uuid: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      Number.isSafeInteger(parsed[0]) &&
      typeof parsed[1] === 'string' &&
      uuidPattern.test(parsed[1])
    )
      return { timestamp: parsed[0] as number, uuid: parsed[1] };
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('cursor', 'is not a cursor returned by a previous page');
}
