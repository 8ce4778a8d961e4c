/**
 * JSON-ready form of a value from DuckDB's JS converter: integers beyond 2^53 as strings, times as ISO
 * 8601, blobs as base64.
 */
export function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(plainValue);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  return value;
}

/**
 * The length of `value` as JSON, or a number above `budget` as soon as it is known to exceed it, so a
 * huge value is never serialized just to be measured.
 */
export function jsonSizeWithin(value: unknown, budget: number): number {
  if (value === null || value === undefined) return 4;
  switch (typeof value) {
    case 'string':
      // Escapes can double a character; the upper bound keeps the check one comparison for big strings.
      return value.length > budget ? value.length : JSON.stringify(value).length;
    case 'number':
    case 'boolean':
      return String(value).length;
    case 'object': {
      let size = 2;
      const entries = Array.isArray(value)
        ? value.map((v) => ['', v] as const)
        : Object.entries(value).map(([k, v]) => [JSON.stringify(k) + ':', v] as const);
      for (const [key, item] of entries) {
        size += key.length + 1 + jsonSizeWithin(item, budget - size);
        if (size > budget) return size;
      }
      return size;
    }
    default:
      return budget + 1; // functions or symbols: not JSON, never from DuckDB
  }
}
