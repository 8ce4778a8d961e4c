import { ValidationError } from '../errors.js';

/** A keyset cursor: the last row's sort key, opaque to callers. */
export function encodeKeyset(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/**
 * The sort key of a cursor made by `encodeKeyset`, as `read` accepts it (undefined: not one of ours);
 * anything else is refused naming `what` returned it.
 */
export function decodeKeyset<T>(cursor: string, read: (parts: unknown[]) => T | undefined, what: string): T {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const key = Array.isArray(parsed) ? read(parsed) : undefined;
    if (key !== undefined) return key;
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('cursor', `is not a cursor returned by a previous page${what}`);
}

/** Keyset cursor over (timestamp, uuid). */
export function encodeCursor(timestamp: number, uuid: string): string {
  return encodeKeyset([timestamp, uuid]);
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCursor(cursor: string): { timestamp: number; uuid: string } {
  return decodeKeyset(
    cursor,
    ([timestamp, uuid]) =>
      Number.isSafeInteger(timestamp) && typeof uuid === 'string' && uuidPattern.test(uuid)
        ? { timestamp: timestamp as number, uuid }
        : undefined,
    '',
  );
}
