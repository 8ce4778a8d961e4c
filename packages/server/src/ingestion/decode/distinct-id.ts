/** Mirrors RawEvent's distinct_id cap: longer ids are cut to 200 characters (Unicode scalar values). */
const MAX_DISTINCT_ID_CHARS = 200;

/** Rust's `char::is_whitespace` (Unicode White_Space), which capture's `trim()` uses. */
function isRustWhitespace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Rust's `str::trim`: strips Unicode White_Space (JS `trim` differs on U+0085 and U+FEFF). */
export function trimRust(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isRustWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isRustWhitespace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** JSON with object keys sorted, as serde_json renders a `Value` (its maps are BTreeMaps). */
function stringifySorted(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stringifySorted).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const body = Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stringifySorted(record[key])}`)
      .join(',');
    return `{${body}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Mirrors `RawEvent::extract_distinct_id`: top-level `distinct_id` (`$distinct_id`) unless absent
 * or null, else `properties.distinct_id`; strings as-is, anything else JSON-encoded; NUL → U+FFFD;
 * whitespace-only or empty → missing; longer than 200 characters → cut to 200.
 */
export function extractDistinctId(
  event: Record<string, unknown>,
  properties: Record<string, unknown> | undefined,
): string | undefined {
  let value = event.distinct_id ?? event.$distinct_id;
  if (value === undefined || value === null) value = properties?.distinct_id;
  if (value === undefined || value === null) return undefined;

  let id = typeof value === 'string' ? value : stringifySorted(value);
  if (id.length === 0) return undefined;
  if (id.includes('\0')) id = id.replaceAll('\0', '\uFFFD');
  const first = id.charCodeAt(0);
  if ((first <= 0x20 || first >= 0x7f) && trimRust(id).length === 0) return undefined;
  if (id.length <= MAX_DISTINCT_ID_CHARS) return id; // UTF-16 length bounds the character count

  let chars = 0;
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < id.length) {
      const next = id.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    if (++chars === MAX_DISTINCT_ID_CHARS) return id.slice(0, i + 1);
  }
  return id;
}
