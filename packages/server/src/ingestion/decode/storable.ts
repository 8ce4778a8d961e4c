/** PostHog's JSON parser (serde_json) stops at 128 levels of nesting. */
export const MAX_NESTING = 128;

/**
 * Why a parsed JSON value could not be stored and read back, and where: an unpaired surrogate
 * (JS allows "\ud800", serde_json and DuckDB do not), a number out of range (1e400 parses to Infinity),
 * or nesting deeper than PostHog's parser allows. Undefined when the value is fine.
 */
export function unstorable(value: unknown, depth = 0): { path: string[]; problem: string } | undefined {
  if (typeof value === 'string')
    return value.isWellFormed() ? undefined : { path: [], problem: 'lone surrogate in a string' };
  if (typeof value === 'number')
    return Number.isFinite(value) ? undefined : { path: [], problem: 'number out of range' };
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_NESTING) return { path: [], problem: `nested deeper than ${MAX_NESTING} levels` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorable(value[i], depth + 1);
      if (found) return { path: [`[${i}]`, ...found.path], problem: found.problem };
    }
    return undefined;
  }
  for (const key in value) {
    if (!key.isWellFormed()) return { path: [], problem: 'lone surrogate in a property name' };
    const found = unstorable((value as Record<string, unknown>)[key], depth + 1);
    if (found) return { path: [key, ...found.path], problem: found.problem };
  }
  return undefined;
}

export function describePath(root: string, path: readonly string[]): string {
  return path.reduce((at, part) => (part.startsWith('[') ? `${at}${part}` : `${at}.${part}`), root);
}
