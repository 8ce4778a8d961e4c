import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
import { writeFileDurably } from '../durable-file.js';
import { UuidFilter } from './uuid-filter.js';

/**
 * The dedup filter saved next to the store, so a start reads it instead of every stored uuid. It holds
 * bits set by hashes of uuids only (no event data), so it is not sealed when the store is encrypted.
 *
 * `ingestedBefore`: every event ingested before this instant (epoch ms) was in the filter when it was saved.
 * Ingestion times never go backwards (the pipeline starts from this instant), so a start adds the store's
 * uuids ingested at or after it and the filter again covers every stored uuid.
 *
 * Layout: magic ‖ u32 version ‖ u32 uuids added ‖ f64 ingestedBefore ‖ u32 filter words ‖ u32 crc32 of the
 * words ‖ the words in little-endian order. The words are the filter folded to what its uuids need
 * (`UuidFilter.folded`), read back into a filter of the size configured, whichever it is. A file that does
 * not check out is ignored (the filter is rebuilt from every stored uuid). Version 2 held the whole filter
 * and no count; version 1 a fingerprint table.
 */
/** Its name in the data directory. */
export const DEDUP_INDEX_FILE = 'dedup-index.bin';

const MAGIC = Buffer.from('PULSEUIX', 'latin1');
const VERSION = 3;
/** Read as well: its words are the whole filter, so they are never folded below their size. */
const UNFOLDED_VERSION = 2;
const HEADER = 32;
/** The words are written as they lie in memory; another byte order reads no file and writes none. */
const littleEndian = endianness() === 'LE';

export interface SavedFilter {
  filter: UuidFilter;
  ingestedBefore: number;
}

/** The saved filter, as one of `filterBytes`, or null when there is none or it does not check out. */
export async function loadDedupFilter(path: string, filterBytes: number): Promise<SavedFilter | null> {
  if (!littleEndian) return null;
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const header = Buffer.alloc(HEADER);
    const { bytesRead } = await file.read(header, 0, HEADER, 0);
    const version = header.readUInt32LE(8);
    if (
      bytesRead < HEADER ||
      !header.subarray(0, 8).equals(MAGIC) ||
      (version !== VERSION && version !== UNFOLDED_VERSION)
    )
      return null;
    const ingestedBefore = header.readDoubleLE(16);
    const count = header.readUInt32LE(24);
    if (!Number.isFinite(ingestedBefore) || (await file.stat()).size !== HEADER + count * 4) return null;
    const words = new Uint32Array(count);
    const body = Buffer.from(words.buffer);
    for (let at = 0; at < body.length;) {
      const read = await file.read(body, at, body.length - at, HEADER + at);
      if (read.bytesRead === 0) return null;
      at += read.bytesRead;
    }
    if (crc32(body) !== header.readUInt32LE(28)) return null;
    const added = version === VERSION ? header.readUInt32LE(12) : count;
    const filter = UuidFilter.fromWords(words, added, filterBytes);
    return filter ? { filter, ingestedBefore } : null;
  } finally {
    await file.close();
  }
}

/**
 * Writes a filter's (folded) words and how many uuids it was given, atomically (temporary file, fsync,
 * rename): a crash leaves the old file or the new one.
 */
export async function saveDedupFilter(
  path: string,
  words: Uint32Array,
  added: number,
  ingestedBefore: number,
): Promise<void> {
  if (!littleEndian) return;
  const body = Buffer.from(words.buffer, words.byteOffset, words.byteLength);
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(VERSION, 8);
  header.writeUInt32LE(Math.min(added, 0xffffffff), 12);
  header.writeDoubleLE(ingestedBefore, 16);
  header.writeUInt32LE(words.length, 24);
  header.writeUInt32LE(crc32(body), 28);
  await writeFileDurably(path, [header, body]);
}
