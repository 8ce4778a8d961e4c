import type { Random } from './random.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex = (byte: number): string => HEX[byte] as string;
const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

// `YYYY-MM-DDT` per UTC day: Date#toISOString is ~10x slower than concatenating cached parts.
const dayPrefixes = new Map<number, string>();

/** `new Date(ms).toISOString()` for integer epoch ms in years 1970..9999, without a Date per call. */
export function isoTimestamp(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size > 4096) dayPrefixes.clear();
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / HOUR_MS);
  rest -= hours * HOUR_MS;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  return `${prefix}${TWO[hours]}:${TWO[minutes]}:${TWO[seconds]}.${THREE[millis]}Z`;
}

/**
 * A UUIDv7 (RFC 9562) whose 48-bit time prefix is `ms` and whose 74 random bits come from `rng`,
 * so the ids are reproducible yet sort by time like the ones PostHog's SDKs mint.
 */
export function uuidV7(ms: number, rng: Random): string {
  const high = Math.floor(ms / 0x1000000); // top 24 of the 48 bits
  const low = ms - high * 0x1000000;
  const a = rng.uint32();
  const b = rng.uint32();
  const c = rng.uint32();
  return (
    hex((high >>> 16) & 0xff) +
    hex((high >>> 8) & 0xff) +
    hex(high & 0xff) +
    hex((low >>> 16) & 0xff) +
    '-' +
    hex((low >>> 8) & 0xff) +
    hex(low & 0xff) +
    '-' +
    hex(0x70 | (a & 0x0f)) +
    hex((a >>> 8) & 0xff) +
    '-' +
    hex(0x80 | ((a >>> 16) & 0x3f)) +
    hex(a >>> 24) +
    '-' +
    hex(b >>> 24) +
    hex((b >>> 16) & 0xff) +
    hex((b >>> 8) & 0xff) +
    hex(b & 0xff) +
    hex(c >>> 24) +
    hex((c >>> 16) & 0xff)
  );
}

const powersOf10 = [1, 10, 100, 1000, 10000];

/** Rounds to `digits` decimals (money to cents, rates to 4 places). */
export function round(value: number, digits = 0): number {
  const f = powersOf10[digits] ?? 10 ** digits;
  return Math.round(value * f) / f;
}

export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}
