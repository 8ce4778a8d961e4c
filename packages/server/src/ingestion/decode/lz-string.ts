/**
 * lz-string's `decompressFromBase64` (lz-string 1.5.0, the format very old posthog-js sent as
 * `compression=lz64`), ported with an output cap. lz-string grows its dictionary by one entry per
 * code, so a few MB of input can describe terabytes of output; the library would build it all.
 * Mirrors capture's `decompress_lz64_capped`, which stops once the output passes the limit.
 * Equivalence with the library is checked by a property test (lz-string.test.ts).
 */

/** Outcome: the decompressed text, `invalid` where lz-string returns null, or `too_big`. */
export type LzResult = { text: string } | 'invalid' | 'too_big';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
/** Characters outside the alphabet read as 0, as `undefined & bit` does in the library. */
const VALUE = new Uint8Array(128);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

const RESET = 32; // 6 bits per base64 character

/** Codes decoded between two pauses of `decompressLzBase64Async`. */
const CODES_PER_STEP = 16_384;

/**
 * Decompresses lz-string base64 text, refusing once the output exceeds `maxUnits` UTF-16 code
 * units. Returns the same text as `LZString.decompressFromBase64` whenever that fits.
 */
export function decompressLzBase64(input: string, maxUnits: number): LzResult {
  const steps = lzSteps(input, maxUnits);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The same, awaiting `pause` between steps: a large output takes seconds, and other requests go on. */
export async function decompressLzBase64Async(
  input: string,
  maxUnits: number,
  pause: () => Promise<void> | undefined,
): Promise<LzResult> {
  const steps = lzSteps(input, maxUnits);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

function* lzSteps(input: string, maxUnits: number): Generator<void, LzResult> {
  if (input === '') return 'invalid';
  const length = input.length;
  const valueAt = (index: number): number => {
    const code = input.charCodeAt(index); // NaN past the end, like charAt() → undefined
    return code < 128 ? (VALUE[code] as number) : 0;
  };

  let val = valueAt(0);
  let position = RESET;
  let index = 1;
  const readBits = (count: number): number => {
    let bits = 0;
    const maxpower = Math.pow(2, count);
    let power = 1;
    while (power !== maxpower) {
      const resb = val & position;
      position >>= 1;
      if (position === 0) {
        position = RESET;
        val = valueAt(index++);
      }
      bits |= (resb > 0 ? 1 : 0) * power;
      power <<= 1;
    }
    return bits;
  };

  const dictionary: (string | undefined)[] = ['', '', ''];
  let enlargeIn = 4;
  let dictSize = 4;
  let numBits = 3;

  // A first code of 3 is corrupt input; lz-string carries on with an `undefined` entry (which
  // later reads as the text "undefined" or throws), and so do we, to stay byte-for-byte equal.
  let c: string | undefined;
  switch (readBits(2)) {
    case 0:
      c = String.fromCharCode(readBits(8));
      break;
    case 1:
      c = String.fromCharCode(readBits(16));
      break;
    case 2:
      return { text: '' };
  }
  dictionary[3] = c;
  let w = c;
  const result: (string | undefined)[] = [c];
  let produced = c === undefined ? 0 : 1;

  for (let codes = 1; ; codes++) {
    if (codes % CODES_PER_STEP === 0) yield;
    if (index > length) return { text: '' };
    let code = readBits(numBits);
    switch (code) {
      case 0:
        dictionary[dictSize++] = String.fromCharCode(readBits(8));
        code = dictSize - 1;
        enlargeIn--;
        break;
      case 1:
        dictionary[dictSize++] = String.fromCharCode(readBits(16));
        code = dictSize - 1;
        enlargeIn--;
        break;
      case 2:
        return { text: result.join('') };
    }
    if (enlargeIn === 0) {
      enlargeIn = Math.pow(2, numBits);
      numBits++;
    }

    let entry: string;
    const known = dictionary[code];
    if (known) {
      entry = known;
    } else if (code === dictSize && w !== undefined) {
      entry = w + w.charAt(0);
    } else {
      // Unknown code (lz-string returns null) or `undefined.charAt` (lz-string throws).
      return 'invalid';
    }
    produced += entry.length;
    if (produced > maxUnits) return 'too_big';
    result.push(entry);

    dictionary[dictSize++] = `${w}${entry.charAt(0)}`;
    enlargeIn--;
    w = entry;

    if (enlargeIn === 0) {
      enlargeIn = Math.pow(2, numBits);
      numBits++;
    }
  }
}
