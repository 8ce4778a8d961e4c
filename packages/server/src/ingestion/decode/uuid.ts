/** Hex digit value of a char code, or -1. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x61 + i] = 10 + i;
  HEX[0x41 + i] = 10 + i;
}

function isHexRun(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f || (HEX[code] as number) < 0) return false;
  }
  return true;
}

function isHyphenated(text: string, start: number): boolean {
  return (
    isHexRun(text, start, start + 8) &&
    text.charCodeAt(start + 8) === 0x2d &&
    isHexRun(text, start + 9, start + 13) &&
    text.charCodeAt(start + 13) === 0x2d &&
    isHexRun(text, start + 14, start + 18) &&
    text.charCodeAt(start + 18) === 0x2d &&
    isHexRun(text, start + 19, start + 23) &&
    text.charCodeAt(start + 23) === 0x2d &&
    isHexRun(text, start + 24, start + 36)
  );
}

/**
 * Parses a UUID the way the Rust `uuid` crate's `Uuid::parse_str` does (capture deserializes the
 * event `uuid` with it): hyphenated, simple (32 hex digits), braced `{…}` or `urn:uuid:…`, any
 * case, any version or variant. Returns the canonical lowercase hyphenated form, or undefined.
 */
export function normalizeUuid(text: string): string | undefined {
  switch (text.length) {
    case 36:
      return isHyphenated(text, 0) ? text.toLowerCase() : undefined;
    case 32: {
      if (!isHexRun(text, 0, 32)) return undefined;
      const lower = text.toLowerCase();
      return `${lower.slice(0, 8)}-${lower.slice(8, 12)}-${lower.slice(12, 16)}-${lower.slice(16, 20)}-${lower.slice(20)}`;
    }
    case 38:
      return text.charCodeAt(0) === 0x7b && text.charCodeAt(37) === 0x7d && isHyphenated(text, 1)
        ? text.slice(1, 37).toLowerCase()
        : undefined;
    case 45:
      return text.slice(0, 9).toLowerCase() === 'urn:uuid:' && isHyphenated(text, 9)
        ? text.slice(9).toLowerCase()
        : undefined;
    default:
      return undefined;
  }
}
