/**
 * The cheap "does this look like base64 / a form" probes capture runs at several decoding layers,
 * and a strict standard-alphabet base64 decoder. Mirrors capture's utils.rs.
 */

/** Mirrors capture's MAX_CHARS_TO_CHECK: probes look at the first 128 bytes only. */
const PROBE_LENGTH = 128;

/** 0 = not base64, 1..64 = sextet value + 1, 65 = '=' padding. */
const SEXTET = new Uint8Array(256);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
for (let i = 0; i < ALPHABET.length; i++) SEXTET[ALPHABET.charCodeAt(i)] = i + 1;
SEXTET[0x3d] = 65;

const SPACE = 0x20;

/**
 * Mirrors `is_likely_base64`: non-empty, length a multiple of 4, and the first 128 characters all
 * in the standard alphabet (plus spaces when `loose`, for form values whose '+' became ' ').
 */
export function isLikelyBase64(input: Uint8Array | string, loose = false): boolean {
  const length = input.length;
  if (length === 0 || length % 4 !== 0) return false;
  const end = Math.min(length, PROBE_LENGTH);
  if (typeof input === 'string') {
    for (let i = 0; i < end; i++) {
      const code = input.charCodeAt(i);
      if (code > 0x7a || (SEXTET[code] === 0 && !(loose && code === SPACE))) return false;
    }
  } else {
    for (let i = 0; i < end; i++) {
      const code = input[i] as number;
      if (SEXTET[code] === 0 && !(loose && code === SPACE)) return false;
    }
  }
  return true;
}

const FORM_KEYS = ['data=', '_=', 'ip=', 'compression='].map((key) => Buffer.from(key, 'latin1'));

/**
 * Mirrors `is_likely_urlencoded_form`: one of `data=`, `_=`, `ip=`, `compression=` at the start of
 * the first 128 bytes or right after an '&' within them.
 */
export function isLikelyUrlencodedForm(payload: Uint8Array): boolean {
  const end = Math.min(payload.length, PROBE_LENGTH);
  for (let i = 0; i < end; i++) {
    if (i !== 0 && payload[i - 1] !== 0x26) continue;
    for (const key of FORM_KEYS) {
      if (i + key.length > end) continue;
      let match = true;
      for (let k = 0; k < key.length; k++) {
        if (payload[i + k] !== key[k]) {
          match = false;
          break;
        }
      }
      if (match) return true;
    }
  }
  return false;
}

/**
 * Standard base64 with the strictness of Rust's `base64::engine::general_purpose::STANDARD`
 * (what capture's `decode_base64` uses): padding required, '=' only at the end, no stray
 * characters, and no non-zero bits in the last symbol. Node's own decoder skips all of these
 * checks, so it only runs after this validation. Returns undefined when the input is not valid.
 */
export function decodeBase64Strict(input: Uint8Array | string): Buffer | undefined {
  const length = input.length;
  if (length % 4 !== 0) return undefined;
  const at =
    typeof input === 'string'
      ? (i: number) => {
          const code = input.charCodeAt(i);
          return code > 0xff ? 0 : (SEXTET[code] as number);
        }
      : (i: number) => SEXTET[input[i] as number] as number;
  let padding = 0;
  for (let i = 0; i < length; i++) {
    const value = at(i);
    if (value === 0) return undefined;
    if (value === 65) {
      if (i < length - 2) return undefined;
      padding++;
    } else if (padding > 0) {
      return undefined;
    }
  }
  if (padding > 0) {
    // The symbol before the padding may only use the bits that fit in the decoded bytes.
    const last = at(length - padding - 1) - 1;
    if ((padding === 2 && (last & 0x0f) !== 0) || (padding === 1 && (last & 0x03) !== 0)) return undefined;
  }
  const text =
    typeof input === 'string'
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
  return Buffer.from(text, 'base64');
}
