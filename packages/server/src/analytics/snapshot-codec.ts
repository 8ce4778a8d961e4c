import { crc32 } from 'node:zlib';

/**
 * A compact binary layout for snapshots of many small records: three typed streams read back in the
 * order they were written (whole numbers as u32 words, any number as f64, uuids as 16 bytes) and a
 * dictionary of strings, each stored once and referred to by index; instants as u32 offsets from a base. Reading a stream is a typed-array
 * index, not a parse: at tens of MB this is what keeps a start fast.
 *
 * Layout: magic (8) ‖ u32 version ‖ u32 crc32 of the rest ‖ u32 numbers ‖ u32 words ‖ u32 uuid bytes ‖
 * u32 dictionary bytes ‖ f64 numbers ‖ u32 words ‖ uuid bytes ‖ the dictionary (a JSON array of strings),
 * all little-endian.
 */
const HEADER = 32;

const TIME_ESCAPE = 0xffffffff;
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Where each of a uuid's 16 bytes goes in its 36-character text. */
const UUID_HEX_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

export class SnapshotWriter {
  private readonly numbers: number[] = [];
  private readonly words: number[] = [];
  private uuids = Buffer.alloc(1 << 16);
  private uuidBytes = 0;
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();

  number(value: number): void {
    this.numbers.push(value);
  }

  word(value: number): void {
    this.words.push(value);
  }

  /**
   * An instant near `base` (epoch ms): one word holding the offset when it is a whole number of ms in
   * [base, base + 2^32 - 1), else the escape word and the instant as a number.
   */
  time(instant: number, base: number): void {
    const offset = instant - base;
    if (Number.isInteger(offset) && offset >= 0 && offset < TIME_ESCAPE) this.words.push(offset);
    else {
      this.words.push(TIME_ESCAPE);
      this.numbers.push(instant);
    }
  }

  /** The dictionary index of `text`, added on first use. */
  stringId(text: string): number {
    let id = this.stringIds.get(text);
    if (id === undefined) this.stringIds.set(text, (id = this.strings.push(text) - 1));
    return id;
  }

  string(text: string): void {
    this.words.push(this.stringId(text));
  }

  /**
   * A uuid as one word: 0 for a canonical uuid, whose 16 bytes go to the uuid stream; any other text (kept
   * exactly as it is) goes to the dictionary, and the word is its index + 1.
   */
  uuid(text: string): void {
    if (!CANONICAL_UUID.test(text)) {
      this.words.push(this.stringId(text) + 1);
      return;
    }
    this.words.push(0);
    if (this.uuidBytes + 16 > this.uuids.length) {
      const larger = Buffer.alloc(this.uuids.length * 2);
      this.uuids.copy(larger, 0, 0, this.uuidBytes);
      this.uuids = larger;
    }
    this.uuids.write(text.replaceAll('-', ''), this.uuidBytes, 'hex');
    this.uuidBytes += 16;
  }

  finish(magic: Buffer, version: number): Buffer {
    const numbers = Buffer.from(Float64Array.from(this.numbers).buffer);
    const words = Buffer.from(Uint32Array.from(this.words).buffer);
    const uuids = this.uuids.subarray(0, this.uuidBytes);
    const dictionary = Buffer.from(JSON.stringify(this.strings));
    const header = Buffer.alloc(HEADER);
    magic.copy(header, 0);
    header.writeUInt32LE(version, 8);
    header.writeUInt32LE(this.numbers.length, 16);
    header.writeUInt32LE(this.words.length, 20);
    header.writeUInt32LE(this.uuidBytes, 24);
    header.writeUInt32LE(dictionary.length, 28);
    const body = Buffer.concat([numbers, words, uuids, dictionary]);
    header.writeUInt32LE(crc32(body), 12);
    return Buffer.concat([header, body]);
  }
}

/** Thrown when a snapshot's streams end early or refer past the dictionary: the file does not check out. */
export class SnapshotShapeError extends Error {}

export class SnapshotReader {
  private readonly numbers: Float64Array;
  private readonly words: Uint32Array;
  private readonly uuids: Buffer;
  private readonly strings: string[];
  private n = 0;
  private w = 0;
  private u = 0;
  private readonly uuidLine = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');

  /** A reader over `bytes`, or null when they are not a snapshot of this magic and version. */
  static open(bytes: Buffer, magic: Buffer, version: number): SnapshotReader | null {
    if (bytes.length < HEADER || !bytes.subarray(0, 8).equals(magic) || bytes.readUInt32LE(8) !== version)
      return null;
    const counts = [16, 20, 24, 28].map((at) => bytes.readUInt32LE(at)) as [number, number, number, number];
    const [numbers, words, uuidBytes, dictionaryBytes] = counts;
    if (bytes.length !== HEADER + numbers * 8 + words * 4 + uuidBytes + dictionaryBytes) return null;
    const body = bytes.subarray(HEADER);
    if (crc32(body) !== bytes.readUInt32LE(12)) return null;
    return new SnapshotReader(body, numbers, words, uuidBytes);
  }

  private constructor(body: Buffer, numbers: number, words: number, uuidBytes: number) {
    // Copied out: typed arrays need aligned offsets, which a decrypted or pooled buffer may not have.
    this.numbers = new Float64Array(numbers);
    body.copy(Buffer.from(this.numbers.buffer), 0, 0, numbers * 8);
    let at = numbers * 8;
    this.words = new Uint32Array(words);
    body.copy(Buffer.from(this.words.buffer), 0, at, (at += words * 4));
    this.uuids = body.subarray(at, (at += uuidBytes));
    const strings: unknown = JSON.parse(body.subarray(at).toString('utf8'));
    if (!Array.isArray(strings) || !strings.every((s) => typeof s === 'string'))
      throw new SnapshotShapeError('dictionary is not a list of strings');
    this.strings = strings;
  }

  number(): number {
    if (this.n >= this.numbers.length) throw new SnapshotShapeError('numbers end early');
    return this.numbers[this.n++] as number;
  }

  word(): number {
    if (this.w >= this.words.length) throw new SnapshotShapeError('words end early');
    return this.words[this.w++] as number;
  }

  string(): string {
    return this.stringAt(this.word());
  }

  /** An instant `SnapshotWriter.time` wrote with the same `base`. */
  time(base: number): number {
    const word = this.word();
    return word === TIME_ESCAPE ? this.number() : base + word;
  }

  /** A uuid `SnapshotWriter.uuid` wrote. */
  uuid(): string {
    const word = this.word();
    if (word > 0) return this.stringAt(word - 1);
    const at = this.u;
    if (at + 16 > this.uuids.length) throw new SnapshotShapeError('uuids end early');
    this.u += 16;
    // Hex digits written into a scratch line, then one string: no intermediate strings per byte.
    const line = this.uuidLine;
    for (let i = 0; i < 16; i++) {
      const byte = this.uuids[at + i] as number;
      const to = UUID_HEX_AT[i] as number;
      line[to] = HEX_DIGITS[byte >> 4] as number;
      line[to + 1] = HEX_DIGITS[byte & 15] as number;
    }
    return line.toString('latin1', 0, 36);
  }

  /** Whether every stream was read to its end (a well-formed snapshot leaves nothing over). */
  get done(): boolean {
    return this.n === this.numbers.length && this.w === this.words.length && this.u === this.uuids.length;
  }

  private stringAt(id: number): string {
    const text = this.strings[id];
    if (text === undefined) throw new SnapshotShapeError('string index past the dictionary');
    return text;
  }
}
