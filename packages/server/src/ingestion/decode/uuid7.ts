import { randomFillSync } from 'node:crypto';

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Random bytes are drawn from crypto in blocks: one call per 409 UUIDs instead of one each. */
const POOL = new Uint8Array(4096);
const RANDOM_BYTES_PER_UUID = 10;
let poolOffset = POOL.length;

const bytes = new Uint8Array(16);

/**
 * A UUIDv7 (RFC 9562 §5.7): 48-bit big-endian Unix-ms timestamp, version 7, variant 0b10, and 74
 * random bits from crypto. Mirrors capture's `uuid_v7`, which mints one for events sent without a
 * uuid; like `uuid_v7_from_datetime`, times before the epoch are floored to 0.
 */
export function uuidv7(unixMs: number): string {
  if (poolOffset + RANDOM_BYTES_PER_UUID > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const ms = Math.max(0, Math.min(Math.floor(unixMs), 0xffff_ffff_ffff));
  const high = Math.floor(ms / 0x1_0000); // top 32 of the 48 bits
  const low = ms % 0x1_0000;
  bytes[0] = high >>> 24;
  bytes[1] = high >>> 16;
  bytes[2] = high >>> 8;
  bytes[3] = high;
  bytes[4] = low >>> 8;
  bytes[5] = low;
  bytes.set(POOL.subarray(poolOffset, poolOffset + RANDOM_BYTES_PER_UUID), 6);
  poolOffset += RANDOM_BYTES_PER_UUID;
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f); // version 7
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f); // variant 0b10

  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX_BYTE[bytes[i] as number] as string;
  }
  return out;
}
